import Foundation
import Testing

/// Keys and certificates made for the tests by the `openssl` command line (never committed): a test CA with
/// RSA-2048, ECDSA P-256 and GOST R 34.10-2012 256 signers, an expired signer, a signer whose key usage forbids
/// signing, an unrelated CA with its own signer, an encrypted PKCS#8 key and a PKCS#12 bundle. Made once per
/// test process.
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
    /// The same with a CRL past its nextUpdate.
    public var caWithStaleCRL: String { dir + "/ca-with-stale-crl.pem" }
    /// A web server's certificate from the trusted CA: extended key usage serverAuth only.
    public var tlsCert: String { dir + "/tls.pem" }
    /// serverAuth beside another purpose (a document-signing OID): not a TLS-only certificate.
    public var tlsAndSigningCert: String { dir + "/tls-and-signing.pem" }
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
        try """
        openssl_conf = openssl_def
        [openssl_def]
        engines = engine_section
        [engine_section]
        gost = gost_section
        [gost_section]
        engine_id = gost
        dynamic_path = \(engine)
        default_algorithms = ALL

        """.write(toFile: gostConfig, atomically: true, encoding: .utf8)
        try """
        [ca]
        basicConstraints = critical,CA:TRUE
        keyUsage = critical,keyCertSign,cRLSign
        subjectKeyIdentifier = hash
        [signer]
        basicConstraints = CA:FALSE
        keyUsage = critical,digitalSignature,nonRepudiation
        [nosign]
        basicConstraints = CA:FALSE
        keyUsage = critical,keyEncipherment
        [tls]
        basicConstraints = CA:FALSE
        keyUsage = critical,digitalSignature,keyEncipherment
        extendedKeyUsage = serverAuth
        subjectAltName = DNS:www.example.org
        [tlssign]
        basicConstraints = CA:FALSE
        keyUsage = critical,digitalSignature,nonRepudiation
        extendedKeyUsage = serverAuth,1.2.643.2.2.34.6

        """.write(toFile: dir + "/ext.cnf", atomically: true, encoding: .utf8)
        try Self.passphrase.write(toFile: passphraseFile, atomically: true, encoding: .utf8)

        try makeCA("ca", subject: "/C=RU/O=Тестовый УЦ docgate/CN=Тестовый корневой УЦ")
        try makeCA("other-ca", subject: "/C=RU/O=Посторонний УЦ/CN=Посторонний УЦ")
        try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", rsaKey])
        try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", ecKey])
        try openssl(["genpkey", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:A", "-out", gostKey], gost: true)
        try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", otherKey])
        try issue(key: rsaKey, cert: rsaCert, ca: "ca", subject: "/C=RU/O=Министерство финансов/CN=Иванова Анна Петровна")
        try issue(key: ecKey, cert: ecCert, ca: "ca", subject: "/C=RU/O=АНО «Забота»/CN=Петров Пётр Петрович")
        try issue(key: gostKey, cert: gostCert, ca: "ca", subject: "/C=RU/O=Министерство социальной политики/CN=Сидоров Сидор", gost: true)
        try issue(key: rsaKey, cert: expiredCert, ca: "ca", subject: "/C=RU/CN=Просроченный", days: "-1")
        try issue(key: rsaKey, cert: noSigningCert, ca: "ca", subject: "/C=RU/CN=Только шифрование", section: "nosign")
        try issue(key: otherKey, cert: otherCert, ca: "other-ca", subject: "/C=RU/CN=Посторонний подписант")
        try issue(key: rsaKey, cert: tlsCert, ca: "ca", subject: "/CN=www.example.org", section: "tls")
        try issue(key: rsaKey, cert: revokedCert, ca: "ca", subject: "/C=RU/CN=Отозванный подписант")
        try makeCRLs()
        try issue(key: rsaKey, cert: tlsAndSigningCert, ca: "ca", subject: "/C=RU/CN=Сервер и подписант", section: "tlssign")
        try openssl(["pkcs8", "-topk8", "-in", rsaKey, "-out", encryptedKey, "-v2", "aes-256-cbc", "-passout", "pass:" + Self.passphrase])
        try openssl(["pkcs8", "-topk8", "-in", rsaKey, "-outform", "DER", "-out", encryptedDERKey, "-v2", "aes-256-cbc",
                     "-passout", "pass:" + Self.passphrase])
        try openssl(["pkcs12", "-export", "-inkey", rsaKey, "-in", rsaCert, "-certfile", caCert, "-out", pkcs12,
                     "-passout", "pass:" + Self.passphrase])
        // Secrets closed to group and others, as docgate requires of them (DG5017); certificates stay as made.
        for secret in [rsaKey, ecKey, gostKey, otherKey, encryptedKey, encryptedDERKey, pkcs12, passphraseFile,
                       dir + "/ca.key", dir + "/other-ca.key"] where chmod(secret, 0o600) != 0 {
            throw PKIError(command: "chmod 600 \(secret)", output: String(cString: strerror(errno)))
        }
        try openssl(["genpkey", "-algorithm", "gost2012_512", "-pkeyopt", "paramset:A", "-out", gost512Key], gost: true)
        try issue(key: gost512Key, cert: gost512Cert, ca: "ca", subject: "/C=RU/O=Министерство социальной политики/CN=Кузнецова Мария", gost: true)
        if chmod(gost512Key, 0o600) != 0 { throw PKIError(command: "chmod 600 \(gost512Key)", output: String(cString: strerror(errno))) }
    }

    /// The CA's CRLs, made by `openssl ca -gencrl` from an index that lists `revokedCert` as revoked.
    private func makeCRLs() throws {
        let serial = try openssl(["x509", "-in", revokedCert, "-noout", "-serial"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
        try "R\t351231235959Z\t250101000000Z\t\(serial)\tunknown\t/C=RU/CN=revoked\n".write(toFile: dir + "/index.txt", atomically: true, encoding: .utf8)
        try "01\n".write(toFile: dir + "/crlnumber", atomically: true, encoding: .utf8)
        try """
        [ca]
        default_ca = dg
        [dg]
        database = \(dir)/index.txt
        crlnumber = \(dir)/crlnumber
        default_md = sha256
        default_crl_days = 30

        """.write(toFile: dir + "/ca.cnf", atomically: true, encoding: .utf8)
        let ca = [ "-config", dir + "/ca.cnf", "-keyfile", dir + "/ca.key", "-cert", caCert]
        try openssl(["ca", "-gencrl", "-out", dir + "/fresh.crl"] + ca)
        try openssl(["ca", "-gencrl", "-out", dir + "/stale.crl", "-crl_lastupdate", "20250101000000Z",
                     "-crl_nextupdate", "20250201000000Z"] + ca)
        let caText = try String(contentsOfFile: caCert, encoding: .utf8)
        try (caText + (try String(contentsOfFile: dir + "/fresh.crl", encoding: .utf8))).write(toFile: caWithCRL, atomically: true, encoding: .utf8)
        try (caText + (try String(contentsOfFile: dir + "/stale.crl", encoding: .utf8))).write(toFile: caWithStaleCRL, atomically: true, encoding: .utf8)
    }

    private func makeCA(_ name: String, subject: String) throws {
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir + "/\(name).key", "-out", dir + "/\(name).pem",
                     "-days", "3650", "-subj", subject, "-utf8", "-extensions", "ca", "-config", dir + "/ca-req.cnf"],
                    prepare: {
                        try "[req]\ndistinguished_name = dn\n[dn]\n[ca]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n"
                            .write(toFile: self.dir + "/ca-req.cnf", atomically: true, encoding: .utf8)
                    })
    }

    private func issue(key: String, cert: String, ca: String, subject: String, days: String = "365",
                       section: String = "signer", gost: Bool = false) throws {
        let csr = cert + ".csr"
        try openssl(["req", "-new", "-key", key, "-out", csr, "-subj", subject, "-utf8", "-config", dir + "/ca-req.cnf"], gost: gost)
        try openssl(["x509", "-req", "-in", csr, "-CA", dir + "/\(ca).pem", "-CAkey", dir + "/\(ca).key", "-CAcreateserial",
                     "-out", cert, "-days", days, "-extfile", dir + "/ext.cnf", "-extensions", section], gost: gost)
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
