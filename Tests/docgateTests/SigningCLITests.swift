import DocgateTestSupport
import Foundation
import Testing

/// `docgate sign`, `verify` and `inspect` as a signing officer and an operator use them.
@Suite struct SigningCLITests {
    func docgate(_ args: [String], env: [String: String] = [:]) throws -> ProcessResult {
        var environment = ProcessInfo.processInfo.environment
        environment["LANG"] = "C.UTF-8"
        environment.removeValue(forKey: "LC_ALL")
        environment.removeValue(forKey: "LC_MESSAGES")
        environment.removeValue(forKey: "OPENSSL_CONF")
        for (k, v) in env { environment[k] = v }
        return try ProcessRunner.run(TestPaths.docgate, args, environment: environment)
    }

    func sample(_ prefix: String) throws -> String {
        try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix(prefix) })
    }

    @Test func signToStandardOutputThenVerify() throws {
        let pki = try TestPKI.shared()
        let dir = try TemporaryDirectory("cli-sign")
        defer { dir.remove() }
        let r = try docgate(["sign", "--key", pki.gostKey, "--cert", pki.gostCert, try sample("SOCCERT")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("gostr34102012-gostr34112012-256"))
        let file = try dir.write("signed.xml", r.stdout)
        let v = try docgate(["verify", "--trust", pki.caCert, "--signers", pki.everyPartySigners, file])
        #expect(v.status == 0, "\(v.stdout)")
        #expect(v.stdout.contains("signature valid"))
        #expect(v.stdout.contains("Сидоров Сидор"))
        let json = try docgate(["verify", "--trust", pki.caCert, "--signers", pki.everyPartySigners, "--format", "json", file])
        let items = try #require(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(items.count == 1)
        #expect(items[0]["valid"] as? Bool == true)
        let sig = try #require((items[0]["signatures"] as? [[String: Any]])?.first)
        #expect(sig["algorithm"] as? String == "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-256")
        #expect((sig["signer"] as? [String: Any])?["serial"] as? String != nil)
    }

    /// A GOST R 34.10-2012 512 key: `sign` picks the 512 method and Streebog-512 by itself, `verify` names the
    /// algorithm in text and JSON, `inspect` too; a changed document fails with DG4010 (exit 1).
    @Test func gost512SignThenVerifyAndInspect() throws {
        let pki = try TestPKI.shared()
        let dir = try TemporaryDirectory("cli-sign-512")
        defer { dir.remove() }
        let r = try docgate(["sign", "--key", pki.gost512Key, "--cert", pki.gost512Cert, try sample("SOCORDER")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("<ds:SignatureMethod Algorithm=\"urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-512\"/>"))
        #expect(r.stdout.contains("<ds:DigestMethod Algorithm=\"urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-512\"/>"))
        #expect(!r.stdout.contains("gostr34112012-256"))
        let file = try dir.write("signed.xml", r.stdout)
        let v = try docgate(["verify", "--trust", pki.caCert, file])
        #expect(v.status == 0, "\(v.stdout)")
        #expect(v.stdout.contains("GOST R 34.10-2012 512") && v.stdout.contains("Кузнецова Мария"), "\(v.stdout)")
        let json = try docgate(["verify", "--trust", pki.caCert, "--format", "json", file])
        let items = try #require(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let sig = try #require((items.first?["signatures"] as? [[String: Any]])?.first)
        #expect(sig["algorithm"] as? String == "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-512")
        #expect(sig["valid"] as? Bool == true)
        let inspect = try docgate(["inspect", "--trust", pki.caCert, file])
        #expect(inspect.status == 0, "\(inspect.stdout)")
        #expect(inspect.stdout.split(separator: "\n").contains { $0.hasPrefix("Signature #") && $0.contains("GOST R 34.10-2012 512") },
                "\(inspect.stdout)")
        let number = try #require(r.stdout.range(of: "<number>").map { r.stdout[$0.upperBound...].prefix { $0 != "<" } })
        let tampered = try dir.write("tampered.xml", r.stdout.replacingOccurrences(of: "<number>\(number)<", with: "<number>\(number)9<"))
        let t = try docgate(["verify", "--trust", pki.caCert, tampered])
        #expect(t.status == 1)
        #expect(t.stdout.contains("DG4010"), "\(t.stdout)")
        // The help names the 512 method beside the 256 one.
        let help = try docgate(["sign", "--help"]).stdout
        #expect(help.contains("gostr34102012-gostr34112012-512") && help.contains("gostr34102012-gostr34112012-256"), "\(help)")
    }

    /// `verify --crl`: a revoked signer is refused with DG4026 (exit 1); without the CRL it verifies; a path with no
    /// CRL in it is a usage error (exit 2).
    @Test func verifyChecksTheCRLsGiven() throws {
        let pki = try TestPKI.shared()
        let dir = try TemporaryDirectory("cli-crl")
        defer { dir.remove() }
        let r = try docgate(["sign", "--key", pki.rsaKey, "--cert", pki.revokedCert, try sample("SOCORDER")])
        #expect(r.status == 0, "\(r.stderr)")
        let file = try dir.write("signed.xml", r.stdout)
        #expect(try docgate(["verify", "--trust", pki.caCert, "--signers", pki.everyPartySigners, file]).status == 0)
        let v = try docgate(["verify", "--trust", pki.caCert, "--signers", pki.everyPartySigners, "--crl", pki.crl, file])
        #expect(v.status == 1)
        #expect(v.stdout.contains("DG4026"), "\(v.stdout)")
        #expect(try docgate(["verify", "--trust", pki.caCert, "--signers", pki.everyPartySigners, "--crl", pki.caCert, file]).status == 2)
    }

    @Test func signNeverOverwritesTheInputUnlessAsked() throws {
        let pki = try TestPKI.shared()
        let dir = try TemporaryDirectory("cli-sign")
        defer { dir.remove() }
        let original = try Data(contentsOf: URL(fileURLWithPath: try sample("RECEIPT")))
        let file = try dir.write(((try sample("RECEIPT")) as NSString).lastPathComponent, [UInt8](original))
        let refused = try docgate(["sign", "--key", pki.rsaKey, "--cert", pki.rsaCert, "--out", file, file])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("--overwrite"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == original)
        let done = try docgate(["sign", "--key", pki.rsaKey, "--cert", pki.rsaCert, "--out", file, "--overwrite", file])
        #expect(done.status == 0, "\(done.stderr)")
        #expect(try docgate(["verify", "--trust", pki.caCert, "--signers", pki.everyPartySigners, file]).status == 0)
        // Leftover temporary files would show an unsafe write.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).count == 1)
    }

    @Test func encryptedKeyPassphraseComesFromEnvironmentOrFile() throws {
        let pki = try TestPKI.shared()
        let doc = try sample("SOCORDER")
        let env = try docgate(["sign", "--key", pki.encryptedKey, "--cert", pki.rsaCert, "--passphrase-env", "DOCGATE_TEST_PASS", doc],
                              env: ["DOCGATE_TEST_PASS": TestPKI.passphrase])
        #expect(env.status == 0, "\(env.stderr)")
        let file = try docgate(["sign", "--key", pki.encryptedDERKey, "--cert", pki.rsaCert, "--passphrase-file", pki.passphraseFile, doc])
        #expect(file.status == 0, "\(file.stderr)")
        let p12 = try docgate(["sign", "--pkcs12", pki.pkcs12, "--passphrase-file", pki.passphraseFile, doc])
        #expect(p12.status == 0, "\(p12.stderr)")
        let wrong = try docgate(["sign", "--key", pki.encryptedKey, "--cert", pki.rsaCert, "--passphrase-env", "DOCGATE_TEST_PASS", doc],
                                env: ["DOCGATE_TEST_PASS": "неверный"])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("DG5011"))
        #expect(wrong.stdout.isEmpty)
        let none = try docgate(["sign", "--key", pki.encryptedKey, "--cert", pki.rsaCert, doc])
        #expect(none.status == 2)
        #expect(none.stderr.contains("DG5011"))
        // There is no option that takes the passphrase itself.
        let onCommandLine = try docgate(["sign", "--key", pki.encryptedKey, "--cert", pki.rsaCert, "--passphrase", TestPKI.passphrase, doc])
        #expect(onCommandLine.status == 2)
    }

    @Test func batchSigningIntoADirectory() throws {
        let pki = try TestPKI.shared()
        let out = try TemporaryDirectory("cli-batch")
        defer { out.remove() }
        let valid = TestPaths.samples + "/valid"
        let r = try docgate(["sign", "--key", pki.ecKey, "--cert", pki.ecCert, "--out-dir", out.path, valid])
        #expect(r.status == 0, "\(r.stderr)")
        let count = TestPaths.sampleFiles("valid").count
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).count == count)
        let v = try docgate(["verify", "--trust", pki.caCert, "--signers", pki.everyPartySigners, out.path])
        #expect(v.status == 0)
        #expect(v.stdout.contains("\(count) files: \(count) verified"))
        // Already-signed single-signer documents are refused (exit 1); two-party ones take the second signature.
        let again = try TemporaryDirectory("cli-batch2")
        defer { again.remove() }
        let second = try docgate(["sign", "--key", pki.rsaKey, "--cert", pki.rsaCert, "--out-dir", again.path, out.path])
        #expect(second.status == 1)
        #expect(second.stderr.contains("DG4040"))
        let twoParty = TestPaths.sampleFiles("valid").filter { ($0 as NSString).lastPathComponent.hasPrefix("AGREEMENT") || ($0 as NSString).lastPathComponent.hasPrefix("CONTRACT_") }.count
        #expect(try FileManager.default.contentsOfDirectory(atPath: again.path).count == twoParty)
        // Several inputs need --out-dir.
        #expect(try docgate(["sign", "--key", pki.ecKey, "--cert", pki.ecCert] + TestPaths.sampleFiles("valid").prefix(2)).status == 2)
    }

    @Test func invalidDocumentIsNotSigned() throws {
        let pki = try TestPKI.shared()
        let invalid = TestPaths.samples + "/invalid/execreport-deviation-wrong.xml"
        let r = try docgate(["sign", "--key", pki.rsaKey, "--cert", pki.rsaCert, invalid])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("DG3020"))
    }

    @Test func verifyExitCodesOverABatch() throws {
        let pki = try TestPKI.shared()
        let dir = try TemporaryDirectory("cli-verify")
        defer { dir.remove() }
        var names: [String] = []
        for (i, prefix) in ["SOCORDER", "AGREEMENT", "EXECREPORT"].enumerated() {
            let r = try docgate(["sign", "--key", pki.ecKey, "--cert", pki.ecCert, "--out", dir.file("doc\(i).xml"), try sample(prefix)])
            #expect(r.status == 0, "\(r.stderr)")
            names.append(dir.file("doc\(i).xml"))
        }
        let ok = try docgate(["verify", "--trust", pki.caCert, "--signers", pki.everyPartySigners, dir.path])
        #expect(ok.status == 0, "\(ok.stdout)")
        #expect(ok.stdout.contains("3 files: 3 verified, 0 failed, 0 unreadable"))
        // One tampered file fails the batch with 1, and says why.
        var text = try String(contentsOfFile: names[2], encoding: .utf8)
        text = text.replacingOccurrences(of: "<number>", with: "<number>0")
        try text.write(toFile: names[2], atomically: true, encoding: .utf8)
        let bad = try docgate(["verify", "--trust", pki.caCert, "--signers", pki.everyPartySigners, "--lang", "ru", dir.path])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("DG4010"))
        #expect(bad.stdout.contains("подписанное содержимое изменено") || bad.stdout.contains("Подписанное содержимое изменено"))
        // A missing file is an I/O error: 2.
        #expect(try docgate(["verify", "--trust", pki.caCert, "--signers", pki.everyPartySigners, names[0], dir.file("missing.xml")]).status == 2)
        // The trust store is required, and a bad one is a configuration error.
        #expect(try docgate(["verify", names[0]]).status == 2)
        let badTrust = try docgate(["verify", "--trust", dir.file("none.pem"), names[0]])
        #expect(badTrust.status == 2)
        #expect(badTrust.stderr.contains("DG5016"))
        // An untrusted CA: 1.
        #expect(try docgate(["verify", "--trust", pki.otherCACert, "--signers", pki.everyPartySigners, names[0]]).status == 1)
    }

    @Test func inspectShowsEachSignature() throws {
        let pki = try TestPKI.shared()
        let dir = try TemporaryDirectory("cli-inspect")
        defer { dir.remove() }
        let one = dir.file("one.xml"), two = dir.file("two.xml")
        #expect(try docgate(["sign", "--key", pki.rsaKey, "--cert", pki.rsaCert, "--out", one, try sample("CONTRACT_")]).status == 0)
        #expect(try docgate(["sign", "--key", pki.ecKey, "--cert", pki.ecCert, "--out", two, one]).status == 0)
        let r = try docgate(["inspect", "--trust", pki.caCert, "--signers", pki.everyPartySigners, two])
        #expect(r.status == 0, "\(r.stdout)")
        let lines = r.stdout.split(separator: "\n").filter { $0.hasPrefix("Signature #") }
        try #require(lines.count == 2)
        #expect(lines[0].contains("RSA-SHA256") && lines[0].contains("Иванова Анна Петровна") && lines[0].hasSuffix("valid"))
        #expect(lines[1].contains("ECDSA-P256-SHA256") && lines[1].contains("serial "))
        let json = try docgate(["inspect", "--format", "json", "--trust", pki.otherCACert, "--signers", pki.everyPartySigners, two])
        #expect(json.status == 1)
        let object = try #require(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let signatures = try #require(object["signatures"] as? [[String: Any]])
        #expect(signatures.count == 2)
        #expect(signatures.allSatisfy { ($0["errors"] as? [[String: Any]])?.first?["code"] as? String == "DG4020" })
    }
}
