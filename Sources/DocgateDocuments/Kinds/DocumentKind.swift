/// The eight kinds of document docgate knows, each detected by its root element's namespace.
public enum DocumentKind: String, CaseIterable, Sendable, Codable, Hashable {
    /// Социальный заказ, `socialOrder`.
    case socialOrder
    /// Соглашение, `agreement`.
    case agreement
    /// Договор, `contract`.
    case contract
    /// Уведомление о заключении (расторжении) договора, `contractNotice`.
    case contractNotice
    /// Социальный сертификат, `socialCertificate`.
    case socialCertificate
    /// Отчёт об исполнении социального заказа, `executionReport`.
    case executionReport
    /// Задание (Томск, прил. 1), `serviceAssignment`.
    case serviceAssignment
    /// Квитанция шлюза, `receipt`.
    case receipt

    /// The root namespace; the major format version is its last segment.
    public var namespace: String {
        switch self {
        case .socialOrder: "urn://docgate/social-order/1"
        case .agreement: "urn://docgate/agreement/1"
        case .contract: "urn://docgate/contract/1"
        case .contractNotice: "urn://docgate/contract-notice/1"
        case .socialCertificate: "urn://docgate/social-certificate/1"
        case .executionReport: "urn://docgate/execution-report/1"
        case .serviceAssignment: "urn://docgate/service-assignment/1"
        case .receipt: "urn://docgate/receipt/1"
        }
    }

    /// The local name of the root element (the same as the raw value).
    public var rootName: String { rawValue }

    /// The schema file in `Schemas/`.
    public var schemaFile: String {
        switch self {
        case .socialOrder: "social-order.xsd"
        case .agreement: "agreement.xsd"
        case .contract: "contract.xsd"
        case .contractNotice: "contract-notice.xsd"
        case .socialCertificate: "social-certificate.xsd"
        case .executionReport: "execution-report.xsd"
        case .serviceAssignment: "service-assignment.xsd"
        case .receipt: "receipt.xsd"
        }
    }

    /// The file-name prefix of `<PREFIX>_<receiver>_<sender>_<YYYYMMDD>_<UUID>.xml`.
    public var filePrefix: String {
        switch self {
        case .socialOrder: "SOCORDER"
        case .agreement: "AGREEMENT"
        case .contract: "CONTRACT"
        case .contractNotice: "CONTRACTNOTICE"
        case .socialCertificate: "SOCCERT"
        case .executionReport: "EXECREPORT"
        case .serviceAssignment: "SVCASSIGN"
        case .receipt: "RECEIPT"
        }
    }

    /// The kind's name in Russian and English, as messages and summaries show it.
    public var title: (ru: String, en: String) {
        switch self {
        case .socialOrder: ("Социальный заказ", "Social order")
        case .agreement: ("Соглашение", "Agreement")
        case .contract: ("Договор", "Contract")
        case .contractNotice: ("Уведомление о заключении (расторжении) договора", "Notice of a contract's conclusion or termination")
        case .socialCertificate: ("Социальный сертификат", "Social certificate")
        case .executionReport: ("Отчёт об исполнении социального заказа", "Execution report")
        case .serviceAssignment: ("Задание по предоставлению бюджетной услуги", "Service assignment")
        case .receipt: ("Квитанция", "Receipt")
        }
    }

    /// The kind whose namespace this is, if any.
    public init?(namespace: String) {
        guard let kind = DocumentKind.allCases.first(where: { $0.namespace == namespace }) else { return nil }
        self = kind
    }

    /// Documents signed by two parties (an agreement: grantor, then executor; a contract: executor, then consumer) use the
    /// XPath Filter 2.0 signature form.
    public var isTwoParty: Bool { self == .agreement || self == .contract }
}
