import ArgumentParser
import DocgateCommandLine
import DocgateCore
import DocgateDocuments
import DocgateXML
import DocgateCrypto
import FoundationEssentials
import Glibc
import Synchronization

/// What a batch produced for one input.
enum FileOutcome: Sendable {
    case checked(ValidationReport)
    case unreadable(path: String, reason: String)

    var isValid: Bool {
        if case .checked(let r) = self { return r.valid }
        return false
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Проверить документы по схемам и правилам / Validate documents against the schemas and rules.",
        discussion: """
        A directory means every *.xml below it. Exit 0 when every document is valid, 1 when any is invalid,
        2 on a usage or I/O error. JSON: an array of {file, kind, valid, errors: [{code, severity, line, column,
        path, message}]}.
        """
    )

    @OptionGroup var options: CommonOptions

    @Option(name: .long, help: "Documents validated at once (default: one per CPU core).")
    var jobs: Int?

    @Option(name: .long, help: ArgumentHelp("A folder of known documents (orders, agreements, certificates …) to apply the rules across documents against (DG3100–DG3109).", valueName: "dir"))
    var context: String?

    @Argument(help: ArgumentHelp("Files or directories to validate.", valueName: "path"))
    var paths: [String]

    func run() throws {
        let validator = try options.makeValidator()
        let language = options.language
        let (files, inputErrors) = InputFiles.collect(paths)
        let renderer = ReportRenderer(format: options.format, language: language)
        let counters = Counters()
        renderer.begin()
        for e in inputErrors {
            let outcome = FileOutcome.unreadable(path: e.path, reason: e.reason)
            counters.add(outcome)
            renderer.emit(outcome)
        }
        let known = try context.map { try ContextLoader.load($0, validator: validator, workers: jobs, language: language) }
        ParallelBatch.run(files, workers: jobs ?? ParallelBatch.defaultWorkers, job: { path -> FileOutcome in
            if let known {
                return ContextLoader.validate(path, validator: validator, context: known)
            }
            do throws(XMLFileError) {
                return FileOutcome.checked(try validator.validate(file: path, retainRecords: false))
            } catch {
                return FileOutcome.unreadable(path: path, reason: error.reason)
            }
        }, emit: { (_: Int, outcome: FileOutcome) in
            counters.add(outcome)
            renderer.emit(outcome)
        })
        let totals = counters.snapshot
        renderer.end(totals)
        try Exit.check(failed: totals.unreadable, invalid: totals.invalid)
    }
}

struct Totals {
    var valid = 0
    var invalid = 0
    var unreadable = 0
}

final class Counters: Sendable {
    private let totals = Mutex(Totals())

    func add(_ outcome: FileOutcome) {
        totals.withLock { t in
            switch outcome {
            case .checked(let r): if r.valid { t.valid += 1 } else { t.invalid += 1 }
            case .unreadable: t.unreadable += 1
            }
        }
    }

    var snapshot: Totals { totals.withLock { $0 } }
}

/// A context document that could not be read, with the reason.
struct ContextReadFailure: Error {
    var text: String
}

/// Prints outcomes as text or as a streamed JSON array.
final class ReportRenderer: Sendable {
    let format: OutputFormat
    let language: Language
    private let output = BatchOutput()

    func flush() { output.flush() }

    init(format: OutputFormat, language: Language) {
        self.format = format
        self.language = language
    }

    func begin() {
        if format == .json { output.beginArray() }
    }

    func emit(_ outcome: FileOutcome) {
        switch format {
        case .json:
            output.arrayItem(json(outcome))
        case .text:
            output.write(text(outcome))
        }
    }

    func end(_ t: Totals) {
        switch format {
        case .json:
            output.endArray()
        case .text:
            let total = t.valid + t.invalid + t.unreadable
            output.write(language == .ru
                ? "Проверено файлов: \(total); соответствуют: \(t.valid); не соответствуют: \(t.invalid); не прочитаны: \(t.unreadable)\n"
                : "\(total) files: \(t.valid) valid, \(t.invalid) invalid, \(t.unreadable) unreadable\n")
        }
        flush()
    }

    /// `path: UNREADABLE` and its DG5001 line, as validate and verify print an input they cannot read.
    static func unreadableText(_ path: String, _ reason: String, _ language: Language) -> String {
        "\(path): \(language == .ru ? "ОШИБКА ЧТЕНИЯ" : "UNREADABLE")\n    DG5001 \(unreadableDiagnostic(reason).message[language])\n"
    }

    static func unreadableDiagnostic(_ reason: String) -> Diagnostic {
        Diagnostic(code: "DG5001", message: LocalizedText(ru: "Не удалось прочитать файл: \(reason)",
                                                         en: "Cannot read the file: \(reason)"))
    }

    private func json(_ outcome: FileOutcome) -> String {
        let (file, kind, valid, diagnostics): (String, DocumentKind?, Bool, [Diagnostic])
        switch outcome {
        case .checked(let r): (file, kind, valid, diagnostics) = (r.file, r.kind, r.valid, r.diagnostics)
        case .unreadable(let path, let reason): (file, kind, valid, diagnostics) = (path, nil, false, [Self.unreadableDiagnostic(reason)])
        }
        let errors = diagnostics.map { d in
            JSONText.object([("code", JSONText.string(d.code)), ("severity", JSONText.string(d.severity.rawValue)),
                             ("line", JSONText.optional(d.line)), ("column", JSONText.optional(d.column)),
                             ("path", JSONText.optional(d.path)), ("message", JSONText.string(d.message[language]))])
        }
        return JSONText.object([("file", JSONText.string(file)), ("kind", JSONText.optional(kind?.rawValue)),
                                ("valid", valid ? "true" : "false"), ("errors", JSONText.array(errors))])
    }

    private func text(_ outcome: FileOutcome) -> String {
        let ru = language == .ru
        switch outcome {
        case .unreadable(let path, let reason):
            return Self.unreadableText(path, reason, language)
        case .checked(let r):
            let kind = r.kind.map { ru ? $0.title.ru : $0.title.en } ?? (ru ? "вид не определён" : "unknown kind")
            let errors = r.diagnostics.filter(\.isError).count
            let warnings = r.diagnostics.count - errors
            var verdict = r.valid ? (ru ? "соответствует" : "valid") : (ru ? "НЕ СООТВЕТСТВУЕТ" : "INVALID")
            if errors > 0 || warnings > 0 {
                verdict += ru ? " (ошибок: \(errors), предупреждений: \(warnings))"
                              : " (\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s"))"
            }
            var out = "\(r.file): \(kind) — \(verdict)\n"
            for d in r.diagnostics {
                out += "    " + Self.describe(d, language) + "\n"
            }
            return out
        }
    }

    /// `DG3030 error line 12 /agreement/service/yearValue/amount: message`
    static func describe(_ d: Diagnostic, _ language: Language) -> String {
        let ru = language == .ru
        var place: [String] = []
        if let line = d.line { place.append((ru ? "строка " : "line ") + String(line) + (d.column.map { ":\($0)" } ?? "")) }
        if let path = d.path { place.append(path) }
        let severity = d.isError ? (ru ? "ошибка" : "error") : (ru ? "предупреждение" : "warning")
        return "\(d.code) \(severity)" + (place.isEmpty ? "" : " " + place.joined(separator: " ")) + ": " + d.message[language]
    }
}

/// The documents of a `--context` folder, and validation against them.
enum ContextLoader {
    static func load(_ dir: String, validator: DocumentValidator, workers: Int?, language: Language) throws -> DocumentContext {
        let (files, errors) = InputFiles.collect([dir])
        if let e = errors.first {
            Terminal.error(.DG5001, ReportRenderer.unreadableDiagnostic("\(e.path): \(e.reason)").message[language])
            throw Exit.failure
        }
        let documents = Mutex<[ContextDocument]>([])
        let unreadable = Mutex<[String]>([])
        ParallelBatch.run(files, workers: workers ?? ParallelBatch.defaultWorkers, job: { path -> Result<ContextDocument?, ContextReadFailure> in
            switch BoundedFile.read(path, limit: validator.limits.maxInputBytes) {
            case .failure(let failure): return .failure(ContextReadFailure(text: path + ": " + failure.reason))
            case .success(let bytes):
                let report = validator.validate(bytes: bytes, file: canonical(path), retainRecords: true)
                return .success(ContextDocument(report: report, sha256: DigestAlgorithm.sha256.hex(bytes)))
            }
        }, emit: { (_: Int, d: Result<ContextDocument?, ContextReadFailure>) in
            switch d {
            case .success(let d): if let d { documents.withLock { $0.append(d) } }
            case .failure(let f): unreadable.withLock { $0.append(f.text) }
            }
        })
        // The rules across documents need every document of the context: one that cannot be read stops the run.
        if let first = unreadable.withLock({ $0.first }) {
            Terminal.error(.DG5001, (language == .ru ? "контекст неполон: " : "the context is incomplete: ") + first)
            throw Exit.failure
        }
        return DocumentContext(documents.withLock { $0 })
    }

    static func validate(_ path: String, validator: DocumentValidator, context: DocumentContext) -> FileOutcome {
        let bytes: [UInt8]
        switch BoundedFile.read(path, limit: validator.limits.maxInputBytes) {
        case .success(let b): bytes = b
        case .failure(let failure): return .unreadable(path: path, reason: failure.reason)
        }
        var report = validator.validate(bytes: bytes, file: path, retainRecords: true)
        var probe = report
        probe.file = canonical(path)
        if let d = ContextDocument(report: probe, sha256: DigestAlgorithm.sha256.hex(bytes)) {
            report.diagnostics += context.check(d)
        }
        return .checked(report)
    }

    static func canonical(_ path: String) -> String {
        guard let r = realpath(path, nil) else { return path }
        defer { free(r) }
        return String(cString: r)
    }
}
