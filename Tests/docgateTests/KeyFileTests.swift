import DocgateTestSupport
import Foundation
import Testing

/// Private keys, PKCS#12 bundles and passphrase files readable by group or others are refused (DG5017), as ssh
/// refuses them, unless the operator allows it explicitly; certificates are public and never checked (issue 14).
@Suite struct KeyFileTests {
    /// A copy of `file` in `dir` with the given mode.
    static func copy(_ file: String, to dir: TemporaryDirectory, as name: String, mode: mode_t) throws -> String {
        let target = dir.file(name)
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.copyItem(atPath: file, toPath: target)
        #expect(chmod(target, mode) == 0)
        return target
    }

    static var agreement: String {
        get throws {
            try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix("AGREEMENT") })
        }
    }

    @Test func signRefusesAKeyReadableByGroupOrOthersUnlessAllowed() throws {
        let pki = try TestPKI.shared()
        let dir = try TemporaryDirectory("keys")
        defer { dir.remove() }
        let doc = try Self.agreement
        for mode: mode_t in [0o644, 0o640, 0o604] {
            let key = try Self.copy(pki.rsaKey, to: dir, as: "open.key", mode: mode)
            let r = try runDocgate(["sign", "--key", key, "--cert", pki.rsaCert, doc])
            #expect(r.status == 2, "mode \(String(mode, radix: 8)) accepted")
            #expect(r.stderr.contains("DG5017"), "\(r.stderr)")
            #expect(r.stderr.contains(key), "\(r.stderr)")
            #expect(r.stderr.contains("0" + String(mode, radix: 8)), "\(r.stderr)")
            #expect(r.stderr.contains("chmod 600"), "\(r.stderr)")
            #expect(r.stdout.isEmpty)
            let allowed = try runDocgate(["sign", "--allow-group-readable-key", "--key", key, "--cert", pki.rsaCert, doc])
            #expect(allowed.status == 0, "\(allowed.stderr)")
        }
        let closed = try Self.copy(pki.rsaKey, to: dir, as: "closed.key", mode: 0o600)
        let ok = try runDocgate(["sign", "--key", closed, "--cert", pki.rsaCert, doc])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("Signature"))
        // The certificate is public: 0644 is right for it.
        var st = stat()
        #expect(stat(pki.rsaCert, &st) == 0 && st.st_mode & 0o044 != 0)
    }

    @Test func signRefusesAnOpenPKCS12BundleOrPassphraseFile() throws {
        let pki = try TestPKI.shared()
        let dir = try TemporaryDirectory("keys")
        defer { dir.remove() }
        let doc = try Self.agreement
        let closedPass = try Self.copy(pki.passphraseFile, to: dir, as: "closed.pass", mode: 0o600)
        let openPass = try Self.copy(pki.passphraseFile, to: dir, as: "open.pass", mode: 0o644)
        let openBundle = try Self.copy(pki.pkcs12, to: dir, as: "open.p12", mode: 0o644)
        let closedBundle = try Self.copy(pki.pkcs12, to: dir, as: "closed.p12", mode: 0o600)

        let bundle = try runDocgate(["sign", "--pkcs12", openBundle, "--passphrase-file", closedPass, doc])
        #expect(bundle.status == 2)
        #expect(bundle.stderr.contains("DG5017") && bundle.stderr.contains(openBundle), "\(bundle.stderr)")
        let pass = try runDocgate(["sign", "--pkcs12", closedBundle, "--passphrase-file", openPass, doc])
        #expect(pass.status == 2)
        #expect(pass.stderr.contains("DG5017") && pass.stderr.contains(openPass), "\(pass.stderr)")
        let allowed = try runDocgate(["sign", "--allow-group-readable-key", "--pkcs12", openBundle, "--passphrase-file", openPass, doc])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        let ok = try runDocgate(["sign", "--pkcs12", closedBundle, "--passphrase-file", closedPass, doc])
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    /// The gateway refuses to start (exit 2) with an open key or passphrase file, starts with
    /// `allow_group_readable = true`, and with 0600 files.
    @Test func gatewayRefusesAnOpenKeyAtStartUnlessAllowed() throws {
        let pki = try TestPKI.shared()
        let files = try TemporaryDirectory("keys")
        defer { files.remove() }
        let openKey = try Self.copy(pki.encryptedKey, to: files, as: "gw-open.key", mode: 0o644)
        let closedKey = try Self.copy(pki.encryptedKey, to: files, as: "gw-closed.key", mode: 0o600)
        let openPass = try Self.copy(pki.passphraseFile, to: files, as: "gw-open.pass", mode: 0o640)
        let closedPass = try Self.copy(pki.passphraseFile, to: files, as: "gw-closed.pass", mode: 0o600)

        func run(key: String, pass: String, allow: Bool?) throws -> ProcessResult {
            let site = try GatewaySite(tables: """
                [signing]
                key = "\(key)"
                cert = "\(pki.rsaCert)"
                passphrase_file = "\(pass)"
                \(allow.map { "allow_group_readable = \($0)" } ?? "")
                """)
            defer { site.dir.remove() }
            return try runDocgate(["run", "--once", "--config", site.config])
        }

        for (key, pass) in [(openKey, closedPass), (closedKey, openPass)] {
            for allow: Bool? in [nil, false] {
                let refused = try run(key: key, pass: pass, allow: allow)
                #expect(refused.status == 2, "\(refused.stderr)")
                let named = key == openKey ? key : pass
                #expect(refused.stderr.contains("DG5017") && refused.stderr.contains(named), "\(refused.stderr)")
                #expect(refused.stderr.contains("allow_group_readable"), "\(refused.stderr)")
            }
            let allowed = try run(key: key, pass: pass, allow: true)
            #expect(allowed.status == 0, "\(allowed.stderr)")
        }
        let ok = try run(key: closedKey, pass: closedPass, allow: nil)
        #expect(ok.status == 0, "\(ok.stderr)")
    }
}
