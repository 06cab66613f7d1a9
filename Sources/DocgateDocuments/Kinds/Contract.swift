import DocgateXML

/// Договор потребителя с исполнителем по социальному сертификату (`urn://docgate/contract/1`).
public struct Contract: Sendable, Codable {
    /// `service`: the contract's service, its volume and its price.
    public struct ServiceLine: Sendable, Hashable, Codable {
        /// The service's own fields (`regNum`, `name`, …) of the `service` element.
        public var service: Service
        /// `indicator`: the volume indicator and its unit.
        public var indicator: Indicator
        /// `volume`: the volume of the service.
        public var volume: DecimalValue
        /// `pricePerUnit`: the price of a unit (the normative cost), roubles.
        public var pricePerUnit: DecimalValue
        /// `amountFromCertificate`: what the certificate pays, roubles.
        public var amountFromCertificate: DecimalValue
        /// `amountPaidByConsumer`: what the consumer pays, roubles; nil when absent (counts as 0).
        public var amountPaidByConsumer: DecimalValue?
        /// `total`: the full price, roubles: volume × price, rounded to kopecks, and certificate + consumer (DG3050).
        public var total: DecimalValue
    }

    /// The root's `event` attribute: `draft`, `concluded`, `amended` or `terminated` (docs/documents.md).
    public var event: String = ""
    /// `certificateRef/number`: the number of the social certificate the contract is concluded on.
    public var certificateNumber: String = ""
    /// `certificateRef/id`: the electronic certificate's root `id`, when given.
    public var certificateId: String?
    /// `agreementRef`: the executor's agreement with the authorised body.
    public var agreementRef: DocumentRef?
    /// `executor`: исполнитель услуги; signs the contract first.
    public var executor: Organization?
    /// `consumer`: потребитель услуги; signs second, identified by СНИЛС (a signature of theirs may be absent).
    public var consumer: Person?
    /// `term`: срок действия договора.
    public var term: Period?
    /// `service` elements, in order.
    public var services: [ServiceLine] = []
    /// `termination/date`: the date of termination; only a terminated contract carries it, within its term (DG3051).
    public var terminationDate: CalendarDate?
}

final class ContractReader: KindReader {
    var documentModel: DocumentModel { .contract(model) }
    static let containers: Set<String> = []

    private let context: ReadContext
    private var f: Findings { context.findings }
    var model = Contract()
    private var termLocation: Location?
    private var terminationLocation: Location?

    init(context: ReadContext) {
        self.context = context
        model.event = context.attributes["event"] ?? ""
    }

    func record(_ r: RecordContext, in container: String) {
        let n = r.node
        if n.isNamed("certificateRef") {
            model.certificateNumber = n.string("number")
            model.certificateId = n.childText("id")
        } else if n.isNamed("agreementRef") {
            model.agreementRef = DocumentRef(n)
        } else if n.isNamed("executor") {
            model.executor = Organization(n)
        } else if n.isNamed("consumer") {
            model.consumer = Person(n)
        } else if n.isNamed("term") {
            model.term = Period(n)
            termLocation = r.location()
        } else if n.isNamed("service") {
            readService(r)
        } else if n.isNamed("termination") {
            model.terminationDate = n.date("date")
            terminationLocation = r.location(child: "date")
        }
    }

    private func readService(_ r: RecordContext) {
        let n = r.node
        let line = Contract.ServiceLine(
            service: Service(n), indicator: n.child("indicator").map(Indicator.init) ?? Indicator(name: "", unitName: "", okei: ""),
            volume: n.decimal("volume") ?? .zero, pricePerUnit: n.decimal("pricePerUnit") ?? .zero,
            amountFromCertificate: n.decimal("amountFromCertificate") ?? .zero,
            amountPaidByConsumer: n.decimal("amountPaidByConsumer"), total: n.decimal("total") ?? .zero)
        let at = r.location(child: "total")
        guard let product = line.volume.multiplied(by: line.pricePerUnit),
              let paid = line.amountFromCertificate.adding(line.amountPaidByConsumer ?? .zero) else {
            f.overflow(at: at)
            return
        }
        let expected = product.rounded(2)
        if expected != line.total {
            f.add(.contractAmounts, at: at,
                  ru: "Стоимость \(line.total) не равна объёму \(line.volume) × цену \(line.pricePerUnit) = \(expected)",
                  en: "Total \(line.total) is not volume \(line.volume) × price \(line.pricePerUnit) = \(expected)")
        }
        if paid != line.total {
            f.add(.contractAmounts, at: at,
                  ru: "Сумма за счёт сертификата и оплата потребителя дают \(paid), а стоимость \(line.total)",
                  en: "The certificate's share and the consumer's payment add up to \(paid), not the total \(line.total)")
        }
        model.services.append(line)
    }

    func finish() {
        if model.event == "terminated" && model.terminationDate == nil {
            f.add(.contractTermination, at: termLocation,
                  ru: "Расторгнутый договор (event=\"terminated\") должен содержать сведения о расторжении",
                  en: "A terminated contract (event=\"terminated\") must carry the termination")
        }
        if model.event != "terminated", model.terminationDate != nil {
            f.add(.contractTermination, at: terminationLocation,
                  ru: "Сведения о расторжении есть только в расторгнутом договоре (event=\"terminated\"), а здесь event=\"\(model.event)\"",
                  en: "Only a terminated contract (event=\"terminated\") carries a termination; this one is event=\"\(model.event)\"")
        }
        ContractTerm.check(model.term, termination: model.terminationDate, contractDate: context.header?.date, rule: .contractTermination,
                           findings: f, term: termLocation, terminationAt: terminationLocation)
    }

    func summary(into s: inout DocumentSummary) {
        s.party("Исполнитель", "Executor", model.executor)
        s.person("Потребитель", "Consumer", model.consumer)
        s.figure("Социальный сертификат", "Social certificate", model.certificateNumber)
        if let term = model.term, let from = term.from, let to = term.to { s.figure("Срок", "Term", "\(from) — \(to)") }
        s.figure("Стоимость, руб.", "Total, RUB", model.services.map(\.total).sum()?.formatted(places: 2))
        s.figure("За счёт сертификата, руб.", "From the certificate, RUB",
                 model.services.map(\.amountFromCertificate).sum()?.formatted(places: 2))
        s.reference("Соглашение", "Agreement", model.agreementRef)
    }
}

/// A contract's term and its termination, as a contract and a notice of it state them (DG3051, DG3052).
enum ContractTerm {
    /// The term ends after it begins; a termination falls within it and not before the contract's date.
    static func check(_ term: Period?, termination: CalendarDate?, contractDate: CalendarDate?, rule: Rule, findings f: Findings,
                      term termAt: Location?, terminationAt: Location?) {
        if let from = term?.from, let to = term?.to, to < from {
            f.add(rule, at: termAt, ru: "Договор заканчивается (\(to)) раньше, чем начинается (\(from))",
                  en: "The contract ends (\(to)) before it starts (\(from))")
        }
        guard let date = termination else { return }
        // A contract ends within its term: a termination after the term's end ends nothing.
        if let to = term?.to, to < date {
            f.add(rule, at: terminationAt, ru: "Дата расторжения \(date) позже окончания срока договора \(to)",
                  en: "Termination date \(date) is after the contract's term ends (\(to))")
        }
        if let contractDate, date < contractDate {
            f.add(rule, at: terminationAt, ru: "Дата расторжения \(date) раньше даты договора \(contractDate)",
                  en: "Termination date \(date) is before the contract date \(contractDate)")
        }
    }
}
