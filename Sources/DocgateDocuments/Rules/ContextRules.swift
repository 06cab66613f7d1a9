import DocgateCore
import Synchronization

/// A document known to the context: what the rules across documents need of it.
public struct ContextDocument: Sendable, Codable {
    /// The file it was read from, by its real path (the key that tells one file from a copy).
    public var file: String
    /// Its kind.
    public var kind: DocumentKind
    /// The root element's id (a UUID).
    public var id: String
    /// SHA-256 of its bytes, hex: the same id with other bytes is a conflict (DG3107).
    public var sha256: String?
    /// Its header: number, version and the previous version's id (DG3106).
    public var header: DocumentHeader?
    /// Its content as the rules read it.
    public var model: DocumentModel

    /// The document of a valid report with a kind, id and model; nil otherwise (the rules skip it).
    public init?(report: ValidationReport, sha256: String?) {
        guard report.valid, let kind = report.kind, let id = report.documentId, let model = report.model else { return nil }
        file = report.file
        self.kind = kind
        self.id = id
        self.sha256 = sha256
        header = report.header
        self.model = model
    }
}

/// The rules across documents (domain.md §8, DG3100–DG3109) over a registry of known documents: the orders,
/// agreements and certificates an incoming document is checked against. Look-ups are by hash tables, so a check
/// costs the same whatever the registry's size. Shared by threads.
///
/// Either everything is in memory (a folder of documents), or the registry lives elsewhere (the gateway's journal)
/// and ``prefetch(_:fetch:)`` reads, before documents are checked, the documents of every key their checks look up
/// that was not read before; memory then holds what was looked up, not the whole registry, and at most `capacity`
/// documents (past it everything read is let go and read again when needed).
public final class DocumentContext: Sendable {
    private let indexes: Mutex<Indexes>
    private let capacity: Int?

    /// A context holding these documents.
    public init(_ documents: [ContextDocument] = [], capacity: Int? = nil) {
        var i = Indexes()
        for d in documents { i.add(d) }
        indexes = Mutex(i)
        self.capacity = capacity
    }

    /// Adds documents (the gateway adds each document it delivers).
    public func add(_ documents: [ContextDocument]) {
        indexes.withLock { i in
            for d in documents { i.add(d) }
            i.recent = Array((i.recent + [documents]).suffix(2))
            if let capacity, i.count > capacity { i.reset() }
        }
    }

    /// Adds those of `documents` filed under a key read before (what another instance delivered: a key not read
    /// yet brings them when it is), dropping the others.
    public func addWhereKnown(_ documents: [ContextDocument]) {
        indexes.withLock { i in
            for d in documents where d.lookupKeys.contains(where: i.known.contains) { i.add(d) }
            if let capacity, i.count > capacity { i.reset() }
        }
    }

    /// How many documents it holds.
    public var count: Int { indexes.withLock { $0.count } }

    /// Every finding about `document` against the context (which may contain the document itself). `identity`
    /// false leaves DG3107 to a caller that decides duplicates itself (the gateway's journal).
    public func check(_ d: ContextDocument, identity: Bool = true) -> [Diagnostic] {
        let snapshot = indexes.withLock { $0.docs }
        return Checker(docs: snapshot, asked: nil).check(d, identity: identity)
    }

    /// Reads, through `fetch`, the documents of every key the checks of `documents` look up and that was not read
    /// before, until none is missing (a look-up may depend on what an earlier one found: a version chain, a
    /// contract's certificate). Throws what `fetch` throws. Returns how many documents were read.
    @discardableResult
    public func prefetch(_ documents: [ContextDocument], fetch: ([String]) throws -> [ContextDocument]) throws -> Int {
        var read = 0
        // Each round marks at least one more key read, so the rounds end; the bound only stops a runaway chain.
        for _ in 0..<Self.maxRounds {
            let missing = missingKeys(documents)
            guard !missing.isEmpty else { return read }
            let found = try fetch(missing.sorted())
            read += found.count
            indexes.withLock { i in
                // Let go before adding, so that what this round read stays for the rounds after it.
                if let capacity, i.count + found.count > capacity { i.reset() }
                for d in found { i.add(d) }
                i.known.formUnion(missing)
            }
        }
        throw PrefetchError(rounds: Self.maxRounds)
    }

    /// The keys the checks of `documents` look up that were not read before. The snapshot of the indexes ends with
    /// this call, before what is read is added: kept alive, it would make the addition copy every index held.
    private func missingKeys(_ documents: [ContextDocument]) -> Set<String> {
        let asked = AskedKeys()
        let (docs, known) = indexes.withLock { ($0.docs, $0.known) }
        for d in documents { _ = Checker(docs: docs, asked: asked).check(d, identity: false) }
        return asked.keys.subtracting(known)
    }

    /// A bound on the rounds of `prefetch` (each follows one more link of a chain: a version chain of that length).
    static let maxRounds = 1_000

    /// `prefetch` found no end to what the checks look up within ``maxRounds`` rounds: nothing is decided on it.
    public struct PrefetchError: Error, CustomStringConvertible {
        /// The rounds made.
        public let rounds: Int
        /// For the log.
        public var description: String { "the rules across documents looked up new keys for \(rounds) rounds" }
    }
}

/// The rules, over one consistent view of the indexes.
struct Checker {
    let docs: [String: [ContextDocument]]
    let asked: DocumentContext.AskedKeys?
    private func lookup(_ index: ContextIndex) -> DocumentContext.Lookup { .init(docs: docs, index: index, asked: asked) }
    var byId: DocumentContext.Lookup { lookup(.id) }
    var byPrevious: DocumentContext.Lookup { lookup(.previous) }
    var agreementsByOrder: DocumentContext.Lookup { lookup(.agreementsByOrder) }
    var certificatesByOrder: DocumentContext.Lookup { lookup(.certificatesByOrder) }
    var certificatesByNumber: DocumentContext.Lookup { lookup(.certificatesByNumber) }
    var contractsByCertificate: DocumentContext.Lookup { lookup(.contractsByCertificate) }
    var agreementsByExecutor: DocumentContext.Lookup { lookup(.agreementsByExecutor) }
    var noticesByContract: DocumentContext.Lookup { lookup(.noticesByContract) }
    var firstVersionsByNumber: DocumentContext.Lookup { lookup(.firstVersionsByNumber) }

    static func finding(_ code: String, _ severity: Severity = .error, ru: String, en: String) -> Diagnostic {
        Diagnostic(code: code, severity: severity, message: LocalizedText(ru: ru, en: en))
    }

    /// The latest version of the social order with this id (the highest header version among its files).
    func order(_ id: String) -> (ContextDocument, SocialOrder)? {
        let candidates = (byId[id] ?? []).compactMap { d -> (ContextDocument, SocialOrder)? in
            if case .socialOrder(let o) = d.model { return (d, o) }
            return nil
        }
        return candidates.max { ($0.0.header?.version ?? 0) < ($1.0.header?.version ?? 0) }
    }

    func check(_ d: ContextDocument, identity checkIdentity: Bool) -> [Diagnostic] {
        var out: [Diagnostic] = []
        if checkIdentity { identity(d, &out) }
        versions(d, &out)
        lifeRules(d, &out)
        switch d.model {
        case .executionReport(let r): reportPlan(r, &out)
        case .agreement(let a): agreementVolumes(d, a, &out)
        case .socialCertificate(let c): certificateVolumes(d, c, &out)
        case .contract(let c): contractRules(d, c, &out)
        case .contractNotice(let n): noticeRules(d, n, &out)
        default: break
        }
        if case .executionReport(let r) = d.model { executorFacts(r, &out) }
        return out
    }

    /// The latest version of a document among candidates of one kind.
    static func latest(_ candidates: [ContextDocument]) -> ContextDocument? {
        candidates.max { ($0.header?.version ?? 0) < ($1.header?.version ?? 0) }
    }

    static func digits(_ s: String?) -> String? {
        guard let s else { return nil }
        let d = s.filter(\.isNumber)
        return d.isEmpty ? nil : d
    }

    /// DG3105: each executor's facts in a report stay within its agreement's volume plus the allowed deviation.
    private func executorFacts(_ r: ExecutionReport, _ out: inout [Diagnostic]) {
        for item in r.detailItems {
            guard let id = item.agreementRef?.id, let doc = Self.latest((byId[id] ?? []).filter { $0.kind == .agreement }),
                  case .agreement(let ag) = doc.model else { continue }
            let who = item.executor.shortName ?? item.executor.fullName
            // The executor reports under an agreement it is a party to.
            if let theirs = Self.digits(item.executor.taxNumber), let party = Self.digits(ag.executor?.taxNumber), theirs != party {
                out.append(Self.finding("DG3105", ru: "исполнитель \(who) (ИНН \(theirs)) не сторона соглашения \(doc.header?.number ?? id), заключённого с ИНН \(party)",
                                        en: "the executor \(who) (ИНН \(theirs)) is not a party to agreement \(doc.header?.number ?? id), made with ИНН \(party)"))
                continue
            }
            // Coverage by the service (its registry number), as DG3104; volumes compare only in the same unit.
            guard let line = ag.services.first(where: { $0.service.regNum == item.service.regNum }) else {
                out.append(Self.finding("DG3105", ru: "соглашение \(doc.header?.number ?? id) не охватывает услугу «\(item.service.name)» (\(item.service.regNum)), по которой отчитывается \(who)",
                                        en: "agreement \(doc.header?.number ?? id) does not cover the service '\(item.service.name)' (\(item.service.regNum)) that \(who) reports on"))
                continue
            }
            guard line.indicator.okei == item.indicator.okei, let yv = line.yearValues.first(where: { $0.year == r.reportingYear }) else { continue }
            let factor = DecimalValue.one.adding(item.allowedDeviation.divided(by: .hundred, places: 6) ?? .zero) ?? .one
            guard let limit = yv.volume.multiplied(by: factor) else { continue }
            if item.factValue > limit {
                out.append(Self.finding("DG3105", ru: "факт \(item.factValue) исполнителя \(item.executor.shortName ?? item.executor.fullName) больше объёма соглашения \(yv.volume) с допустимым отклонением \(item.allowedDeviation) %",
                                        en: "the fact \(item.factValue) of \(item.executor.shortName ?? item.executor.fullName) exceeds the agreement's volume \(yv.volume) plus the allowed \(item.allowedDeviation) %"))
            }
        }
    }

    /// DG3107: the same id and bytes is a duplicate; the same id with other bytes a conflict.
    private func identity(_ d: ContextDocument, _ out: inout [Diagnostic]) {
        for other in byId[d.id] ?? [] where other.file != d.file {
            if let a = d.sha256, let b = other.sha256, a == b {
                out.append(Self.finding("DG3107", .warning, ru: "тот же документ (id и содержимое) уже есть: \(other.file)",
                                        en: "the same document (id and content) is already there: \(other.file)"))
            } else if other.header?.version == d.header?.version {
                out.append(Self.finding("DG3107", ru: "документ с id \(d.id) уже есть с другим содержимым: \(other.file)",
                                        en: "a document with id \(d.id) is already there with other content: \(other.file)"))
            }
        }
    }

    /// DG3106: the previous version exists, versions increase, no fork.
    private func versions(_ d: ContextDocument, _ out: inout [Diagnostic]) {
        guard let header = d.header, let previous = header.previousVersionId else { return }
        let earlier = (byId[previous] ?? []).filter { $0.kind == d.kind }
        if earlier.isEmpty {
            if let other = byId[previous]?.first {
                out.append(Self.finding("DG3106", ru: "предыдущая версия \(previous) — документ другого вида (\(other.kind.rawValue), \(other.file))",
                                        en: "the previous version \(previous) is a document of another kind (\(other.kind.rawValue), \(other.file))"))
            } else {
                out.append(Self.finding("DG3106", ru: "предыдущая версия \(previous) неизвестна", en: "the previous version \(previous) is not known"))
            }
        }
        // DG3108: what the status model allows after the previous version, with the same parties.
        for e in earlier { out += StatusModel.check(d, after: e) }
        for e in earlier where (e.header?.version ?? 0) >= header.version {
            out.append(Self.finding("DG3106", ru: "версия \(header.version) не больше версии \(e.header?.version ?? 0) предыдущего документа \(e.file)",
                                    en: "version \(header.version) is not above version \(e.header?.version ?? 0) of the previous document \(e.file)"))
        }
        for sibling in byPrevious[previous] ?? [] where sibling.id != d.id && sibling.kind == d.kind {
            out.append(Self.finding("DG3106", ru: "развилка: \(sibling.file) тоже продолжает версию \(previous)",
                                    en: "a fork: \(sibling.file) also follows version \(previous)"))
        }
    }

    static func key(_ regNum: String?, _ name: String, _ okei: String) -> String { (regNum ?? name) + "\u{0}" + okei }

    /// DG3100: the report's social order is known, and its plan is that order's.
    private func reportPlan(_ r: ExecutionReport, _ out: inout [Diagnostic]) {
        guard let ref = r.socialOrderRef, let id = ref.id else { return }
        guard let (doc, order) = self.order(id) else {
            out.append(Self.finding("DG3100", ru: "социальный заказ \(id) неизвестен", en: "the social order \(id) is not known"))
            return
        }
        if let v = ref.version, let have = doc.header?.version, v != have {
            out.append(Self.finding("DG3100", ru: "отчёт ссылается на версию \(v) заказа, а последняя утверждённая — \(have)",
                                    en: "the report refers to version \(v) of the order; the latest approved is \(have)"))
        }
        var plans: [String: MethodVolumes] = [:]
        for g in order.generalItems where g.year == r.reportingYear {
            plans[Self.key(g.service.regNum, g.service.name, g.indicator.okei)] = g.volumes
        }
        for item in r.summaryItems {
            let k = Self.key(item.service.regNum, item.service.name, item.indicator.okei)
            guard let plan = plans[k] else {
                out.append(Self.finding("DG3100", ru: "в заказе нет услуги «\(item.service.name)» на \(r.reportingYear) год",
                                        en: "the order has no service '\(item.service.name)' for \(r.reportingYear)"))
                continue
            }
            if r.periodicity == "year" {
                // An annual report's plan is the order's, method by method.
                if plan != item.plan {
                    out.append(Self.finding("DG3100", ru: "план по услуге «\(item.service.name)» (всего \(item.plan.total)) не равен заказу (всего \(plan.total))",
                                            en: "the plan for '\(item.service.name)' (total \(item.plan.total)) is not the order's (total \(plan.total))"))
                }
            } else {
                // An interim report plans a share of the year: no method above the order's annual volume.
                let methods: [(String, KeyPath<MethodVolumes, DecimalValue>)] = [
                    ("total", \.total), ("stateTaskTreasury", \.stateTaskTreasury), ("stateTaskBudgetAutonomous", \.stateTaskBudgetAutonomous),
                    ("competition", \.competition), ("certificate", \.certificate)]
                for (name, path) in methods where item.plan[keyPath: path] > plan[keyPath: path] {
                    out.append(Self.finding("DG3100", ru: "план отчёта по услуге «\(item.service.name)» (\(name) \(item.plan[keyPath: path])) больше годового объёма заказа (\(plan[keyPath: path]))",
                                            en: "the report's plan for '\(item.service.name)' (\(name) \(item.plan[keyPath: path])) exceeds the order's annual volume (\(plan[keyPath: path]))"))
                }
            }
        }
    }

    /// The order's volume per service (Section II, by registry number), indicator unit and year, for a method;
    /// rows of the same service in several places are added up.
    private func orderVolumes(_ order: SocialOrder, method: KeyPath<MethodVolumes, DecimalValue>) -> [String: DecimalValue] {
        var out: [String: DecimalValue] = [:]
        for item in order.volumeItems {
            for yv in item.yearValues {
                let k = Self.key(item.service.regNum, item.service.name, item.indicator.okei) + "\u{0}\(yv.year)"
                out[k] = (out[k] ?? .zero).adding(yv.volumes[keyPath: method]) ?? out[k]
            }
        }
        return out
    }

    /// DG3101: Σ agreement volumes per service and year, for the agreement's method, ≤ the order's volume.
    private func agreementVolumes(_ d: ContextDocument, _ a: Agreement, _ out: inout [Diagnostic]) {
        guard a.kind == "competition" || a.kind == "certificate", let id = a.socialOrderRef?.id, let (_, order) = self.order(id) else { return }
        let method: KeyPath<MethodVolumes, DecimalValue> = a.kind == "competition" ? \.competition : \.certificate
        let limits = orderVolumes(order, method: method)
        // The latest version of each agreement on this order, this one included (replacing its own earlier versions).
        var latest: [String: Agreement] = [:]
        var versions: [String: Int] = [:]
        var replaced: Set<String> = []
        for other in (agreementsByOrder[id] ?? []) + [d] {
            guard case .agreement(let oa) = other.model, oa.kind == a.kind else { continue }
            if let p = other.header?.previousVersionId { replaced.insert(p) }
            let v = other.header?.version ?? 0
            if v >= versions[other.id] ?? -1 { latest[other.id] = oa; versions[other.id] = v }
        }
        var sums: [String: DecimalValue] = [:]
        for (aid, agreement) in latest where !replaced.contains(aid) {
            for line in agreement.services {
                for yv in line.yearValues {
                    let k = Self.key(line.service.regNum, line.service.name, line.indicator.okei) + "\u{0}\(yv.year)"
                    sums[k] = (sums[k] ?? .zero).adding(yv.volume) ?? sums[k]
                }
            }
        }
        for line in a.services {
            for yv in line.yearValues {
                let k = Self.key(line.service.regNum, line.service.name, line.indicator.okei) + "\u{0}\(yv.year)"
                guard let sum = sums[k], let limit = limits[k] else { continue }
                if sum > limit {
                    out.append(Self.finding("DG3101", ru: "соглашения по услуге «\(line.service.name)» на \(yv.year) год: объём \(sum) больше заказанного \(limit)",
                                            en: "agreements for '\(line.service.name)' in \(yv.year): volume \(sum) exceeds the order's \(limit)"))
                }
            }
        }
    }

    /// DG3102 (warning): Σ volumes of the order's certificates per service and year ≤ the order's certificate volume.
    private func certificateVolumes(_ d: ContextDocument, _ c: SocialCertificate, _ out: inout [Diagnostic]) {
        guard let id = c.socialOrderRef?.id, let (_, order) = self.order(id) else { return }
        let limits = orderVolumes(order, method: \.certificate)
        var sums: [String: DecimalValue] = [:]
        var seen: Set<String> = []
        for other in (certificatesByOrder[id] ?? []) + [d] where seen.insert(other.id).inserted {
            guard case .socialCertificate(let oc) = other.model else { continue }
            for line in oc.services {
                let year = line.servicePeriod?.from?.year ?? order.planningPeriod?.financialYear ?? 0
                let k = Self.key(line.service.regNum, line.service.name, line.indicator.okei) + "\u{0}\(year)"
                sums[k] = (sums[k] ?? .zero).adding(line.volume) ?? sums[k]
            }
        }
        for line in c.services {
            let year = line.servicePeriod?.from?.year ?? order.planningPeriod?.financialYear ?? 0
            let k = Self.key(line.service.regNum, line.service.name, line.indicator.okei) + "\u{0}\(year)"
            guard let sum = sums[k], let limit = limits[k], sum > limit else { continue }
            out.append(Self.finding("DG3102", .warning, ru: "сертификаты по услуге «\(line.service.name)» на \(year) год: объём \(sum) больше заказанного \(limit)",
                                    en: "certificates for '\(line.service.name)' in \(year): volume \(sum) exceeds the order's \(limit)"))
        }
    }
}
