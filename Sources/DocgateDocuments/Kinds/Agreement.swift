import DocgateXML

/// Соглашение с исполнителем (`urn://docgate/agreement/1`).
public struct Agreement: Sendable, Codable {
    /// `yearValue`: a service's volume and financing for one year.
    public struct YearValue: Sendable, Hashable, Codable {
        /// The `year` attribute.
        public var year: Int
        /// `volume`: the volume of the service.
        public var volume: DecimalValue
        /// `normativeCost`: the normative cost per unit of volume, roubles.
        public var normativeCost: DecimalValue
        /// `correctionFactor`: the correction factor; nil when absent, which counts as 1.
        public var correctionFactor: DecimalValue?
        /// `amount`: the financing, roubles: volume × normative × factor (DG3030; a warning, DG3034, when off only by
        /// the normative's rounding to kopecks).
        public var amount: DecimalValue
        /// `kbk`: КБК расходов, 20 characters, beginning with the grantor's budget chapter (DG3032).
        public var kbk: String
    }

    /// `service`: one service of the agreement with its volume indicator and its values by year.
    public struct ServiceLine: Sendable, Hashable, Codable {
        /// The service's own fields (`regNum`, `name`, …) of the `service` element.
        public var service: Service
        /// `indicator`: the volume indicator and its unit.
        public var indicator: Indicator
        /// `allowedDeviation`: the allowed deviation from the volume, %.
        public var allowedDeviation: DecimalValue
        /// `yearValue` elements, in order.
        public var yearValues: [YearValue]
    }

    /// `paymentSchedule/payment`: one transfer of the payment schedule.
    public struct Payment: Sendable, Hashable, Codable {
        /// `period`: the month (`2025-03`) or quarter (`2025-Q1`) of the transfer.
        public var period: String
        /// `kbk`: КБК расходов.
        public var kbk: String
        /// `amount`: the sum, roubles.
        public var amount: DecimalValue

        /// The year of `2025-03` or `2025-Q1`.
        public var year: Int { Int(period.prefix(4)) ?? 0 }
    }

    /// The root's `kind` attribute: `certificate`, `competition` or `stateAssignment`.
    public var kind: String = ""
    /// The root's `event` attribute: `draft`, `concluded`, `amended` or `terminated` (docs/documents.md).
    public var event: String = ""
    /// `baseAgreementRef`: for an additional agreement, the first version of its chain (DG3108).
    public var baseAgreementRef: DocumentRef?
    /// `socialOrderRef`: the social order the agreement carries out.
    public var socialOrderRef: DocumentRef?
    /// `competitionRef`: the competition (selection) the agreement results from.
    public var competitionRef: DocumentRef?
    /// `grantor`: the chief budget administrator (ГРБС, the authorised body) that grants the funds; signs first.
    public var grantor: Organization?
    /// `executor`: исполнитель услуг; signs second.
    public var executor: Organization?
    /// `executorRegistryEntry`: the entry in the register of executors by social certificates (Decree No. 183).
    public var executorRegistryEntry: String?
    /// `term`: срок действия соглашения.
    public var term: Period?
    /// `service` elements, in order.
    public var services: [ServiceLine] = []
    /// The payment schedule, in order.
    public var payments: [Payment] = []
    /// `totals/yearTotal` by year, roubles: each equals the year's service amounts and, when there is a schedule, its
    /// payments (DG3031).
    public var yearTotals: [Int: DecimalValue] = [:]
    /// `termination/date`: the date the agreement was terminated; only a terminated one carries it (DG3033).
    public var terminationDate: CalendarDate?
}

final class AgreementReader: KindReader {
    var documentModel: DocumentModel { .agreement(model) }
    static let containers: Set<String> = []

    private let context: ReadContext
    private var f: Findings { context.findings }
    var model = Agreement()
    private var kbks: [(value: String, location: Location)] = []
    private var serviceSums: [Int: DecimalValue] = [:]
    private var paymentSums: [Int: DecimalValue] = [:]
    private var locations: [String: Location] = [:]
    private var yearValueLocations: [Int: Location] = [:]

    init(context: ReadContext) {
        self.context = context
        model.kind = context.attributes["kind"] ?? ""
        model.event = context.attributes["event"] ?? ""
    }

    func record(_ r: RecordContext, in container: String) {
        let n = r.node
        if n.isNamed("baseAgreementRef") {
            model.baseAgreementRef = DocumentRef(n)
        } else if n.isNamed("socialOrderRef") {
            model.socialOrderRef = DocumentRef(n)
        } else if n.isNamed("competitionRef") {
            model.competitionRef = DocumentRef(n)
        } else if n.isNamed("grantor") {
            model.grantor = Organization(n)
            locations["grantor"] = r.location()
        } else if n.isNamed("executor") {
            model.executor = Organization(n)
        } else if n.isNamed("executorRegistryEntry") {
            model.executorRegistryEntry = n.trimmedText
        } else if n.isNamed("term") {
            model.term = Period(n)
            locations["term"] = r.location()
        } else if n.isNamed("service") {
            readService(r)
        } else if n.isNamed("paymentSchedule") {
            for p in n.children("payment") {
                let payment = Agreement.Payment(period: p.string("period"), kbk: p.string("kbk"),
                                                amount: p.decimal("amount") ?? .zero)
                kbks.append((payment.kbk, r.location(child: "kbk", of: p)))
                paymentSums[payment.year] = add(paymentSums[payment.year], payment.amount, r.location(p))
                model.payments.append(payment)
            }
            locations["paymentSchedule"] = r.location()
        } else if n.isNamed("totals") {
            for t in n.children("yearTotal") {
                let year = Int(t.attribute("year") ?? "") ?? 0
                model.yearTotals[year] = t.decimalValue ?? .zero
                locations["total\(year)"] = r.location(t)
            }
            locations["totals"] = r.location()
        } else if n.isNamed("termination") {
            model.terminationDate = n.date("date")
        }
    }

    private func add(_ a: DecimalValue?, _ b: DecimalValue, _ at: Location) -> DecimalValue {
        guard let s = (a ?? .zero).adding(b) else { f.overflow(at: at); return a ?? .zero }
        return s
    }

    private func readService(_ r: RecordContext) {
        let n = r.node
        var values: [Agreement.YearValue] = []
        for yv in n.children("yearValue") {
            let v = Agreement.YearValue(year: Int(yv.attribute("year") ?? "") ?? 0, volume: yv.decimal("volume") ?? .zero,
                                        normativeCost: yv.decimal("normativeCost") ?? .zero,
                                        correctionFactor: yv.decimal("correctionFactor"),
                                        amount: yv.decimal("amount") ?? .zero, kbk: yv.string("kbk"))
            values.append(v)
            kbks.append((v.kbk, r.location(child: "kbk", of: yv)))
            yearValueLocations[v.year] = yearValueLocations[v.year] ?? r.location(yv)
            let at = r.location(child: "amount", of: yv)
            if let product = v.volume.multiplied(by: v.normativeCost)?.multiplied(by: v.correctionFactor ?? .one) {
                let expected = product.rounded(2)
                if expected != v.amount {
                    let factor = v.correctionFactor.map { " × \($0)" } ?? ""
                    // A unit cost printed to kopecks (normative × factor rounded) is off by at most half a kopeck per
                    // unit: an amount within volume × 0.005 ₽ (and its own half kopeck) of the exact product is that
                    // rounding, reported with the difference; beyond, a wrong amount.
                    let halfKopeck = DecimalValue(significand: 5, scale: 3)
                    let difference = v.amount.subtracting(product)
                    let tolerance = v.volume.magnitude.multiplied(by: halfKopeck)?.adding(halfKopeck)
                    if let difference, let tolerance, !(tolerance < difference.magnitude) {
                        f.add(.agreementAmountRounded, at: at,
                              ru: "Сумма \(v.amount) на \(v.year) год отличается от \(v.volume) × \(v.normativeCost)\(factor) = \(expected) на \(v.amount.subtracting(expected) ?? difference) — в пределах округления норматива до копеек (\(v.volume) × 0,005 ₽)",
                              en: "Amount \(v.amount) for \(v.year) differs from \(v.volume) × \(v.normativeCost)\(factor) = \(expected) by \(v.amount.subtracting(expected) ?? difference), within the rounding of the unit cost to kopecks (\(v.volume) × 0.005 ₽)")
                    } else {
                        f.add(.agreementAmount, at: at,
                              ru: "Сумма \(v.amount) на \(v.year) год не равна \(v.volume) × \(v.normativeCost)\(factor) = \(expected)",
                              en: "Amount \(v.amount) for \(v.year) is not \(v.volume) × \(v.normativeCost)\(factor) = \(expected)")
                    }
                }
            } else {
                f.overflow(at: at)
            }
            serviceSums[v.year] = add(serviceSums[v.year], v.amount, at)
        }
        let line = Agreement.ServiceLine(
            service: Service(n), indicator: n.child("indicator").map(Indicator.init) ?? Indicator(name: "", unitName: "", okei: ""),
            allowedDeviation: n.decimal("allowedDeviation") ?? .zero, yearValues: values)
        DeviationChecks.warnIfWide(line.allowedDeviation, at: r.location(child: "allowedDeviation"), f)
        model.services.append(line)
    }

    func finish() {
        checkTotals()
        checkKBK()
        checkTerm()
    }

    private func checkTotals() {
        for (year, sum) in serviceSums {
            guard let total = model.yearTotals[year] else {
                f.add(.agreementTotals, at: locations["totals"],
                      ru: "Нет итоговой суммы за \(year) год, хотя по услугам на этот год \(sum)",
                      en: "No yearly total for \(year) although the services amount to \(sum)")
                continue
            }
            if total != sum {
                f.add(.agreementTotals, at: locations["total\(year)"],
                      ru: "Итог за \(year) год \(total), а сумма по услугам \(sum)",
                      en: "The total for \(year) is \(total) but the services sum to \(sum)")
            }
        }
        for (year, total) in model.yearTotals where serviceSums[year] == nil {
            f.add(.agreementTotals, at: locations["total\(year)"],
                  ru: "Итог за \(year) год \(total), но ни одна услуга не запланирована на этот год",
                  en: "A total of \(total) for \(year) but no service is planned for that year")
        }
        guard !model.payments.isEmpty else { return }
        for year in Set(model.yearTotals.keys).union(paymentSums.keys) {
            let total = model.yearTotals[year] ?? .zero
            let paid = paymentSums[year] ?? .zero
            if total != paid {
                f.add(.agreementTotals, at: locations["paymentSchedule"],
                      ru: "По графику платежей за \(year) год перечисляется \(paid), а итог за год \(total)",
                      en: "The payment schedule pays \(paid) for \(year) but the yearly total is \(total)")
            }
        }
    }

    private func checkKBK() {
        let chapter = model.grantor?.budgetChapter
        if chapter == nil {
            f.add(.kbk, at: locations["grantor"],
                  ru: "У получателя средств (grantor) должна быть указана глава по БК (budgetChapter)",
                  en: "The grantor must state its budget chapter (budgetChapter)")
        }
        for (kbk, location) in kbks {
            if !Identifiers.isExpenseKBK(kbk) {
                f.add(.kbk, at: location,
                      ru: "КБК «\(kbk)» не соответствует структуре кода расходов (глава 3 + раздел 4 + целевая статья 10 + вид расходов 3)",
                      en: "КБК '\(kbk)' is not an expense code (chapter 3 + section 4 + target article 10 + expense type 3)")
            } else if let chapter, !kbk.hasPrefix(chapter) {
                f.add(.kbk, at: location,
                      ru: "КБК «\(kbk)» начинается не с главы получателя средств \(chapter)",
                      en: "КБК '\(kbk)' does not start with the grantor's chapter \(chapter)")
            }
        }
    }

    private func checkTerm() {
        let header = context.header
        if let term = model.term, let from = term.from, let to = term.to {
            if to < from {
                f.add(.agreementTerm, at: locations["term"],
                      ru: "Срок соглашения заканчивается (\(to)) раньше, чем начинается (\(from))",
                      en: "The agreement ends (\(to)) before it starts (\(from))")
            }
            for (year, location) in yearValueLocations where year < from.year || year > to.year {
                f.add(.agreementTerm, at: location,
                      ru: "\(year) год вне срока соглашения \(from) — \(to)",
                      en: "Year \(year) is outside the agreement term \(from) – \(to)")
            }
        }
        if model.event == "amended" && model.baseAgreementRef == nil {
            f.add(.agreementTerm, at: locations["term"],
                  ru: "Дополнительное соглашение (event=\"amended\") должно ссылаться на основное (baseAgreementRef)",
                  en: "An additional agreement (event=\"amended\") must reference the base agreement (baseAgreementRef)")
        }
        if let base = model.baseAgreementRef?.version, let header, base >= header.version {
            f.add(.agreementTerm, at: locations["term"],
                  ru: "Версия дополнительного соглашения \(header.version) должна быть больше версии основного \(base)",
                  en: "The additional agreement's version \(header.version) must be above the base agreement's \(base)")
        }
        if model.event == "terminated" && model.terminationDate == nil {
            f.add(.agreementTerm, at: locations["term"],
                  ru: "Расторгнутое соглашение (event=\"terminated\") должно содержать сведения о расторжении",
                  en: "A terminated agreement (event=\"terminated\") must carry the termination")
        }
        // An agreement is terminated within its term, not before it begins nor after it ends.
        if let date = model.terminationDate, let term = model.term,
           (term.from.map { date < $0 } ?? false) || (term.to.map { $0 < date } ?? false) {
            f.add(.agreementTerm, at: locations["term"],
                  ru: "Дата расторжения \(date) вне срока соглашения \(term.from?.description ?? "…") — \(term.to?.description ?? "…")",
                  en: "Termination date \(date) is outside the agreement's term \(term.from?.description ?? "…") — \(term.to?.description ?? "…")")
        }
        if model.event != "terminated", model.terminationDate != nil {
            f.add(.agreementTerm, at: locations["term"],
                  ru: "Сведения о расторжении есть только в расторгнутом соглашении (event=\"terminated\"), а здесь event=\"\(model.event)\"",
                  en: "Only a terminated agreement (event=\"terminated\") carries a termination; this one is event=\"\(model.event)\"")
        }
    }

    func summary(into s: inout DocumentSummary) {
        s.party("Получатель средств (ГРБС)", "Grantor", model.grantor)
        s.party("Исполнитель", "Executor", model.executor)
        if let term = model.term, let from = term.from, let to = term.to {
            s.figure("Срок", "Term", "\(from) — \(to)")
        }
        s.figure("Услуг", "Services", String(model.services.count))
        for (year, total) in model.yearTotals.sorted(by: { $0.key < $1.key }) {
            s.figure("Итого на \(year) год, руб.", "Total for \(year), RUB", total.formatted(places: 2))
        }
        s.reference("Социальный заказ", "Social order", model.socialOrderRef)
        s.reference("Основное соглашение", "Base agreement", model.baseAgreementRef)
        s.reference("Конкурс", "Competition", model.competitionRef)
    }
}
