import DocgateConsole
import DocgateTestSupport
import Foundation
import Glibc
import Testing

/// `docgate-gateway user …` end to end: the program run on a real users file, the hashes checked with bcrypt.
@Suite struct UserCommandTests {
    static func gateway(_ args: [String], stdin: String? = nil) throws -> ProcessResult {
        var env = ProcessInfo.processInfo.environment
        env["LANG"] = "C.UTF-8"
        return try ProcessRunner.run(TestPaths.buildProducts + "/docgate-gateway", ["user"] + args, environment: env, stdin: stdin)
    }

    static func mode(_ path: String) -> mode_t {
        var st = stat()
        return stat(path, &st) == 0 ? st.st_mode & 0o7777 : 0
    }

    @Test func addPasswdListAndRemove() throws {
        let dir = try TemporaryDirectory("user-command")
        defer { dir.remove() }
        let users = dir.file("users")
        let added = try Self.gateway(["add", "alice", "--role", "operator", "--users", users, "--password-stdin"], stdin: "correct horse battery\n")
        #expect(added.status == 0, "\(added.stderr)")
        #expect(Self.mode(users) == 0o600)
        let hash = try #require(try UsersFile.load(users)["alice"]).hash
        #expect(hash.hasPrefix("$2b$12$") && Password.verify("correct horse battery", hash: hash))

        let again = try Self.gateway(["add", "alice", "--role", "viewer", "--users", users, "--password-stdin"], stdin: "another long secret\n")
        #expect(again.status == 2 && again.stderr.contains("DG5056") && again.stderr.contains("passwd"), "\(again.stderr)")

        let passwd = try Self.gateway(["passwd", "alice", "--users", users, "--password-stdin"], stdin: "a brand new secret\r\n")
        #expect(passwd.status == 0, "\(passwd.stderr)")
        let changed = try #require(try UsersFile.load(users)["alice"])
        #expect(changed.role == .operator && Password.verify("a brand new secret", hash: changed.hash) && changed.hash != hash)
        #expect(Self.mode(users) == 0o600)

        #expect(try Self.gateway(["add", "bob", "--role", "viewer", "--users", users, "--password-stdin"], stdin: "battery staple horse").status == 0)
        let list = try Self.gateway(["list", "--users", users])
        #expect(list.status == 0 && list.stdout == "alice\toperator\nbob\tviewer\n", "\(list.stdout)\(list.stderr)")

        #expect(try Self.gateway(["remove", "alice", "--users", users]).status == 0)
        #expect(try UsersFile.load(users).users.map(\.name) == ["bob"])
        let gone = try Self.gateway(["remove", "alice", "--users", users])
        #expect(gone.status == 2 && gone.stderr.contains("DG5056"), "\(gone.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["users"])
    }

    /// Hostile names, roles and passwords are refused with their codes, and the file is left as it was.
    @Test func refusalsLeaveTheFileAsItWas() throws {
        let dir = try TemporaryDirectory("user-command")
        defer { dir.remove() }
        let users = dir.file("users")
        let line = "carol viewer \(try Password.hash("correct horse battery", cost: 4))\n"
        try UsersFile.parse(line).write(to: users)
        let cases: [([String], String?, String)] = [
            (["add", "bad name", "--role", "viewer"], "correct horse battery\n", "DG5054"),
            (["add", "x\u{1B}[2J", "--role", "viewer"], "correct horse battery\n", "DG5054"),
            (["add", "dave", "--role", "admin"], "correct horse battery\n", "DG5054"),
            (["add", "dave", "--role", "viewer"], "too short\n", "DG5055"),
            (["add", "dave", "--role", "viewer"], String(repeating: "x", count: 73) + "\n", "DG5055"),
            (["add", "dave", "--role", "viewer"], "", "DG5055"),
            (["add", "carol", "--role", "viewer"], "correct horse battery\n", "DG5056"),
            (["passwd", "erin"], "correct horse battery\n", "DG5056"),
            (["remove", "erin"], nil, "DG5056"),
        ]
        for (args, stdin, code) in cases {
            let r = try Self.gateway(args + ["--users", users] + (stdin == nil ? [] : ["--password-stdin"]), stdin: stdin)
            #expect(r.status == 2 && r.stderr.contains(code), "\(args): \(r.stderr)")
            #expect(!r.stderr.contains("\u{1B}"), "\(args)")
        }
        #expect(try String(contentsOfFile: users, encoding: .utf8) == line)
        chmod(users, 0o644)
        let exposed = try Self.gateway(["list", "--users", users])
        #expect(exposed.status == 2 && exposed.stderr.contains("DG5053") && exposed.stdout.isEmpty, "\(exposed.stderr)")
    }

    /// `--config`: the users file of `[console]`, relative to the configuration's directory.
    @Test func theUsersFileIsFoundThroughTheConfiguration() throws {
        let dir = try TemporaryDirectory("user-command")
        defer { dir.remove() }
        let route = "[[route]]\nname = \"r\"\ninbox = \"in\"\noutbox = \"out\"\nreceipts = \"rc\"\nerrors = \"err\"\narchive = \"arch\"\n"
        let config = try dir.write("gateway.toml", "gateway_id = \"gw\"\njournal = \"j.sqlite\"\n[console]\nlisten = \"127.0.0.1:8090\"\nusers = \"console-users\"\n\n" + route)
        let r = try Self.gateway(["add", "ops@example.org", "--role", "viewer", "--config", config, "--password-stdin"], stdin: "correct horse battery\n")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try UsersFile.load(dir.file("console-users"))["ops@example.org"]?.role == .viewer)
        let bare = try dir.write("bare.toml", "gateway_id = \"gw\"\njournal = \"j.sqlite\"\n" + route)
        let none = try Self.gateway(["list", "--config", bare])
        #expect(none.status == 2 && none.stderr.contains("DG5020") && none.stderr.contains("--users"), "\(none.stderr)")
        let both = try Self.gateway(["list", "--config", config, "--users", dir.file("console-users")])
        #expect(both.status == 2 && both.stderr.contains("DG5003"), "\(both.stderr)")
        let neither = try Self.gateway(["list"])
        #expect(neither.status == 2 && neither.stderr.contains("DG5003"), "\(neither.stderr)")
    }
}
