import DocgateCore
import DocgateCrypto
import DocgateProcessing
import DocgateSignature

/// Text or JSON lines for verification outcomes; called in input order under the batch's lock.
public final class VerifyRenderer: Sendable {
    /// Text for a person or a JSON array for a program.
    public let format: OutputFormat
    /// The language of the text and the messages.
    public let language: Language
    private let counters = Counters()
    private let output = BatchOutput()

    /// A renderer writing to standard output.
    public init(format: OutputFormat, language: Language) {
        self.format = format
        self.language = language
    }

    /// Opens the output (the JSON array).
    public func begin() { if format == .json { output.beginArray() } }

    /// Prints one file's verdict, its document-level problems and each signature with its problems.
    public func emit(_ outcome: VerifyOutcome) {
        switch outcome {
        case .checked(let r): counters.add(valid: r.valid)
        case .unreadable: counters.add(valid: nil)
        }
        switch format {
        case .json:
            output.arrayItem(json(outcome))
        case .text:
            output.write(text(outcome))
        }
    }

    /// Closes the output and gives the counts (verified, failed, unreadable) for the exit status.
    public func end() -> Totals {
        let t = counters.snapshot
        switch format {
        case .json: output.endArray()
        case .text:
            let total = t.valid + t.invalid + t.unreadable
            output.write(language == .ru
                ? "Проверено файлов: \(total); подписи верны: \(t.valid); не верны: \(t.invalid); не прочитаны: \(t.unreadable)\n"
                : "\(total) files: \(t.valid) verified, \(t.invalid) failed, \(t.unreadable) unreadable\n")
        }
        output.flush()
        return t
    }

    private func text(_ outcome: VerifyOutcome) -> String {
        let ru = language == .ru
        switch outcome {
        case .unreadable(let path, let reason):
            return ReportRenderer.unreadableText(path, reason, language)
        case .checked(let r):
            var lines = ["\(r.file): " + (r.valid ? (ru ? "подпись верна" : "signature valid") : (ru ? "ПОДПИСЬ НЕ ВЕРНА" : "SIGNATURE INVALID"))]
            for d in r.documentProblems { lines.append("    " + ReportRenderer.describe(d, language)) }
            for (i, s) in r.signatures.enumerated() {
                lines.append("    " + SignatureText.line(i + 1, s, language))
                for d in s.problems { lines.append("        " + ReportRenderer.describe(d, language)) }
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    private func json(_ outcome: VerifyOutcome) -> String {
        switch outcome {
        case .unreadable(let path, let reason):
            return JSONText.object([("file", JSONText.string(path)), ("valid", "false"), ("signatures", "[]"),
                                    ("errors", JSONText.array([SignatureText.json(ReportRenderer.unreadableDiagnostic(reason), language)]))])
        case .checked(let r):
            return JSONText.object([("file", JSONText.string(r.file)), ("valid", r.valid ? "true" : "false"),
                                    ("signatures", JSONText.array(r.signatures.map { SignatureText.json($0, language) })),
                                    ("errors", JSONText.array(r.documentProblems.map { SignatureText.json($0, language) }))])
        }
    }
}

/// How one signature is shown by verify and inspect.
public enum SignatureText {
    /// `#1 (line 40); GOST R 34.10-2012 256; subject; serial …; valid …; party: …; valid`.
    public static func line(_ number: Int, _ s: SignatureReport, _ language: Language) -> String {
        let ru = language == .ru
        var parts = ["#\(number)" + (s.line.map { ru ? " (строка \($0))" : " (line \($0))" } ?? "")]
        parts.append(s.algorithm?.title ?? "?")
        if let signer = s.signer {
            parts.append(signer.subject)
            parts.append((ru ? "серийный номер " : "serial ") + signer.serial)
            parts.append((ru ? "действует " : "valid ") + UTCTime.iso(signer.notBefore) + " — " + UTCTime.iso(signer.notAfter))
        }
        if let party = s.party {
            parts.append((ru ? "сторона: " : "party: ") + party.described[language]
                         + (s.partyMatched ? "" : (ru ? " — НЕ ПОДТВЕРЖДЕНА" : " — NOT CONFIRMED")))
        }
        let errors = s.problems.filter(\.isError).count
        parts.append(errors == 0 ? (ru ? "верна" : "valid") : (ru ? "НЕ ВЕРНА" : "INVALID"))
        return parts.joined(separator: "; ")
    }

    /// - Parameter extra: more members at the end (inspect's certification path).
    public static func json(_ s: SignatureReport, _ language: Language, extra: [(String, String)] = []) -> String {
        var pairs: [(String, String)] = [("line", JSONText.optional(s.line)), ("algorithm", JSONText.optional(s.algorithm?.uri)),
                                         ("transforms", JSONText.optional(s.form))]
        if let signer = s.signer {
            pairs.append(("signer", JSONText.object([
                ("subject", JSONText.string(signer.subject)), ("issuer", JSONText.string(signer.issuer)),
                ("serial", JSONText.string(signer.serial)), ("notBefore", JSONText.string(UTCTime.iso(signer.notBefore))),
                ("notAfter", JSONText.string(UTCTime.iso(signer.notAfter))),
                ("innLE", JSONText.optional(signer.identity.innLE)), ("inn", JSONText.optional(signer.identity.inn)),
                ("ogrn", JSONText.optional(signer.identity.ogrn ?? signer.identity.ogrnip)),
                ("snils", JSONText.optional(signer.identity.snils)), ("sha256", JSONText.string(signer.identity.fingerprint)),
                ("policies", JSONText.array(signer.policies.map(JSONText.string)))])))
        } else {
            pairs.append(("signer", "null"))
        }
        if let party = s.party {
            pairs.append(("party", JSONText.object([
                ("role", JSONText.string(party.role[language])), ("name", JSONText.string(party.name)),
                ("inn", JSONText.optional(party.inn)), ("ogrn", JSONText.optional(party.ogrn)), ("snils", JSONText.optional(party.snils)),
                ("confirmed", s.partyMatched ? "true" : "false")])))
        }
        pairs.append(("valid", s.valid ? "true" : "false"))
        pairs.append(("errors", JSONText.array(s.problems.map { json($0, language) })))
        return JSONText.object(pairs + extra)
    }

    /// A finding as a JSON object: code, severity, line, path and message.
    public static func json(_ d: Diagnostic, _ language: Language) -> String {
        JSONText.object([("code", JSONText.string(d.code)), ("severity", JSONText.string(d.severity.rawValue)),
                         ("line", JSONText.optional(d.line)), ("path", JSONText.optional(d.path)),
                         ("message", JSONText.string(d.message[language]))])
    }
}
