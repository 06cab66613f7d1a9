import DocgateXML

/// Уведомление о заключении (расторжении) договора (`urn://docgate/contract-notice/1`): the executor tells the
/// authorised body that issued the certificate that a contract with its recipient was concluded or terminated.
public struct ContractNotice: Sendable, Codable {
    /// `service`: a service of the contract, its volume and the certificate's share.
    public struct ServiceLine: Sendable, Hashable, Codable {
        /// `regNum`: уникальный номер реестровой записи услуги.
        public var regNum: String
        /// `name`: the service's name.
        public var name: String
        /// `indicator`: the volume indicator and its unit.
        public var indicator: Indicator
        /// `volume`: the volume under the contract.
        public var volume: DecimalValue
        /// `amountFromCertificate`: what the certificate pays, roubles.
        public var amountFromCertificate: DecimalValue
    }

    /// `conclusion` or `termination`.
    public var type: String = ""
    /// `contractRef`: the contract notified of (number, date, id); its kind must be `contract` (DG3052).
    public var contractRef: DocumentRef?
    /// `certificateRef/number`: the social certificate's number.
    public var certificateNumber: String = ""
    /// `certificateRef/id`: the electronic certificate's root `id`, when given.
    public var certificateId: String?
    /// `authorizedBody`: the body that issued the certificate, to whom the notice is addressed.
    public var authorizedBody: Organization?
    /// `executor`: исполнитель услуги, who sends and signs the notice.
    public var executor: Organization?
    /// `consumer`: потребитель услуги.
    public var consumer: Person?
    /// `term`: the contract's term.
    public var term: Period?
    /// `service` elements, in order.
    public var services: [ServiceLine] = []
    /// `termination/date`: the contract's termination date; only a termination notice carries it (DG3052).
    public var terminationDate: CalendarDate?

    /// The key notices of one contract share: the contract's id, else `#` and its number.
    var contractKey: String? {
        guard let ref = contractRef else { return nil }
        return ref.id?.lowercased() ?? "#" + ref.number
    }
}

final class ContractNoticeReader: KindReader {
    var documentModel: DocumentModel { .contractNotice(model) }
    static let containers: Set<String> = []

    private let context: ReadContext
    private var f: Findings { context.findings }
    var model = ContractNotice()
    private var refLocation: Location?
    private var termLocation: Location?
    private var terminationLocation: Location?

    init(context: ReadContext) {
        self.context = context
        model.type = context.attributes["type"] ?? ""
    }

    func record(_ r: RecordContext, in container: String) {
        let n = r.node
        if n.isNamed("contractRef") {
            model.contractRef = DocumentRef(n)
            refLocation = r.location()
        } else if n.isNamed("certificateRef") {
            model.certificateNumber = n.string("number")
            model.certificateId = n.childText("id")
        } else if n.isNamed("authorizedBody") {
            model.authorizedBody = Organization(n)
        } else if n.isNamed("executor") {
            model.executor = Organization(n)
        } else if n.isNamed("consumer") {
            model.consumer = Person(n)
        } else if n.isNamed("term") {
            model.term = Period(n)
            termLocation = r.location()
        } else if n.isNamed("service") {
            model.services.append(ContractNotice.ServiceLine(
                regNum: n.string("regNum"), name: n.string("name"),
                indicator: n.child("indicator").map(Indicator.init) ?? Indicator(name: "", unitName: "", okei: ""),
                volume: n.decimal("volume") ?? .zero, amountFromCertificate: n.decimal("amountFromCertificate") ?? .zero))
        } else if n.isNamed("termination") {
            model.terminationDate = n.date("date")
            terminationLocation = r.location(child: "date")
        }
    }

    /// DG3052: the notice is about a contract, after it was made; a termination notice and only it carries the
    /// termination, which falls within the contract's term.
    func finish() {
        if let ref = model.contractRef, ref.kind != "contract" {
            f.add(.contractNotice, at: refLocation,
                  ru: "Уведомление ссылается на документ вида «\(ref.kind)», а должно — на договор (contract)",
                  en: "The notice refers to a document of kind '\(ref.kind)'; it must refer to a contract")
        }
        let contractDate = model.contractRef?.date
        if let contractDate, let noticeDate = context.header?.date, noticeDate < contractDate {
            f.add(.contractNotice, at: context.headerLocation,
                  ru: "Уведомление датировано \(noticeDate), раньше договора (\(contractDate)), о котором оно сообщает",
                  en: "The notice is dated \(noticeDate), before the contract it reports on (\(contractDate))")
        }
        switch (model.type, model.terminationDate) {
        case ("termination", nil):
            f.add(.contractNotice, at: refLocation,
                  ru: "Уведомление о расторжении (type=\"termination\") должно содержать сведения о расторжении",
                  en: "A termination notice (type=\"termination\") must carry the termination")
        case ("conclusion", .some):
            f.add(.contractNotice, at: terminationLocation,
                  ru: "Сведения о расторжении несёт только уведомление о расторжении, а это — о заключении",
                  en: "Only a termination notice carries a termination; this one notifies a conclusion")
        default:
            break
        }
        // A notice reports a termination that has happened.
        if let date = model.terminationDate, let noticeDate = context.header?.date, noticeDate < date {
            f.add(.contractNotice, at: terminationLocation,
                  ru: "Уведомление датировано \(noticeDate), раньше расторжения (\(date)), о котором оно сообщает",
                  en: "The notice is dated \(noticeDate), before the termination (\(date)) it reports")
        }
        ContractTerm.check(model.term, termination: model.terminationDate, contractDate: contractDate, rule: .contractNotice,
                           findings: f, term: termLocation, terminationAt: terminationLocation)
    }

    func summary(into s: inout DocumentSummary) {
        s.reference("Договор", "Contract", model.contractRef)
        s.party("Исполнитель", "Executor", model.executor)
        s.party("Уполномоченный орган", "Authorised body", model.authorizedBody)
        s.person("Потребитель", "Consumer", model.consumer)
        s.figure("Социальный сертификат", "Social certificate", model.certificateNumber)
        if let term = model.term, let from = term.from, let to = term.to { s.figure("Срок", "Term", "\(from) — \(to)") }
        s.figure("За счёт сертификата, руб.", "From the certificate, RUB",
                 model.services.map(\.amountFromCertificate).sum()?.formatted(places: 2))
        if let date = model.terminationDate { s.figure("Дата расторжения", "Terminated on", "\(date)") }
    }
}
