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
