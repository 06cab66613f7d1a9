import ArgumentParser
import DocgateCommandLine
import DocgateCore
import DocgateDocuments
import DocgateProcessing
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
        if let outDir { try Self.makeDirectory(outDir, language) }
        let generator = DocumentGenerator(shape: shape, encoding: encoding)
        let day = UTCTime.dateParts(Int64(time(nil))).joined()
        let names = GenerationNames(prefix: kind.filePrefix, receiver: receiver, sender: sender, day: day)
        let processor = DocumentProcessor(validator: validator)
        let outDir = self.outDir
        let failures = Mutex((invalid: 0, failed: 0))
        let single = outDir == nil
        let out = self.out
        ParallelBatch.run(inputs, workers: jobs ?? ParallelBatch.defaultWorkers, job: { input in
            processor.generate(input, with: generator, language: language, outDir: outDir, names: names)
        }, emit: { (_: Int, outcome: GenerationOutcome) in
            Self.report(outcome, out: out, failures: failures, language)
        })
        if let outDir { AtomicFile.syncDirectory(outDir) }
        let (invalid, failed) = failures.withLock { $0 }
        if !single {
            let done = inputs.count - invalid - failed
            Terminal.raw(fd: 2, ru ? "Сформировано: \(done) из \(inputs.count) в \(outDir!)\n" : "\(done) of \(inputs.count) documents generated into \(outDir!)\n")
        }
        try Exit.check(failed: failed, invalid: invalid)
    }

    /// The output directory, made when missing; DG5002 and exit 2 when it cannot be.
    static func makeDirectory(_ dir: String, _ language: Language) throws {
        do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
            Terminal.error(.DG5002, (language == .ru ? "не удалось создать каталог " : "cannot create the directory ") + dir)
            throw Exit.failure
        }
    }

    /// Tells what became of one document, writes a lone document to --out or standard output, and counts failures.
    static func report(_ outcome: GenerationOutcome, out: String?, failures: borrowing Mutex<(invalid: Int, failed: Int)>, _ language: Language) {
        let ru = language == .ru
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
    }

    /// The documents of a JSON or CSV file; exit 2 with the reason when it cannot be used.
    func readInputs(_ path: String, shape: DocumentShape, language: Language) throws -> [GenerationInput] {
        do throws(GenerationInputError) {
            let bytes = try GenerationInput.readData(path)
            guard !GenerationInput.isJSON(bytes, path: path) else {
                guard base == nil else {
                    throw GenerationInputError(code: .DG5003, message: LocalizedText(ru: "--base применяется только к CSV", en: "--base applies to CSV input only"))
                }
                return try GenerationInput.json(bytes, path: path)
            }
            // The table is read before the base, so that its own mistakes are reported first.
            let table = try GenerationInput.csv(bytes, path: path)
            let baseValue = try base.map { base throws(GenerationInputError) in try GenerationInput.readJSON(try GenerationInput.readData(base), path: base).0 }
            return try GenerationInput.table(table, path: path, shape: shape, base: baseValue)
        } catch {
            Terminal.error(error.code, error.message[language])
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
