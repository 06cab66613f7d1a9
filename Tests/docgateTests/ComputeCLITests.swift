import DocgateTestSupport
import Foundation
import Testing

@Suite struct ComputeCLITests {
    func docgate(_ args: [String]) throws -> ProcessResult {
        try ProcessRunner.run(TestPaths.docgate, args)
    }

    @Test func normativeFromTheSampleAsJSON() throws {
        let r = try docgate(["compute", "normative", "--format", "json", TestPaths.samples + "/compute/normative.json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(o["n"] as? String == "7572.03")
        #expect(o["forecast"] as? [String] == ["8026.35", "8427.67"])
    }

    @Test func recipientsTotalAndBadInput() throws {
        let r = try docgate(["compute", "recipients", TestPaths.samples + "/compute/recipients.json"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("СБ1 = 235"))
        let dir = try TemporaryDirectory("compute")
        defer { dir.remove() }
        let zero = try dir.write("zero.json", #"{"name": "x", "elements": [{"name": "e", "categories": [{"name": "c", "groups": [{"name": "g", "c0": "1", "p": "0", "c0Forecast": "0", "pForecast": "0"}]}]}]}"#)
        let z = try docgate(["compute", "recipients", zero])
        #expect(z.status == 1)
        #expect(z.stderr.contains("division by zero"))
        let bad = try dir.write("bad.json", #"{"p": "abc"}"#)
        #expect(try docgate(["compute", "normative", bad]).status == 2)
    }
}

@Suite struct SchemasCLITests {
    @Test func listAndExportTheSchemaSet() throws {
        let list = try ProcessRunner.run(TestPaths.docgate, ["schemas", "list", "--format", "json", "--schemas", TestPaths.schemas])
        #expect(list.status == 0)
        let o = try #require(JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
        let kinds = try #require(o["kinds"] as? [[String: Any]])
        #expect(kinds.count == 7)
        #expect(kinds.contains { $0["namespace"] as? String == "urn://docgate/agreement/1" && $0["root"] as? String == "agreement" })
        let dir = try TemporaryDirectory("schemas")
        defer { dir.remove() }
        let target = dir.path + "/exported"
        let export = try ProcessRunner.run(TestPaths.docgate, ["schemas", "export", "--schemas", TestPaths.schemas, target])
        #expect(export.status == 0, "\(export.stderr)")
        // The exported set stands on its own: xmllint validates a sample against it.
        let sample = try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix("CONTRACT") })
        let x = try ProcessRunner.run("/usr/bin/xmllint", ["--noout", "--schema", target + "/contract.xsd", sample])
        #expect(x.status == 0, "\(x.stderr)")
        // A second export does not overwrite without --force.
        #expect(try ProcessRunner.run(TestPaths.docgate, ["schemas", "export", "--schemas", TestPaths.schemas, target]).status == 2)
        #expect(try ProcessRunner.run(TestPaths.docgate, ["schemas", "export", "--force", "--schemas", TestPaths.schemas, target]).status == 0)
    }
}

@Suite struct ContextCLITests {
    @Test func validateAgainstAFolderOfKnownDocuments() throws {
        let dir = try TemporaryDirectory("context")
        defer { dir.remove() }
        let report = try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix("EXECREPORT") })
        // Against the samples (which hold its social order): valid.
        let ok = try ProcessRunner.run(TestPaths.docgate, ["validate", "--schemas", TestPaths.schemas, "--context", TestPaths.samples + "/valid", report])
        #expect(ok.status == 0, "\(ok.stdout)")
        // Against a folder without the order: DG3100, exit 1.
        _ = try dir.write("unrelated.xml", [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix("CONTRACT") }!))))
        let bad = try ProcessRunner.run(TestPaths.docgate, ["validate", "--schemas", TestPaths.schemas, "--format", "json", "--context", dir.path, report])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("\"DG3100\""))
    }
}
