import DocgateGateway
import DocgateTestSupport
import Foundation
import Testing

/// `verify` and `inspect` with OCSP, and the daemon's `ocsp` keys, against a real `openssl ocsp` responder.
@Suite(.timeLimit(.minutes(5))) struct OCSPCLITests {
    func docgate(_ args: [String]) throws -> ProcessResult {
        var environment = ProcessInfo.processInfo.environment
        environment["LANG"] = "C.UTF-8"
        environment.removeValue(forKey: "LC_ALL")
        environment.removeValue(forKey: "LC_MESSAGES")
        environment.removeValue(forKey: "OPENSSL_CONF")
        return try ProcessRunner.run(TestPaths.docgate, args, environment: environment, timeout: 120)
    }

    /// A social order signed with the key and certificate given, written into `dir` as `name`.
    func signed(_ key: String, _ cert: String, _ name: String, in dir: TemporaryDirectory) throws -> String {
        let sample = try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix("SOCORDER") })
        let r = try docgate(["sign", "--key", key, "--cert", cert, "--out", dir.file(name), sample])
        #expect(r.status == 0, "\(r.stderr)")
        return dir.file(name)
    }

    static func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    /// `verify --ocsp-url`: a good signer verifies (exit 0), a revoked one is refused with DG4026 naming OCSP (exit 1),
    /// a responder that cannot be reached fails closed with DG4034 (exit 1), and an address other than http:// or a
    /// timeout out of range is a usage error (exit 2, DG5003).
    @Test func verifyAsksTheResponderGiven() throws {
        let material = try OCSPMaterial.shared()
        let pki = material.pki
        let dir = try TemporaryDirectory("cli-ocsp")
        defer { dir.remove() }
        let good = try signed(pki.rsaKey, pki.rsaCert, "good.xml", in: dir)
        let revoked = try signed(pki.rsaKey, pki.revokedCert, "revoked.xml", in: dir)
        let responder = try material.responder()
        defer { responder.stop() }

        let ok = try docgate(["verify", "--trust", pki.caCert, "--ocsp-url", responder.url, good])
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")
        let refused = try docgate(["verify", "--trust", pki.caCert, "--ocsp-url", responder.url, revoked])
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("DG4026") && refused.stdout.contains("OCSP"), "\(refused.stdout)")
        let json = try docgate(["verify", "--trust", pki.caCert, "--ocsp-url", responder.url, "--format", "json", revoked])
        let items = try #require(try Self.json(json.stdout) as? [[String: Any]])
        let errors = (items.first?["signatures"] as? [[String: Any]])?.first?["errors"] as? [[String: Any]]
        #expect(errors?.compactMap { $0["code"] as? String } == ["DG4026"], "\(json.stdout)")
        #expect(responder.requests == 3, "\(responder.output)")
        // Without OCSP the revoked signer verifies.
        #expect(try docgate(["verify", "--trust", pki.caCert, revoked]).status == 0)

        let closed = try SilentListener.closedPort()
        let unreachable = try docgate(["verify", "--trust", pki.caCert, "--ocsp-url", "http://127.0.0.1:\(closed)/", "--ocsp-timeout", "2", good])
        #expect(unreachable.status == 1)
        #expect(unreachable.stdout.contains("DG4034"), "\(unreachable.stdout)")

        let https = try docgate(["verify", "--trust", pki.caCert, "--ocsp-url", "https://127.0.0.1/", good])
        #expect(https.status == 2)
        #expect(https.stderr.contains("DG5003") && https.stderr.contains("http://"), "\(https.stderr)")
        #expect(try docgate(["verify", "--trust", pki.caCert, "--ocsp", "--ocsp-timeout", "0", good]).status == 2)
    }

    /// `verify --ocsp` asks the responder a certificate names; a certificate that names none fails closed.
    @Test func verifyAsksTheResponderTheCertificateNames() throws {
        let material = try OCSPMaterial.shared()
        let pki = material.pki
        let dir = try TemporaryDirectory("cli-ocsp-aia")
        defer { dir.remove() }
        let responder = try material.responder()
        defer { responder.stop() }
        let serial = OCSPMaterial.newSerial()
        let index = try dir.write("index.txt", OCSPMaterial.indexLine(revoked: serial, reason: "superseded"))
        let revokingResponder = try material.responder(index: index)
        defer { revokingResponder.stop() }
        let cert = dir.file("aia.pem")
        try material.issue(cert: cert, key: pki.rsaKey, ca: (pki.caCert, pki.dir + "/ca.key"), subject: "/CN=Подписант с адресом OCSP",
                           aia: revokingResponder.url, serial: serial)
        let document = try signed(pki.rsaKey, cert, "aia.xml", in: dir)
        let r = try docgate(["verify", "--trust", pki.caCert, "--ocsp", document])
        #expect(r.status == 1)
        #expect(r.stdout.contains("DG4026") && r.stdout.contains("superseded") && r.stdout.contains(revokingResponder.url), "\(r.stdout)")
        #expect(revokingResponder.requests == 1 && responder.requests == 0)
        // The RSA signer's certificate names no responder: nothing to ask, so it fails closed.
        let plain = try signed(pki.rsaKey, pki.rsaCert, "plain.xml", in: dir)
        let none = try docgate(["verify", "--trust", pki.caCert, "--ocsp", plain])
        #expect(none.status == 1)
        #expect(none.stdout.contains("DG4034"), "\(none.stdout)")
    }

    /// `inspect --trust` lists each certificate of the signer's path with its status in the CRLs and from OCSP, in
    /// text (both languages) and JSON.
    @Test func inspectShowsEachCertificatesRevocationStatus() throws {
        let material = try OCSPMaterial.shared()
        let pki = material.pki
        let dir = try TemporaryDirectory("cli-ocsp-inspect")
        defer { dir.remove() }
        let good = try signed(pki.rsaKey, pki.rsaCert, "good.xml", in: dir)
        let revoked = try signed(pki.rsaKey, pki.revokedCert, "revoked.xml", in: dir)
        let responder = try material.responder()
        defer { responder.stop() }

        let r = try docgate(["inspect", "--lang", "en", "--trust", pki.caWithCRL, "--ocsp-url", responder.url, revoked])
        #expect(r.status == 1)
        #expect(r.stdout.contains("Certification path:"), "\(r.stdout)")
        #expect(r.stdout.contains("CRL REVOKED at 2025-01-01T00:00:00Z, reason not given; OCSP REVOKED at 2025-01-01T00:00:00Z, reason not given"),
                "\(r.stdout)")
        #expect(r.stdout.contains("trusted certificate, status not asked"), "\(r.stdout)")

        let g = try docgate(["inspect", "--lang", "en", "--trust", pki.caWithCRL, "--ocsp-url", responder.url, good])
        #expect(g.status == 0, "\(g.stdout)")
        #expect(g.stdout.contains("CRL good; OCSP good"), "\(g.stdout)")
        let ru = try docgate(["inspect", "--lang", "ru", "--trust", pki.caCert, good])
        #expect(ru.stdout.contains("Путь сертификации:") && ru.stdout.contains("CRL не проверялся; OCSP не проверялся"), "\(ru.stdout)")
        let unknown = try docgate(["inspect", "--lang", "en", "--trust", pki.caCert, "--ocsp-url", responder.url,
                                   try signed(pki.rsaKey, material.unlistedCert, "unknown.xml", in: dir)])
        #expect(unknown.stdout.contains("DG4035") && unknown.stdout.contains("OCSP unknown ("), "\(unknown.stdout)")

        let j = try docgate(["inspect", "--format", "json", "--trust", pki.caWithCRL, "--ocsp-url", responder.url, revoked])
        let object = try #require(try Self.json(j.stdout) as? [String: Any])
        let path = try #require((object["signatures"] as? [[String: Any]])?.first?["path"] as? [[String: Any]])
        #expect(path.count == 2)
        let signer = try #require(path.first)
        #expect(signer["anchor"] as? Bool == false)
        #expect((signer["crl"] as? [String: Any])?["status"] as? String == "revoked")
        let ocsp = try #require(signer["ocsp"] as? [String: Any])
        #expect(ocsp["status"] as? String == "revoked")
        #expect(ocsp["revokedAt"] as? String == "2025-01-01T00:00:00Z")
        #expect(path.last?["anchor"] as? Bool == true)
        #expect((path.last?["ocsp"] as? [String: Any])?["status"] as? String == "not-checked")
    }

    /// The daemon: `ocsp_url` beside `trust`; on a route that requires signatures, a signer the responder revoked is
    /// refused (DG4026), one it does not know too (DG4035), a good one is delivered.
    @Test func theDaemonRefusesASignerTheResponderRevoked() throws {
        let material = try OCSPMaterial.shared()
        let pki = material.pki
        let responder = try material.responder()
        defer { responder.stop() }
        let site = try GatewaySite(top: """
            trust = "\(pki.caCert)"
            ocsp_url = "\(responder.url)"
            ocsp_timeout = 5
            """, route: "require_signature = true")
        defer { site.dir.remove() }
        let work = try TemporaryDirectory("ocsp-inbound")
        defer { work.remove() }
        var names: [String: String] = [:]
        for (label, n, cert) in [("good", 701, pki.rsaCert), ("revoked", 702, pki.revokedCert), ("unknown", 703, material.unlistedCert)] {
            let (name, bytes) = try GatewaySite.order(n)
            let plain = try work.write("plain-" + name, bytes)
            let r = try docgate(["sign", "--key", pki.rsaKey, "--cert", cert, "--out", work.file(name), plain])
            #expect(r.status == 0, "\(r.stderr)")
            try site.drop(name, [UInt8](try Data(contentsOf: URL(fileURLWithPath: work.file(name)))))
            names[label] = name
        }
        let r = try runDocgate(["run", "--once", "--config", site.config])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(site.files(site.outbox) == [try #require(names["good"])])
        for (label, code) in [("revoked", "DG4026"), ("unknown", "DG4035")] {
            let reason = try String(contentsOfFile: site.errors + "/" + names[label]! + ".reason.txt", encoding: .utf8)
            #expect(reason.contains(code), "\(label): \(reason)")
        }
        #expect(site.files(site.receipts).count == 3)
        #expect(responder.requests >= 3, "\(responder.output)")
    }

    /// The `ocsp` keys are checked like the others: http:// only, a boolean, a timeout in range, with `trust`.
    @Test func theDaemonsOCSPKeysAreChecked() throws {
        let dir = try TemporaryDirectory("ocsp-config")
        defer { dir.remove() }
        func problems(_ keys: String) -> [String] {
            let text = "gateway_id = \"gw\"\njournal = \"j.sqlite\"\n" + keys + "\n" + ConfigTests.route()
            do {
                _ = try GatewayConfig.parse(text, file: dir.path + "/gateway.toml")
                return []
            } catch {
                return error.problems.map { $0.text(.en) }
            }
        }
        #expect(problems("trust = \"ca.pem\"\nocsp_url = \"https://ocsp.example.ru/\"").contains { $0.contains("ocsp_url") && $0.contains("http://") })
        #expect(problems("trust = \"ca.pem\"\nocsp = \"yes\"").contains { $0.contains("ocsp") && $0.contains("true or false") })
        #expect(problems("ocsp = true").contains { $0.contains("ocsp") && $0.contains("trust") })
        #expect(problems("trust = \"ca.pem\"\nocsp = true\nocsp_timeout = 0").contains { $0.contains("ocsp_timeout") })
        #expect(problems("trust = \"ca.pem\"\nocsp = false\nocsp_url = \"http://127.0.0.1:9/\"").contains { $0.contains("ocsp_url") })
        #expect(problems("trust = \"ca.pem\"\nocsp_timeout = 3").contains { $0.contains("ocsp_timeout") })
        let text = "gateway_id = \"gw\"\njournal = \"j.sqlite\"\ntrust = \"ca.pem\"\nocsp_url = \"http://127.0.0.1:9/ocsp\"\nocsp_timeout = 3\n" + ConfigTests.route()
        let config = try GatewayConfig.parse(text, file: dir.path + "/gateway.toml")
        #expect(config.ocspSettings?.responder == "http://127.0.0.1:9/ocsp" && config.ocspSettings?.timeout == 3)
        let aia = try GatewayConfig.parse(text.replacingOccurrences(of: "ocsp_url = \"http://127.0.0.1:9/ocsp\"", with: "ocsp = true"),
                                          file: dir.path + "/gateway.toml")
        #expect(aia.ocspSettings?.responder == nil && aia.ocspSettings?.timeout == 3)
        let off = try GatewayConfig.parse("gateway_id = \"gw\"\njournal = \"j.sqlite\"\ntrust = \"ca.pem\"\n" + ConfigTests.route(),
                                          file: dir.path + "/gateway.toml")
        #expect(off.ocspSettings == nil)
    }
}
