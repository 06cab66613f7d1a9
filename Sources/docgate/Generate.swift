import ArgumentParser
import DocgateCommandLine
import DocgateCore
import DocgateDocuments
import DocgateXML
import FoundationEssentials
import Glibc
import Synchronization

extension DocumentKind: ExpressibleByArgument {
    /// `socialOrder`, `social-order` (the schema's name) or `SOCORDER` (the file-name prefix), in any case.
    public init?(argument: String) {
        let a = argument.lowercased()
        guard let kind = DocumentKind.allCases.first(where: {
            $0.rawValue.lowercased() == a || $0.schemaFile.dropLast(4) == a || $0.filePrefix.lowercased() == a
        }) else { return nil }
        self = kind
    }
}

extension XMLWriter.Encoding: ExpressibleByArgument {
    public init?(argument: String) {
        switch argument.lowercased() {
        case "utf-8", "utf8": self = .utf8
        case "windows-1251", "cp1251": self = .windows1251
        default: return nil
        }
    }
}

/// `docgate generate`: documents from their JSON form or from a table.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Сформировать документы из JSON или CSV / Generate documents from JSON or CSV.",
        discussion: """
        KIND: socialOrder, agreement, contract, socialCertificate, executionReport, serviceAssignment, receipt \
        (or the schema name, social-order, or the file prefix, SOCORDER).

        Inputs up to 256 MB. JSON: one document (an object in the shape of Schemas/json/KIND.schema.json — what `docgate export` \
        writes) or an array of documents. A missing id becomes a new UUID, a missing formatVersion 1.0, a missing \
        header.createdAt the current time.

        CSV (UTF-8, comma or semicolon): columns are dotted paths into the same shape (`--columns` lists them). \
        Lines fold into repeating elements by their own fields (a service with several years is several lines \
        with the same service columns); lines with the same value in the column `document` make one document. \
        --base gives the fields the table does not (a JSON document the table's values are merged into).

        Every document is validated before it is written; an invalid one is not written and its findings are \
        traced to the JSON path and to the line of the input. One document goes to --out or standard output; \
        several need --out-dir, where each is named <PREFIX>_[<receiver>_<sender>_]<YYYYMMDD>_<id>.xml. \
        Exit 0 all written, 1 a document is invalid, 2 unreadable input or usage error.
        """
    )

    @Argument(help: ArgumentHelp("The kind of document.", valueName: "kind")) var kind: DocumentKind
    @Option(name: .long, help: ArgumentHelp("The data: a .json or .csv file.", valueName: "file")) var from: String?
    @Option(name: .long, help: ArgumentHelp("With CSV: a JSON document holding the fields the table does not give.", valueName: "file"))
    var base: String?
    @Option(name: .long, help: ArgumentHelp("Write the one document here (default: standard output).", valueName: "file")) var out: String?
    @Option(name: .long, help: ArgumentHelp("Write every document into this directory.", valueName: "dir")) var outDir: String?
    @Option(name: .long, help: "utf-8 (default) or windows-1251.") var encoding: XMLWriter.Encoding = .utf8
    @Option(name: .long, help: "Receiver code for the file names in --out-dir.") var receiver: String?
    @Option(name: .long, help: "Sender code for the file names in --out-dir.") var sender: String?
    @Option(name: .long, help: "Documents generated at once (default: one per CPU core).") var jobs: Int?
    @Flag(name: .long, help: "List the CSV columns of KIND with their meaning, and exit.") var columns = false
    @OptionGroup var options: CommonOptions

    func validate() throws {
        if !columns && from == nil { throw ValidationError("give --from FILE (or --columns)") }
        if out != nil && outDir != nil { throw ValidationError("--out and --out-dir exclude each other") }
        if (receiver == nil) != (sender == nil) { throw ValidationError("--receiver and --sender go together") }
    }

    /// One document to generate, with the way back to its place in the input.
    struct Input: Sendable {
        var label: String
        var source: Source

        enum Source: Sendable {
            /// A JSON document; `prefix` is its own path in the file (`$`, `$[3]`).
            case json(JSONValue, positions: [String: SourcePosition], prefix: String)
            /// Document `index` of a table, built when its turn comes.
            case table(DocumentTable.Plan, index: Int)
        }
    }

    /// A document's JSON and the position in the input of each of its paths.
    struct Located {
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

    enum Outcome: Sendable {
        /// `bytes` when the document goes to --out or standard output (written by the caller), nil when already written.
        case written(label: String, bytes: [UInt8]?, warnings: [String])
        case invalid(label: String, messages: [String])
        case failed(label: String, reason: String)
    }

    func run() throws {
        let language = options.language
        let ru = language == .ru
        let validator = try options.makeValidator()
        let shapes = ShapeLibrary(schemaDirectory: validator.schemaDirectory)
        let shape: DocumentShape
        do { shape = try shapes.shape(kind) } catch {
            Terminal.error(code: error.code, error.message[language])
            throw Exit.failure
        }
        if columns {
            var text = ""
            for c in DocumentTable.columns(shape) { text += c.path + (c.documentation.map { "\t" + $0 } ?? "") + "\n" }
            Terminal.out(text)
            return
        }
        let inputs = try readInputs(from!, shape: shape, language: language)
        if inputs.count != 1 && outDir == nil {
            Terminal.error(.DG5003, ru ? "во входных данных \(inputs.count) документов — укажите --out-dir" : "the input holds \(inputs.count) documents — give --out-dir")
            throw Exit.failure
        }
        if let outDir {
            do { try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true) } catch {
                Terminal.error(.DG5002, (ru ? "не удалось создать каталог " : "cannot create the directory ") + outDir)
                throw Exit.failure
            }
        }
        let generator = DocumentGenerator(shape: shape, encoding: encoding)
        let day = UTCTime.dateParts(Int64(time(nil))).joined()
        let names = (prefix: kind.filePrefix, receiver: receiver, sender: sender, day: day)
        let outDir = self.outDir
        let failures = Mutex((invalid: 0, failed: 0))
        let single = outDir == nil
        let out = self.out
        ParallelBatch.run(inputs, workers: jobs ?? ParallelBatch.defaultWorkers, job: { input -> Outcome in
            Self.generate(input, generator: generator, validator: validator, language: language, outDir: outDir, names: names)
        }, emit: { (_: Int, outcome: Outcome) in
            switch outcome {
            case .written(let label, let bytes, let warnings):
                if !warnings.isEmpty { Terminal.raw(fd: 2, label + ":\n" + warnings.map { "    " + $0 + "\n" }.joined()) }
                guard let bytes else { break }
                guard let out else { Terminal.bytes(bytes); break }
                do throws(WriteError) { try AtomicFile.write(bytes, to: out) } catch {
                    failures.withLock { $0.failed += 1 }
                    Terminal.error(.DG5002, (ru ? "не удалось записать \(out): " : "cannot write \(out): ") + error.reason)
                }
            case .invalid(let label, let messages):
                failures.withLock { $0.invalid += 1 }
                Terminal.raw(fd: 2, label + ": " + (ru ? "документ не сформирован" : "document not generated") + "\n"
                             + messages.map { "    " + $0 + "\n" }.joined())
            case .failed(let label, let reason):
                failures.withLock { $0.failed += 1 }
                Terminal.error(.DG5002, label + ": " + reason)
            }
        })
        if let outDir { AtomicFile.syncDirectory(outDir) }
        let (invalid, failed) = failures.withLock { $0 }
        if !single {
            let done = inputs.count - invalid - failed
            Terminal.raw(fd: 2, ru ? "Сформировано: \(done) из \(inputs.count) в \(outDir!)\n" : "\(done) of \(inputs.count) documents generated into \(outDir!)\n")
        }
        try Exit.check(failed: failed, invalid: invalid)
    }

    static func generate(_ input: Input, generator: DocumentGenerator, validator: DocumentValidator, language: Language, outDir: String?,
                         names: (prefix: String, receiver: String?, sender: String?, day: String)) -> Outcome {
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
                let place = ru ? Self.russian(error.position) : error.position.description
                return .invalid(label: input.label, messages: ["DG2110 " + (ru ? "ошибка" : "error") + " (\(place)): " + error.message[language]])
            }
        }
        func at(_ path: String) -> String {
            path + (located.position(of: path).map { " (" + (ru ? Self.russian($0) : $0.description) + ")" } ?? "")
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
        let parts = [names.prefix] + (names.receiver.map { [$0, names.sender!] } ?? []) + [names.day, output.id]
        let target = outDir + "/" + parts.joined(separator: "_") + ".xml"
        do { try AtomicFile.write(output.bytes, to: target, replace: false, syncDirectory: false) } catch {
            return .failed(label: input.label, reason: (ru ? "не удалось записать \(target): " : "cannot write \(target): ") + error.reason)
        }
        return .written(label: input.label, bytes: nil, warnings: warnings)
    }

    static func russian(_ p: SourcePosition) -> String {
        if let field = p.field { return "строка \(p.line), столбец \(field)" }
        return "строка \(p.line)" + (p.column.map { ":\($0)" } ?? "")
    }

    /// The largest JSON or CSV input read (it is held in memory with everything built from it).
    static let maxInputBytes = 256 << 20

    /// A whole data file, or exit 2 with the reason (unreadable, or larger than ``maxInputBytes``).
    static func readData(_ path: String, language: Language) throws -> [UInt8] {
        let contents: FileBytes.Contents
        do { contents = try FileBytes.read(path, limit: maxInputBytes) } catch {
            Terminal.error(.DG5001, "\(path): \(error.reason)")
            throw Exit.failure
        }
        switch contents {
        case .bytes(let b): return b
        case .tooLarge(let size):
            Terminal.error(.DG1015, "\(path): " + (language == .ru ? "файл \(size >> 20) МБ больше предела \(maxInputBytes >> 20) МБ — разделите данные на части"
                                                                : "the file's \(size >> 20) MB exceed the limit of \(maxInputBytes >> 20) MB — split the data"))
            throw Exit.failure
        }
    }

    /// The documents of a JSON or CSV file.
    func readInputs(_ path: String, shape: DocumentShape, language: Language) throws -> [Input] {
        let ru = language == .ru
        let bytes = try Self.readData(path, language: language)
        let firstByte = bytes.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF }.first
        let isJSON = path.lowercased().hasSuffix(".json") || (!path.lowercased().hasSuffix(".csv") && (firstByte == UInt8(ascii: "{") || firstByte == UInt8(ascii: "[")))
        if isJSON {
            if base != nil { Terminal.error(.DG5003, ru ? "--base применяется только к CSV" : "--base applies to CSV input only"); throw Exit.failure }
            let (value, positions) = try Self.readJSON(bytes, path: path, language: language)
            if case .array(let items) = value {
                return items.enumerated().map { i, item in
                    Input(label: "\(path)[\(i)]", source: .json(item, positions: positions, prefix: "$[\(i)]"))
                }
            }
            return [Input(label: path, source: .json(value, positions: positions, prefix: "$"))]
        }
        let table: CSVTable
        do { table = try CSVTable.parse(bytes) } catch {
            Terminal.error(.DG2110, "\(path): " + (ru ? "строка \(error.line): " : "line \(error.line): ") + error.message[language])
            throw Exit.failure
        }
        var baseValue: JSONValue?
        if let base {
            baseValue = try Self.readJSON(try Self.readData(base, language: language), path: base, language: language).0
        }
        let plan: DocumentTable.Plan
        do { plan = try DocumentTable.plan(table, shape: shape, base: baseValue) } catch {
            Terminal.error(.DG2110, "\(path): " + (ru ? Self.russian(error.position) : error.position.description) + ": " + error.message[language])
            throw Exit.failure
        }
        return (0..<plan.count).map { i in
            Input(label: plan.key(i).map { "\(path) [\(DocumentTable.documentColumn) \($0)]" } ?? path, source: .table(plan, index: i))
        }
    }

    static func readJSON(_ bytes: [UInt8], path: String, language: Language) throws -> (JSONValue, [String: SourcePosition]) {
        var reader = JSONReader()
        do {
            let value = try reader.read(bytes)
            return (value, reader.positions)
        } catch {
            let place = language == .ru ? russian(error.position) : error.position.description
            Terminal.error(.DG2100, "\(path): \(place): " + error.message[language])
            throw Exit.failure
        }
    }
}

/// `docgate export`: a document's data as JSON.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Данные документа в JSON / A document's data as JSON.",
        discussion: """
        The JSON has the shape of Schemas/json/KIND.schema.json and goes back through `docgate generate KIND \
        --from FILE.json` to the same document (equal after canonicalisation). Signatures, comments and \
        processing instructions are not data and are left out (a note says so). Exit 0 exported, 1 the document \
        is not well-formed XML or does not follow its schema's structure, 2 unreadable or not a docgate document.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case json }

    @Argument(help: ArgumentHelp("The document.", valueName: "file")) var file: String
    @Option(name: .long, help: "json (the only one yet).") var format: Format = .json
    @Option(name: .long, help: ArgumentHelp("Write the JSON here (default: standard output).", valueName: "file")) var out: String?
    @OptionGroup var options: SetupOptions

    func run() throws {
        let language = options.language
        let ru = language == .ru
        let dir = try options.schemaDirectory()
        let parsed: Result<XMLDocument, XMLParseFailure>
        do { parsed = try XMLDocument.parse(file: file) } catch {
            Terminal.error(.DG5001, ReportRenderer.unreadableDiagnostic("\(file): \(error.reason)").message[language])
            throw Exit.failure
        }
        let document: XMLDocument
        switch parsed {
        case .success(let d): document = d
        case .failure(let failure):
            for d in XMLDiagnostics.diagnostics(for: failure) { Terminal.raw(fd: 2, "\(file): " + ReportRenderer.describe(d, language) + "\n") }
            // As for validate: a document that is not well-formed XML is an invalid document.
            throw Exit.invalid
        }
        let result: DocumentExport.Result
        do { result = try DocumentExport.export(document, shapes: ShapeLibrary(schemaDirectory: dir)) } catch {
            let place = (error.line.map { (ru ? "строка " : "line ") + "\($0) " } ?? "") + error.path
            Terminal.raw(fd: 2, "\(file): \(error.code) " + (ru ? "ошибка " : "error ") + place + ": " + error.message[language] + "\n")
            throw error.code == "DG2101" ? Exit.failure : Exit.invalid
        }
        if result.signaturesOmitted > 0 {
            Terminal.raw(fd: 2, "\(file): " + (ru ? "подписи (\(result.signaturesOmitted)) не выгружаются — это не данные документа"
                                                   : "\(result.signaturesOmitted) signature(s) left out — they are not the document's data") + "\n")
        }
        let text = Array((result.value.rendered() + "\n").utf8)
        if let out {
            do { try AtomicFile.write(text, to: out) } catch {
                Terminal.error(.DG5002, (ru ? "не удалось записать \(out): " : "cannot write \(out): ") + error.reason)
                throw Exit.failure
            }
        } else {
            Terminal.bytes(text)
        }
    }
}
