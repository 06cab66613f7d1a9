import DocgateCore
import DocgateXML
import Glibc

/// The verdict on one file: its kind, whether it is valid, every finding, and what `inspect` shows.
public struct ValidationReport: Sendable {
    /// The file's name or path as the caller gave it (messages and the file-name rules DG3090/DG3091 use it).
    public var file: String
    /// The kind told by the root's namespace; nil when the file is not a docgate document or could not be parsed.
    public var kind: DocumentKind?
    /// Valid when no finding is an error.
    public var valid: Bool { diagnostics.allowsValidity }
    /// Every finding, in reading order (by line).
    public var diagnostics: [Diagnostic]
    /// What `inspect` shows; nil when the document could not be read, failed the schema, or was validated with
    /// `retainRecords: false`.
    public var summary: DocumentSummary?
    /// The root element's `id`, when there was one.
    public var documentId: String?
    /// The document's header (version chain), when it has one and passed the schema.
    public var header: DocumentHeader?
    /// What the document says (with `retainRecords`, once it passed the schema): for its printable form and, when the
    /// document is valid, for rules across documents.
    public var model: DocumentModel?
    /// The ИНН of every party the document names (its summary's parties that have one), once it passed the schema,
    /// whether or not its records were retained: the gateway's journal finds documents by them.
    public var partyINNs: [String] = []
}

/// A document's model, by kind.
public enum DocumentModel: Sendable, Codable {
    /// A social order's model.
    case socialOrder(SocialOrder)
    /// An agreement's model.
    case agreement(Agreement)
    /// A contract's model.
    case contract(Contract)
    /// A contract notice's model.
    case contractNotice(ContractNotice)
    /// A social certificate's model.
    case socialCertificate(SocialCertificate)
    /// An execution report's model.
    case executionReport(ExecutionReport)
    /// A service assignment's model.
    case serviceAssignment(ServiceAssignment)
    /// A receipt's model.
    case receipt(Receipt)
}

/// The validator could not be set up.
public enum ValidatorSetupError: Error, Sendable {
    /// No schema directory was found, or a schema file is missing from it; `searched` lists what was looked for.
    case schemasNotFound(searched: [String])
    /// A schema does not compile.
    case schema(XMLSchemaError)
    /// A directory file beside the schemas (`okei-1.tsv`) cannot be read.
    case referenceData(XMLFileError)

    /// DG5021 whatever went wrong: the schema directory cannot be used.
    public var code: Code { .DG5021 }

    /// What went wrong, in Russian and English, with the paths concerned.
    public var message: LocalizedText {
        switch self {
        case .schemasNotFound(let searched):
            LocalizedText(ru: "Каталог схем docgate не найден (искали: \(searched.joined(separator: ", "))); укажите его в DOCGATE_SCHEMAS",
                          en: "docgate's schema directory was not found (looked in: \(searched.joined(separator: ", "))); set DOCGATE_SCHEMAS")
        case .schema(let e):
            LocalizedText(ru: "Схема \(e.path) не компилируется: \(e.issues.first?.message ?? "")",
                          en: "Schema \(e.path) does not compile: \(e.issues.first?.message ?? "")")
        case .referenceData(let e):
            LocalizedText(ru: "Не удалось прочитать справочник \(e.path): \(e.reason)",
                          en: "Cannot read directory file \(e.path): \(e.reason)")
        }
    }
}

/// Validates documents: parse (hardened), detect the kind, schema, business rules, file-name rules.
///
/// One validator is shared by every thread: its schemas are compiled once, on first use; each call does all of
/// its libxml2 work synchronously on the calling thread.
public final class DocumentValidator: Sendable {
    /// The directory the schemas and directories were loaded from.
    public let schemaDirectory: String
    /// The schemas, compiled on first use.
    public let schemas: SchemaSet
    /// The ОКЕИ directory the rules consult.
    public let reference: ReferenceData
    /// The limits on size, depth, attributes and text enforced before libxml2 sees the bytes.
    public let limits: XMLLimits
    /// How far in the future a creation time may lie (clocks drift), in seconds.
    public let clockSkewSeconds: Int

    /// A validator over the schemas in `schemaDirectory`; fails (DG5021) when a schema file is missing or the ОКЕИ
    /// directory cannot be read.
    public init(schemaDirectory: String, limits: XMLLimits = .default, clockSkewSeconds: Int = 600)
        throws(ValidatorSetupError) {
        self.schemaDirectory = schemaDirectory
        self.limits = limits
        self.clockSkewSeconds = clockSkewSeconds
        schemas = try SchemaSet(directory: schemaDirectory)
        do {
            reference = try ReferenceData.load(schemaDirectory: schemaDirectory)
        } catch {
            throw .referenceData(error)
        }
    }

    /// Finds the schema directory: an explicit path, `$DOCGATE_SCHEMAS`, `Schemas/` beside the executable or
    /// in `../share/docgate`, or the nearest `Schemas/` above the executable (a development build).
    public static func locateSchemas(explicit: String?, executable: String?) throws(ValidatorSetupError) -> String {
        // A directory the operator names is the one used, or none: never silently another.
        if let explicit {
            guard access(explicit + "/docgate.xsd", R_OK) == 0 else { throw .schemasNotFound(searched: [explicit]) }
            return XMLPaths.canonical(explicit) ?? explicit
        }
        var candidates: [String] = []
        if let env = getenv("DOCGATE_SCHEMAS") { candidates.append(String(cString: env)) }
        if let executable, let resolved = XMLPaths.canonical(executable) {
            var dir = XMLPaths.directory(of: resolved)
            candidates.append(dir + "/Schemas")
            candidates.append(dir + "/../share/docgate/Schemas")
            while dir != "/" && !dir.isEmpty {
                dir = XMLPaths.directory(of: dir)
                candidates.append((dir == "/" ? "" : dir) + "/Schemas")
            }
        }
        candidates.append("Schemas")
        for c in candidates where access(c + "/docgate.xsd", R_OK) == 0 {
            return XMLPaths.canonical(c) ?? c
        }
        throw .schemasNotFound(searched: Array(candidates.prefix(4)))
    }

    /// Validates a file in one streaming pass (constant memory at any size). I/O failures are thrown,
    /// document defects reported. With `retainRecords` the readers keep every row and the report carries the
    /// summary `inspect` shows; without, only what the rules need is kept.
    public func validate(file path: String, retainRecords: Bool = true, now: Int = Int(time(nil))) throws(XMLFileError)
        -> ValidationReport {
        let (assembler, findings) = makeAssembler(retainRecords: retainRecords)
        let result = try XMLStream.validate(file: path, schemaFor: schemas.schema(forRootNamespace:), limits: limits,
                                            consumer: assembler)
        return finish(path, result, assembler, findings, summarize: retainRecords, now: now)
    }

    /// Validates bytes in memory (a file's name still matters for DG3090).
    public func validate(bytes: [UInt8], file: String, retainRecords: Bool = true, now: Int = Int(time(nil)))
        -> ValidationReport {
        if bytes.count > limits.maxInputBytes {
            return report(file, failure: .gate(.tooLarge(size: bytes.count, limit: limits.maxInputBytes)))
        }
        let (assembler, findings) = makeAssembler(retainRecords: retainRecords)
        let result = bytes.withUnsafeBytes {
            XMLStream.validate(bytes: $0, schemaFor: schemas.schema(forRootNamespace:), limits: limits, consumer: assembler)
        }
        return finish(file, result, assembler, findings, summarize: retainRecords, now: now)
    }

    /// Validates a tree that is already parsed (for callers that work on the tree, such as signing).
    public func check(_ document: XMLDocument, file: String, now: Int = Int(time(nil))) -> ValidationReport {
        let (assembler, findings) = makeAssembler(retainRecords: true)
        XMLRecordReplay.replay(document, into: assembler)
        var result = XMLStreamResult(failure: nil, schemaIssues: [], dropped: 0, encoding: document.inputEncoding)
        if let kind = assembler.kind, let schema = try? schemas.schema(for: kind) {
            (result.schemaIssues, result.dropped) = schema.validate(document, limit: limits.maxIssues)
        }
        return finish(file, result, assembler, findings, summarize: true, now: now)
    }

    private func makeAssembler(retainRecords: Bool) -> (DocumentAssembler, Findings) {
        let findings = Findings(limit: limits.maxIssues)
        let context = ReadContext(reference: reference, findings: findings, retainsRecords: retainRecords)
        return (DocumentAssembler(context: context), findings)
    }

    private func finish(_ file: String, _ result: XMLStreamResult, _ assembler: DocumentAssembler, _ findings: Findings,
                        summarize: Bool, now: Int) -> ValidationReport {
        if let failure = result.failure { return report(file, failure: failure) }
        guard let kind = assembler.kind else {
            let name = assembler.rootName ?? ""
            let diagnostic: Diagnostic
            if let ns = assembler.rootNamespace, let expected = DocumentKind(namespace: ns) {
                diagnostic = Diagnostic(code: "DG2002", line: 1, path: "/" + name, message: LocalizedText(
                    ru: "Корневой элемент «\(name)» не ожидается в пространстве имён \(ns); ожидается «\(expected.rootName)»",
                    en: "Root element '\(name)' is not expected in namespace \(ns); expected '\(expected.rootName)'"))
            } else {
                diagnostic = unknownKind(name, assembler.rootNamespace)
            }
            return ValidationReport(file: file, kind: nil, diagnostics: [diagnostic], summary: nil, documentId: assembler.id)
        }
        var diagnostics = XMLDiagnostics.diagnostics(forSchemaIssues: result.schemaIssues, dropped: result.dropped)
        var summary: DocumentSummary? = nil
        let schemaPassed = diagnostics.allowsValidity
        // Business rules speak only about documents that passed the schema: on a broken structure they would
        // mostly echo the schema's findings.
        if diagnostics.allowsValidity {
            assembler.finish()
            fileRules(assembler, file: file, now: now, findings)
            diagnostics += findings.all
            if summarize { summary = assembler.summary() }
        }
        var report = ValidationReport(file: file, kind: kind, diagnostics: diagnostics.inReadingOrder, summary: summary,
                                      documentId: assembler.id)
        if schemaPassed, let parties = (summary ?? assembler.summary())?.parties {
            var seen = Set<String>()
            report.partyINNs = parties.compactMap(\.inn).filter { seen.insert($0).inserted }
        }
        // A document the rules found wrong still has a model (its printable form shows what it says beside the
        // findings); what reasons across documents takes only valid ones (``ContextDocument``).
        if summarize && schemaPassed {
            report.header = assembler.header
            report.model = assembler.model()
        }
        return report
    }

    private func report(_ file: String, failure: XMLParseFailure) -> ValidationReport {
        ValidationReport(file: file, kind: nil, diagnostics: XMLDiagnostics.diagnostics(for: failure), summary: nil,
                         documentId: nil)
    }

    private func unknownKind(_ name: String, _ namespace: String?) -> Diagnostic {
        let known = DocumentKind.allCases.map(\.namespace).joined(separator: ", ")
        return Diagnostic(code: "DG2001", line: 1, path: "/" + name, message: LocalizedText(
            ru: "Неизвестный вид документа: корневой элемент «\(name)» в пространстве имён «\(namespace ?? "")»; docgate знает: \(known)",
            en: "Unknown document kind: root element '\(name)' in namespace '\(namespace ?? "")'; docgate knows: \(known)"))
    }

    /// DG3090–DG3092: the file name against the root id and kind, and the creation time against the clock.
    private func fileRules(_ assembler: DocumentAssembler, file: String, now: Int, _ f: Findings) {
        let name = XMLPaths.baseName(of: file)
        var rootLocation: Location { Location(line: 1, path: "/" + (assembler.rootName ?? "")) }
        // A receipt's name carries the original document's stem (RECEIPT_<stem>.xml), not its own id.
        if assembler.kind != .receipt, let id = assembler.id, let uuid = FileNames.uuid(in: name),
           uuid.lowercased() != id.lowercased() {
            f.add(.fileNameId, at: rootLocation,
                  ru: "Идентификатор в имени файла \(uuid) не совпадает с атрибутом id документа \(id)",
                  en: "The identifier in the file name, \(uuid), differs from the document's id \(id)")
        }
        if let kind = assembler.kind, let prefix = FileNames.kindPrefix(of: name), prefix != kind {
            f.add(.fileNamePrefix, at: rootLocation,
                  ru: "Имя файла начинается с \(prefix.filePrefix)_, а документ — \(kind.title.ru.lowercased()) (\(kind.filePrefix)_)",
                  en: "The file name starts with \(prefix.filePrefix)_ but the document is a \(kind.title.en.lowercased()) (\(kind.filePrefix)_)")
        }
        if let header = assembler.header, let created = Timestamp.secondsSinceEpoch(header.createdAt),
           created > now + clockSkewSeconds {
            f.add(.futureDate, at: assembler.headerLocation,
                  ru: "Время формирования \(header.createdAt) в будущем",
                  en: "The creation time \(header.createdAt) lies in the future")
        }
    }
}

/// The FNS-style file names `<PREFIX>_<receiver>_<sender>_<YYYYMMDD>_<UUID>.xml`.
public enum FileNames {
    /// The last UUID-shaped token of a file name (tokens separated by `_`, before `.xml`).
    public static func uuid(in name: String) -> String? {
        var copy = name
        return copy.withUTF8 { b -> String? in
            var end = b.count
            if end >= 4, b[end - 4] == 0x2E, b[end - 3] == 0x78, b[end - 2] == 0x6D, b[end - 1] == 0x6C { end -= 4 }
            // Walk the tokens from the end.
            while end > 0 {
                var start = end
                while start > 0, b[start - 1] != 0x5F { start -= 1 }
                let token = UnsafeBufferPointer(rebasing: b[start..<end])
                if isUUID(token) { return String(decoding: token, as: UTF8.self) }
                end = start - 1
            }
            return nil
        }
    }

    /// The kind a file name's prefix announces, if it is one of docgate's.
    public static func kindPrefix(of name: String) -> DocumentKind? {
        guard let underscore = name.utf8.firstIndex(of: 0x5F) else { return nil }
        let prefix = name.utf8[..<underscore]
        return DocumentKind.allCases.first { prefix.elementsEqual($0.filePrefix.utf8) }
    }

    static func isUUID(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        guard u.count == 36 else { return false }
        for (i, c) in u.enumerated() {
            if i == 8 || i == 13 || i == 18 || i == 23 {
                if c != UInt8(ascii: "-") { return false }
            } else if !((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)) {
                return false
            }
        }
        return true
    }
}

extension Array where Element == Diagnostic {
    /// Sorted by line (findings without a line last), keeping the original order among equals.
    var inReadingOrder: [Diagnostic] {
        guard count > 1 else { return self }
        return enumerated().sorted { a, b in
            let la = a.element.line ?? Int.max
            let lb = b.element.line ?? Int.max
            return la != lb ? la < lb : a.offset < b.offset
        }.map(\.element)
    }
}
