import DocgateCore
import DocgateCrypto
import DocgateDocuments
import DocgateSignature
import DocgateXML

/// A document's printable form with its signatures checked: what `docgate render` prints and the console shows.
public enum DocumentForm {
    /// What came of making a form.
    public enum Outcome: Sendable {
        /// The form, and the reports it was made from.
        case form(html: String, report: ValidationReport, signatures: VerificationReport?)
        /// The document has no form: it did not pass its schema (the report says why).
        case noForm(ValidationReport)
        /// The file could not be read.
        case unreadable(path: String, reason: String)
    }

    /// Validates the document and, when it carries signatures, verifies them with `verifier`; `chainChecked` says
    /// whether the verifier knows trusted certificates (without them a verdict speaks of the mathematics only).
    public static func make(bytes: [UInt8], file: String, validator: DocumentValidator, verifier: SignatureVerifier?,
                            options: FormOptions = FormOptions()) -> Outcome {
        let report = validator.validate(bytes: bytes, file: file, retainRecords: true)
        var verification: VerificationReport?
        if let verifier, let count = report.summary?.signatureCount, count > 0 {
            verification = verifier.verify(bytes: bytes, file: file)
        }
        let signatures = verification.map { FormSignatures.make($0, chainChecked: verifier?.trust != nil) } ?? []
        guard let input = FormInput(report: report, signatures: signatures) else { return .noForm(report) }
        var options = options
        if verifier == nil { options.signaturesChecked = false }
        return .form(html: PrintableForm.html(input, options: options), report: report, signatures: verification)
    }
}

/// Signatures as the printed form lists them.
public enum FormSignatures {
    /// One line per signature: party, signer, certificate and verdict in Russian.
    public static func make(_ report: VerificationReport, chainChecked: Bool) -> [FormSignature] {
        report.signatures.map { s in
            let identity = s.signer?.identity
            let validity = s.signer.map { "действителен с \(date($0.notBefore)) по \(date($0.notAfter))" } ?? ""
            return FormSignature(party: s.party?.role.ru, signer: s.signer?.subject ?? "сертификат не найден",
                                 organization: s.party.flatMap { $0.name.isEmpty ? nil : $0.name },
                                 identifiers: identity?.organizationAttributes,
                                 serial: s.signer?.serial ?? "—", validity: validity, valid: s.valid,
                                 verdict: verdict(s, chainChecked: chainChecked),
                                 isPerson: identity.map { !$0.isLegalEntity && ($0.snils != nil || $0.inn != nil) } ?? false
                                     || s.party?.snils != nil,
                                 personIdentifiers: identity?.personAttributes)
        }
    }

    private static func verdict(_ s: SignatureReport, chainChecked: Bool) -> String {
        let errors = s.problems.filter(\.isError)
        guard errors.isEmpty else {
            return "Подпись недействительна: " + errors.map { "\($0.code) \($0.message.ru)" }.joined(separator: "; ")
        }
        var text = "Подпись верна"
        if s.party != nil { text += s.partyMatched ? ", подписант — сторона документа" : ", сторона НЕ ПОДТВЕРЖДЕНА" }
        if !chainChecked { text += "; сертификат не проверен по доверенным (не заданы)" }
        let warnings = s.problems.filter { !$0.isError }
        if !warnings.isEmpty { text += "; замечания: " + warnings.map { "\($0.code) \($0.message.ru)" }.joined(separator: "; ") }
        return text
    }

    /// `01.01.2025` from seconds since the epoch.
    static func date(_ seconds: Int64) -> String {
        let iso = UTCTime.iso(seconds)
        return CalendarDate(String(iso.prefix(10))).map(RussianFormat.shortDate) ?? iso
    }
}
