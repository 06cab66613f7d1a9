/// The register of social orders: planned volumes per authority (ГРБС), service, method and year, what
/// agreements cover and cost, and what annual reports say was done — the planning module's summary.
public struct Register: Sendable {
    /// One line of the register; which fields are filled depends on the grouping.
    public struct Row: Sendable, Hashable, Codable {
        /// The authority (ГРБС) that ordered the service; nil when summed over authorities.
        public var authority: String?
        /// The service's registry number (уникальный номер реестровой записи); nil when summed over services.
        public var serviceRegNum: String?
        /// The service's name as the order gives it.
        public var serviceName: String?
        /// The method of provision (stateTaskTreasury, stateTaskBudgetAutonomous, competition, certificate).
        public var method: String?
        /// The year of the volumes.
        public var year: Int?
        /// The unit of measure, ОКЕИ code: volumes are added within one unit only.
        public var okei: String?
        /// Planned volume (the orders' Section II).
        public var plan: DecimalValue = .zero
        /// Volume covered by agreements (competition and certificate methods).
        public var agreed: DecimalValue = .zero
        /// Amount of those agreements, roubles.
        public var amount: DecimalValue = .zero
        /// Fact from annual execution reports (Section II).
        public var fact: DecimalValue = .zero
        /// fact / plan, per cent to hundredths, when there is a plan and a fact.
        public var factPercent: DecimalValue? {
            guard !plan.isZero, !fact.isZero, let p = fact.multiplied(by: .hundred) else { return nil }
            return p.divided(by: plan, places: 2)
        }
    }

    /// What the lines are summed by (always within one year and one unit).
    public enum Grouping: String, Sendable, CaseIterable {
        /// Every authority × service × method × year.
        case all
        case authority
        case service
        case method
    }

    /// The lines, sorted by authority, service, method, unit and year.
    public private(set) var rows: [Row] = []

    /// A document for the register: its id and header (for versions) and its model.
    public struct Entry: Sendable {
        /// The document's id: a document another names as its previous version is left out.
        public var id: String?
        /// The document's header (its previous version).
        public var header: DocumentHeader?
        /// Its content.
        public var model: DocumentModel

        /// A document for the register.
        public init(id: String?, header: DocumentHeader?, model: DocumentModel) {
            self.id = id
            self.header = header
            self.model = model
        }
    }

    /// Builds the register from documents (orders, agreements, reports; other kinds are ignored). A document that
    /// a later version replaces (another document names it as its previous version) is left out.
    public init(_ entries: [Entry], by grouping: Grouping = .all, year: Int? = nil) {
        let replaced = Set(entries.compactMap { $0.header?.previousVersionId })
        let documents = entries.filter { $0.id.map { !replaced.contains($0) } ?? true }.map(\.model)
        var collector = Collector(year: year)
        for case .socialOrder(let o) in documents { collector.add(order: o) }
        for case .agreement(let a) in documents where a.kind == "competition" || a.kind == "certificate" { collector.add(agreement: a) }
        for case .executionReport(let r) in documents where r.periodicity == "year" { collector.add(report: r) }
        rows = Self.grouped(collector.table, by: grouping).sorted {
            ($0.authority ?? "", $0.serviceRegNum ?? "", $0.method ?? "", $0.okei ?? "", $0.year ?? 0)
                < ($1.authority ?? "", $1.serviceRegNum ?? "", $1.method ?? "", $1.okei ?? "", $1.year ?? 0)
        }
    }

    /// A line of the register before grouping: authority, service, method, unit and year.
    struct Key: Hashable { var authority, regNum, method, okei: String; var year: Int }

    /// The lines of the register as the documents fill them: plans from orders, then agreements, then facts.
    struct Collector {
        let year: Int?
        var table: [Key: Row] = [:]
        var names: [String: String] = [:]           // regNum → service name
        var authorityOf: [String: String] = [:]     // regNum → authority

        init(year: Int?) {
            self.year = year
        }

        mutating func add(_ k: Key, _ update: (inout Row) -> Void) {
            if let year, k.year != year { return }
            var row = table[k] ?? Row(authority: k.authority, serviceRegNum: k.regNum, serviceName: names[k.regNum], method: k.method,
                                      year: k.year, okei: k.okei)
            update(&row)
            table[k] = row
        }

        /// An order's Section II: the planned volume of each service, method and year.
        mutating func add(order o: SocialOrder) {
            for item in o.volumeItems {
                names[item.service.regNum] = item.service.name
                let authority = item.authorizedBody ?? o.authorizedBody?.shortName ?? o.authorizedBody?.fullName ?? ""
                // The authority of a service is the one that ordered it (first seen); else an agreement's grantor.
                authorityOf[item.service.regNum] = authorityOf[item.service.regNum] ?? authority
                for yv in item.yearValues {
                    for m in Method.allCases {
                        let v = yv.volumes[keyPath: Register.path(m)]
                        if v.isZero { continue }
                        add(Key(authority: authority, regNum: item.service.regNum, method: m.rawValue, okei: item.indicator.okei, year: yv.year)) {
                            $0.plan = $0.plan.adding(v) ?? $0.plan
                        }
                    }
                }
            }
        }

        /// A competition or certificate agreement: the agreed volume and amount of each service and year.
        mutating func add(agreement a: Agreement) {
            for line in a.services {
                names[line.service.regNum] = names[line.service.regNum] ?? line.service.name
                let authority = authorityOf[line.service.regNum] ?? a.grantor?.shortName ?? a.grantor?.fullName ?? ""
                for yv in line.yearValues {
                    add(Key(authority: authority, regNum: line.service.regNum, method: a.kind, okei: line.indicator.okei, year: yv.year)) {
                        $0.agreed = $0.agreed.adding(yv.volume) ?? $0.agreed
                        $0.amount = $0.amount.adding(yv.amount) ?? $0.amount
                    }
                }
            }
        }

        /// An annual execution report's Section II: the fact of each service and method.
        mutating func add(report r: ExecutionReport) {
            for item in r.detailItems {
                guard let m = item.method else { continue }
                names[item.service.regNum] = names[item.service.regNum] ?? item.service.name
                let authority = authorityOf[item.service.regNum] ?? r.authorizedBody?.shortName ?? r.authorizedBody?.fullName ?? ""
                add(Key(authority: authority, regNum: item.service.regNum, method: m.rawValue, okei: item.indicator.okei, year: r.reportingYear)) {
                    $0.fact = $0.fact.adding(item.factValue) ?? $0.fact
                }
            }
        }
    }

    /// The lines summed by `grouping`: within one year and one unit of measure (ОКЕИ) only.
    static func grouped(_ table: [Key: Row], by grouping: Grouping) -> [Row] {
        var grouped: [Key: Row] = [:]
        for (k, row) in table {
            var g = k
            var r = row
            switch grouping {
            case .all: break
            // Volumes are added only within one year and one unit of measure (ОКЕИ): persons and person-hours never mix.
            case .authority: g.regNum = ""; g.method = ""; r.serviceRegNum = nil; r.serviceName = nil; r.method = nil
            case .service: g.authority = ""; g.method = ""; r.authority = nil; r.method = nil
            case .method: g.authority = ""; g.regNum = ""; r.authority = nil; r.serviceRegNum = nil; r.serviceName = nil
            }
            if var existing = grouped[g] {
                existing.plan = existing.plan.adding(r.plan) ?? existing.plan
                existing.agreed = existing.agreed.adding(r.agreed) ?? existing.agreed
                existing.amount = existing.amount.adding(r.amount) ?? existing.amount
                existing.fact = existing.fact.adding(r.fact) ?? existing.fact
                grouped[g] = existing
            } else {
                grouped[g] = r
            }
        }
        return Array(grouped.values)
    }

    static func path(_ m: Method) -> KeyPath<MethodVolumes, DecimalValue> {
        switch m {
        case .stateTaskTreasury: \.stateTaskTreasury
        case .stateTaskBudgetAutonomous: \.stateTaskBudgetAutonomous
        case .competition: \.competition
        case .certificate: \.certificate
        }
    }

    /// The sums of the rows per year and unit of measure (ОКЕИ), by year then unit: volumes of different years or
    /// units are never added together (the amounts in roubles of one year are, within its unit's line).
    public var totals: [Row] {
        var byKey: [String: Row] = [:]
        for r in rows {
            let key = "\(r.year ?? 0)\u{0}\(r.okei ?? "")"
            var t = byKey[key] ?? Row(year: r.year, okei: r.okei)
            t.plan = t.plan.adding(r.plan) ?? t.plan
            t.agreed = t.agreed.adding(r.agreed) ?? t.agreed
            t.amount = t.amount.adding(r.amount) ?? t.amount
            t.fact = t.fact.adding(r.fact) ?? t.fact
            byKey[key] = t
        }
        return byKey.values.sorted { ($0.year ?? 0, $0.okei ?? "") < ($1.year ?? 0, $1.okei ?? "") }
    }
}
