import Synchronization

/// The look-ups the rules across documents make: each is a key of an index. A document is filed under the keys
/// ``ContextDocument/lookupKeys`` names, and a registry kept outside memory (the gateway's journal) is asked for
/// exactly those keys a check looks up.
public enum ContextIndex: String, Sendable, CaseIterable {
    case id, previous, agreementsByOrder, certificatesByOrder, certificatesByNumber, contractsByCertificate
    case agreementsByExecutor, noticesByContract, firstVersionsByNumber

    /// The key of `value` in this index.
    public func key(_ value: String) -> String { rawValue + ":" + value }
}

extension ContextDocument {
    /// Every key this document is filed under (what the journal's registry indexes it by).
    public var lookupKeys: [String] {
        var keys = [ContextIndex.id.key(id)]
        if let p = header?.previousVersionId { keys.append(ContextIndex.previous.key(p)) }
        if let k = Checker.firstVersionKey(self) { keys.append(ContextIndex.firstVersionsByNumber.key(k)) }
        switch model {
        case .agreement(let a):
            if let o = a.socialOrderRef?.id { keys.append(ContextIndex.agreementsByOrder.key(o)) }
            if let inn = a.executor?.inn { keys.append(ContextIndex.agreementsByExecutor.key(inn)) }
        case .socialCertificate(let c):
            if let o = c.socialOrderRef?.id { keys.append(ContextIndex.certificatesByOrder.key(o)) }
            if let n = header?.number { keys.append(ContextIndex.certificatesByNumber.key(n)) }
        case .contract(let c):
            if let id = c.certificateId { keys.append(ContextIndex.contractsByCertificate.key(id)) }
            if !c.certificateNumber.isEmpty { keys.append(ContextIndex.contractsByCertificate.key("#" + c.certificateNumber)) }
        case .contractNotice(let n):
            if let key = n.contractKey { keys.append(ContextIndex.noticesByContract.key(key)) }
        default: break
        }
        return keys
    }

    /// What tells one document from another in the context: the same file with the same id and bytes is one.
    var fingerprint: String { id + "\u{0}" + (sha256 ?? "") + "\u{0}" + file }
}

extension DocumentContext {
    /// The documents by key, each once.
    struct Indexes: Sendable {
        var docs: [String: [ContextDocument]] = [:]
        var fingerprints: Set<String> = []
        /// The keys whose documents are all here (a registry read on demand); unused when everything is in memory.
        var known: Set<String> = []
        /// What the last two calls of `add` brought (the gateway's latest decisions, perhaps not in its journal
        /// yet): kept when the rest is let go.
        var recent: [[ContextDocument]] = []
        var count = 0

        /// Lets go of everything but the recent additions.
        mutating func reset() {
            let keep = recent
            self = Indexes()
            for batch in keep { for d in batch { add(d) } }
            recent = keep
        }

        mutating func add(_ d: ContextDocument) {
            guard fingerprints.insert(d.fingerprint).inserted else { return }
            for key in d.lookupKeys { docs[key, default: []].append(d) }
            count += 1
        }
    }

    /// One index as the rules read it: `index[value]`, each look-up noted when a check records what it asks.
    struct Lookup {
        let docs: [String: [ContextDocument]]
        let index: ContextIndex
        let asked: AskedKeys?

        subscript(_ value: String) -> [ContextDocument]? {
            let key = index.key(value)
            asked?.keys.insert(key)
            return docs[key]
        }
    }

    /// The keys a check looked up.
    final class AskedKeys {
        var keys: Set<String> = []
    }
}
