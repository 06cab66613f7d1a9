import DocgateGateway
import DocgateTestSupport
import Foundation
import Testing

/// Configurations that would destroy data or leave the daemon deaf are refused by `config check` and at start
/// (issue 14): overlapping directories, a journal inside a route, an address HTTP cannot use, no quiet period.
@Suite struct ConfigTests {
    /// A configuration in a fresh directory, parsed; the problems' texts (English) or nil when it is usable.
    static func problems(_ body: String, in dir: TemporaryDirectory, journal: String = "journal.sqlite", journalLine: Bool = true) -> [String]? {
        let text = """
            gateway_id = "gw"
            \(journalLine ? "journal = \"\(journal)\"" : "")
            \(body)
            """
        do {
            _ = try GatewayConfig.parse(text, file: dir.path + "/gateway.toml")
            return nil
        } catch {
            return error.problems.map { $0.text(.en) }
        }
    }

    static func route(_ name: String = "r", inbox: String = "in", outbox: String = "out", receipts: String = "rc",
                      errors: String = "err", archive: String = "arch", extra: String = "") -> String {
        """

        [[route]]
        name = "\(name)"
        inbox = "\(inbox)"
        outbox = "\(outbox)"
        receipts = "\(receipts)"
        errors = "\(errors)"
        archive = "\(archive)"
        \(extra)
        """
    }

    /// A URL where a journal path is expected was once taken as a relative SQLite path: each instance made a file
    /// named `postgresql:/…` beside its configuration and ran on a private journal (issue 18). A URL other than
    /// PostgreSQL's is refused.
    @Test(arguments: ["sqlite:///var/lib/j.sqlite", "file:journal.sqlite", "mysql://db/x", "http://db/docgate"])
    func aJournalURLIsNotTakenForAPath(_ journal: String) throws {
        let dir = try TemporaryDirectory("config-journal-url")
        defer { dir.remove() }
        let problems = try #require(Self.problems(Self.route(), in: dir, journal: journal), "\(journal) was accepted")
        #expect(problems.contains { $0.contains("journal") && $0.contains("URL") }, "\(problems)")
        // A path that merely holds a colon is still a path.
        #expect(Self.problems(Self.route(), in: dir, journal: "journals/2026:12.sqlite") == nil)
    }

    /// The PostgreSQL journal: the URL's parts, TLS on by default away from the machine, the password never in the
    /// URL and from one source only.
    @Test func aPostgreSQLJournalIsReadFromItsURLOrTable() throws {
        let dir = try TemporaryDirectory("config-pg")
        defer { dir.remove() }
        func parse(_ top: String) throws -> GatewayConfig {
            try GatewayConfig.parse("gateway_id = \"gw\"\n" + top + Self.route(), file: dir.path + "/gateway.toml")
        }
        let remote = try #require(try parse("journal = \"postgresql://docgate@db.example.ru:6432/journal\"").postgres)
        #expect(remote.host == "db.example.ru" && remote.port == 6432 && remote.user == "docgate" && remote.database == "journal")
        #expect(remote.tls == .verifyFull && remote.poolSize == 4 && remote.passwordFile == nil)
        let local = try #require(try parse("journal = \"postgres://dg@127.0.0.1/j\"").postgres)
        #expect(local.tls == .disable && local.port == 5432)
        let socket = try #require(try parse("journal = \"postgresql://dg@/j?host=/run/postgresql\"").postgres)
        #expect(socket.socketPath == "/run/postgresql/.s.PGSQL.5432" && socket.host == nil)
        let v6 = try #require(try parse("journal = \"postgresql://dg@[2001:db8::1]:7000/j?sslmode=require\"").postgres)
        #expect(v6.host == "2001:db8::1" && v6.port == 7000 && v6.tls == .require)
        #expect(v6.display == "postgresql://dg@[2001:db8::1]:7000/j")
        let table = try parse("""
            [journal]
            url = "postgresql://docgate@db1/docgate"
            password_file = "secret/pg"
            pool_size = 8
            ca_file = "ca.pem"
            """)
        #expect(table.postgres?.passwordFile == dir.path + "/secret/pg" && table.postgres?.poolSize == 8)
        #expect(table.postgres?.caFile == dir.path + "/ca.pem" && table.journal == "postgresql://docgate@db1:5432/docgate")
        let refused: [(String, String)] = [
            ("journal = \"postgresql://docgate:secret@db/j\"", "password"),
            ("journal = \"postgresql://db/j\"", "user"),
            ("journal = \"postgresql://dg@db\"", "database"),
            ("journal = \"postgresql://dg@db:99999/j\"", "port"),
            ("journal = \"postgresql://dg@::1/j\"", "IPv6"),
            ("journal = \"postgresql://dg@db/j?sslmode=prefer\"", "sslmode"),
            ("journal = \"postgresql://dg@db/j?options=-c\"", "unknown parameter"),
            ("journal = \"postgresql://dg@/j?host=/run/pg&sslmode=require\"", "Unix socket"),
            ("[journal]\nurl = \"postgresql://dg@db/j\"\npassword_file = \"a\"\npassword_env = \"B\"", "password_env"),
            ("[journal]\nurl = \"postgresql://dg@db/j\"\npool_size = 0", "pool_size"),
            ("[journal]\nurl = \"postgresql://dg@db/j?sslmode=require\"\nca_file = \"ca.pem\"", "ca_file"),
            ("[journal]\nurl = \"postgresql://dg@db/j\"\npasword_file = \"a\"", "did you mean password_file"),
        ]
        for (top, what) in refused {
            let problems = try #require(Self.problems(top + Self.route(), in: dir, journalLine: false), "\(top) was accepted")
            #expect(problems.contains { $0.contains("journal") && $0.contains(what) }, "\(top): \(problems)")
        }
    }

    /// How long a claim holds without its instance renewing it: what a takeover waits for after a crash.
    @Test func theClaimLeaseIsConfigurableWithinBounds() throws {
        let dir = try TemporaryDirectory("config-lease")
        defer { dir.remove() }
        let text = """
            gateway_id = "gw"
            journal = "journal.sqlite"
            claim_lease = 15
            """ + Self.route()
        #expect(try GatewayConfig.parse(text, file: dir.path + "/gateway.toml").claimLease == 15)
        #expect(try GatewayConfig.parse(text.replacingOccurrences(of: "claim_lease = 15\n", with: ""), file: dir.path + "/gateway.toml")
            .claimLease == 120)
        for bad in ["claim_lease = 2", "claim_lease = 7200", "claim_lease = \"long\""] {
            let problems = try #require(Self.problems(bad + Self.route(), in: dir), "\(bad) was accepted")
            #expect(problems.contains { $0.contains("claim_lease") }, "\(problems)")
        }
    }

    struct Overlap: Sendable, CustomTestStringConvertible {
        var label: String
        var routes: String
        /// The key the problem is reported on, and the key it names as the other user of the directory.
        var key: String
        var other: String
        var testDescription: String { label }
    }

    static let overlaps: [Overlap] = [
        Overlap(label: "receipts == inbox (endless receipt loop)", routes: route(receipts: "in"),
                key: "route[0].receipts", other: "route[0].inbox"),
        Overlap(label: "errors == outbox (rejected documents into the finance system)", routes: route(errors: "out"),
                key: "route[0].errors", other: "route[0].outbox"),
        Overlap(label: "outbox inside the inbox", routes: route(outbox: "in/out"), key: "route[0].outbox", other: "route[0].inbox"),
        Overlap(label: "inbox inside the archive", routes: route(inbox: "arch/in"), key: "route[0].archive", other: "route[0].inbox"),
        Overlap(label: "archive inside the errors directory", routes: route(archive: "err/a"), key: "route[0].archive", other: "route[0].errors"),
        Overlap(label: "the same directory spelt with ..", routes: route(outbox: "x/../in"), key: "route[0].outbox", other: "route[0].inbox"),
        Overlap(label: "a trailing slash and a dot", routes: route(receipts: "./in/"), key: "route[0].receipts", other: "route[0].inbox"),
        Overlap(label: "another route's outbox is this route's inbox", routes: route("a") + route("b", inbox: "b/in", outbox: "in",
                receipts: "b/rc", errors: "b/err", archive: "b/arch"), key: "route[1].outbox", other: "route[0].inbox"),
        Overlap(label: "another route's receipts inside this route's outbox", routes: route("a") + route("b", inbox: "b/in", outbox: "b/out",
                receipts: "out/rc", errors: "b/err", archive: "b/arch"), key: "route[1].receipts", other: "route[0].outbox"),
        Overlap(label: "another route's errors are this route's inbox", routes: route("a") + route("b", inbox: "b/in", outbox: "b/out",
                receipts: "b/rc", errors: "in", archive: "b/arch"), key: "route[1].errors", other: "route[0].inbox"),
        Overlap(label: "two routes share an inbox", routes: route("a") + route("b", outbox: "b/out", receipts: "b/rc",
                errors: "b/err", archive: "b/arch"), key: "route[1].inbox", other: "route[0].inbox"),
        Overlap(label: "one route's errors are another's archive", routes: route("a") + route("b", inbox: "b/in", outbox: "b/out",
                receipts: "b/rc", errors: "arch", archive: "b/arch"), key: "route[1].errors", other: "route[0].archive"),
    ]

    @Test(arguments: overlaps) func overlappingDirectoriesAreRefused(_ overlap: Overlap) throws {
        let dir = try TemporaryDirectory("config")
        defer { dir.remove() }
        let problems = try #require(Self.problems(overlap.routes, in: dir), "the configuration was accepted")
        let line = try #require(problems.first { $0.contains(overlap.key + ":") }, "\(problems)")
        #expect(line.hasPrefix("DG5020 line "), "\(line)")
        #expect(line.contains(overlap.other), "\(line)")
    }

    /// Directories that exist are compared after resolving symbolic links; a directory that does not exist yet by
    /// the longest prefix of it that does.
    /// Found by the fuzzer (`config`): a table header with nothing before a comment (`[[ # …`) tripped an assertion
    /// inside toml++ (TOMLKit 0.6.0) — an abort in a debug build, undefined behaviour in a release one. It is a
    /// syntax error with its line, found before the text reaches the library.
    @Test(arguments: ["[[         # or \"json\"\n", "[ # comment\n", "[[\n", "[\n", "x = 1\n[[  ]]\n", "[\t#\n"])
    func aHeaderWithoutANameIsASyntaxError(_ header: String) throws {
        let dir = try TemporaryDirectory("cfg-header")
        defer { dir.remove() }
        let found = try #require(Self.problems(header + Self.route(), in: dir))
        #expect(found.contains { $0.contains("TOML") && $0.contains("table") }, "\(found)")
    }

    /// Found by the fuzzer's 30-minute run: a `}` where an array expects a value (`[1, }`, `[}`, `{a = [}}`) tripped
    /// another assertion in toml++. A syntax error with its line.
    @Test(arguments: ["x = [1, }\n", "x = [}\n", "x = {a = [}}\n", "x = [\n  1,\n  # c\n  }\n"])
    func aBraceWhereAnArrayWantsAValueIsASyntaxError(_ value: String) throws {
        let dir = try TemporaryDirectory("cfg-array")
        defer { dir.remove() }
        let found = try #require(Self.problems(value + Self.route(), in: dir))
        #expect(found.contains { $0.contains("TOML") }, "\(found)")
    }

    /// Arrays and tables the pre-check must leave alone.
    @Test func validArraysPass() throws {
        let dir = try TemporaryDirectory("cfg-valid")
        defer { dir.remove() }
        let found = Self.problems("x = [ ]\ny = [1, 2,]\nz = [\n  \"a\", # }\n  \"b}\",\n]\nw = {a = [1], b = \"}\"}\n" + Self.route(), in: dir) ?? []
        #expect(!found.contains { $0.contains("TOML") }, "\(found)")
    }

    /// Every configuration the fuzzer found trouble with (Tests/FuzzRegressions/config) is judged, not crashed on.
    @Test func theFuzzersConfigurationsAreJudged() throws {
        let dir = TestPaths.root + "/Tests/FuzzRegressions/config"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(!files.isEmpty)
        for name in files {
            let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name)), as: UTF8.self)
            #expect(throws: ConfigError.self) { _ = try GatewayConfig.parse(text, file: "/nonexistent/gateway.toml") }
        }
    }

    @Test func overlapThroughASymbolicLinkIsRefused() throws {
        let dir = try TemporaryDirectory("config")
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.file("real/in"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.file("link"), withDestinationPath: dir.file("real/in"))
        // outbox is the inbox through the link
        let same = try #require(Self.problems(Self.route(inbox: "real/in", outbox: "link"), in: dir))
        #expect(same.contains { $0.contains("route[0].outbox:") && $0.contains("route[0].inbox") }, "\(same)")
        // receipts do not exist yet, but would be created inside the inbox
        let inside = try #require(Self.problems(Self.route(inbox: "real/in", receipts: "link/not-yet/rc"), in: dir))
        #expect(inside.contains { $0.contains("route[0].receipts:") && $0.contains("route[0].inbox") }, "\(inside)")
        // a link to a parent of the inbox, then .. and the inbox again
        try FileManager.default.createSymbolicLink(atPath: dir.file("up"), withDestinationPath: dir.file("real/in"))
        let dots = try #require(Self.problems(Self.route(inbox: "real/in", errors: "up/../in"), in: dir))
        #expect(dots.contains { $0.contains("route[0].errors:") && $0.contains("route[0].inbox") }, "\(dots)")
    }

    @Test func journalInsideARouteDirectoryIsRefused() throws {
        let dir = try TemporaryDirectory("config")
        defer { dir.remove() }
        for journal in ["in/journal.sqlite", "arch/db/journal.sqlite", "out/journal.sqlite"] {
            let problems = try #require(Self.problems(Self.route(), in: dir, journal: journal), "\(journal) accepted")
            #expect(problems.contains { $0.contains("journal:") && $0.contains("route[0].") }, "\(problems)")
        }
    }

    /// Siblings whose names share a prefix are not nested; several routes may share one errors and one archive
    /// directory (names in them are numbered on a collision, staging names carry the journal id).
    @Test func separateDirectoriesAndSharedErrorsAndArchiveAreAccepted() throws {
        let dir = try TemporaryDirectory("config")
        defer { dir.remove() }
        #expect(Self.problems(Self.route(inbox: "in", outbox: "in2", receipts: "in-rc", errors: "inx", archive: "archive"), in: dir) == nil)
        let shared = Self.route("a") + Self.route("b", inbox: "b/in", outbox: "b/out", receipts: "b/rc", errors: "err", archive: "arch")
        #expect(Self.problems(shared, in: dir) == nil)
        #expect(Self.problems(Self.route(), in: dir, journal: "state/journal.sqlite") == nil)
    }

    @Test(arguments: ["127.0.0.1:8089", "[::1]:8089", "localhost:8089", "0.0.0.0:1", "[::]:65535", "gateway-1.example.org:443"])
    func usableListenAddressesAreAccepted(_ listen: String) throws {
        let dir = try TemporaryDirectory("config")
        defer { dir.remove() }
        let problems = Self.problems("listen = \"\(listen)\"\n" + Self.route(), in: dir)
        #expect(problems == nil, "\(problems ?? [])")
    }

    @Test func bracketsAreTakenOffAnIPv6Address() throws {
        let dir = try TemporaryDirectory("config")
        defer { dir.remove() }
        let cfg = try GatewayConfig.parse("gateway_id = \"gw\"\njournal = \"j\"\nlisten = \"[::1]:8089\"\n" + Self.route(),
                                          file: dir.path + "/gateway.toml")
        #expect(cfg.listenAddress?.host == "::1")
        #expect(cfg.listenAddress?.port == 8089)
    }

    @Test(arguments: ["::1:8089", "[::1]", "[::1]:", "[::1]8089", "[zz::1]:80", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536",
                      "127.0.0.1:http", "1.2.3:80", "256.1.1.1:80", "host name:80", ":8089", "[]:80", "-bad-:80", "a..b:80",
                      "127.0.0.1:+80", "127.0.0.1: 80"])
    func unusableListenAddressesAreRefused(_ listen: String) throws {
        let dir = try TemporaryDirectory("config")
        defer { dir.remove() }
        let problems = try #require(Self.problems("listen = \"\(listen)\"\n" + Self.route(), in: dir), "\(listen) accepted")
        #expect(problems.contains { $0.hasPrefix("DG5020 line 3: listen:") }, "\(problems)")
    }

    @Test func quietPeriodHasAFloor() throws {
        let dir = try TemporaryDirectory("config")
        defer { dir.remove() }
        for quiet in ["0", "0.4", "-1"] {
            let problems = try #require(Self.problems(Self.route(extra: "quiet_period = \(quiet)"), in: dir), "\(quiet) accepted")
            #expect(problems.contains { $0.contains("route[0].quiet_period:") }, "\(problems)")
        }
        #expect(Self.problems(Self.route(extra: "quiet_period = 0.5"), in: dir) == nil)
    }

    /// The keys of the signer policy: with `trust` only, policies as OIDs or КС classes, a route's own policies only
    /// where it verifies signatures.
    @Test func signerPolicyKeysAreChecked() throws {
        let dir = try TemporaryDirectory("config")
        defer { dir.remove() }
        let verifying = Self.route(extra: "require_signature = true\ncertificate_policies = [\"КС2\", \"1.2.643.100.113.3\"]")
        let good = "trust = \"ca.pem\"\nsigners = \"signers.txt\"\ncertificate_policies = [\"kc1\"]\ntrust_partial_chain = true\ncrl_allow_stale = true\n" + verifying
        #expect(Self.problems(good, in: dir) == nil)
        let parsed = try GatewayConfig.parse("gateway_id = \"gw\"\njournal = \"j.sqlite\"\n" + good, file: dir.path + "/gateway.toml")
        #expect(parsed.certificatePolicies == ["1.2.643.100.113.1"] && parsed.trustPartialChain && parsed.crlAllowStale)
        #expect(parsed.signers == dir.path + "/signers.txt")
        #expect(parsed.routes.first?.certificatePolicies == ["1.2.643.100.113.2", "1.2.643.100.113.3"])
        for (body, key) in [("signers = \"s.txt\"" + Self.route(), "signers:"),
                            ("trust_partial_chain = true" + Self.route(), "trust_partial_chain:"),
                            ("crl_allow_stale = true" + Self.route(), "crl_allow_stale:"),
                            ("trust = \"ca.pem\"\ncertificate_policies = [\"КС9\"]" + Self.route(), "certificate_policies:"),
                            ("trust = \"ca.pem\"\ncertificate_policies = []" + Self.route(), "certificate_policies:"),
                            ("trust = \"ca.pem\"" + Self.route(extra: "certificate_policies = [\"КС1\"]"), "route[0].certificate_policies:")] {
            let problems = try #require(Self.problems(body, in: dir), "accepted: \(body)")
            #expect(problems.contains { $0.contains(key) }, "\(key) not among \(problems)")
        }
    }

    /// `config check`: a mistake with code, key and line (exit 2); a listen address other than loopback is usable but
    /// warned about (exit 0).
    @Test func configCheckRefusesOverlapsAndWarnsOnANonLoopbackAddress() throws {
        let dir = try TemporaryDirectory("config")
        defer { dir.remove() }
        let bad = try dir.write("bad.toml", "gateway_id = \"gw\"\njournal = \"j.sqlite\"\n" + Self.route(receipts: "in"))
        let r = try runDocgate(["config", "check", "--lang", "en", bad])
        #expect(r.status == 2)
        #expect(r.stderr.contains("DG5020 line 8: route[0].receipts:"), "\(r.stderr)")
        let open = try dir.write("open.toml", "gateway_id = \"gw\"\njournal = \"j.sqlite\"\nlisten = \"0.0.0.0:8089\"\n" + Self.route())
        let w = try runDocgate(["config", "check", "--lang", "en", open])
        #expect(w.status == 0, "\(w.stderr)")
        #expect(w.stderr.contains("DG5028 line 3: listen:"), "\(w.stderr)")
        let local = try dir.write("local.toml", "gateway_id = \"gw\"\njournal = \"j.sqlite\"\nlisten = \"[::1]:8089\"\n" + Self.route())
        let l = try runDocgate(["config", "check", "--lang", "en", local])
        #expect(l.status == 0, "\(l.stderr)")
        #expect(!l.stderr.contains("DG5028"), "\(l.stderr)")
    }

    /// The daemon on `[::1]` answers /health and stops on SIGTERM.
    @Test func daemonListensOnIPv6Loopback() throws {
        guard TCP.hasIPv6Loopback else {
            print("ConfigTests.daemonListensOnIPv6Loopback skipped: no IPv6 loopback address on this machine")
            return
        }
        let port = try TCP.freePort()
        let site = try GatewaySite(top: "listen = \"[::1]:\(port)\"")
        defer { site.dir.remove() }
        let daemon = try RunningGateway(site: site)
        var health: String?
        try daemon.waitFor("/health on [::1]", timeout: 60) {
            health = TCP.get("http://[::1]:\(port)/health")
            return health != nil || daemon.exitStatus(within: 0) != nil
        }
        #expect(health == "ok\n", "\(site.logText)")
        #expect(!site.logText.contains("DG5028"))
        #expect(daemon.terminate() == 0, "\(site.logText)")
    }

    /// A daemon whose HTTP address cannot be used (the port is taken) exits with DG5024 instead of running deaf and
    /// ignoring SIGTERM.
    @Test func daemonExitsWhenHTTPCannotStart() throws {
        let holder = try TCP.listener()
        defer { close(holder.fd) }
        let site = try GatewaySite(top: "listen = \"127.0.0.1:\(holder.port)\"")
        defer { site.dir.remove() }
        let daemon = try RunningGateway(site: site)
        let status = daemon.exitStatus(within: 60)
        if status == nil { daemon.terminate() }
        #expect(status == 2, "\(site.logText)")
        #expect(site.logText.contains("DG5024"), "\(site.logText)")
    }

    /// A listen address other than loopback is warned about in the daemon's log at start.
    @Test func daemonWarnsOnANonLoopbackAddress() throws {
        let port = try TCP.freePort()
        let site = try GatewaySite(top: "listen = \"0.0.0.0:\(port)\"")
        defer { site.dir.remove() }
        let daemon = try RunningGateway(site: site)
        try daemon.waitFor("/health", timeout: 60) { TCP.get("http://127.0.0.1:\(port)/health") != nil || daemon.exitStatus(within: 0) != nil }
        #expect(site.logText.contains("DG5028"), "\(site.logText)")
        #expect(daemon.terminate() == 0, "\(site.logText)")
    }
}
