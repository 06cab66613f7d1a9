import DocgateCore
import DocgateXML

/// Reads one kind of document record by record, building its model and checking its rules.
///
/// The same reader serves a small tree and a streamed 200 MB file: per-record rules run while the record is
/// in hand; rules over the whole document use what the reader kept (sums per key, a few summary rows).
protocol KindReader: AnyObject {
    /// Container paths below the root whose children arrive one at a time.
    static var containers: Set<String> { get }
    init(context: ReadContext)
    func enter(container: RecordElement, path: String)
    func record(_ record: RecordContext, in container: String)
    func exit(container path: String)
    /// Whole-document rules, once every record was seen.
    func finish()
    /// What `inspect` shows.
    func summary(into summary: inout DocumentSummary)
    /// The document's model as read (complete when records were retained).
    var documentModel: DocumentModel { get }
}

extension KindReader {
    func enter(container: RecordElement, path: String) {}
    func exit(container path: String) {}
}

/// What every reader shares: reference data, the findings, and whether to keep every record.
final class ReadContext {
    let reference: ReferenceData
    let findings: Findings
    /// False when streaming a large file: per-record rules still run, records are not kept.
    let retainsRecords: Bool
    /// Root attributes that qualify the kind (`kind`, `event`, `stage`).
    var attributes: [String: String] = [:]
    /// The header, once its record was read (it comes first in every kind that has one).
    var header: DocumentHeader?
    var headerLocation: Location?
    /// Name ids for the identifier pass, for the name table they came from.
    var identifierNames: IdentifierChecks.Names?
    /// Held strongly: a weak reference would give the table a side table, and every retain and release of it on
    /// the SAX hot path would take the runtime's slow path (measured: 4–5 % of validation time).
    var identifierTable: NameTable?

    init(reference: ReferenceData, findings: Findings, retainsRecords: Bool) {
        self.reference = reference
        self.findings = findings
        self.retainsRecords = retainsRecords
    }
}

/// Receives the records of any document, detects its kind from the root namespace and hands the records to
/// that kind's reader.
final class DocumentAssembler: XMLRecordConsumer {
    let context: ReadContext
    private(set) var kind: DocumentKind?
    private(set) var rootNamespace: String?
    private(set) var rootName: String?
    private(set) var id: String?
    private(set) var formatVersion: String?
    private(set) var rootAttributes: [String: String] = [:]
    private(set) var header: DocumentHeader?
    private(set) var headerLocation: Location?
    private(set) var signatureCount = 0
    private var reader: (any KindReader)?

    init(context: ReadContext) {
        self.context = context
    }

    func begin(root: RecordElement) -> Set<String>? {
        rootNamespace = root.namespaceURI
        rootName = root.name
        guard let ns = rootNamespace, let kind = DocumentKind(namespace: ns), root.name == kind.rootName else {
            return nil
        }
        self.kind = kind
        id = root.attribute("id")
        formatVersion = root.attribute("formatVersion")
        for name in ["kind", "event", "stage", "type"] {
            if let v = root.attribute(name) { rootAttributes[name] = v }
        }
        context.attributes = rootAttributes
        let reader = kind.readerType.init(context: context)
        self.reader = reader
        return type(of: reader).containers
    }

    func enter(container: RecordElement, path: String) {
        reader?.enter(container: container, path: path)
    }

    func record(_ node: RecordElement, in containerPath: String, at position: RecordPosition) {
        if node.isInNamespace(Signatures.namespaceName) {
            // Nothing inside a ds:Signature is ever read as business data.
            signatureCount += 1
            return
        }
        let record = RecordContext(node: node, position: position)
        IdentifierChecks.scan(record, context: context)
        if containerPath.isEmpty && node.isNamed("header") {
            header = DocumentHeader(node)
            headerLocation = record.location()
            context.header = header
            context.headerLocation = headerLocation
        }
        reader?.record(record, in: containerPath)
    }

    func exit(container path: String) {
        reader?.exit(container: path)
    }

    /// The model the reader built, for rules across documents.
    func model() -> DocumentModel? { reader?.documentModel }

    func finish() {
        reader?.finish()
        checkVersion()
        if let kind, let header {
            StatusModel.checkWithin(kind: kind, event: rootAttributes["event"], status: header.status, version: header.version,
                                    signatures: signatureCount,
                                    findings: context.findings, at: headerLocation)
        }
    }

    /// DG3080: version 1 has no previous version; later versions name theirs; "amended" is never version 1.
    private func checkVersion() {
        guard let header else { return }
        let f = context.findings
        if header.version > 1 && header.previousVersionId == nil {
            f.add(.versionChain, at: headerLocation,
                  ru: "Версия \(header.version) должна ссылаться на предыдущую версию (previousVersionId)",
                  en: "Version \(header.version) must name its previous version (previousVersionId)")
        } else if header.version == 1 && header.previousVersionId != nil {
            f.add(.versionChain, at: headerLocation,
                  ru: "У первой версии документа не может быть предыдущей версии (previousVersionId)",
                  en: "Version 1 of a document cannot have a previous version (previousVersionId)")
        }
        if header.status == "amended" && header.version == 1 {
            f.add(.versionChain, at: headerLocation,
                  ru: "Статус «изменён» (amended) невозможен у первой версии документа",
                  en: "Status 'amended' is impossible for version 1")
        }
        if let previous = header.previousVersionId, previous.lowercased() == id?.lowercased() {
            f.add(.versionChain, at: headerLocation,
                  ru: "Документ ссылается сам на себя как на предыдущую версию",
                  en: "The document names itself as its previous version")
        }
    }

    func summary() -> DocumentSummary? {
        guard let kind, let reader else { return nil }
        var s = DocumentSummary(kind: kind, id: id ?? "", formatVersion: formatVersion ?? "", header: header,
                                attributes: rootAttributes)
        s.signatureCount = signatureCount
        reader.summary(into: &s)
        return s
    }
}

/// The XML Signature namespace.
public enum Signatures {
    /// The namespace URI of XMLDSig elements (`ds:Signature`).
    public static let namespace = "http://www.w3.org/2000/09/xmldsig#"
    static let namespaceName: StaticString = "http://www.w3.org/2000/09/xmldsig#"
}

extension DocumentKind {
    var readerType: any KindReader.Type {
        switch self {
        case .socialOrder: SocialOrderReader.self
        case .agreement: AgreementReader.self
        case .contract: ContractReader.self
        case .contractNotice: ContractNoticeReader.self
        case .socialCertificate: SocialCertificateReader.self
        case .executionReport: ExecutionReportReader.self
        case .serviceAssignment: ServiceAssignmentReader.self
        case .receipt: ReceiptReader.self
        }
    }
}
