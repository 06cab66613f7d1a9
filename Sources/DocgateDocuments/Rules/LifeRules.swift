import DocgateCore

/// A document's life across its versions (docs/documents.md, "Documents through their lives"): the chain of versions, a base
/// agreement inside its additional agreement's chain, and one first version per number.
extension Checker {
    /// The ids of every version of `d`'s document: back through the previous versions, forward through the later.
    func versionChain(of d: ContextDocument) -> Set<String> {
        var ids: Set<String> = [d.id]
        var back = d.header?.previousVersionId
        while let id = back, ids.insert(id).inserted { back = (byId[id] ?? []).first { $0.kind == d.kind }?.header?.previousVersionId }
        var front = [d.id]
        while let id = front.popLast() {
            for next in byPrevious[id] ?? [] where next.kind == d.kind && ids.insert(next.id).inserted { front.append(next.id) }
        }
        return ids
    }

    /// DG3108: an additional agreement's base is the first version of its own chain. DG3106: a number begins one
    /// document's life — a second version 1 under it is refused.
    func lifeRules(_ d: ContextDocument, _ out: inout [Diagnostic]) {
        if case .agreement(let a) = d.model, let base = a.baseAgreementRef, let previous = d.header?.previousVersionId {
            // Back through the known versions to the first one.
            var first: ContextDocument?
            var next: String? = previous
            var seen: Set<String> = [d.id]
            while let id = next, seen.insert(id).inserted, let doc = (byId[id] ?? []).first(where: { $0.kind == d.kind }) {
                first = doc
                next = doc.header?.previousVersionId
            }
            if let first, first.header?.previousVersionId == nil {
                let matches = base.id.map { $0.lowercased() == first.id.lowercased() } ?? (base.number == first.header?.number)
                if !matches {
                    out.append(Self.finding("DG3108", ru: "основное соглашение \(base.number) не начало этой цепочки версий: она начинается с \(first.header?.number ?? first.id) (\(first.file))",
                                            en: "the base agreement \(base.number) does not begin this chain of versions: it begins with \(first.header?.number ?? first.id) (\(first.file))"))
                }
            }
        }
        if d.header?.version == 1, let key = Self.firstVersionKey(d) {
            for other in firstVersionsByNumber[key] ?? [] where other.id.lowercased() != d.id.lowercased() {
                out.append(Self.finding("DG3106", ru: "номер \(d.header?.number ?? "") уже начал жизнь другого документа: \(other.file); изменения — новые версии его",
                                        en: "the number \(d.header?.number ?? "") already began another document's life: \(other.file); changes are new versions of it"))
            }
        }
    }

    /// The key of a first version among documents whose life the status model follows: kind and number.
    static func firstVersionKey(_ d: ContextDocument) -> String? {
        guard StatusModel.transitions[d.kind] != nil, d.header?.version == 1, let number = d.header?.number else { return nil }
        return d.kind.rawValue + "|" + number
    }
}
