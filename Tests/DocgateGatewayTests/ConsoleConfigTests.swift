import DocgateGateway
import DocgateTestSupport
import Foundation
import Testing

/// `[console]`: off unless the table is there; its address checked like `listen`, its users file resolved against
/// the configuration's directory, its timeouts within their ranges.
@Suite struct ConsoleConfigTests {
    static let route = "\n" + TestRoute.toml

    /// The configuration with `console` as its tables after the top-level keys.
    static func parse(_ console: String, top: String = "", in dir: TemporaryDirectory) throws(ConfigError) -> GatewayConfig {
        try GatewayConfig.parse("gateway_id = \"gw\"\njournal = \"j.sqlite\"\n" + top + Self.route + "\n" + console, file: dir.path + "/gateway.toml")
    }

    static func problems(_ console: String, top: String = "", in dir: TemporaryDirectory) -> [String] {
        do {
            _ = try parse(console, top: top, in: dir)
            return []
        } catch {
            return error.problems.map { $0.text(.en) }
        }
    }

    @Test func theConsoleIsOffByDefault() throws {
        let dir = try TemporaryDirectory("config-console")
        defer { dir.remove() }
        #expect(try Self.parse("", in: dir).console == nil)
    }

    @Test func aConsoleTableIsReadWithItsDefaults() throws {
        let dir = try TemporaryDirectory("config-console")
        defer { dir.remove() }
        let cfg = try Self.parse("[console]\nlisten = \"127.0.0.1:8090\"\nusers = \"etc/users\"\n", in: dir)
        let console = try #require(cfg.console)
        #expect(console.listen == "127.0.0.1:8090" && console.users == dir.path + "/etc/users")
        #expect(console.sessionIdle == 1800 && console.sessionMax == 43_200)
        #expect(cfg.warnings.isEmpty)
        let set = try #require(try Self.parse("[console]\nlisten = \"[::1]:8090\"\nusers = \"/etc/docgate/users\"\nsession_idle = 600\nsession_max = 3600\n",
                                              in: dir).console)
        #expect(set.users == "/etc/docgate/users" && set.sessionIdle == 600 && set.sessionMax == 3600 && set.listenAddress?.host == "::1")
    }

    @Test(arguments: [
        ("[console]\nusers = \"u\"\n", "DG5020 line 11: console.listen: required key is missing"),
        ("[console]\nlisten = \"127.0.0.1:8090\"\n", "DG5020 line 11: console.users: required key is missing"),
        ("[console]\nlisten = \"127.0.0.1\"\nusers = \"u\"\n", "DG5020 line 12: console.listen: address:port expected"),
        ("[console]\nlisten = \"[::1]:0\"\nusers = \"u\"\n", "DG5020 line 12: console.listen: address:port expected"),
        ("[console]\nlisten = 8090\nusers = \"u\"\n", "DG5020 line 12: console.listen: a non-empty string is expected"),
        ("[console]\nlisten = \"127.0.0.1:8090\"\nusers = \"\"\n", "DG5020 line 13: console.users: a non-empty string is expected"),
        ("[console]\nlisten = \"127.0.0.1:8090\"\nusers = \"u\"\nsession_idle = 10\n", "DG5020 line 14: console.session_idle: a number from 60"),
        ("[console]\nlisten = \"127.0.0.1:8090\"\nusers = \"u\"\nsession_max = 1000000\n", "DG5020 line 14: console.session_max: a number from 300"),
        ("[console]\nlisten = \"127.0.0.1:8090\"\nusers = \"u\"\nsession_idle = 7200\nsession_max = 3600\n",
         "DG5020 line 14: console.session_idle: longer than session_max (3600)"),
        ("[console]\nlisten = \"127.0.0.1:8090\"\nusers = \"u\"\nsession_idel = 60\n", "DG5020 line 14: console.session_idel: unknown key (did you mean session_idle?)"),
        ("[console]\nlisten = \"127.0.0.1:8090\"\nusers = \"in/users\"\n", "DG5020 line 13: console.users: the users file is inside the route directory route[0].inbox"),
    ])
    func mistakesAreReportedWithKeyAndLine(_ console: String, _ expected: String) throws {
        let dir = try TemporaryDirectory("config-console")
        defer { dir.remove() }
        let problems = Self.problems(console, in: dir)
        #expect(problems.contains { $0.hasPrefix(expected) }, "\(problems)")
    }

    @Test func aConsoleKeyThatIsNotATableIsRefused() throws {
        let dir = try TemporaryDirectory("config-console")
        defer { dir.remove() }
        let problems = Self.problems("", top: "console = \"on\"\n", in: dir)
        #expect(problems.contains { $0.hasPrefix("DG5020 line 3: console: a [console] table is expected") }, "\(problems)")
    }

    @Test func theConsoleMayNotShareTheHTTPAddress() throws {
        let dir = try TemporaryDirectory("config-console")
        defer { dir.remove() }
        let problems = Self.problems("[console]\nlisten = \"127.0.0.1:8089\"\nusers = \"u\"\n", top: "listen = \"127.0.0.1:8089\"\n", in: dir)
        #expect(problems.contains { $0.hasPrefix("DG5020 line 13: console.listen: the same address as listen") }, "\(problems)")
        #expect(Self.problems("[console]\nlisten = \"127.0.0.1:8090\"\nusers = \"u\"\n", top: "listen = \"127.0.0.1:8089\"\n", in: dir).isEmpty)
    }

    /// Usable, but passwords and cookies would cross the network in clear: a warning (DG5052), like `listen`'s.
    @Test(arguments: ["0.0.0.0:8090", "[::]:8090", "192.0.2.1:8090", "console.example.org:443"])
    func aConsoleBeyondLoopbackIsWarnedAbout(_ listen: String) throws {
        let dir = try TemporaryDirectory("config-console")
        defer { dir.remove() }
        let cfg = try Self.parse("[console]\nlisten = \"\(listen)\"\nusers = \"u\"\n", in: dir)
        #expect(cfg.console?.listen == listen)
        #expect(cfg.warnings.map { $0.text(.en) }.contains { $0.hasPrefix("DG5052 line 12: console.listen:") }, "\(cfg.warnings)")
        for local in ["127.0.0.1:8090", "[::1]:8090", "localhost:8090"] {
            #expect(try Self.parse("[console]\nlisten = \"\(local)\"\nusers = \"u\"\n", in: dir).warnings.isEmpty)
        }
    }

    /// Samples/gateway.toml's commented `[console]` block, uncommented, is a usable configuration.
    @Test func theSamplesConsoleBlockIsUsable() throws {
        let sample = try String(contentsOfFile: TestPaths.samples + "/gateway.toml", encoding: .utf8)
        var inBlock = false
        let lines = sample.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
            if line.hasPrefix("# [console]") { inBlock = true }
            if line.isEmpty { inBlock = false }
            return inBlock ? line.dropFirst(2) : line
        }
        #expect(lines.count(where: { $0.hasPrefix("[console]") }) == 1)
        let cfg = try GatewayConfig.parse(lines.joined(separator: "\n"), file: TestPaths.samples + "/gateway.toml")
        #expect(cfg.console == ConsoleConfig(listen: "127.0.0.1:8090", users: "/etc/docgate/console-users"))
        #expect(cfg.warnings.isEmpty)
    }
}
