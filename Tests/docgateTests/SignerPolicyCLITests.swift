import DocgateTestSupport
import Foundation
import Testing

/// `docgate verify` binds signatures to the parties of the document (issue 15): the attacks of the issue are
/// refused with their codes, and `--signers`, `--require-policy` and `--partial-chain` work from the command line.
@Suite struct SignerPolicyCLITests {
    let pki: TestPKI

    init() throws { pki = try TestPKI.shared() }

    func docgate(_ args: [String]) throws -> ProcessResult {
        var environment = ProcessInfo.processInfo.environment
        environment["LANG"] = "C.UTF-8"
        environment.removeValue(forKey: "LC_ALL")
        environment.removeValue(forKey: "OPENSSL_CONF")
        return try ProcessRunner.run(TestPaths.docgate, args, environment: environment)
    }

    func sample(_ prefix: String) throws -> String {
        try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix(prefix) })
    }

    /// Signs `input` into `dir/name` and returns the path.
    func sign(_ input: String, _ key: String, _ cert: String, into dir: TemporaryDirectory, _ name: String) throws -> String {
        let out = dir.file(name)
        let r = try docgate(["sign", "--key", key, "--cert", cert, "--out", out, input])
        #expect(r.status == 0, "\(r.stderr)")
        return out
    }

    @Test func theAttacksOfTheIssueAreRefusedWithTheirCodes() throws {
        let dir = try TemporaryDirectory("cli-policy")
        defer { dir.remove() }
        let tls = try sign(try sample("SOCORDER"), pki.rsaKey, pki.tlsCert, into: dir, "tls.xml")
        let first = try sign(try sample("AGREEMENT"), pki.rsaKey, pki.rsaCert, into: dir, "first.xml")
        let second = try sign(first, pki.rsaKey, pki.tlsCert, into: dir, "second.xml")
        let revoked = try sign(try sample("SOCORDER"), pki.rsaKey, pki.revokedCert, into: dir, "revoked.xml")
        let good = try sign(try sample("SOCORDER"), pki.rsaKey, pki.rsaCert, into: dir, "good.xml")
        let text = try String(contentsOfFile: good, encoding: .utf8)
        let split = try dir.write("split.xml", text.replacingOccurrences(of: "<number>24-СЗ/2025-01</number>",
                                                                        with: "<number>2<!---->4-СЗ/2025-01</number>"))
        #expect(try docgate(["verify", "--trust", pki.caCert, "--crl", pki.crl, good]).status == 0)
        for (file, codes) in [(tls, ["DG4023", "DG4028"]), (second, ["DG4023", "DG4028"]), (revoked, ["DG4026"]), (split, ["DG4013"])] {
            let r = try docgate(["verify", "--trust", pki.caCert, "--crl", pki.crl, file])
            #expect(r.status == 1, "\(file): \(r.stdout)")
            for code in codes { #expect(r.stdout.contains(code), "\(file): \(code) missing in \(r.stdout)") }
        }
    }

    @Test func theVerdictNamesThePartyExpectedAndTheOneFound() throws {
        let dir = try TemporaryDirectory("cli-party")
        defer { dir.remove() }
        let byExecutor = try sign(try sample("SOCORDER"), pki.ecKey, pki.ecCert, into: dir, "executor.xml")
        let text = try docgate(["verify", "--trust", pki.caCert, "--lang", "en", byExecutor])
        #expect(text.status == 1)
        #expect(text.stdout.contains("DG4028") && text.stdout.contains("2466012340") && text.stdout.contains("2461004522"), "\(text.stdout)")
        #expect(text.stdout.contains("party: The authorised body") && text.stdout.contains("NOT CONFIRMED"), "\(text.stdout)")
        #expect(text.stdout.contains("INNLE=2461004522"), "ИНН ЮЛ printed by name: \(text.stdout)")
        let good = try sign(try sample("SOCORDER"), pki.rsaKey, pki.rsaCert, into: dir, "good.xml")
        let json = try docgate(["verify", "--trust", pki.caCert, "--format", "json", good])
        #expect(json.status == 0)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        let signature = try #require((parsed?.first?["signatures"] as? [[String: Any]])?.first)
        let party = try #require(signature["party"] as? [String: Any])
        #expect(party["inn"] as? String == "2466012340" && party["confirmed"] as? Bool == true)
        let signer = try #require(signature["signer"] as? [String: Any])
        #expect(signer["innLE"] as? String == "2466012340" && (signer["sha256"] as? String)?.count == 64)
    }

    @Test func mappingPoliciesAndPartialChainFromTheCommandLine() throws {
        let dir = try TemporaryDirectory("cli-options")
        defer { dir.remove() }
        let anonymous = try sign(try sample("SOCORDER"), pki.rsaKey, pki.anonymousCert, into: dir, "anonymous.xml")
        #expect(try docgate(["verify", "--trust", pki.caCert, anonymous]).status == 1)
        let der = try ProcessRunner.run("/usr/bin/openssl", ["x509", "-in", pki.anonymousCert, "-noout", "-fingerprint", "-sha256"]).stdout
        let fp = try #require(der.split(separator: "=").last).trimmingCharacters(in: .whitespacesAndNewlines)
        let mapping = try dir.write("signers.txt", "2466012340 \(fp)\n")
        #expect(try docgate(["verify", "--trust", pki.caCert, "--signers", mapping, anonymous]).status == 0)
        let bad = try dir.write("bad.txt", "2466012340 zz\n")
        let refused = try docgate(["verify", "--trust", pki.caCert, "--signers", bad, anonymous])
        #expect(refused.status == 2 && refused.stderr.contains("DG4033") && refused.stderr.contains("bad.txt:1"), "\(refused.stderr)")

        let qualified = try sign(try sample("SOCORDER"), pki.qualifiedKey, pki.qualifiedOrgChain, into: dir, "qualified.xml")
        let plain = try sign(try sample("SOCORDER"), pki.rsaKey, pki.rsaCert, into: dir, "plain.xml")
        #expect(try docgate(["verify", "--trust", pki.caCert, "--require-policy", "КС2", qualified]).status == 0)
        let noPolicy = try docgate(["verify", "--trust", pki.caCert, "--require-policy", "1.2.643.100.113.2", plain])
        #expect(noPolicy.status == 1 && noPolicy.stdout.contains("DG4032"), "\(noPolicy.stdout)")
        #expect(try docgate(["verify", "--trust", pki.caCert, "--require-policy", "КС9", plain]).status != 0)

        #expect(try docgate(["verify", "--trust", pki.intermediateCert, qualified]).status == 1)
        #expect(try docgate(["verify", "--trust", pki.intermediateCert, "--partial-chain", qualified]).status == 0)
    }
}

/// Hostile mapping files.
extension SignerPolicyCLITests {
    /// A FIFO (or a symlink to a device) named `*.txt` in the signer mapping directory: `open` blocks for ever, so
    /// `verify` hangs (and the daemon's pass, which reloads the mapping, with it). Only regular files should be read.
    @Test func aFIFOInTheMappingDirectoryDoesNotHangVerification() throws {
        let dir = try TemporaryDirectory("cli-fifo")
        defer { dir.remove() }
        let good = try sign(try sample("SOCORDER"), pki.rsaKey, pki.rsaCert, into: dir, "good.xml")
        let mapping = dir.file("signers")
        try FileManager.default.createDirectory(atPath: mapping, withIntermediateDirectories: true)
        #expect(mkfifo(mapping + "/pipe.txt", 0o600) == 0)
        var environment = ProcessInfo.processInfo.environment
        environment["LANG"] = "C.UTF-8"
        environment.removeValue(forKey: "OPENSSL_CONF")
        let r = try ProcessRunner.run(TestPaths.docgate, ["verify", "--trust", pki.caCert, "--signers", mapping, good],
                                      environment: environment, timeout: 10)
        #expect(!r.timedOut, "docgate verify hung on a FIFO in the mapping directory")
        #expect(r.status == 2 && r.stderr.contains("DG4033") && r.stderr.contains("pipe.txt"), "\(r.stderr)")
    }
}
