import DocgateCore
import DocgateDocuments
import FoundationEssentials

/// One document to generate, with the way back to its place in the input.
public struct GenerationInput: Sendable {
    /// How the document is named in messages: the file, `file[3]` in a JSON array, or `file [document 7]`.
    public var label: String
    /// Where its data comes from.
    public var source: Source

    /// The data of one document.
    public enum Source: Sendable {
        /// A JSON document; `prefix` is its own path in the file (`$`, `$[3]`).
        case json(JSONValue, positions: [String: SourcePosition], prefix: String)
        /// Document `index` of a table, built when its turn comes.
        case table(DocumentTable.Plan, index: Int)
    }

    /// A document to generate.
    public init(label: String, source: Source) {
        self.label = label
        self.source = source
    }
}

/// What became of one document to generate.
public enum GenerationOutcome: Sendable {
    /// Generated and valid: `bytes` when the document goes to one file or standard output (written by the caller),
    /// nil when it is already written into the output directory; the findings that are warnings, described.
    case written(label: String, bytes: [UInt8]?, warnings: [String])
    /// Not generated, or generated and invalid: each finding with its code, traced to the input's line.
    case invalid(label: String, messages: [String])
    /// Valid, but the file could not be written.
    case failed(label: String, reason: String)
}

/// How generated documents are named in an output directory: `<PREFIX>_[<receiver>_<sender>_]<YYYYMMDD>_<id>.xml`.
public struct GenerationNames: Sendable {
    /// The kind's file prefix (SOCORDER, AGREEMENT, …).
    public var prefix: String
    /// The receiver's code, with `sender` (both or neither).
    public var receiver: String?
    /// The sender's code.
    public var sender: String?
    /// YYYYMMDD.
    public var day: String

    /// File names for documents of one kind on one day.
    public init(prefix: String, receiver: String?, sender: String?, day: String) {
        self.prefix = prefix
        self.receiver = receiver
        self.sender = sender
        self.day = day
    }

    func file(id: String) -> String {
        ([prefix] + (receiver.map { [$0, sender ?? ""] } ?? []) + [day, id]).joined(separator: "_") + ".xml"
    }
}

extension SourcePosition {
    /// The position for a reader of `language`: `line 3, column amount` or `строка 3:14`.
    public func described(_ language: Language) -> String {
        guard language == .ru else { return description }
        if let field { return "строка \(line), столбец \(field)" }
        return "строка \(line)" + (column.map { ":\($0)" } ?? "")
    }
}

extension DocumentProcessor {
    /// Generates one document, validates it and, with `outDir`, writes it there (new name, never replacing; the
    /// directory is synced once by the caller). An invalid document is never written; its findings name the JSON
    /// path and the line of the input.
    public func generate(_ input: GenerationInput, with generator: DocumentGenerator, language: Language, outDir: String?,
                         names: GenerationNames) -> GenerationOutcome {
        let ru = language == .ru
        let located: Located
        switch input.source {
        case .json(let value, let positions, let prefix):
            located = Located(value: value, positions: positions, prefix: prefix)
        case .table(let plan, let index):
            do {
                let d = try plan.document(index)
                located = Located(value: d.value, positions: d.positions, prefix: "$")
            } catch {
                return .invalid(label: input.label, messages: ["DG2110 " + (ru ? "ошибка" : "error") + " (\(error.position.described(language))): "
                                                               + error.message[language]])
            }
        }
        func at(_ path: String) -> String {
            path + (located.position(of: path).map { " (" + $0.described(language) + ")" } ?? "")
        }
        let output: DocumentGenerator.Output
        do {
            output = try generator.generate(located.value, newID: UUID().uuidString.lowercased(), now: UTCTime.now)
        } catch {
            return .invalid(label: input.label, messages: error.list.map { "\($0.code) " + (ru ? "ошибка " : "error ") + at($0.path) + ": " + $0.message[language] })
        }
        let report = validator.validate(bytes: output.bytes, file: input.label, retainRecords: false)
        func describe(_ d: Diagnostic) -> String {
            let severity = d.isError ? (ru ? "ошибка" : "error") : (ru ? "предупреждение" : "warning")
            let place = d.line.flatMap(output.path(atLine:)).map(at) ?? (d.path ?? "")
            return "\(d.code) \(severity) \(place): " + d.message[language]
        }
        if !report.valid {
            return .invalid(label: input.label, messages: report.diagnostics.map(describe))
        }
        let warnings = report.diagnostics.filter { !$0.isError }.map(describe)
        guard let outDir else { return .written(label: input.label, bytes: output.bytes, warnings: warnings) }
        let target = outDir + "/" + names.file(id: output.id)
        do { try AtomicFile.write(output.bytes, to: target, replace: false, syncDirectory: false) } catch {
            return .failed(label: input.label, reason: (ru ? "не удалось записать \(target): " : "cannot write \(target): ") + error.reason)
        }
        return .written(label: input.label, bytes: nil, warnings: warnings)
    }
}

/// A document's JSON and the position in the input of each of its paths.
private struct Located {
    var value: JSONValue
    var positions: [String: SourcePosition]
    var prefix: String

    func position(of path: String) -> SourcePosition? {
        var p = path
        while true {
            if let found = positions[prefix == "$" ? p : prefix + p.dropFirst()] { return found }
            guard let cut = p.lastIndex(where: { $0 == "." || $0 == "[" }) else { return nil }
            p = String(p[..<cut])
        }
    }
}

/// Why the data for `generate` cannot be used: a code, and the message with its place in the input.
public struct GenerationInputError: Error, Sendable {
    /// DG5001, DG1015, DG2100, DG2110 or DG5003.
    public var code: Code
    /// The problem, with the path and its place in the input.
    public var message: LocalizedText

    /// An input error with its code.
    public init(code: Code, message: LocalizedText) {
        self.code = code
        self.message = message
    }
}

extension GenerationInput {
    /// The largest JSON or CSV input read (it is held in memory with everything built from it).
    public static let maxInputBytes = 256 << 20

    /// A whole data file: DG5001 when it cannot be read, DG1015 when it is larger than ``maxInputBytes``.
    public static func readData(_ path: String) throws(GenerationInputError) -> [UInt8] {
        switch BoundedFile.read(path, limit: maxInputBytes) {
        case .success(let bytes): return bytes
        case .failure(.tooLarge(let size)):
            throw GenerationInputError(code: .DG1015, message: LocalizedText(
                ru: "\(path): файл \(size >> 20) МБ больше предела \(maxInputBytes >> 20) МБ — разделите данные на части",
                en: "\(path): the file's \(size >> 20) MB exceed the limit of \(maxInputBytes >> 20) MB — split the data"))
        case .failure(let failure):
            throw GenerationInputError(code: .DG5001, message: LocalizedText(ru: "\(path): \(failure.reason)", en: "\(path): \(failure.reason)"))
        }
    }

    /// Whether the data is JSON: by the name's extension, else by its first character (`{` or `[`).
    public static func isJSON(_ bytes: [UInt8], path: String) -> Bool {
        let firstByte = bytes.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF }.first
        let name = path.lowercased()
        return name.hasSuffix(".json") || (!name.hasSuffix(".csv") && (firstByte == UInt8(ascii: "{") || firstByte == UInt8(ascii: "[")))
    }

    /// The documents of JSON data: one object, or each element of an array (DG2100 where it is not JSON).
    public static func json(_ bytes: [UInt8], path: String) throws(GenerationInputError) -> [GenerationInput] {
        let (value, positions) = try readJSON(bytes, path: path)
        if case .array(let items) = value {
            return items.enumerated().map { i, item in
                GenerationInput(label: "\(path)[\(i)]", source: .json(item, positions: positions, prefix: "$[\(i)]"))
            }
        }
        return [GenerationInput(label: path, source: .json(value, positions: positions, prefix: "$"))]
    }

    /// The table of CSV data (DG2110 where it cannot be read).
    public static func csv(_ bytes: [UInt8], path: String) throws(GenerationInputError) -> CSVTable {
        do { return try CSVTable.parse(bytes) } catch {
            throw GenerationInputError(code: .DG2110, message: LocalizedText(ru: "\(path): строка \(error.line): " + error.message.ru,
                                                                             en: "\(path): line \(error.line): " + error.message.en))
        }
    }

    /// The documents of a table in the shape of `shape`, each line's values merged into `base` (DG2110 for a table
    /// that cannot be folded).
    public static func table(_ table: CSVTable, path: String, shape: DocumentShape, base: JSONValue?) throws(GenerationInputError)
        -> [GenerationInput] {
        let plan: DocumentTable.Plan
        do { plan = try DocumentTable.plan(table, shape: shape, base: base) } catch {
            throw GenerationInputError(code: .DG2110, message: LocalizedText(
                ru: "\(path): " + error.position.described(.ru) + ": " + error.message.ru,
                en: "\(path): " + error.position.described(.en) + ": " + error.message.en))
        }
        return (0..<plan.count).map { i in
            GenerationInput(label: plan.key(i).map { "\(path) [\(DocumentTable.documentColumn) \($0)]" } ?? path, source: .table(plan, index: i))
        }
    }

    /// JSON with the position of every path (DG2100 where it is not JSON).
    public static func readJSON(_ bytes: [UInt8], path: String) throws(GenerationInputError) -> (JSONValue, [String: SourcePosition]) {
        var reader = JSONReader()
        do {
            let value = try reader.read(bytes)
            return (value, reader.positions)
        } catch {
            throw GenerationInputError(code: .DG2100, message: LocalizedText(
                ru: "\(path): \(error.position.described(.ru)): " + error.message.ru,
                en: "\(path): \(error.position.described(.en)): " + error.message.en))
        }
    }
}
