import DocgateConsole
import DocgateCore
import DocgateTestSupport
import Foundation
import Glibc
import Testing

/// The users file: its lines, the names it accepts, the files it refuses to read, and how it is written.
@Suite struct UsersFileTests {
    static let hash = try! Password.hash("correct horse battery", cost: 4)

    @Test func linesCommentsAndBlankLinesRoundTrip() throws {
        let text = "# console users\n\nalice operator \(Self.hash)\n  # indented comment\nbob\tviewer\t\(Self.hash)  \n"
        let file = try UsersFile.parse(text)
        #expect(file.users.map(\.name) == ["alice", "bob"])
        #expect(file.users.map(\.role) == [.operator, .viewer])
        #expect(file["bob"]?.hash == Self.hash && file["Bob"] == nil)
        #expect(file.text == "# console users\n\nalice operator \(Self.hash)\n  # indented comment\nbob viewer \(Self.hash)\n")
        #expect(try UsersFile.parse("alice viewer \(Self.hash)\r\nbob viewer \(Self.hash)\r\n").users.count == 2)
        #expect(try UsersFile.parse("").users.isEmpty)
    }

    /// A line that does not parse names its number and not its content (it may hold a hash).
    @Test(arguments: [
        "alice viewer", "alice admin HASH", "alice viewer HASH extra", "al ice viewer HASH", "alice viewer $2b$12$short",
        "alice viewer $2b$31$" + String(repeating: "a", count: 53), "alice viewer $2x$12$" + String(repeating: "a", count: 53),
        "alice viewer $2b$12$" + String(repeating: "a", count: 52) + "!", "алиса viewer HASH", "alice\u{0} viewer HASH",
    ])
    func aLineThatDoesNotParseIsNamed(_ line: String) throws {
        let text = "# users\nok viewer \(Self.hash)\n" + line.replacingOccurrences(of: "HASH", with: Self.hash) + "\n"
        #expect {
            try UsersFile.parse(text)
        } throws: { error in
            let e = error as! ConsoleError
            return e.code == .DG5053 && e.message.en.hasPrefix("line 3:") && !e.message.en.contains("$2b$")
        }
    }

    @Test func aNameTwiceIsRefused() throws {
        let text = "alice viewer \(Self.hash)\nbob viewer \(Self.hash)\nalice operator \(Self.hash)\n"
        #expect {
            try UsersFile.parse(text)
        } throws: { error in
            let e = error as! ConsoleError
            return e.code == .DG5053 && e.message.en == "line 3: the user alice is listed twice"
        }
    }

    @Test(arguments: ["", String(repeating: "a", count: 65), "a b", "a\tb", "a\nb", "a;b", "a/b", "a:b", "../x", "a\u{0}",
                      "ａlice", "аlice", "alice\u{202E}", "a$b", "a'b", "a\"b", "a<b>", "#a"])
    func hostileNamesAreRefused(_ name: String) {
        #expect(!UserName.isValid(name))
        #expect(throws: ConsoleError(.DG5054, ru: "", en: "")) { try UsersFile().adding(name, role: .viewer, password: "correct horse battery", cost: 4) }
    }

    @Test(arguments: ["a", "alice", "Alice.Smith", "ops_1", "user@example.org", "x-y", String(repeating: "z", count: 64)])
    func namesOfTheAllowedCharactersAreAccepted(_ name: String) throws {
        #expect(UserName.isValid(name))
        let file = try UsersFile().adding(name, role: .operator, password: "correct horse battery", cost: 4)
        #expect(try UsersFile.parse(file.text)[name]?.role == .operator)
    }

    @Test func addPasswdAndRemoveKeepTheRestOfTheFile() throws {
        var file = try UsersFile.parse("# keep me\nalice viewer \(Self.hash)\n")
        file = try file.adding("bob", role: .operator, password: "another long secret", cost: 4)
        #expect(throws: ConsoleError(.DG5056, ru: "", en: "")) { try file.adding("alice", role: .viewer, password: "another long secret", cost: 4) }
        file = try file.withPassword("a brand new secret", for: "alice", cost: 4)
        #expect(Password.verify("a brand new secret", hash: try #require(file["alice"]).hash))
        #expect(file["alice"]?.role == .viewer)
        #expect(throws: ConsoleError(.DG5056, ru: "", en: "")) { try file.withPassword("a brand new secret", for: "carol", cost: 4) }
        file = try file.removing("alice")
        #expect(throws: ConsoleError(.DG5056, ru: "", en: "")) { try file.removing("alice") }
        #expect(file.text.hasPrefix("# keep me\nbob operator $2b$04$"))
    }

    // MARK: reading a file

    static func written(_ dir: TemporaryDirectory, _ text: String, mode: mode_t = 0o600) throws -> String {
        let path = try dir.write("users", text)
        chmod(path, mode)
        return path
    }

    @Test func aPrivateFileIsRead() throws {
        let dir = try TemporaryDirectory("users")
        defer { dir.remove() }
        let path = try Self.written(dir, "alice viewer \(Self.hash)\n")
        #expect(try UsersFile.load(path).users.map(\.name) == ["alice"])
        chmod(path, 0o640)
        #expect(try UsersFile.load(path).users.count == 1)   // the gateway's group may read it
    }

    @Test(arguments: [0o620, 0o602, 0o604, 0o666, 0o622] as [mode_t])
    func aFileOthersCanWriteOrReadIsRefused(_ mode: mode_t) throws {
        let dir = try TemporaryDirectory("users")
        defer { dir.remove() }
        let path = try Self.written(dir, "alice viewer \(Self.hash)\n", mode: mode)
        #expect {
            try UsersFile.load(path)
        } throws: { error in
            let e = error as! ConsoleError
            return e.code == .DG5053 && e.message.en.contains("chmod 600")
        }
    }

    @Test func aSymbolicLinkIsRefusedEvenToAGoodFile() throws {
        let dir = try TemporaryDirectory("users")
        defer { dir.remove() }
        let target = try Self.written(dir, "alice viewer \(Self.hash)\n")
        symlink(target, dir.file("link"))
        #expect {
            try UsersFile.load(dir.file("link"))
        } throws: { ($0 as! ConsoleError).message.en.contains("symbolic link") }
    }

    @Test func specialFilesLargeFilesAndOtherEncodingsAreRefused() throws {
        let dir = try TemporaryDirectory("users")
        defer { dir.remove() }
        mkfifo(dir.file("fifo"), 0o600)
        let large = try Self.written(dir, "# " + String(repeating: "x", count: UsersFile.maximumSize) + "\n")
        let latin1 = try dir.write("latin1", [0x23, 0xE9, 0x0A])
        chmod(latin1, 0o600)
        for path in [dir.file("fifo"), dir.path, large, latin1, dir.file("missing")] {
            #expect(throws: ConsoleError(.DG5053, ru: "", en: ""), "\(path)") { try UsersFile.load(path) }
        }
    }

    // MARK: writing a file

    @Test func writingIsAtomicAndPrivate() throws {
        let dir = try TemporaryDirectory("users")
        defer { dir.remove() }
        let path = dir.file("users")
        try UsersFile.update(path, creating: true) { f throws(ConsoleError) in try f.adding("alice", role: .viewer, password: "correct horse battery", cost: 4) }
        var st = stat()
        #expect(stat(path, &st) == 0 && st.st_mode & 0o777 == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["users"])   // no temporary file left
        #expect(try UsersFile.load(path)["alice"] != nil)
        // An existing file is rewritten at 0600 too, whatever it was.
        chmod(path, 0o640)
        try UsersFile.update(path) { f throws(ConsoleError) in try f.removing("alice") }
        #expect(stat(path, &st) == 0 && st.st_mode & 0o777 == 0o600)
    }

    @Test func aSymbolicLinkIsNotWrittenThrough() throws {
        let dir = try TemporaryDirectory("users")
        defer { dir.remove() }
        let victim = try dir.write("victim", "precious\n")
        symlink(victim, dir.file("users"))
        #expect(throws: ConsoleError(.DG5002, ru: "", en: "")) { try UsersFile().write(to: dir.file("users")) }
        #expect(throws: ConsoleError(.DG5053, ru: "", en: "")) {
            try UsersFile.update(dir.file("users"), creating: true) { f throws(ConsoleError) in f }
        }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
    }
}
