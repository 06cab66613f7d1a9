import DocgateXML

/// Задание по предоставлению бюджетной услуги — Tomsk Annex 1 (`urn://docgate/service-assignment/1`).
public struct ServiceAssignment: Sendable, Codable {
    /// The five periods of the form: four quarters and the year.
    public enum Column: Int, CaseIterable, Sendable, Codable {
        /// The elements `q1`…`q4` (quarters I–IV) and `year` (the whole year) of a row.
        case q1, q2, q3, q4, year

        var element: StaticString {
            switch self {
            case .q1: "q1"
            case .q2: "q2"
            case .q3: "q3"
            case .q4: "q4"
            case .year: "year"
            }
        }

        var title: (ru: String, en: String) {
            switch self {
            case .q1: ("I квартал", "Q1")
            case .q2: ("II квартал", "Q2")
            case .q3: ("III квартал", "Q3")
            case .q4: ("IV квартал", "Q4")
            case .year: ("год", "the year")
            }
        }

        static let quarters: [Column] = [.q1, .q2, .q3, .q4]
    }

    /// A period's `plan` and `fact` in a row.
    public struct PlanFact: Sendable, Hashable, Codable {
        /// `plan`: the planned value; nil when absent.
        public var plan: DecimalValue?
        /// `fact`: the actual value; nil when absent (an assignment carries plans only).
        public var fact: DecimalValue?
    }

    /// `row`: a line of the form with its indicator code (П-1, Р-2.1, З-1.3, …) and its plan and fact by period.
    public struct Row: Sendable, Hashable, Codable {
        /// The code as written.
        public var code: String
        /// The code with the confusable digit «3» read as the letter «З».
        public var normalizedCode: String
        /// `name`: the indicator's (category's, group's, result's, cost item's) name.
        public var name: String
        /// `kek`: статья КЭК (210…290), required for З-1.1…З-1.7.
        public var kek: String?
        /// The `okei` attribute of `unit`: the unit's ОКЕИ code; empty when absent.
        public var okei: String
        /// Indexed by ``Column``; absent periods have neither plan nor fact.
        public var values: [PlanFact]
        /// True when `notApplicable` (the «Х» mark) is present: the row is not filled in.
        public var notApplicable: Bool
        /// `unit/name`: the unit's name, as the form prints it.
        public var unitName: String = ""

        /// The plan and fact of one period.
        public subscript(column: Column) -> PlanFact { values[column.rawValue] }
    }

    /// The root's `stage` attribute: `assignment` (the year's plan) or `report` (a quarter's plan and fact).
    public var stage: String = ""
    /// `year`: the year the assignment is for; 0 when absent.
    public var year: Int = 0
    /// `reportQuarter`: the quarter reported on (1–4), in a report.
    public var reportQuarter: Int?
    /// `serviceName`: Н-1, наименование бюджетной услуги.
    public var serviceName: String = ""
    /// `responsibleAuthority`: Н-3, the responsible executive body (ООИВ), which approves and signs the assignment.
    public var responsibleAuthority: Organization?
    /// `provider`: the provider of the service (a budget institution or a non-state organisation).
    public var provider: Organization?
    /// `row` elements, in document order.
    public var rows: [Row] = []
    /// `standard`: the act that approved the service's standard (Н-2), when given.
    public var standard: Standard?
    /// `normativeCalculation`: the normative per recipient and its components, when given.
    public var normative: Normative?
    /// `recipientForecast/group`: the forecast of recipients by group, in order.
    public var forecast: [ForecastGroup] = []
}

final class ServiceAssignmentReader: KindReader {
    var documentModel: DocumentModel { .serviceAssignment(model) }
    static let containers: Set<String> = []

    private let context: ReadContext
    private var f: Findings { context.findings }
    var model = ServiceAssignment()
    private var rowLocations: [Location] = []
    private var rowNodes: [String: Location] = [:]

    init(context: ReadContext) {
        self.context = context
        model.stage = context.attributes["stage"] ?? ""
    }

    /// КЭК article of each З-1.k row.
    static let kekOfCostRow = ["З-1.1": "210", "З-1.2": "220", "З-1.3": "230", "З-1.4": "240", "З-1.5": "250",
                               "З-1.6": "260", "З-1.7": "290"]

    func record(_ r: RecordContext, in container: String) {
        let n = r.node
        if n.isNamed("year") {
            model.year = Int(n.trimmedText) ?? 0
        } else if n.isNamed("reportQuarter") {
            model.reportQuarter = Int(n.trimmedText)
        } else if n.isNamed("serviceName") {
            model.serviceName = n.trimmedText
        } else if n.isNamed("responsibleAuthority") {
            model.responsibleAuthority = Organization(n)
        } else if n.isNamed("provider") {
            model.provider = Organization(n)
        } else if n.isNamed("row") {
            readRow(r)
        } else if n.isNamed("standard") {
            model.standard = ServiceAssignment.Standard(n)
        } else if n.isNamed("normativeCalculation") {
            model.normative = ServiceAssignment.Normative(n)
            checkNormative(r)
        } else if n.isNamed("recipientForecast") {
            model.forecast = n.children("group").map(ServiceAssignment.ForecastGroup.init)
            checkForecast(r)
        }
    }

    private func readRow(_ r: RecordContext) {
        let n = r.node
        let code = (n.attribute("code") ?? "").trimmingXMLSpace
        // Look-alikes the form's codes are typed with: the digit 3 for «З», the Latin P for «Р».
        let normalized = code.hasPrefix("3-") ? "З" + code.dropFirst() : code.hasPrefix("P-") ? "Р" + code.dropFirst() : code
        var values: [ServiceAssignment.PlanFact] = []
        for column in ServiceAssignment.Column.allCases {
            let c = n.child(column.element)
            values.append(ServiceAssignment.PlanFact(plan: c?.decimal("plan"), fact: c?.decimal("fact")))
        }
        let row = ServiceAssignment.Row(code: code, normalizedCode: normalized, name: n.string("name"),
                                        kek: n.childText("kek"), okei: n.child("unit")?.attribute("okei") ?? "",
                                        values: values, notApplicable: n.child("notApplicable") != nil,
                                        unitName: n.child("unit")?.childText("name") ?? "")
        let location = r.location()
        if normalized != code {
            let latin = code.hasPrefix("P-")
            f.add(.assignmentCodes, at: location,
                  ru: "Код строки «\(code)» написан с \(latin ? "латинской буквой P вместо кириллической «Р»" : "цифрой 3 вместо буквы «З»"); читается как «\(normalized)»",
                  en: "Row code '\(code)' has \(latin ? "the Latin letter P instead of the Cyrillic «Р»" : "the digit 3 instead of the Cyrillic letter «З»"); read as '\(normalized)'")
        }
        if let kek = Self.kekOfCostRow[normalized], row.kek != kek {
            f.add(.assignmentCodes, at: r.location(child: "kek"),
                  ru: "Строке \(normalized) соответствует статья КЭК \(kek), а указано «\(row.kek ?? "—")»",
                  en: "Row \(normalized) belongs to КЭК \(kek), not '\(row.kek ?? "none")'")
        }
        checkPeriods(row, location)
        checkQuarterSums(row, location)
        rowNodes[normalized] = rowNodes[normalized] ?? location
        model.rows.append(row)
        rowLocations.append(location)
    }

    /// DG3064: facts only up to the reporting quarter, and a report names its quarter.
    private func checkPeriods(_ row: ServiceAssignment.Row, _ location: Location) {
        let factColumns = ServiceAssignment.Column.quarters.filter { row[$0].fact != nil }
        if model.stage == "assignment", let first = factColumns.first {
            f.add(.assignmentReportPeriod, at: location,
                  ru: "В задании (stage=\"assignment\") не может быть фактических значений, а в строке \(row.normalizedCode) указан факт за \(first.title.ru)",
                  en: "An assignment (stage=\"assignment\") has no facts, but row \(row.normalizedCode) has one for \(first.title.en)")
        } else if model.stage == "report", let quarter = model.reportQuarter,
                  let late = factColumns.first(where: { $0.rawValue + 1 > quarter }) {
            f.add(.assignmentReportPeriod, at: location,
                  ru: "Отчёт за \(quarter) квартал содержит факт строки \(row.normalizedCode) за \(late.title.ru)",
                  en: "The report for quarter \(quarter) has a fact in row \(row.normalizedCode) for \(late.title.en)")
        }
    }

    /// How a row's year relates to its quarters, by what it counts: people (ОКЕИ 792, and the rows of categories,
    /// groups and people reached) are counted once a year however many quarters they are served in — the year lies
    /// between the largest quarter and the sum (DG3062); money, events, bed-days, calls and other volumes add up — the
    /// year is the sum (DG3061). Р-1 and Р-2.3 («пролеченные больные», койко-дни, вызовы) are either, by their unit.
    static func nature(code: String, okei: String) -> RowNature? {
        if ["П-1", "П-2", "Р-2.2"].contains(code) || okei == "792" { return .headCount }
        if code == "З-1" || code.hasPrefix("З-1.") || ["Р-1", "Р-2.1", "Р-2.3"].contains(code) { return .additive }
        return nil
    }

    enum RowNature { case additive, headCount }

    /// DG3061 (additive rows: the year is the sum of the quarters) and DG3062 (head counts: between the largest
    /// quarter and the sum).
    private func checkQuarterSums(_ row: ServiceAssignment.Row, _ location: Location) {
        let code = row.normalizedCode
        let nature = Self.nature(code: code, okei: row.okei)
        let isAdditive = nature == .additive
        let isHeadCount = nature == .headCount
        guard isAdditive || isHeadCount else { return }
        for (label, pick) in [(("план", "plan"), { (p: ServiceAssignment.PlanFact) in p.plan }),
                              (("факт", "fact"), { (p: ServiceAssignment.PlanFact) in p.fact })] {
            guard let year = pick(row[.year]) else { continue }
            let quarters = ServiceAssignment.Column.quarters.compactMap { pick(row[$0]) }
            guard !quarters.isEmpty, let sum = quarters.sum() else { continue }
            if isAdditive && sum != year {
                f.add(.assignmentQuarterSums, at: location,
                      ru: "Строка \(code), \(label.0): за год \(year), а сумма кварталов \(sum)",
                      en: "Row \(code), \(label.1): the year is \(year) but the quarters sum to \(sum)")
            } else if isHeadCount, let largest = quarters.max(), year < largest || sum < year {
                f.add(.assignmentHeadCount, at: location,
                      ru: "Строка \(code), \(label.0): численность за год \(year) должна быть не меньше наибольшей квартальной \(largest) и не больше суммы кварталов \(sum)",
                      en: "Row \(code), \(label.1): the year's head count \(year) should lie between the largest quarter \(largest) and the quarters' sum \(sum)")
            }
        }
    }

    func finish() {
        checkCostRows()
        checkNormativePerRecipient()
        checkDeadline()
        checkHandedOverBeforeTheYear()
        checkFactsOfTheReportedQuarters()
    }

    /// DG3068: an assignment is handed over before its year begins (seed 002, p. 26); a corrected version (one that
    /// names its previous version) may come during the year. DG3069: an assignment states its costs (З-1).
    private func checkHandedOverBeforeTheYear() {
        if model.stage == "assignment", model.year > 0, let date = context.header?.date, context.header?.previousVersionId == nil,
           !(date < CalendarDate(year: model.year, month: 1, day: 1)) {
            f.add(.assignmentDate, at: context.headerLocation,
                  ru: "Задание на \(model.year) год датировано \(date): задание доводится до начала года (корректировка — новой версией со ссылкой на прежнюю)",
                  en: "The assignment for \(model.year) is dated \(date): an assignment is handed over before its year begins (a correction is a new version naming the previous one)")
        }
        let costs = model.rows.filter { $0.normalizedCode == "З-1" || $0.normalizedCode.hasPrefix("З-1.") }
        if costs.isEmpty || costs.allSatisfy({ row in ServiceAssignment.Column.allCases.allSatisfy { row[$0].plan == nil && row[$0].fact == nil } }) {
            f.add(.assignmentWithoutCosts, at: rowLocations.first ?? context.headerLocation,
                  ru: "В задании нет затрат на его выполнение (строки З-1, З-1.1…З-1.7)",
                  en: "The assignment states no costs (rows З-1, З-1.1…З-1.7)")
        }
    }

    /// DG3064: a report for a quarter gives the fact of every quarter up to it wherever the row has a plan for that
    /// quarter (a Q4 report without Q3 and Q4 facts is not a Q4 report).
    private func checkFactsOfTheReportedQuarters() {
        guard model.stage == "report", let quarter = model.reportQuarter, (1...4).contains(quarter) else { return }
        for (row, location) in zip(model.rows, rowLocations) where !row.notApplicable {
            let missing = ServiceAssignment.Column.quarters.prefix(quarter).filter { row[$0].plan != nil && row[$0].fact == nil }
            guard let first = missing.first else { continue }
            f.add(.assignmentReportPeriod, at: location,
                  ru: "Отчёт за \(quarter) квартал: в строке \(row.normalizedCode) нет факта за \(missing.map(\.title.ru).joined(separator: ", ")) при плане на \(first.title.ru)",
                  en: "The report for quarter \(quarter): row \(row.normalizedCode) has no fact for \(missing.map(\.title.en).joined(separator: ", ")) though it has a plan")
        }
    }

    /// DG3060: З-1 = Σ З-1.1…З-1.7 in each of the ten columns.
    private func checkCostRows() {
        guard let total = model.rows.first(where: { $0.normalizedCode == "З-1" }) else { return }
        let parts = model.rows.filter { $0.normalizedCode.hasPrefix("З-1.") }
        guard !parts.isEmpty else { return }
        for column in ServiceAssignment.Column.allCases {
            for (label, pick) in [(("план", "plan"), { (p: ServiceAssignment.PlanFact) in p.plan }),
                                  (("факт", "fact"), { (p: ServiceAssignment.PlanFact) in p.fact })] {
                guard let value = pick(total[column]) else { continue }
                guard let sum = parts.map({ pick($0[column]) ?? .zero }).sum() else { continue }
                if sum != value {
                    f.add(.assignmentCosts, at: rowNodes["З-1"],
                          ru: "З-1, \(column.title.ru), \(label.0): всего затрат \(value), а сумма по статьям КЭК \(sum)",
                          en: "З-1, \(column.title.en), \(label.1): total costs \(value) but the КЭК articles sum to \(sum)")
                }
            }
        }
    }

    /// DG3063: the normative per recipient З-2.1 ≈ З-1 / Σ П-1, within 1 rouble or 0.5 %.
    private func checkNormativePerRecipient() {
        guard let normative = model.rows.first(where: { $0.normalizedCode == "З-2.1" }),
              let costs = model.rows.first(where: { $0.normalizedCode == "З-1" }) else { return }
        let categories = model.rows.filter { $0.normalizedCode == "П-1" }
        for (label, pick) in [(("план", "plan"), { (p: ServiceAssignment.PlanFact) in p.plan }),
                              (("факт", "fact"), { (p: ServiceAssignment.PlanFact) in p.fact })] {
            guard let stated = pick(normative[.year]), let cost = pick(costs[.year]),
                  let people = categories.compactMap({ pick($0[.year]) }).sum(), !people.isZero,
                  let expected = Computations.normativePerRecipient(costs: cost, recipients: people),
                  let diff = stated.subtracting(expected)?.magnitude else { continue }
            let relative = expected.isZero ? nil : diff.multiplied(by: .hundred)?.divided(by: expected, places: 4)
            let withinRouble = !(DecimalValue.one < diff)
            let withinShare = relative.map { !(DecimalValue(significand: 5, scale: 1) < $0) } ?? false
            if !withinRouble && !withinShare {
                f.add(.assignmentNormative, at: rowNodes["З-2.1"],
                      ru: "З-2.1 (\(label.0)) = \(stated), а З-1 / численность получателей П-1 = \(cost) / \(people) = \(expected)",
                      en: "З-2.1 (\(label.1)) is \(stated) but З-1 / П-1 recipients = \(cost) / \(people) = \(expected)")
            }
        }
    }

    /// DG3064 (a report names its quarter) and DG3067 (providers report by the 20th of the next month).
    private func checkDeadline() {
        guard model.stage == "report" else { return }
        guard let quarter = model.reportQuarter else {
            f.add(.assignmentReportPeriod, at: rowLocations.first,
                  ru: "В отчёте (stage=\"report\") должен быть указан отчётный квартал (reportQuarter)",
                  en: "A report (stage=\"report\") must name its quarter (reportQuarter)")
            return
        }
        guard let date = context.header?.date, model.year > 0 else { return }
        let month = quarter * 3 + 1
        let deadline = month > 12 ? CalendarDate(year: model.year + 1, month: 1, day: 20)
                                  : CalendarDate(year: model.year, month: month, day: 20)
        if deadline < date {
            f.add(.assignmentDeadline, at: context.headerLocation,
                  ru: "Отчёт за \(quarter) квартал \(model.year) года датирован \(date), позже срока \(deadline)",
                  en: "The report for Q\(quarter) \(model.year) is dated \(date), after the deadline \(deadline)")
        }
    }

    /// DG3066: each component = base × factor (to kopecks) and N = K1 + K2 + K3 + K4.
    private func checkNormative(_ r: RecordContext) {
        let n = r.node
        var components: [DecimalValue] = []
        var exact: [DecimalValue] = []
        for (name, label) in [("k1", "K1"), ("k2", "K2"), ("k3", "K3"), ("k4", "K4")] as [(StaticString, String)] {
            guard let c = n.child(name), let base = c.decimal("base"), let factor = c.decimal("factor"),
                  let value = c.decimal("value") else { continue }
            components.append(value)
            guard let product = base.multiplied(by: factor) else { f.overflow(at: r.location(c)); continue }
            exact.append(product)
            let expected = product.rounded(2)
            if expected != value {
                f.add(.assignmentCalculation, at: r.location(child: "value", of: c),
                      ru: "\(label) = \(value), а база \(base) × коэффициент \(factor) = \(expected)",
                      en: "\(label) is \(value) but base \(base) × factor \(factor) = \(expected)")
            }
        }
        // N as `compute normative` gives it (the exact sum rounded once), or as the form adds its printed components.
        if let stated = n.decimal("n"), let sum = components.sum(), components.count == 4, sum != stated,
           exact.count != 4 || exact.sum()?.rounded(2) != stated {
            f.add(.assignmentCalculation, at: r.location(child: "n"),
                  ru: "Норматив N = \(stated), а K1 + K2 + K3 + K4 = \(sum)",
                  en: "Normative N is \(stated) but K1 + K2 + K3 + K4 = \(sum)")
        }
    }

    /// DG3066: K = (C0 + П) / (C'0 + П') and C1 = (C0 + П) × K, each to the places it is written with.
    private func checkForecast(_ r: RecordContext) {
        for g in r.node.children("group") {
            guard let c0 = g.decimal("c0"), let p = g.decimal("p"), let c0f = g.decimal("c0Forecast"),
                  let pf = g.decimal("pForecast"), let k = g.decimal("k"), let c1 = g.decimal("c1"),
                  let actual = c0.adding(p), let forecast = c0f.adding(pf) else { continue }
            let name = g.string("name")
            guard let expectedK = actual.divided(by: forecast, places: k.scale) else {
                f.add(.assignmentCalculation, at: r.location(child: "c0Forecast", of: g),
                      ru: "Группа «\(name)»: C'0 + П' = 0, индекс востребованности K не определён",
                      en: "Group '\(name)': C'0 + П' is zero, so the demand index K is undefined")
                continue
            }
            if expectedK != k {
                f.add(.assignmentCalculation, at: r.location(child: "k", of: g),
                      ru: "Группа «\(name)»: K = \(k), а (C0 + П) / (C'0 + П') = \(actual) / \(forecast) = \(expectedK)",
                      en: "Group '\(name)': K is \(k) but (C0 + П) / (C'0 + П') = \(actual) / \(forecast) = \(expectedK)")
            }
            if let product = actual.multiplied(by: k) {
                let expectedC1 = product.rounded(c1.scale)
                // C1 as `compute recipients` gives it, from the exact index: (C0 + П)² / (C'0 + П').
                let fromExact = actual.multiplied(by: actual)?.divided(by: forecast, places: c1.scale)
                if expectedC1 != c1 && fromExact != c1 {
                    f.add(.assignmentCalculation, at: r.location(child: "c1", of: g),
                          ru: "Группа «\(name)»: C1 = \(c1), а (C0 + П) × K = \(actual) × \(k) = \(expectedC1)",
                          en: "Group '\(name)': C1 is \(c1) but (C0 + П) × K = \(actual) × \(k) = \(expectedC1)")
                }
            }
        }
    }

    func summary(into s: inout DocumentSummary) {
        s.party("Ответственный орган (ООИВ)", "Responsible authority", model.responsibleAuthority)
        s.party("Поставщик услуги", "Provider", model.provider)
        s.figure("Услуга (Н-1)", "Service (Н-1)", model.serviceName)
        s.figure("Год", "Year", String(model.year))
        s.figure("Стадия", "Stage", model.stage + (model.reportQuarter.map { ", Q\($0)" } ?? ""))
        if let costs = model.rows.first(where: { $0.normalizedCode == "З-1" }) {
            s.figure("З-1, затраты за год: план / факт, руб.", "З-1, costs for the year: plan / fact, RUB",
                     "\(costs[.year].plan?.formatted(places: 2) ?? "—") / \(costs[.year].fact?.formatted(places: 2) ?? "—")")
        }
        s.figure("Строк", "Rows", String(model.rows.count))
    }
}
