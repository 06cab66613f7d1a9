import DocgateTestSupport
import Foundation
import Testing

/// HTTP cannot starve the pipeline (issue 14): idle connections time out, connections beyond the cap are closed at
/// once, and descriptors stay in reserve for the documents.
@Suite(.serialized) struct HTTPLimitsTests {
    /// A connection that never sends a byte is closed by the server after `http_idle_timeout`.
    @Test func idleConnectionIsClosedAfterTheIdleTimeout() throws {
        let port = try TCP.freePort()
        let site = try GatewaySite(top: "listen = \"127.0.0.1:\(port)\"\nhttp_idle_timeout = 1")
        defer { site.dir.remove() }
        let daemon = try RunningGateway(site: site)
        try daemon.waitFor("/health") { TCP.get("http://127.0.0.1:\(port)/health") != nil }
        let fd = try #require(TCP.connect(port: port))
        defer { close(fd) }
        #expect(TCP.closedByPeer(fd, within: 15), "an idle connection stayed open; log: \(site.logText.suffix(2000))")
        #expect(daemon.terminate() == 0)
    }

    /// With the cap reached by idle connections, a new one is served and the oldest is closed to make room: held
    /// connections never keep a monitor's /health out, and HTTP never holds more than the cap.
    @Test func theOldestConnectionMakesRoomBeyondTheCap() throws {
        let port = try TCP.freePort()
        let site = try GatewaySite(top: "listen = \"127.0.0.1:\(port)\"\nhttp_max_connections = 4")
        defer { site.dir.remove() }
        let daemon = try RunningGateway(site: site)
        try daemon.waitFor("/health") { TCP.get("http://127.0.0.1:\(port)/health") != nil }
        // Four keep-alive connections, each served once (so the server has counted them) and then held idle.
        let held = (0..<4).compactMap { _ in TCP.connect(port: port) }
        defer { held.forEach { close($0) } }
        #expect(held.count == 4)
        for fd in held { #expect(TCP.keepAliveHealth(fd)) }
        // The cap is full of idle connections, and /health still answers; the oldest held one was closed for it.
        #expect(TCP.get("http://127.0.0.1:\(port)/health") == "ok\n", "a monitor was kept out by idle connections")
        #expect(TCP.closedByPeer(held[0], within: 10), "the oldest connection was kept beyond the cap")
        #expect(!TCP.closedByPeer(held[3], within: 0.5), "a younger connection was closed")
        #expect(daemon.terminate() == 0)
    }

    /// 400 idle connections against a daemon limited to 160 descriptors: it keeps descriptors for the pipeline
    /// (never more than the limit less the reserve open), every document is delivered while the connections are
    /// held, and /health answers once they are gone.
    @Test(.timeLimit(.minutes(5))) func idleConnectionsDoNotStarveThePipeline() throws {
        let port = try TCP.freePort()
        let limit = 160
        let site = try GatewaySite(top: "listen = \"127.0.0.1:\(port)\"")
        defer { site.dir.remove() }
        let daemon = try RunningGateway(site: site, descriptorLimit: "-n \(limit)")
        try daemon.waitFor("/health") { TCP.get("http://127.0.0.1:\(port)/health") != nil }
        var connections: [Int32] = []
        defer { connections.forEach { close($0) } }
        for _ in 0..<400 {
            if let fd = TCP.connect(port: port) { connections.append(fd) }
        }
        #expect(connections.count > 200, "only \(connections.count) connections could be opened")
        var most = 0
        let count = 40
        for i in 0..<count { let (n, b) = try GatewaySite.order(7000 + i); try site.drop(n, b) }
        try daemon.waitFor("every document delivered", timeout: 120) {
            most = max(most, daemon.openDescriptors)
            return site.files(site.receipts).count == count && site.files(site.outbox).count == count
        }
        #expect(most <= limit - 64, "\(most) descriptors open under a limit of \(limit)")
        // The cap in force is logged, lowered from the configured 128 to keep the reserve.
        let logged = site.logText.firstMatch(of: /max_connections=(\d+)/).flatMap { Int($0.1) }
        #expect(logged != nil && logged! < 128, "\(site.logText.prefix(1000))")
        #expect(!site.logText.contains("Too many open files"), "\(site.logText.suffix(3000))")
        connections.forEach { close($0) }
        connections = []
        try daemon.waitFor("/health", timeout: 60) { TCP.get("http://127.0.0.1:\(port)/health") == "ok\n" }
        #expect(daemon.terminate() == 0)
    }

    /// A descriptor limit that leaves nothing for HTTP after the pipeline's reserve: the daemon does not start
    /// (DG5024, exit 2) rather than run with HTTP that cannot answer.
    @Test func tooFewDescriptorsForHTTPIsRefused() throws {
        let port = try TCP.freePort()
        let site = try GatewaySite(top: "listen = \"127.0.0.1:\(port)\"")
        defer { site.dir.remove() }
        let daemon = try RunningGateway(site: site, descriptorLimit: "-n 100")
        let status = daemon.exitStatus(within: 60)
        if status == nil { daemon.terminate() }
        #expect(status == 2, "\(site.logText)")
        #expect(site.logText.contains("DG5024") && site.logText.contains("descriptor limit 100"), "\(site.logText)")
    }

    /// A low soft limit under a higher hard one is raised to the hard one at start.
    @Test func softDescriptorLimitIsRaisedToTheHardLimit() throws {
        let site = try GatewaySite()
        defer { site.dir.remove() }
        let daemon = try RunningGateway(site: site, descriptorLimit: "-S -n 200")
        try daemon.waitFor("the daemon started") { site.logText.contains("gateway started") }
        let limits = try String(contentsOfFile: "/proc/\(daemon.pid)/limits", encoding: .utf8)
        let line = try #require(limits.split(separator: "\n").first { $0.hasPrefix("Max open files") })
        let numbers = line.split(separator: " ").compactMap { Int($0) }
        #expect(numbers.count == 2 && numbers[0] == numbers[1] && numbers[0] > 200, "\(line)")
        #expect(daemon.terminate() == 0)
    }
}
