@testable import DocgateGateway
import DocgateTestSupport
import Foundation
import Testing

/// Several instances on one PostgreSQL journal while the database crashes and comes back and instances are killed
/// (issue 18). The suite's run is short; the long one (2 000 documents, 10 restarts, 10 SIGKILLs) is
/// `DOCGATE_PG_CRASH_DOCUMENTS=2000 DOCGATE_PG_CRASH_CYCLES=20 swift test --filter PostgresFailoverTests`.
@Suite(.serialized) struct PostgresFailoverTests {
    @Test(.timeLimit(.minutes(15))) func exactlyOnceAcrossDatabaseCrashesAndKilledInstances() throws {
        let environment = ProcessInfo.processInfo.environment
        let total = Int(environment["DOCGATE_PG_CRASH_DOCUMENTS"] ?? "") ?? 600
        let cycles = Int(environment["DOCGATE_PG_CRASH_CYCLES"] ?? "") ?? 6
        let server = try PostgresServer()
        defer { server.remove() }
        let place = JournalKind.Place(kind: .postgresql, value: server.url(try server.createDatabase()), password: server.password,
                                      passwordFile: server.passwordFile, cleanup: {})
        let site = try GatewaySite(quiet: 0.5, top: "claim_lease = 10", journal: place)
        defer { site.dir.remove() }
        let text = try String(contentsOfFile: site.config, encoding: .utf8)
        let ports = try (0..<3).map { _ in try SilentListener.closedPort() }
        func launch(_ i: Int) throws -> RunningGateway {
            let config = try site.dir.write("gateway-\(i).toml", text.replacingOccurrences(
                of: "gateway_id = \"test-gw\"", with: "gateway_id = \"gw\(i)\"\nlisten = \"127.0.0.1:\(ports[i])\""))
            return try RunningGateway(site: site, config: config)
        }
        func ready(_ i: Int) -> Bool { TCP.get("http://127.0.0.1:\(ports[i])/ready") == "ready\n" }
        var instances = try (0..<3).map(launch)
        try instances[0].waitFor("every instance ready", timeout: 60) { (0..<3).allSatisfy(ready) }
        let bad = [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestPaths.samples + "/invalid/agreement-amount.xml")))
        var invalid = 0
        var (crashes, kills) = (0, 0)
        let wave = (total + cycles - 1) / cycles
        var dropped = 0
        for cycle in 0..<cycles {
            for i in dropped..<min(total, dropped + wave) {
                if i % 6 == 5 {
                    try site.drop("bad-\(i).xml", bad)
                    invalid += 1
                } else {
                    let (name, bytes) = try GatewaySite.order(i)
                    try site.drop(name, bytes)
                }
            }
            // The wave under way (a fifth of it has its receipts): the rest is being read, claimed, staged, delivered.
            let before = dropped
            dropped = min(total, dropped + wave)
            try instances[0].waitFor("the wave under way", timeout: 120) {
                site.files(site.receipts).count >= before + (dropped - before) / 5
            }
            if cycle % 2 == 0 {
                // The database crashes: every instance notices and says it is not ready; then it comes back.
                try server.stop("immediate")
                crashes += 1
                try instances[0].waitFor("every instance not ready", timeout: 60) { (0..<3).allSatisfy { !ready($0) } }
                try server.start()
                try instances[0].waitFor("every instance ready again", timeout: 90) { (0..<3).allSatisfy(ready) }
            } else {
                let victim = cycle % 3
                instances[victim].kill()
                kills += 1
                instances[victim] = try launch(victim)
            }
        }
        let journal = try place.open()
        try instances[0].waitFor("every file finished", timeout: 300) {
            site.files(site.receipts).count >= total && site.files(site.inbox, hidden: true).isEmpty
                && ((try? journal.stats().inFlight) ?? 1) == 0
        }
        for instance in instances {
            #expect(instance.terminate() == 0)
        }
        let stats = try journal.stats()
        #expect(site.files(site.receipts).count == total)
        #expect(site.files(site.outbox).count == total - invalid)
        #expect(site.files(site.errors).filter { !$0.hasSuffix(".reason.txt") }.count == invalid)
        #expect(stats.total == total && stats.inFlight == 0, "\(stats)")
        #expect(stats.byOutcome["delivered"] == total - invalid && stats.byOutcome["rejected"] == invalid, "\(stats.byOutcome)")
        let notices = site.logText.components(separatedBy: "journal not reachable").count - 1
        let recoveries = site.logText.components(separatedBy: "recovering unfinished documents").count - 1
        print("postgres failover test: \(total) documents, \(crashes) database crashes, \(kills) SIGKILLs, \(notices) not-reachable notices, \(recoveries) recoveries of interrupted work, receipts \(site.files(site.receipts).count)")
    }
}
