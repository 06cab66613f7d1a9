import ArgumentParser
import DocgateCommandLine
import DocgateCore
import DocgateCrypto
import DocgateProcessing
import DocgateSignature
import DocgateXML
import Glibc
import Synchronization

/// Options for checking signer certificates.
struct TrustOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Trusted CA certificates: a PEM/DER file or a directory of them.", valueName: "path"))
    var trust: String?

    @Option(name: .long, help: ArgumentHelp("Check certificates at this time instead of now (2026-11-23 or 2026-11-23T10:00:00Z).", valueName: "time"))
    var at: String?

    @Option(name: .long, help: ArgumentHelp("CRLs (a PEM/DER file or a directory of them), checked for every certificate of a signer's path; repeatable.", valueName: "path"))
    var crl: [String] = []

    @Option(name: .long, help: ArgumentHelp("Signer mapping: ИНН or СНИЛС (or gateway) to SHA-256 certificate fingerprints, for certificates without ИНН/ОГРН/СНИЛС; a file or a directory of *.txt and *.signers files.", valueName: "path"))
    var signers: String?

    @Option(name: .customLong("require-policy"), help: ArgumentHelp("A certificate policy the signer's certificate must carry: an OID or КС1, КС2, КС3; repeatable (any one suffices).", valueName: "oid"))
    var requirePolicy: [String] = []

    @Flag(name: .customLong("require-all-parties"), help: "Every party the document's kind names must have signed (DG4036 an error; by default a warning).")
    var requireAllParties = false

    @Flag(name: .customLong("allow-stale-crl"), help: "Use a CRL past its nextUpdate as it is (a warning) instead of failing closed (DG4027).")
    var allowStaleCRL = false

    @Flag(name: .customLong("partial-chain"), help: "Let a trusted intermediate CA end a chain (by default every chain must reach a trusted root).")
    var partialChain = false

    @OptionGroup var revocation: OCSPOptions

    func verificationTime() throws -> Int64? {
        guard let at else { return nil }
        guard let t = ParsedTime.parse(at) else { throw ValidationError("--at: expected YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ") }
        return t
    }

    func requiredPolicies() throws -> Set<String> {
        var oids: Set<String> = []
        for p in requirePolicy {
            guard let oid = CertificatePolicyName.oid(p) else { throw ValidationError("--require-policy: expected an OID (1.2.643.100.113.1) or КС1, КС2, КС3, not '\(p)'") }
            oids.insert(oid)
        }
        return oids
    }

    func makeVerifier(_ language: Language) throws -> SignatureVerifier {
        let time = try verificationTime()
        let policies = try requiredPolicies()
        let ocsp = try revocation.settings(language)
        guard let trust else {
            if signers != nil || !policies.isEmpty || partialChain || !crl.isEmpty || allowStaleCRL || requireAllParties {
                throw ValidationError("--signers, --require-policy, --require-all-parties, --partial-chain, --crl and --allow-stale-crl are checked with --trust")
            }
            return SignatureVerifier(trust: nil, policy: .docgate, time: time)
        }
        var mapping = SignerMapping()
        if let signers {
            do throws(SignerMappingError) { mapping = try SignerMapping(path: signers) } catch {
                Terminal.error(code: error.code, error.message[language])
                throw Exit.failure
            }
        }
        do throws(CryptoError) {
            return SignatureVerifier(trust: try TrustStore(path: trust, crls: crl, partialChain: partialChain,
                                                          allowStaleCRL: allowStaleCRL, ocsp: ocsp), policy: .docgate, time: time,
                                     signers: mapping, requiredPolicies: policies, requireAllParties: requireAllParties)
        } catch {
            Terminal.error(code: error.code, error.message[language] + (error.detail.map { " (\($0))" } ?? ""))
            throw Exit.failure
        }
    }
}

enum ParsedTime {
    static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int32? {
            guard range.upperBound <= bytes.count else { return nil }
            var v: Int32 = 0
            for b in bytes[range] { guard b >= 48 && b <= 57 else { return nil }; v = v * 10 + Int32(b - 48) }
            return v
        }
        guard bytes.count == 10 || (bytes.count == 20 && bytes[10] == UInt8(ascii: "T") && bytes[19] == UInt8(ascii: "Z")),
              bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let y = number(0..<4), let m = number(5..<7), let d = number(8..<10), (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        var parts = tm()
        parts.tm_year = y - 1900
        parts.tm_mon = m - 1
        parts.tm_mday = d
        if bytes.count == 20 {
            guard let h = number(11..<13), let mi = number(14..<16), let s = number(17..<19), h < 24, mi < 60, s < 61 else { return nil }
            parts.tm_hour = h
            parts.tm_min = mi
            parts.tm_sec = s
        }
        return Int64(timegm(&parts))
    }
}

enum VerifyOutcome: Sendable {
    case checked(VerificationReport)
    case unreadable(path: String, reason: String)
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Проверить подписи документов / Verify the signatures of documents.",
        discussion: """
        Strict: every signature must verify, cover the whole document with the profile's algorithms and \
        transforms, and carry a certificate that chains to --trust and is valid now (or at --at), not revoked \
        (--crl), from the party its place in the document names (ИНН/ОГРН/СНИЛС in the certificate, or --signers). \
        A directory means every *.xml below it. Exit 0 when every file verifies, 1 when any does not, 2 on a usage or I/O error.
        """
    )

    @OptionGroup var options: CommonOptions

    @OptionGroup var trustOptions: TrustOptions

    @Option(name: .long, help: "Files verified at once (default: one per CPU core).")
    var jobs: Int?

    @Argument(help: ArgumentHelp("Files or directories to verify.", valueName: "path"))
    var paths: [String]

    func validate() throws {
        if trustOptions.trust == nil { throw ValidationError("Missing expected argument '--trust <path>'") }
    }

    func run() throws {
        let language = options.language
        let verifier = try trustOptions.makeVerifier(language)
        let (files, inputErrors) = InputFiles.collect(paths)
        let renderer = VerifyRenderer(format: options.format, language: language)
        renderer.begin()
        for e in inputErrors { renderer.emit(.unreadable(path: e.path, reason: e.reason)) }
        ParallelBatch.run(files, workers: jobs ?? ParallelBatch.defaultWorkers, job: { path -> VerifyOutcome in
            do throws(XMLFileError) {
                return .checked(try verifier.verify(file: path))
            } catch {
                return .unreadable(path: path, reason: error.reason)
            }
        }, emit: { (_: Int, outcome: VerifyOutcome) in renderer.emit(outcome) })
        let totals = renderer.end()
        try Exit.check(failed: totals.unreadable, invalid: totals.invalid)
    }
}

/// Text or JSON lines for verification outcomes; called in input order under the batch's lock.
final class VerifyRenderer: Sendable {
    let format: OutputFormat
    let language: Language
    private let totals = Mutex(Totals())
    private let output = BatchOutput()

    init(format: OutputFormat, language: Language) {
        self.format = format
        self.language = language
    }

    func begin() { if format == .json { output.beginArray() } }

    func emit(_ outcome: VerifyOutcome) {
        totals.withLock { t in
            switch outcome {
            case .checked(let r): if r.valid { t.valid += 1 } else { t.invalid += 1 }
            case .unreadable: t.unreadable += 1
            }
        }
        switch format {
        case .json:
            output.arrayItem(json(outcome))
        case .text:
            output.write(text(outcome))
        }
    }

    func end() -> Totals {
        let t = totals.withLock { $0 }
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
enum SignatureText {
    static func line(_ number: Int, _ s: SignatureReport, _ language: Language) -> String {
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
    static func json(_ s: SignatureReport, _ language: Language, extra: [(String, String)] = []) -> String {
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

    static func json(_ d: Diagnostic, _ language: Language) -> String {
        JSONText.object([("code", JSONText.string(d.code)), ("severity", JSONText.string(d.severity.rawValue)),
                         ("line", JSONText.optional(d.line)), ("path", JSONText.optional(d.path)),
                         ("message", JSONText.string(d.message[language]))])
    }
}
