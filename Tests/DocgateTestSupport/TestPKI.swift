import Foundation
import Testing

/// Keys and certificates made for the tests by `Tests/pki/make-test-pki.sh` with the `openssl` command line and
/// the GOST engine (never committed): a root CA with RSA-2048, ECDSA P-256 and GOST R 34.10-2012 256 and 512 signers whose
/// subjects carry the ИНН ЮЛ/ОГРН of the sample documents' parties, an expired signer, a signer whose key usage
/// forbids signing, a TLS-only certificate, a revoked signer with fresh and stale CRLs, an unrelated CA with its own
/// signer; a subordinate CA with qualified certificates (policies КС1/КС2, signature-tool extensions) of an
/// organisation and a person (СНИЛС), a revoked subordinate CA; an encrypted PKCS#8 key and a PKCS#12 bundle.
/// Made once per test process.
public final class TestPKI: Sendable {
    public let dir: String
    /// An OpenSSL configuration that loads the GOST engine, for the `openssl` command line only.
    public let gostConfig: String
    public static let passphrase = "тест-пароль-1"

    public var caCert: String { dir + "/ca.pem" }
    public var rsaKey: String { dir + "/rsa.key" }
    public var rsaCert: String { dir + "/rsa.pem" }
    public var ecKey: String { dir + "/ec.key" }
    public var ecCert: String { dir + "/ec.pem" }
    public var gostKey: String { dir + "/gost.key" }
    public var gostCert: String { dir + "/gost.pem" }
    /// GOST R 34.10-2012 512 (paramset A) signer from the test CA.
    public var gost512Key: String { dir + "/gost512.key" }
    public var gost512Cert: String { dir + "/gost512.pem" }
    public var expiredCert: String { dir + "/expired.pem" }
    public var noSigningCert: String { dir + "/nosign.pem" }
    /// A signer's certificate from the trusted CA that the CA revoked.
    public var revokedCert: String { dir + "/revoked.pem" }
    /// The trusted CA's certificate followed by its CRL (current; it revokes `revokedCert`), in one PEM file.
    public var caWithCRL: String { dir + "/ca-with-crl.pem" }
    /// The CA's current CRL alone (PEM).
    public var crl: String { dir + "/fresh.crl" }
    /// A current CRL of the root that revokes nothing.
    public var emptyCRL: String { dir + "/empty.crl" }
    /// The same with a CRL past its nextUpdate.
    public var caWithStaleCRL: String { dir + "/ca-with-stale-crl.pem" }
    /// A web server's certificate from the trusted CA: extended key usage serverAuth only.
    public var tlsCert: String { dir + "/tls.pem" }
    /// serverAuth beside another purpose (a document-signing OID): not a TLS-only certificate.
    public var tlsAndSigningCert: String { dir + "/tls-and-signing.pem" }
    /// A signer of the grantor's organisation whose subject names no ИНН or ОГРН (for the fingerprint mapping).
    public var anonymousCert: String { dir + "/anonymous.pem" }
    /// The subordinate CA, issued by the root.
    public var intermediateCert: String { dir + "/intermediate.pem" }
    /// The key of the qualified certificates of organisations.
    public var qualifiedKey: String { dir + "/qualified.key" }
    /// The grantor's qualified certificate (ИНН ЮЛ 2466012340, ОГРН 1022401123458; КС1 and КС2), followed by the
    /// subordinate CA's certificate.
    public var qualifiedOrgChain: String { dir + "/qualified-org-chain.pem" }
    /// The executor's qualified certificate (ИНН ЮЛ 2461004522, ОГРН 1162468055200; КС1 only) and the subordinate CA.
    public var qualifiedExecutorChain: String { dir + "/qualified-executor-chain.pem" }
    public var personKey: String { dir + "/person.key" }
    /// The sample consumer's certificate (СНИЛС 112-233-445 95) and the subordinate CA.
    public var qualifiedPersonChain: String { dir + "/qualified-person-chain.pem" }
    /// A signer (the grantor) of the subordinate CA the root revoked, followed by that CA's certificate; its key is
    /// `qualifiedKey`.
    public var revokedCASignerChain: String { dir + "/revoked-ca-signer-chain.pem" }
    /// Current CRLs: the root's (revokes `revokedCert` and the revoked subordinate CA), the subordinate CAs'.
    public var rootCRL: String { dir + "/root.crl" }
    public var intermediateCRL: String { dir + "/intermediate.crl" }
    public var revokedCACRL: String { dir + "/revoked-ca.crl" }
    /// A signer mapping that lets every test signer (but `anonymousCert`) sign for every party named in the sample
    /// documents and for the gateway: for the tests about something other than who signs (the signer policy has
    /// its own tests, without it).
    public var everyPartySigners: String { dir + "/every-party.signers" }
    public var otherCACert: String { dir + "/other-ca.pem" }
    public var otherKey: String { dir + "/other.key" }
    public var otherCert: String { dir + "/other.pem" }
    public var encryptedKey: String { dir + "/rsa-encrypted.key" }
    public var encryptedDERKey: String { dir + "/rsa-encrypted.der" }
    public var pkcs12: String { dir + "/rsa.p12" }
    public var passphraseFile: String { dir + "/passphrase.txt" }

    private static let made: Result<TestPKI, any Error> = Result { try TestPKI() }

    /// The shared PKI, made on first use.
    public static func shared() throws -> TestPKI { try made.get() }

    public static var gostEnginePath: String? {
        ["/usr/lib/x86_64-linux-gnu/engines-3/gost.so", "/usr/lib/aarch64-linux-gnu/engines-3/gost.so"]
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    private init() throws {
        dir = NSTemporaryDirectory() + "docgate-pki-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        gostConfig = dir + "/gost.cnf"
        let engine = Self.gostEnginePath ?? "/usr/lib/x86_64-linux-gnu/engines-3/gost.so"
        let script = TestPaths.root + "/Tests/pki/make-test-pki.sh"
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "OPENSSL_CONF")
        let r = try ProcessRunner.run("/bin/sh", [script, dir, engine], environment: env)
        if r.status != 0 {
            let log = (try? String(contentsOfFile: dir + "/openssl.log", encoding: .utf8)) ?? ""
            throw PKIError(command: "sh \(script)", output: r.stderr + log)
        }
        try writeEveryPartyMapping()
    }

    /// Every ИНН and СНИЛС in the sample documents, and `gateway`, mapped to the fingerprint of every test signer.
    private func writeEveryPartyMapping() throws {
        var identifiers: Set<String> = ["gateway"]
        let pattern = try NSRegularExpression(pattern: "<(?:inn|innFl|snils)>([0-9 -]+)</")
        for folder in ["valid", "warnings", "invalid"] {
            for file in TestPaths.sampleFiles(folder) {
                // Any encoding the samples come in (UTF-8, windows-1251, UTF-16): the digits are ASCII.
                guard let data = FileManager.default.contents(atPath: file) else { continue }
                let text = String(decoding: data.filter { $0 != 0 }, as: UTF8.self)
                for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    if let r = Range(m.range(at: 1), in: text) { identifiers.insert(text[r].filter(\.isNumber)) }
                }
            }
        }
        var lines = ["# Every test signer for every sample party (made by TestPKI)."]
        for cert in [rsaCert, ecCert, gostCert, gost512Cert, expiredCert, noSigningCert, otherCert, tlsCert, revokedCert, tlsAndSigningCert] {
            let out = try openssl(["x509", "-in", cert, "-noout", "-fingerprint", "-sha256"]).stdout
            guard let eq = out.firstIndex(of: "=") else { throw PKIError(command: "fingerprint \(cert)", output: out) }
            let fingerprint = out[out.index(after: eq)...].trimmingCharacters(in: .whitespacesAndNewlines)
            lines += identifiers.sorted().filter { [10, 11, 12].contains($0.count) || $0 == "gateway" }.map { "\($0) \(fingerprint)" }
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: everyPartySigners, atomically: true, encoding: .utf8)
    }

    /// Runs the `openssl` command line, with the GOST engine configuration when asked.
    @discardableResult
    public func openssl(_ args: [String], gost: Bool = false, prepare: () throws -> Void = {}) throws -> ProcessResult {
        try prepare()
        var env = ProcessInfo.processInfo.environment
        if gost { env["OPENSSL_CONF"] = gostConfig } else { env.removeValue(forKey: "OPENSSL_CONF") }
        let r = try ProcessRunner.run("/usr/bin/openssl", args, environment: env)
        if r.status != 0 { throw PKIError(command: "openssl " + args.joined(separator: " "), output: r.stderr) }
        return r
    }

    public struct PKIError: Error, CustomStringConvertible {
        public var command: String
        public var output: String
        public var description: String { "\(command): \(output)" }
    }
}
