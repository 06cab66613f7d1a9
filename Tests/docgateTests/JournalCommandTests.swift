@testable import DocgateGateway
import DocgateTestSupport
import Foundation
import Testing

/// The journal as personal data: its files' modes, and what `docgate journal` prints of it.
@Suite struct JournalCommandTests {
    /// A configuration naming a journal, in a temporary directory.
    func makeSite() throws -> GatewaySite { try GatewaySite(top: "retention_days = 30") }

    func docgate(_ args: [String]) throws -> ProcessResult {
        var env = ProcessInfo.processInfo.environment
        env["LANG"] = "C.UTF-8"
        return try ProcessRunner.run(TestPaths.docgate, args, environment: env, timeout: 120)
    }

    static func mode(_ path: String) -> UInt32? {
        var st = stat()
        return stat(path, &st) == 0 ? UInt32(st.st_mode) & 0o777 : nil
    }

    /// Created under a umask of 022, the database, its -wal and its -shm are 0600.
    @Test func aNewJournalsFilesAreTheOwnersAlone() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("journal.sqlite")
        let previous = umask(0o022)
        defer { umask(previous) }
        let journal = try SQLiteJournal(path: path)
        _ = try journal.claim([ClaimRequest(route: "r", fileName: "a.xml", sha256: "h", size: 1)], owner: "t", lease: 60, now: 1)
        for file in [path, path + "-wal", path + "-shm"] {
            #expect(Self.mode(file) == 0o600, "\(file)")
        }
    }

    /// A journal left readable by others (an older version, a restored backup) is made the owner's at open.
    @Test func anExistingJournalOpenToOthersIsRestricted() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("journal.sqlite")
        let first = try SQLiteJournal(path: path)
        _ = try first.claim([ClaimRequest(route: "r", fileName: "a.xml", sha256: "h", size: 1)], owner: "t", lease: 60, now: 1)
        for file in [path, path + "-wal", path + "-shm"] {
            #expect(chmod(file, 0o644) == 0)
        }
        let second = try SQLiteJournal(path: path)
        #expect(try second.stats().total == 1)
        for file in [path, path + "-wal", path + "-shm"] {
            #expect(Self.mode(file) == 0o600, "\(file)")
        }
    }

    /// A file name with a newline forged a row of `journal list`, and an escape sequence in a name or a finding
    /// reached the operator's terminal.
    /// Several instances on one journal (issue 18): `journal stats` names each instance holding claims, how many,
    /// and until when its lease runs (an instance whose lease has run out is one that stopped working).
    @Test func statsShowTheInstancesTheirClaimsAndLeases() throws {
        let site = try makeSite()
        defer { site.dir.remove() }
        do {
            let journal = try SQLiteJournal(path: site.journal)
            _ = try journal.claim([ClaimRequest(route: "r", fileName: "a.xml", sha256: "a", size: 1),
                                   ClaimRequest(route: "r", fileName: "b.xml", sha256: "b", size: 1)], owner: "gw1@host\u{1B}[2J", lease: 60, now: 100)
            let done = try journal.claim([ClaimRequest(route: "r", fileName: "c.xml", sha256: "c", size: 1)], owner: "gw2@host", lease: 60, now: 200)
            _ = try journal.claim([ClaimRequest(route: "r", fileName: "d.xml", sha256: "d", size: 1)], owner: "gw2@host", lease: 60, now: 300)
            var t = Transition(done[0], to: .done)
            t.outcome = .rejected
            _ = try journal.apply([t], owner: "gw2@host", lease: 60, now: 210)
        }
        let json = try docgate(["journal", "stats", "--config", site.config, "--format", "json"])
        let object = try #require(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
        let instances = try #require(object["instances"] as? [[String: Any]], "\(json.stdout)")
        #expect(instances.map { $0["owner"] as? String } == ["gw1@host\u{1B}[2J", "gw2@host"])
        #expect(instances.map { $0["claims"] as? Int } == [2, 1])
        #expect(instances.map { $0["leaseUntil"] as? String } == ["1970-01-01T00:02:40Z", "1970-01-01T00:06:00Z"])
        let text = try docgate(["journal", "stats", "--config", site.config])
        #expect(text.stdout.contains("instance gw2@host: 1 claims, lease until 1970-01-01T00:06:00Z"), "\(text.stdout)")
        #expect(!text.stdout.unicodeScalars.contains("\u{1B}"), "\(text.stdout)")
    }

    @Test func listAndShowPrintNamesAndFindingsEscaped() throws {
        let site = try makeSite()
        defer { site.dir.remove() }
        let name = "ok.xml\n999\t2026-01-01T00:00:00Z\tr\tdone\tdelivered\t-\tforged.xml\u{1B}[2J"
        let id: Int64
        do {
            let journal = try SQLiteJournal(path: site.journal)
            let entry = try #require(try journal.claim([ClaimRequest(route: "r", fileName: name, sha256: "h", size: 1)],
                                                        owner: "t", lease: 60, now: 1).first)
            var t = Transition(entry, to: .done)
            t.outcome = .rejected
            // Raw, as a finding quoting a name might carry them.
            t.errors = "[{\"code\": \"DG3103\", \"en\": \"the consumer \u{202E}gnp.exe \u{1B}]0;owned\u{07} is not known\"}]"
            _ = try journal.apply([t], owner: "t", lease: 60, now: 2)
            id = entry.id
        }
        let list = try docgate(["journal", "list", "--config", site.config])
        #expect(list.status == 0, "\(list.stderr)")
        #expect(list.stdout.split(separator: "\n", omittingEmptySubsequences: false).count == 3, "\(list.stdout)")   // header, one row, ""
        #expect(!list.stdout.unicodeScalars.contains("\u{1B}"))
        #expect(list.stdout.contains(#"ok.xml\n999\t2026-01-01T00:00:00Z\tr\tdone\tdelivered\t-\tforged.xml\u{1B}[2J"#), "\(list.stdout)")
        let show = try docgate(["journal", "show", "--config", site.config, String(id)])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(!show.stdout.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{202E}" || $0 == "\u{07}" }, "\(show.stdout)")
        #expect(show.stdout.contains(#"file         ok.xml\n999\t"#), "\(show.stdout)")
        #expect(show.stdout.contains(#"\u{202E}gnp.exe"#), "\(show.stdout)")
        // JSON: the same escapes as JSON escapes, the stored findings included; the same values once parsed.
        for args in [["list"], ["show", String(id)]] {
            let json = try docgate(["journal"] + args + ["--config", site.config, "--format", "json"])
            #expect(json.status == 0)
            #expect(!json.stdout.dropLast().unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{202E}" }, "\(json.stdout)")
            #expect(json.stdout.contains(#"ok.xml\n999\t"#) && json.stdout.contains(#"\u001b[2J"#) && json.stdout.contains(#"\u202e"#),
                    "\(json.stdout)")
            let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8))
            let entry = try #require((parsed as? [[String: Any]])?.first ?? parsed as? [String: Any])
            #expect(entry["file"] as? String == name)
            let finding = try #require((entry["errors"] as? [[String: Any]])?.first)
            #expect(finding["en"] as? String == "the consumer \u{202E}gnp.exe \u{1B}]0;owned\u{07} is not known")
        }
    }

    @Test func pruneReportsWhatItDeletesOrWouldDelete() throws {
        let site = try makeSite()
        defer { site.dir.remove() }
        let now = Date().timeIntervalSince1970
        do {
            let journal = try SQLiteJournal(path: site.journal)
            // Two finished 40 days ago (retention_days = 30), one 10 days ago.
            for (name, age, outcome) in [("a.xml", 40.0, Outcome.delivered), ("b.xml", 40, .rejected), ("c.xml", 10, .delivered)] {
                let entry = try #require(try journal.claim([ClaimRequest(route: "r", fileName: name, sha256: name, size: 1)],
                                                            owner: "t", lease: 60, now: now - age * 86_400).first)
                var t = Transition(entry, to: .done)
                t.outcome = outcome
                _ = try journal.apply([t], owner: "t", lease: 60, now: now - age * 86_400)
            }
        }
        let dry = try docgate(["journal", "prune", "--config", site.config, "--dry-run", "--format", "json"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains(#""dryRun": true"#) && dry.stdout.contains(#""entries": {"total": 2, "delivered": 1, "rejected": 1}"#),
                "\(dry.stdout)")
        #expect(try SQLiteJournal(path: site.journal).stats().total == 3)
        let real = try docgate(["journal", "prune", "--config", site.config])
        #expect(real.status == 0, "\(real.stderr)")
        #expect(real.stdout.hasPrefix("deleted, finished before "), "\(real.stdout)")
        for line in ["entries 2", "entries delivered 1", "entries rejected 1", "registry superseded 0", "registry expired 0"] {
            #expect(real.stdout.split(separator: "\n").contains(Substring(line)), "\(line) in \(real.stdout)")
        }
        #expect(try SQLiteJournal(path: site.journal).stats().total == 1)
        // An explicit cutoff: by days, or by date; never within the last day, never both.
        let days = try docgate(["journal", "prune", "--config", site.config, "--days", "5", "--format", "json"])
        #expect(days.status == 0 && days.stdout.contains(#""entries": {"total": 1, "delivered": 1}"#), "\(days.stdout)")
        #expect(try docgate(["journal", "prune", "--config", site.config, "--before", "2999-01-01"]).status != 0)
        #expect(try docgate(["journal", "prune", "--config", site.config, "--before", "2020-01-01", "--days", "3"]).status != 0)
        #expect(try docgate(["journal", "prune", "--config", site.config, "--before", "yesterday"]).status != 0)
        let dated = try docgate(["journal", "prune", "--config", site.config, "--before", "2020-01-01", "--dry-run"])
        #expect(dated.status == 0 && dated.stdout.hasPrefix("would delete, finished before 2020-01-01T00:00:00Z\n"), "\(dated.stdout)")
    }
}
