import DocgateCore
import DocgateCrypto
import DocgateXML
import Glibc
import Synchronization

/// The signer certificate as a person reads it.
public struct SignerSummary: Sendable, Hashable {
    /// The subject name, one line (CN, O, …).
    public var subject: String
    /// The issuer's name, one line.
    public var issuer: String
    /// The serial number, hexadecimal.
    public var serial: String
    /// Valid from, seconds since 1970 (UTC).
    public var notBefore: Int64
    /// Valid until, seconds since 1970 (UTC).
    public var notAfter: Int64
    /// ИНН, ОГРН, СНИЛС of the subject and the fingerprint.
    public var identity: CertificateIdentity
    /// The certificatePolicies OIDs, dotted.
    public var policies: [String]
}

/// One ds:Signature and what verification found about it.
public struct SignatureReport: Sendable {
    /// The line of its ds:Signature element.
    public var line: Int?
    /// Its SignatureMethod, when the profile knows it.
    public var algorithm: SignatureAlgorithm?
    /// Its transforms: enveloped-signature or the XPath Filter 2.0 subtraction.
    public var form: String?
    /// The signer's certificate, when one was found in KeyInfo.
    public var signer: SignerSummary?
    /// The party this signature must come from (with a trust store, for a kind docgate knows), and whether the
    /// signer's certificate names it.
    public var party: SignerParty?
    /// Whether the signer's certificate names `party`.
    public var partyMatched = false
    /// Empty when the signature verifies (and its chain, when a trust store was given).
    public var problems: [Diagnostic]
    /// True when no problem is an error.
    public var valid: Bool { problems.allowsValidity }
}

/// The verdict on one file.
public struct VerificationReport: Sendable {
    /// The file as given.
    public var file: String
    /// Each ds:Signature, in document order.
    public var signatures: [SignatureReport]
    /// Findings about the document as a whole (parse errors, no signature, duplicated ids, placement).
    public var documentProblems: [Diagnostic]
    /// Valid when every signature is and no finding about the document is an error (warnings allowed).
    public var valid: Bool { documentProblems.allowsValidity && !signatures.isEmpty && signatures.allSatisfy(\.valid) }

    /// Every finding, the document's first.
    public var diagnostics: [Diagnostic] { documentProblems + signatures.flatMap(\.problems) }
}

/// Strict verification of the signature profile (DESIGN.md): every signature verifies, its one reference
/// covers the root, only the profile's algorithms and transforms, the certificate chains to the trust store
/// and is valid. Thread-safe; one instance serves a whole batch.
public final class SignatureVerifier: Sendable {
    /// The trusted CAs, CRLs and OCSP settings; nil checks the signatures only (the chain reported unchecked).
    public let trust: TrustStore?
    /// Verification time (seconds since 1970); nil means now.
    public let time: Int64?
    /// The limits documents are parsed with (the tree cap among them).
    public let limits: XMLLimits
    /// Certificates named by fingerprint, beside the ИНН/ОГРН/СНИЛС their subjects carry.
    public let signers: SignerMapping
    /// Policy OIDs of which the signer's certificate must carry at least one (empty: none required).
    public let requiredPolicies: Set<String>
    /// Every party the kind names must have signed (DG4036 an error); otherwise a missing signature is a warning.
    public let requireAllParties: Bool
    /// How many signatures each kind may carry, and whose they must be.
    public let policy: SignaturePolicy
    private let certificates = CertificateCache()
    private let chains = ChainVerdicts()

    /// - Parameter signers: the fingerprint mapping; with a trust store, every signature must come from the party
    ///   its place in the document names (`SignerParties`).
    /// - Parameter requiredPolicies: with a trust store, the signer's certificate must carry one of these policies
    ///   (КС1–КС3 are 1.2.643.100.113.1–3).
    public init(trust: TrustStore?, policy: SignaturePolicy, time: Int64? = nil, limits: XMLLimits = .default,
                signers: SignerMapping = SignerMapping(), requiredPolicies: Set<String> = [], requireAllParties: Bool = false) {
        self.requireAllParties = requireAllParties
        self.policy = policy
        CryptoLibrary.initialize()
        self.trust = trust
        self.signers = signers
        self.requiredPolicies = requiredPolicies
        self.time = time
        self.limits = limits
    }

    /// Verifies a file read with the limits; a file that cannot be read is thrown, a document problem reported.
    public func verify(file path: String) throws(XMLFileError) -> VerificationReport {
        switch try XMLDocument.parse(file: path, limits: limits) {
        case .failure(let failure): return VerificationReport(file: path, signatures: [], documentProblems: XMLDiagnostics.diagnostics(for: failure))
        case .success(let document): return verify(document, file: path)
        }
    }

    /// Verifies a document held in memory (`file` names it in the report).
    public func verify(bytes: [UInt8], file: String) -> VerificationReport {
        let parsed = bytes.withUnsafeBytes { XMLDocument.parse($0, limits: limits) }
        switch parsed {
        case .failure(let failure): return VerificationReport(file: file, signatures: [], documentProblems: XMLDiagnostics.diagnostics(for: failure))
        case .success(let document): return verify(document, file: file)
        }
    }

    /// - Parameter policies: required certificate policies for this document, instead of `requiredPolicies`
    ///   (a route's own).
    /// - Parameter requireAllParties: instead of the verifier's own setting (a route that adds a party's signature
    ///   itself verifies what arrives without it).
    public func verify(_ document: XMLDocument, file: String, policies: Set<String>? = nil, requireAllParties: Bool? = nil) -> VerificationReport {
        let options = Options(policies: policies ?? requiredPolicies, requireAllParties: requireAllParties ?? self.requireAllParties)
        guard let root = document.root else {
            return VerificationReport(file: file, signatures: [], documentProblems: [SignatureProblem.noSignature.diagnostic()])
        }
        // The common case, one signature among the root's children: verified first, with the walk that digests
        // the document also noting every signature and id outside it; the separate scan is needed only when that
        // walk finds any, or did not run (a report that ends before the digest, a walk left to libxml2).
        if let only = DocumentScan.soleSignatureChild(of: root) {
            let census = DocumentScan.census()
            let report = verifySignature(only, in: document, root: root, signatures: [only], census: census)
            if let scan = DocumentScan(only: only, root: root, census: census) {
                return assemble(file: file, root: root, scan: scan, signatures: [report], options: options)
            }
        }
        let scan = DocumentScan(root: root)
        if scan.signatures.isEmpty {
            return VerificationReport(file: file, signatures: [], documentProblems: [SignatureProblem.noSignature.diagnostic()])
        }
        let reports = scan.signatures.map {
            verifySignature($0, in: document, root: root, signatures: scan.signatures, census: nil)
        }
        return assemble(file: file, root: root, scan: scan, signatures: reports, options: options)
    }

    /// The file's report: what the scan found about the document as a whole, then each signature's report.
    /// What one call checks beyond the signatures themselves.
    private struct Options {
        var policies: Set<String>
        var requireAllParties: Bool
    }

    private func assemble(file: String, root: XMLNode, scan: DocumentScan, signatures: [SignatureReport],
                          options: Options) -> VerificationReport {
        var report = VerificationReport(file: file, signatures: signatures, documentProblems: [])
        for (value, node) in scan.duplicateIds {
            report.documentProblems.append(SignatureProblem.duplicateIds.diagnostic(
                LocalizedText(ru: "значение «\(value)» встречается более одного раза", en: "the value '\(value)' occurs more than once"),
                at: node))
        }
        let namespace = root.namespaceURI
        let maximum = policy.maximumSignatures(rootNamespace: namespace)
        if scan.signatures.count > maximum {
            report.documentProblems.append(SignatureProblem.misplaced.diagnostic(
                LocalizedText(ru: "подписей \(scan.signatures.count), а документ такого вида допускает не более \(maximum)",
                              en: "\(scan.signatures.count) signatures where this kind of document allows at most \(maximum)"),
                at: scan.signatures[maximum]))
        }
        for signature in scan.signatures where !scan.isPlacedByProfile(signature) {
            report.documentProblems.append(SignatureProblem.misplaced.diagnostic(
                LocalizedText(ru: "подпись должна быть последним дочерним элементом корня документа",
                              en: "a signature must be among the last children of the document's root"),
                at: signature))
        }
        // Comments and instructions are outside the digest: one that splits signed text is refused.
        let comments = SplitContent.find(below: root, excluding: scan.signatures)
        for node in comments.splits {
            report.documentProblems.append(SignatureProblem.splitContent.diagnostic(at: node))
        }
        for node in comments.others {
            report.documentProblems.append(SignatureProblem.commentInContent.diagnostic(at: node, severity: .warning))
        }
        if let trust {
            if trust.allowsStaleCRL, let next = trust.crlNextUpdate, next < (time ?? Int64(Glibc.time(nil))) {
                report.documentProblems.append(SignatureProblem.revocationUnknown.diagnostic(LocalizedText(
                    ru: "список отзыва просрочен (nextUpdate \(UTCTime.iso(next))) и использован, как разрешено настройкой",
                    en: "a CRL past its nextUpdate (\(UTCTime.iso(next))) was used, as the configuration allows"), severity: .warning))
            }
            SignerCheck.apply(to: &report, root: root, signatures: scan.signatures, mapping: signers, requireAll: options.requireAllParties,
                              policy: policy)
            SignerCheck.requirePolicies(options.policies, in: &report, signatures: scan.signatures)
        }
        // Two parties sign a two-party document: the same certificate twice is a copied signature.
        var signers: [String] = []
        for (index, s) in report.signatures.enumerated() {
            guard let signer = s.signer else { continue }
            let key = signer.issuer + "\u{0}" + signer.serial
            if signers.contains(key) {
                report.signatures[index].problems.append(SignatureProblem.misplaced.diagnostic(LocalizedText(
                    ru: "тот же сертификат уже подписал документ", en: "the same certificate already signed the document"),
                    at: scan.signatures[index]))
            }
            signers.append(key)
        }
        return report
    }

    /// One signature; `signatures` are all the document's, `census` (when given) is handed to the walk that
    /// digests the reference.
    private func verifySignature(_ signature: XMLNode, in document: XMLDocument, root: XMLNode,
                                 signatures: [XMLNode], census: XMLCanonicalizer.Census?) -> SignatureReport {
        var report = SignatureReport(line: signature.line, algorithm: nil, form: nil, signer: nil, problems: [])
        let parsed: ParsedSignature
        switch ParsedSignature.parse(signature, root: root, certificates: certificates) {
        case .failure(let d):
            report.problems.append(d)
            return report
        case .success(let p): parsed = p
        }
        report.algorithm = parsed.algorithm
        report.form = parsed.formDescription

        // The signer's certificate and the CA certificates beside it.
        guard !parsed.certificates.isEmpty else {
            report.problems.append(SignatureProblem.noCertificate.diagnostic(at: parsed.keyInfo ?? signature))
            return report
        }
        let leaf = Self.signerCertificate(parsed.certificates)
        report.signer = certificates.summary(of: leaf)
        let key: Key
        switch certificates.publicKey(of: leaf) {
        case .success(let k): key = k
        case .failure(let error):
            report.problems.append(Diagnostic(code: error.code, line: report.line, message: error.message))
            return report
        }
        if key.algorithm != parsed.algorithm {
            report.problems.append(SignatureProblem.keyMismatch.diagnostic(
                LocalizedText(ru: "ключ \(key.algorithm.title), алгоритм подписи \(parsed.algorithm.title)",
                              en: "key \(key.algorithm.title), signature method \(parsed.algorithm.title)"),
                at: parsed.signatureMethod))
            return report
        }

        checkValues(parsed, signature, key: key, in: document, root: root, signatures: signatures, census: census, into: &report)

        // The chain.
        if let trust {
            let others = parsed.certificates.filter { !($0 == leaf) }
            if let problem = chains.problem(leaf, intermediates: others, trust: trust, at: time) {
                report.problems.append(Self.diagnostic(for: problem, at: parsed.keyInfo ?? signature))
            }
        } else {
            report.problems.append(SignatureProblem.notChecked.diagnostic(at: parsed.keyInfo ?? signature, severity: .warning))
        }
        return report
    }

    /// The values one signature carries against what they sign: the reference's digest (over the canonical form of
    /// what it covers, `census` handed to that walk) and the signature value over the canonical SignedInfo.
    private func checkValues(_ parsed: ParsedSignature, _ signature: XMLNode, key: Key, in document: XMLDocument, root: XMLNode,
                             signatures: [XMLNode], census: XMLCanonicalizer.Census?, into report: inout SignatureReport) {
        // The reference: digest of the canonical form of what it covers.
        let excluded = parsed.removesAllSignatures ? signatures : [signature]
        let canonicalizer = XMLCanonicalizer(method: parsed.referenceC14N, scope: parsed.coversDocument ? .document : .subtree(root),
                                             excluding: excluded, census: census)
        switch DigestStream.digest(canonicalizer, document, parsed.digest) {
        case .failure(let e):
            report.problems.append(Diagnostic(code: e.code, line: report.line, message: e.message))
        case .success(let digest):
            if digest != parsed.digestValue {
                report.problems.append(SignatureProblem.digestMismatch.diagnostic(at: parsed.digestValueNode))
            }
        }

        // The signature over the canonical SignedInfo.
        let signedInfo = XMLCanonicalizer(method: parsed.signedInfoC14N, scope: .subtree(parsed.signedInfo))
        if let bytes = signedInfo.bytes(document) {
            let ok = bytes.withUnsafeBytes { key.verify($0, signature: parsed.signatureValue) }
            if !ok { report.problems.append(SignatureProblem.signatureInvalid.diagnostic(at: parsed.signatureValueNode)) }
        } else {
            report.problems.append(SignatureProblem.malformed.diagnostic(
                LocalizedText(ru: "SignedInfo не приводится к каноническому виду", en: "SignedInfo cannot be canonicalized"),
                at: parsed.signedInfo))
        }
    }

    /// The signer among the certificates of X509Data: the one that issued none of the others (CA certificates
    /// may travel beside it); the first such, else the first certificate.
    static func signerCertificate(_ certificates: [Certificate]) -> Certificate {
        if certificates.count == 1 { return certificates[0] }
        for candidate in certificates {
            let issuesOthers = certificates.contains { other in !(other == candidate) && candidate.issued(other) }
            if !issuesOthers { return candidate }
        }
        return certificates[0]
    }

    static func diagnostic(for problem: ChainProblem, at node: XMLNode) -> Diagnostic {
        switch problem {
        case .untrusted(let why):
            return SignatureProblem.untrusted.diagnostic(LocalizedText(ru: why, en: why), at: node)
        case .expired(let notAfter):
            let when = UTCTime.iso(notAfter)
            return SignatureProblem.expired.diagnostic(LocalizedText(ru: "действовал до \(when)", en: "valid until \(when)"), at: node)
        case .notYetValid(let notBefore):
            let when = UTCTime.iso(notBefore)
            return SignatureProblem.notYetValid.diagnostic(LocalizedText(ru: "действует с \(when)", en: "valid from \(when)"), at: node)
        case .usage(let why):
            return SignatureProblem.keyUsage.diagnostic(LocalizedText(ru: why, en: why), at: node)
        case .revoked(let why):
            return SignatureProblem.revoked.diagnostic(LocalizedText(ru: why, en: why), at: node)
        case .revocationUnknown(let why):
            return SignatureProblem.revocationUnknown.diagnostic(LocalizedText(ru: why, en: why), at: node)
        case .other(let why):
            return SignatureProblem.chainFailed.diagnostic(LocalizedText(ru: why, en: why), at: node)
        case .ocspRevoked(let why): return SignatureProblem.revoked.diagnostic(why, at: node)
        case .ocspUnknown(let why): return SignatureProblem.ocspUnknown.diagnostic(why, at: node)
        case .ocspFailed(let why): return SignatureProblem.ocspFailed.diagnostic(why, at: node)
        }
    }
}
