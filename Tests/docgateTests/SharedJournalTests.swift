@testable import DocgateGateway
import DocgateTestSupport
import Foundation
import Testing

/// Several instances on one set of routes and one journal, SQLite or PostgreSQL (issue 18): each file is finished by exactly one
/// of them — one receipt, one copy in the outbox or in errors/, one journal entry — however their passes interleave.
@Suite(.serialized) struct SharedJournalTests {
    /// `count` daemons on the site's journal and routes, under the instance names gw1, gw2 … (the owner of a claim
    /// is gateway_id@host).
    static func start(_ count: Int, on site: GatewaySite) throws -> [RunningGateway] {
        let text = try String(contentsOfFile: site.config, encoding: .utf8)
        return try (1...count).map { i in
            let config = try site.dir.write("gateway-\(i).toml",
                                            text.replacingOccurrences(of: "gateway_id = \"test-gw\"", with: "gateway_id = \"gw\(i)\""))
            return try RunningGateway(site: site, config: config)
        }
    }

    @Test(.timeLimit(.minutes(5)), arguments: JournalKind.allCases) func threeInstancesFinishEachFileOnce(_ kind: JournalKind) throws {
        let place = try kind.place()
        defer { place.cleanup() }
        let site = try GatewaySite(quiet: 0.5, journal: place)
        defer { site.dir.remove() }
        let instances = try Self.start(3, on: site)
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
        do { try waitForEveryFile(instances, site: site, total: total) } catch {
            for instance in instances { _ = instance.terminate() }
            throw error
        }
        // Each instance stops after its batch: nothing finishes twice afterwards either.
        for instance in instances {
            #expect(instance.terminate() == 0, "\(site.logText.split(separator: "\n").filter { $0.contains("DG5") || $0.contains("error") })")
        }
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

    /// Waits until every file has its receipt and the inbox is empty; on timeout records what was left, its log
    /// lines and journal entry, the processes that hold it open, the warnings, and each instance's threads.
    func waitForEveryFile(_ instances: [RunningGateway], site: GatewaySite, total: Int) throws {
        do {
            try instances[0].waitFor("every file finished", timeout: 240) {
                site.files(site.receipts).count >= total && site.files(site.inbox, hidden: true).isEmpty
            }
        } catch {
            let left = site.files(site.inbox, hidden: true).prefix(5)
            Issue.record("left in the inbox: \(left)")
            for name in left {
                let lines = site.logText.split(separator: "\n").filter { $0.contains(name) }
                let journal = try? runDocgate(["journal", "list", "--config", site.config, "--limit", "500"])
                let entries = journal?.stdout.split(separator: "\n").filter { $0.contains(name) } ?? []
                Issue.record("\(name): log \(lines); journal \(entries); held open by \(GatewaySite.holders(of: site.inbox + "/" + name))")
            }
            Issue.record("warnings and errors: \(site.logText.split(separator: "\n").filter { !$0.contains(" info ") }.suffix(30))")
            // Every thread's stack (gdb takes up to a minute per instance): when DOCGATE_TEST_STACKS asks for it.
            for (i, instance) in instances.enumerated() where ProcessInfo.processInfo.environment["DOCGATE_TEST_STACKS"] != nil {
                let text = instance.diagnosis().split(separator: "\n").filter { !$0.contains("During symbol reading") }
                Issue.record("instance \(i): \(text.joined(separator: "\n"))")
            }
            throw error
        }
    }

    /// An instance killed in the middle of its work: the others take its claims over once its lease has run out
    /// (`claim_lease`, here the shortest, 10 s) and finish them — each file still once.
    @Test(.timeLimit(.minutes(5)), arguments: JournalKind.allCases) func anotherInstanceTakesOverAKilledInstancesClaims(_ kind: JournalKind) throws {
        let place = try kind.place()
        defer { place.cleanup() }
        let site = try GatewaySite(quiet: 0.5, top: "claim_lease = 10", journal: place)
        defer { site.dir.remove() }
        let instances = try Self.start(3, on: site)
        // The second instance alone at work (the others stopped) until it holds claims; then it is killed, and
        // the others resume.
        try instances[0].waitFor("three instances started", timeout: 60) {
            site.logText.components(separatedBy: "gateway started").count - 1 == 3
        }
        let gw2 = instances[1]
        for other in [instances[0], instances[2]] { kill(other.pid, SIGSTOP) }
        // An instance holds its claims only for the few milliseconds between a batch's claim and its delivery: the
        // second instance is stopped and looked at again and again, and given more files while it has not been
        // caught holding any (each look stops it wholly — every thread — before the journal is read).
        let journal = try site.openJournal()
        var total = 0
        var held = 0
        // Its time to work between two looks: 10 ms, doubled (up to 0.5 s) after each look that finds nothing
        // finished since the one before — on a loaded machine 10 ms may give it no time on a core at all.
        var pause: useconds_t = 10_000
        var finished = 0
        let deadline = Date().addingTimeInterval(120)
        while held == 0 && Date() < deadline {
            if total < 6000 && site.files(site.inbox, hidden: true).isEmpty {
                for i in total..<(total + 300) {
                    let (name, bytes) = try GatewaySite.order(i)
                    try site.drop(name, bytes)
                }
                total += 300
            }
            gw2.stop()
            held = (try? journal.stats().instances.first { $0.owner.hasPrefix("gw2@") }?.claims) ?? 0
            if held == 0 {
                let now = site.files(site.receipts).count
                pause = now > finished ? 10_000 : min(pause * 2, 500_000)
                finished = now
                kill(gw2.pid, SIGCONT)
                usleep(pause)   // let it work between two looks: stopped nearly always, it would starve
            }
        }
        try #require(held > 0, """
            the second instance was never caught holding claims; \(total) files given, \(finished) finished, \
            \(site.files(site.inbox, hidden: true).count) in the inbox; its log: \(site.logText.split(separator: "\n").suffix(10))
            """)
        print("takeover test: the second instance killed holding \(held) claims; \(total) files")
        gw2.kill()
        for other in [instances[0], instances[2]] { kill(other.pid, SIGCONT) }
        try instances[0].waitFor("every file finished", timeout: 180) {
            site.files(site.receipts).count >= total && site.files(site.inbox, hidden: true).isEmpty
                && ((try? runDocgate(["journal", "stats", "--config", site.config, "--format", "json"]).stdout.contains("\"inFlight\": 0")) ?? false)
        }
        for instance in [instances[0], instances[2]] {
            #expect(instance.terminate() == 0, "\(site.logText.split(separator: "\n").filter { $0.contains("DG5") || $0.contains("error") })")
        }
        #expect(site.files(site.receipts).count == total)
        #expect(site.files(site.outbox).count == total)
        let stats = try runDocgate(["journal", "stats", "--config", site.config, "--format", "json"])
        let object = try #require(JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        #expect(object["total"] as? Int == total && object["inFlight"] as? Int == 0, "\(stats.stdout)")
    }

    /// The registry of the rules across documents is shared through the journal: a report checked by one instance
    /// finds the order another instance delivered after the first had started.
    @Test(.timeLimit(.minutes(3)), arguments: JournalKind.allCases) func theRulesAcrossDocumentsSeeWhatAnotherInstanceDelivered(_ kind: JournalKind) throws {
        let place = try kind.place()
        defer { place.cleanup() }
        let site = try GatewaySite(quiet: 0.5, route: "context_rules = true", journal: place)
        defer { site.dir.remove() }
        // The second instance serves a route of its own (its directories beside the first's) and starts first, so
        // its registry is loaded before the order exists; the first delivers the order on its route.
        let text = try String(contentsOfFile: site.config, encoding: .utf8)
        var second = text.replacingOccurrences(of: "gateway_id = \"test-gw\"", with: "gateway_id = \"gw2\"")
            .replacingOccurrences(of: "name = \"plan-to-fin\"", with: "name = \"second\"")
        for d in ["in", "out", "receipts", "errors", "archive"] {
            second = second.replacingOccurrences(of: " = \"\(d)\"", with: " = \"\(d)2\"")
            try FileManager.default.createDirectory(atPath: site.dir.path + "/\(d)2", withIntermediateDirectories: true)
        }
        let gw2 = try RunningGateway(site: site, config: try site.dir.write("gateway-2.toml", second))
        try gw2.waitFor("the second instance started", timeout: 60) { site.logText.contains("gateway started") }
        let gw1 = try RunningGateway(site: site, config: try site.dir.write("gateway-1.toml",
            text.replacingOccurrences(of: "gateway_id = \"test-gw\"", with: "gateway_id = \"gw1\"")))
        func sample(_ prefix: String) throws -> (String, [UInt8]) {
            let path = try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix(prefix) })
            return ((path as NSString).lastPathComponent, [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
        }
        let order = try sample("SOCORDER_ACKFIN24_ACKPLAN24_20241220")
        let report = try sample("EXECREPORT")
        try site.drop(order.0, order.1)
        try gw1.waitFor("the order delivered", timeout: 60) { site.files(site.outbox).contains(order.0) }
        let inbox2 = site.dir.path + "/in2/"
        _ = FileManager.default.createFile(atPath: inbox2 + ".tmp", contents: Data(report.1))
        #expect(rename(inbox2 + ".tmp", inbox2 + report.0) == 0)
        try gw2.waitFor("the report finished", timeout: 60) { site.files(site.dir.path + "/receipts2").count == 1 }
        for instance in [gw1, gw2] { #expect(instance.terminate() == 0) }
        let errors2 = site.dir.path + "/errors2/"
        let reason = try? String(contentsOfFile: errors2 + report.0 + ".reason.txt", encoding: .utf8)
        #expect(site.files(site.dir.path + "/out2").contains(report.0), "\(reason ?? "")")
    }
}
