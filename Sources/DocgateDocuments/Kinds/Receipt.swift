import DocgateXML

/// Квитанция шлюза (`urn://docgate/receipt/1`).
public struct Receipt: Sendable, Codable {
    /// `createdAt`: when the gateway made the receipt, as written.
    public var createdAt: String = ""
    /// `route`: the route the document came by.
    public var route: String = ""
    /// `inResponseTo/fileName`: the file's name as it arrived.
    public var fileName: String = ""
    /// `inResponseTo/documentId`: the document's root `id`, when the gateway could read it.
    public var documentId: String?
    /// `inResponseTo/documentKind`: the document's kind, when known.
    public var documentKind: String?
    /// `inResponseTo/sha256`: SHA-256 of the file, 64 hex digits; empty when the file was rejected unread.
    public var sha256: String = ""
    /// `status`: `accepted`, `delivered`, `rejected`, `duplicate`, `conflict` or `quarantined` (consistency: DG3070).
    public var status: String = ""
    /// `deliveredAs/fileName`: the file's name in the receiving directory; a `delivered` receipt must have it.
    public var deliveredAs: String?
    /// The `code` attribute of each `error`, warnings included, in order.
    public var errorCodes: [String] = []
    /// How many `error` elements have `severity="error"`.
    public var errorCount = 0
    /// The `error` elements, warnings included, in order, with their messages.
    public var errors: [Finding] = []
    /// `gateway/instanceId`: the instance that made the receipt.
    public var instanceId: String?
    /// `inResponseTo/receivedAt`: when the file was received, as written.
    public var receivedAt: String?

    /// An `error` of a receipt: its code, severity, where in the document, and its message in both languages.
    public struct Finding: Sendable, Hashable, Codable {
        /// The `code` attribute.
        public var code: String
        /// The `severity` attribute: `error` or `warning`.
        public var severity: String
        /// The `line` attribute, when given.
        public var line: Int?
        /// The `path` attribute, when given.
        public var path: String?
        /// The Russian `message`.
        public var ru: String
        /// The English `message`.
        public var en: String
    }
}

final class ReceiptReader: KindReader {
    var documentModel: DocumentModel { .receipt(model) }
    static let containers: Set<String> = []

    private let context: ReadContext
    private var f: Findings { context.findings }
    var model = Receipt()
    private var statusLocation: Location?

    init(context: ReadContext) {
        self.context = context
    }

    func record(_ r: RecordContext, in container: String) {
        let n = r.node
        if n.isNamed("createdAt") {
            model.createdAt = n.trimmedText
        } else if n.isNamed("route") {
            model.route = n.trimmedText
        } else if n.isNamed("inResponseTo") {
            model.fileName = n.string("fileName")
            model.documentId = n.childText("documentId")
            model.documentKind = n.childText("documentKind")
            model.sha256 = n.string("sha256")
            model.receivedAt = n.childText("receivedAt")
        } else if n.isNamed("status") {
            model.status = n.trimmedText
            statusLocation = r.location()
        } else if n.isNamed("deliveredAs") {
            model.deliveredAs = n.childText("fileName")
        } else if n.isNamed("gateway") {
            model.instanceId = n.childText("instanceId")
        } else if n.isNamed("error") {
            readError(n)
        }
    }

    private func readError(_ n: RecordElement) {
        model.errorCodes.append(n.attribute("code") ?? "")
        if n.attribute("severity") == "error" { model.errorCount += 1 }
        let messages = n.children("message")
        let message = { (lang: String) in messages.first { $0.attribute("lang") == lang }?.trimmedText ?? "" }
        model.errors.append(Receipt.Finding(code: n.attribute("code") ?? "", severity: n.attribute("severity") ?? "error",
                                            line: n.attribute("line").flatMap { Int($0) }, path: n.attribute("path"),
                                            ru: message("ru"), en: message("en")))
    }

    /// DG3070: a delivered receipt names the delivered file; a negative one carries at least one error; a positive
    /// one carries none.
    func finish() {
        switch model.status {
        case "delivered" where model.deliveredAs == nil:
            f.add(.receiptConsistency, at: statusLocation,
                  ru: "Квитанция «доставлен» должна указывать имя доставленного файла (deliveredAs)",
                  en: "A 'delivered' receipt must name the delivered file (deliveredAs)")
        case "rejected", "quarantined", "conflict":
            if model.errorCount == 0 {
                f.add(.receiptConsistency, at: statusLocation,
                      ru: "Квитанция со статусом «\(model.status)» должна содержать хотя бы одну ошибку",
                      en: "A '\(model.status)' receipt must carry at least one error")
            }
        case "accepted", "delivered", "duplicate":
            if model.errorCount > 0 {
                f.add(.receiptConsistency, at: statusLocation,
                      ru: "Квитанция со статусом «\(model.status)» не может содержать ошибок",
                      en: "A '\(model.status)' receipt cannot carry errors")
            }
        default:
            break
        }
    }

    func summary(into s: inout DocumentSummary) {
        s.figure("Статус", "Status", model.status)
        s.figure("Маршрут", "Route", model.route)
        s.figure("Файл", "File", model.fileName)
        s.figure("Документ", "Document", model.documentId)
        s.figure("SHA-256", "SHA-256", model.sha256)
        s.figure("Доставлен как", "Delivered as", model.deliveredAs)
        if !model.errorCodes.isEmpty { s.figure("Коды ошибок", "Error codes", model.errorCodes.joined(separator: ", ")) }
    }
}
