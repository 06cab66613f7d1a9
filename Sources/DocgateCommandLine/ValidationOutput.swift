import DocgateCore
import DocgateDocuments
import DocgateProcessing
import DocgateSignature
import DocgateCrypto
import Glibc
import Synchronization

/// Counts of a batch by verdict.
public struct Totals: Sendable {
    public init() {}

    /// Files checked and valid.
    public var valid = 0
    /// Files checked and invalid (exit 1).
    public var invalid = 0
    /// Inputs that could not be read at all (exit 2).
    public var unreadable = 0
}

/// Counts outcomes as they are emitted, from any thread.
public final class Counters: Sendable {
    public init() {}

    private let totals = Mutex(Totals())

    /// Counts one outcome.
    public func add(_ outcome: FileOutcome) {
        switch outcome {
        case .checked(let r): add(valid: r.valid)
        case .unreadable: add(valid: nil)
        }
    }

    /// Counts one verdict: valid, invalid, or nil for an input that could not be read.
    public func add(valid: Bool?) {
        totals.withLock { t in
            switch valid {
            case true?: t.valid += 1
            case false?: t.invalid += 1
            case nil: t.unreadable += 1
            }
        }
    }

    /// The counts so far.
    public var snapshot: Totals { totals.withLock { $0 } }
}

/// Prints outcomes as text or as a streamed JSON array.
public final class ReportRenderer: Sendable {
    /// Text for a person or a JSON array for a program.
    public let format: OutputFormat
    /// The language of the text and the messages.
    public let language: Language
    private let output = BatchOutput()

    /// Writes what is pending to standard output.
    public func flush() { output.flush() }

    /// A renderer writing to standard output.
    public init(format: OutputFormat, language: Language) {
        self.format = format
        self.language = language
    }

    /// Opens the output (the JSON array).
    public func begin() {
        if format == .json { output.beginArray() }
    }

    /// Prints one file's outcome: its kind, verdict and every finding.
    public func emit(_ outcome: FileOutcome) {
        switch format {
        case .json:
            output.arrayItem(json(outcome))
        case .text:
            output.write(text(outcome))
        }
    }

    /// Closes the output: the JSON array, or the totals line of the text.
    public func end(_ t: Totals) {
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
    public static func unreadableText(_ path: String, _ reason: String, _ language: Language) -> String {
        "\(path): \(language == .ru ? "ОШИБКА ЧТЕНИЯ" : "UNREADABLE")\n    DG5001 \(unreadableDiagnostic(reason).message[language])\n"
    }

    /// The DG5001 finding for an input that cannot be read, with the system's reason.
    public static func unreadableDiagnostic(_ reason: String) -> Diagnostic {
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
    public static func describe(_ d: Diagnostic, _ language: Language) -> String {
        let ru = language == .ru
        var place: [String] = []
        if let line = d.line { place.append((ru ? "строка " : "line ") + String(line) + (d.column.map { ":\($0)" } ?? "")) }
        if let path = d.path { place.append(path) }
        let severity = d.isError ? (ru ? "ошибка" : "error") : (ru ? "предупреждение" : "warning")
        return "\(d.code) \(severity)" + (place.isEmpty ? "" : " " + place.joined(separator: " ")) + ": " + d.message[language]
    }
}

