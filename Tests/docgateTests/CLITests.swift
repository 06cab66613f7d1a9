import DocgateTestSupport
import Foundation
import Testing

/// The real `docgate` binary, run as a user runs it.
@Suite struct CLITests {
    func docgate(_ args: [String], env: [String: String] = [:], timeout: Double = 120) throws -> ProcessResult {
        var environment = ProcessInfo.processInfo.environment
        environment["LANG"] = "C.UTF-8"
        environment.removeValue(forKey: "LC_ALL")
        environment.removeValue(forKey: "LC_MESSAGES")
        for (k, v) in env { environment[k] = v }
        return try ProcessRunner.run(TestPaths.docgate, args, environment: environment, timeout: timeout)
    }

    func json(_ text: String) throws -> [[String: Any]] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
    }

    @Test func validSamplesExitZero() throws {
        let r = try docgate(["validate", TestPaths.samples + "/valid"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let n = TestPaths.sampleFiles("valid").count
        #expect(n >= 16 && r.stdout.contains("\(n) files: \(n) valid, 0 invalid, 0 unreadable"))
        #expect(r.stderr.isEmpty)
    }

    @Test func jsonHasTheDocumentedShape() throws {
        let file = TestPaths.samples + "/invalid/execreport-deviation-wrong.xml"
        let valid = TestPaths.sampleFiles("valid")[0]
        let r = try docgate(["validate", "--format", "json", valid, file])
        #expect(r.status == 1)
        let items = try json(r.stdout)
        #expect(items.count == 2)
        #expect(items[0]["valid"] as? Bool == true)
        #expect((items[0]["errors"] as? [Any])?.isEmpty == true)
        #expect(items[1]["file"] as? String == file)
        #expect(items[1]["kind"] as? String == "executionReport")
        #expect(items[1]["valid"] as? Bool == false)
        let error = try #require((items[1]["errors"] as? [[String: Any]])?.first)
        #expect(error["code"] as? String == "DG3020")
        #expect(error["severity"] as? String == "error")
        #expect(error["line"] as? Int == 97)
        #expect(error["column"] is NSNull)
        #expect(error["path"] as? String == "/executionReport/volumeDetail/item[1]/actualDeviation")
        #expect((error["message"] as? String)?.hasPrefix("Actual deviation") == true)
    }

    @Test func languageComesFromTheFlagOrTheLocale() throws {
        let file = TestPaths.samples + "/invalid/socorder-inn-checksum.xml"
        let byFlag = try docgate(["validate", "--lang", "ru", file])
        #expect(byFlag.stdout.contains("Неверные контрольные цифры ИНН"))
        let byLocale = try docgate(["validate", file], env: ["LANG": "ru_RU.UTF-8"])
        #expect(byLocale.stdout.contains("Неверные контрольные цифры ИНН"))
        let english = try docgate(["validate", "--lang", "en", file], env: ["LANG": "ru_RU.UTF-8"])
        #expect(english.stdout.contains("has wrong check digits"))
    }

    @Test func everyInvalidSampleFailsWithItsManifestCode() throws {
        let manifest = TestPaths.manifest("invalid")
        let r = try docgate(["validate", "--format", "json", TestPaths.samples + "/invalid"])
        #expect(r.status == 1)
        let items = try json(r.stdout)
        #expect(items.count == manifest.count)
        for expectation in manifest {
            let item = try #require(items.first { $0["file"] as? String == expectation.file })
            let codes = Set(((item["errors"] as? [[String: Any]]) ?? []).filter { $0["severity"] as? String == "error" }.compactMap { $0["code"] as? String })
            #expect(codes == [expectation.code], "\(expectation.file)")
        }
    }

    @Test func missingPathIsAnIOErrorWithExitTwo() throws {
        let r = try docgate(["validate", "--format", "json", TestPaths.sampleFiles("valid")[0], "/nonexistent/file.xml"])
        #expect(r.status == 2)
        let items = try json(r.stdout)
        let missing = try #require(items.first { $0["file"] as? String == "/nonexistent/file.xml" })
        #expect(((missing["errors"] as? [[String: Any]])?.first?["code"] as? String) == "DG5001")
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try docgate(["validate"]).status == 2)
        #expect(try docgate(["validate", "--format", "yaml", "x.xml"]).status == 2)
        #expect(try docgate(["frobnicate"]).status == 2)
    }

    @Test func directoriesAreSearchedRecursivelyForXMLOnly() throws {
        let dir = try TemporaryDirectory("recursive")
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.file("a/b"), withIntermediateDirectories: true)
        let sample = TestPaths.sampleFiles("valid")[0]
        try FileManager.default.copyItem(atPath: sample, toPath: dir.file("a/b/" + (sample as NSString).lastPathComponent))
        _ = try dir.write("a/notes.txt", "not a document")
        // A symlinked directory loop must not be followed.
        try FileManager.default.createSymbolicLink(atPath: dir.file("a/b/loop"), withDestinationPath: dir.file("a"))
        let r = try docgate(["validate", "--format", "json", dir.path])
        #expect(r.status == 0)
        #expect(try json(r.stdout).count == 1)
    }

    @Test func manyFilesAreValidatedInOrder() throws {
        let files = Array(repeating: TestPaths.sampleFiles("valid"), count: 20).flatMap { $0 }
        let r = try docgate(["validate", "--format", "json"] + files)
        #expect(r.status == 0)
        #expect(try json(r.stdout).compactMap { $0["file"] as? String } == files)
    }

    @Test func inspectShowsKindIdentityPartiesAndTotals() throws {
        let order = try #require(TestPaths.sampleFiles("valid").first { $0.contains("SOCORDER") && $0.contains("20241220") })
        let r = try docgate(["inspect", "--lang", "ru", order])
        #expect(r.status == 0)
        #expect(r.stdout.contains("Социальный заказ"))
        #expect(r.stdout.contains("24-СЗ/2025-01"))
        #expect(r.stdout.contains("ИНН 2466012340"))
        #expect(r.stdout.contains("3450 / 260 / 460"))
        let j = try docgate(["inspect", "--format", "json", order])
        let obj = try #require(JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as? [String: Any])
        #expect(obj["kind"] as? String == "socialOrder")
        #expect((obj["parties"] as? [[String: Any]])?.first?["inn"] as? String == "2466012340")
        let bad = try docgate(["inspect", TestPaths.samples + "/invalid/agreement-amount.xml"])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("DG3030"))
    }
}

/// Every schema compiles on its own in docgate and in xmllint, offline.
@Suite struct SchemaFileTests {
    static let files = ["docgate.xsd", "common.xsd", "xmldsig-core-schema.xsd", "social-order.xsd", "agreement.xsd",
                        "contract.xsd", "social-certificate.xsd", "execution-report.xsd", "service-assignment.xsd",
                        "receipt.xsd"]

    @Test(arguments: files.filter { $0 != "common.xsd" })
    func schemaLoadsInXmllint(_ file: String) throws {
        let xmllint = try #require(ProcessRunner.which("xmllint"), "xmllint is installed by the test setup")
        let doc = try TemporaryDirectory("xsd")
        defer { doc.remove() }
        let probe = try doc.write("probe.xml", "<probe/>")
        let r = try ProcessRunner.run(xmllint, ["--noout", "--nonet", "--schema", TestPaths.schemas + "/" + file, probe])
        #expect(!r.stderr.contains("failed to compile"), "\(r.stderr)")
        #expect(r.stderr.contains("fails to validate"), "the schema compiled and rejected the probe: \(r.stderr)")
    }

    @Test func everyElementIsDocumentedInRussian() throws {
        for file in Self.files where file != "xmldsig-core-schema.xsd" {
            let text = try String(contentsOfFile: TestPaths.schemas + "/" + file, encoding: .utf8)
            let elements = text.components(separatedBy: "<xs:element ").count - 1
            let refs = text.components(separatedBy: "<xs:element ref=").count - 1
            // Every declared element (refs to ds:Signature aside) carries an annotation with Cyrillic text.
            var documented = 0
            for chunk in text.components(separatedBy: "<xs:element ").dropFirst() where !chunk.hasPrefix("ref=") {
                let head = chunk.prefix(while: { $0 != ">" })
                if head.hasSuffix("/") { continue }
                let body = chunk.components(separatedBy: "</xs:element>").first ?? chunk
                if body.contains("<xs:documentation>"), body.unicodeScalars.contains(where: { (0x410...0x44F).contains($0.value) }) {
                    documented += 1
                }
            }
            #expect(documented == elements - refs, "\(file): \(documented) of \(elements - refs) elements documented")
        }
    }
}
