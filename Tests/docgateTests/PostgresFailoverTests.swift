@testable import DocgateGateway
import DocgateTestSupport
import Foundation
import Testing

/// Several instances on one PostgreSQL journal while the database crashes and comes back and instances are killed
/// (issue 18), the documents written the four ways senders write them. The suite's run is short; the long one
/// (2 000 documents, 10 restarts, 10 SIGKILLs) is
/// `DOCGATE_PG_CRASH_DOCUMENTS=2000 DOCGATE_PG_CRASH_CYCLES=20 swift test --filter PostgresFailoverTests`. When an
/// instance dies, `DOCGATE_GATEWAY_BACKTRACE=enable=yes,interactive=no` puts its crash report into the failure.
@Suite(.serialized)
struct PostgresFailoverTests {
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
                let (name, bytes) = i % 6 == 5 ? ("bad-\(i).xml", bad) : try GatewaySite.order(i)
                if i % 6 == 5 { invalid += 1 }
                try Self.write(name, bytes, way: i % 4, site: site)
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
                do {
                    try instances[0].waitFor("every instance ready again", timeout: 90) { (0..<3).allSatisfy(ready) }
                } catch {
                    let states = (0..<3).map { TCP.answer("http://127.0.0.1:\(ports[$0])/ready") ?? "no answer" }
                    Issue.record("after restart \(crashes): /ready of each instance: \(states)")
                    for (i, state) in states.enumerated() where state != "ready\n" {
                        Issue.record("instance \(i): \(instances[i].diagnosis())")
                    }
                    let lines = site.logText.split(separator: "\n").filter { !$0.contains("outcome=") }
                    Issue.record("the log without deliveries, last lines:\n\(lines.suffix(80).joined(separator: "\n"))")
                    throw error
                }
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

    /// The four ways a sender puts a file into the inbox: a hidden name renamed into place; written in place in
    /// one go; written in place in pieces, with pauses shorter than the quiet period; a hard link to a file written
    /// outside the inbox.
    static func write(_ name: String, _ bytes: [UInt8], way: Int, site: GatewaySite) throws {
        let target = site.inbox + "/" + name
        switch way {
        case 0:
            try site.drop(name, bytes)
        case 1:
            guard FileManager.default.createFile(atPath: target, contents: Data(bytes)) else { throw POSIXError(.EIO) }
        case 2:
            let fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw POSIXError(.EIO) }
            defer { close(fd) }
            let half = bytes.count / 2
            for (k, piece) in [bytes[..<half], bytes[half...]].enumerated() {
                if k > 0 { usleep(20_000) }
                _ = piece.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            }
        default:
            let outside = site.dir.path + "/.link-" + name
            guard FileManager.default.createFile(atPath: outside, contents: Data(bytes)) else { throw POSIXError(.EIO) }
            guard link(outside, target) == 0 else { throw POSIXError(.EIO) }
            unlink(outside)
        }
    }
}
