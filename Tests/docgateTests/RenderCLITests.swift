import DocgateTestSupport
import Foundation
import Testing

/// `docgate render`: the form of every valid sample byte for byte against its reviewed copy in Tests/Golden/forms/
/// (DOCGATE_UPDATE_GOLDEN=1 writes new copies: read their diff before committing), its PDF with the reviewed number
/// of pages and a Cyrillic font embedded, and the errors an operator meets.
@Suite struct RenderCLITests {
    static let directory = TestPaths.root + "/Tests/Golden/forms"
    static var updating: Bool { ProcessInfo.processInfo.environment["DOCGATE_UPDATE_GOLDEN"] == "1" }

    static func stem(_ file: String) -> String { ((file as NSString).lastPathComponent as NSString).deletingPathExtension }

    static func render(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessResult {
        var env = ProcessInfo.processInfo.environment
        env["LANG"] = "C.UTF-8"
        env.removeValue(forKey: "LC_ALL")
        for (k, v) in environment { env[k] = v }
        return try ProcessRunner.run(TestPaths.docgate, ["render", "--schemas", TestPaths.schemas] + arguments, environment: env)
    }

    @Test(arguments: TestPaths.sampleFiles("valid"))
    func theFormIsTheReviewedOne(_ file: String) throws {
        let r = try Self.render([file])
        #expect(r.status == 0, "\(r.stderr)")
        let path = Self.directory + "/" + Self.stem(file) + ".html"
        if Self.updating {
            try FileManager.default.createDirectory(atPath: Self.directory, withIntermediateDirectories: true)
            try r.stdout.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let golden = try String(contentsOfFile: path, encoding: .utf8)
        if r.stdout != golden {
            let a = golden.split(separator: ">", omittingEmptySubsequences: false)
            let b = r.stdout.split(separator: ">", omittingEmptySubsequences: false)
            let at = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            Issue.record("""
                \(Self.stem(file)): the form differs from its reviewed copy at tag \(at + 1)
                  reviewed: \(at < a.count ? String(a[at].prefix(160)) : "(end)")
                  now:      \(at < b.count ? String(b[at].prefix(160)) : "(end)")
                """)
        }
    }

    /// No reviewed copy is left over from a sample that is gone.
    @Test func everyReviewedFormHasItsSample() throws {
        let samples = Set(TestPaths.sampleFiles("valid").map(Self.stem))
        let forms = try FileManager.default.contentsOfDirectory(atPath: Self.directory).filter { $0.hasSuffix(".html") }
        #expect(Set(forms.map { ($0 as NSString).deletingPathExtension }) == samples)
    }

    /// Each sample's PDF, printed by Chromium, has the number of pages reviewed in pages.tsv, and embeds a face
    /// with Cyrillic (DejaVu or Liberation, as Debian ships them). One browser at a time: the samples in turn.
    @Test func everyPDFHasItsPagesAndItsFont() throws {
        let pdfinfo = try #require(ProcessRunner.which("pdfinfo"), "poppler-utils is installed by scripts/setup")
        let pdffonts = try #require(ProcessRunner.which("pdffonts"))
        let dir = try TemporaryDirectory("render-pdf")
        defer { dir.remove() }
        let tablePath = Self.directory + "/pages.tsv"
        let reviewed = Self.updating ? [:] : try Self.pageTable(tablePath)
        var counted: [(String, Int)] = []
        for file in TestPaths.sampleFiles("valid") {
            let out = dir.file(Self.stem(file) + ".pdf")
            let r = try Self.render(["--format", "pdf", "--out", out, file])
            #expect(r.status == 0, "\(r.stderr)")
            let info = try ProcessRunner.run(pdfinfo, [out])
            let pages = info.stdout.split(separator: "\n").first { $0.hasPrefix("Pages:") }
                .flatMap { Int($0.dropFirst(6).trimmingCharacters(in: .whitespaces)) } ?? 0
            counted.append((Self.stem(file), pages))
            if !Self.updating {
                #expect(pages == reviewed[Self.stem(file)], "\(Self.stem(file)): \(pages) pages, reviewed \(reviewed[Self.stem(file)].map(String.init) ?? "none")")
            }
            let fonts = try ProcessRunner.run(pdffonts, [out]).stdout
            #expect(fonts.contains("DejaVuSerif") || fonts.contains("LiberationSerif"), "\(fonts)")
        }
        if Self.updating {
            try counted.map { "\($0.0)\t\($0.1)\n" }.joined().write(toFile: tablePath, atomically: true, encoding: .utf8)
        }
    }

    static func pageTable(_ path: String) throws -> [String: Int] {
        var table: [String: Int] = [:]
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n") {
            let parts = line.split(separator: "\t")
            if parts.count == 2, let n = Int(parts[1]) { table[String(parts[0])] = n }
        }
        return table
    }

    @Test func withoutChromiumPDFIsAClearError() throws {
        let dir = try TemporaryDirectory("render-nochrome")
        defer { dir.remove() }
        let r = try Self.render(["--format", "pdf", "--out", dir.file("x.pdf"), TestPaths.sampleFiles("valid")[0]],
                                environment: ["DOCGATE_CHROMIUM": dir.file("no-such-chromium")])
        #expect(r.status == 2)
        #expect(r.stderr.contains("DG5060") && r.stderr.contains("chromium"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("x.pdf")))
    }

    /// A browser that hangs is stopped at the time limit, with everything it started.
    @Test func aHangingBrowserIsStoppedWithItsChildren() throws {
        let dir = try TemporaryDirectory("render-hang")
        defer { dir.remove() }
        let fake = dir.file("chromium")
        try "#!/bin/sh\nsleep 300 &\necho $! > \"\(dir.file("child.pid"))\"\nwait\n".write(toFile: fake, atomically: true, encoding: .utf8)
        chmod(fake, 0o755)
        let r = try Self.render(["--format", "pdf", "--pdf-timeout", "2", "--out", dir.file("x.pdf"), TestPaths.sampleFiles("valid")[0]],
                                environment: ["DOCGATE_CHROMIUM": fake])
        #expect(r.status == 2)
        #expect(r.stderr.contains("DG5061"), "\(r.stderr)")
        #expect(r.seconds < 60)
        let child = try #require(pid_t(try String(contentsOfFile: dir.file("child.pid"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        // Killed: gone, or a zombie until init reaps it.
        let state = (try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8))?.split(separator: " ").dropFirst(2).first
        #expect(state == nil || state == "Z", "the browser's child \(child) still runs: \(state.map(String.init) ?? "")")
    }

    @Test func aBrowserThatGivesNoPDFIsAnError() throws {
        let dir = try TemporaryDirectory("render-fail")
        defer { dir.remove() }
        let fake = dir.file("chromium")
        try "#!/bin/sh\necho 'cannot open display' >&2\nexit 3\n".write(toFile: fake, atomically: true, encoding: .utf8)
        chmod(fake, 0o755)
        let r = try Self.render(["--format", "pdf", "--out", dir.file("x.pdf"), TestPaths.sampleFiles("valid")[0]],
                                environment: ["DOCGATE_CHROMIUM": fake])
        #expect(r.status == 2)
        #expect(r.stderr.contains("DG5061") && r.stderr.contains("exit status 3") && r.stderr.contains("cannot open display"))
    }

    /// A signed certificate: the signer and the verdict at the end; with the document changed after signing, the
    /// verdict says the signature is invalid and the exit status is 1.
    @Test func aSignedDocumentShowsItsSignerAndVerdict() throws {
        let pki = try TestPKI.shared()
        let dir = try TemporaryDirectory("render-signed")
        defer { dir.remove() }
        let sample = try #require(TestPaths.sampleFiles("valid").first { Self.stem($0).hasPrefix("SOCCERT") })
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "OPENSSL_CONF")
        let signed = try ProcessRunner.run(TestPaths.docgate, ["sign", "--key", pki.gostKey, "--cert", pki.gostCert, sample], environment: env)
        #expect(signed.status == 0, "\(signed.stderr)")
        let file = try dir.write("signed.xml", signed.stdout)
        let r = try Self.render(["--trust", pki.caCert, "--signers", pki.everyPartySigners, file])
        #expect(r.status == 0, "\(r.stderr)")
        let tail = try #require(r.stdout.range(of: "Электронные подписи").map { r.stdout[$0.upperBound...] })
        #expect(tail.contains("Сидоров Сидор") && tail.contains(#"<td class="verdict valid">Подпись верна"#), "\(tail)")
        let number = try #require(signed.stdout.range(of: "<number>").map { signed.stdout[$0.upperBound...].prefix { $0 != "<" } })
        let tampered = try dir.write("tampered.xml", signed.stdout.replacingOccurrences(of: "<number>\(number)<", with: "<number>\(number)9<"))
        let t = try Self.render(["--trust", pki.caCert, "--signers", pki.everyPartySigners, tampered])
        #expect(t.status == 1)
        #expect(t.stdout.contains(#"<td class="verdict invalid">Подпись недействительна: DG4010"#), "\(t.stdout.suffix(1500))")
        let unchecked = try Self.render([file])
        #expect(unchecked.status == 0)
        #expect(unchecked.stdout.contains("сертификат не проверен по доверенным"))
    }

    @Test func aDocumentTheRulesRejectIsRenderedWithItsFindingsAndExitsOne() throws {
        let r = try Self.render([TestPaths.root + "/Samples/invalid/contract-amounts.xml"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("Документ не прошёл проверку") && r.stdout.contains(">DG3050<"))
    }

    @Test func aDocumentThatFailsItsSchemaHasNoForm() throws {
        let r = try Self.render([TestPaths.root + "/Samples/invalid/execreport-unknown-element.xml"])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("DG5062") && r.stderr.contains("DG2"))
    }

    @Test func theOutputIsNeverTheInput() throws {
        let dir = try TemporaryDirectory("render-self")
        defer { dir.remove() }
        let input = dir.file("doc.xml")
        try FileManager.default.copyItem(atPath: TestPaths.sampleFiles("valid")[0], toPath: input)
        let before = try Data(contentsOf: URL(fileURLWithPath: input))
        let r = try Self.render(["--out", input, input])
        #expect(r.status == 2 && r.stderr.contains("DG5002"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before)
    }
}
