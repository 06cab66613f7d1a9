import DocgateTestSupport
import Foundation
import Testing

/// Several instances on one set of routes and one SQLite journal (issue 18): each file is finished by exactly one
/// of them — one receipt, one copy in the outbox or in errors/, one journal entry — however their passes interleave.
@Suite(.serialized) struct SharedJournalTests {
    @Test(.timeLimit(.minutes(5))) func threeInstancesFinishEachFileOnce() throws {
        let site = try GatewaySite(quiet: 0.5)
        defer { site.dir.remove() }
        // The same configuration under three instance names (the owner of a claim is gateway_id@host).
        let text = try String(contentsOfFile: site.config, encoding: .utf8)
        let configs = try (1...3).map { i in
            try site.dir.write("gateway-\(i).toml", text.replacingOccurrences(of: "gateway_id = \"test-gw\"", with: "gateway_id = \"gw\(i)\""))
        }
        let instances = try configs.map { try RunningGateway(site: site, config: $0) }
        let valid = 500
        let invalid = 100
        let bad = [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestPaths.samples + "/invalid/agreement-amount.xml")))
        for i in 0..<(valid + invalid) {
            if i % 6 == 5 {
                try site.drop("bad-\(i).xml", bad)
            } else {
                let (name, bytes) = try GatewaySite.order(i)
                try site.drop(name, bytes)
            }
        }
        let total = valid + invalid
        try instances[0].waitFor("every file finished", timeout: 240) {
            site.files(site.receipts).count >= total && site.files(site.inbox, hidden: true).isEmpty
        }
        // Each instance stops after its batch: nothing finishes twice afterwards either.
        for instance in instances { #expect(instance.terminate() == 0, "\(site.logText.suffix(1500))") }
        let receipts = site.files(site.receipts)
        #expect(receipts.count == total, "\(receipts.filter { $0.contains(".2.") || $0.contains(".3.") })")
        #expect(site.files(site.outbox).count == valid)
        #expect(site.files(site.errors).filter { !$0.hasSuffix(".reason.txt") }.count == invalid)
        let stats = try runDocgate(["journal", "stats", "--config", site.config, "--format", "json"])
        let object = try #require(JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        #expect(object["total"] as? Int == total, "\(stats.stdout)")
        #expect(object["inFlight"] as? Int == 0)
        let outcomes = object["byOutcome"] as? [String: Any]
        #expect(outcomes?["delivered"] as? Int == valid && outcomes?["rejected"] as? Int == invalid, "\(stats.stdout)")
    }
}
