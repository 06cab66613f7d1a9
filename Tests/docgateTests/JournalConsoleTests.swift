@testable import DocgateGateway
import DocgateTestSupport
import Foundation
import Testing

/// The queries of the operator's console (issue 19), SQLite and PostgreSQL alike: search with keyset pages,
/// each entry's history, operators' actions, the dashboard's figures, and pruning what goes with an entry.
@Suite struct JournalConsoleTests {
    /// One document as a test records it.
    struct Doc {
        var name: String
        var route = "r"
        var id: String? = nil
        var kind: String? = nil
        var outcome: Outcome = .delivered
        var parties: [String] = []
        var codes: [String] = []
        var received: Double = 1_000
        var finished: Double? = 2_000
    }

    /// Claims each document at its time and takes it to `staged` (recording what it says), then to `done` at its
    /// finishing time unless that is nil; the entries' numbers, in order.
    @discardableResult
    static func record(_ journal: any Journal, _ docs: [Doc], owner: String = "gw") throws -> [Int64] {
        try docs.map { doc in
            let entry = try #require(try journal.claim([ClaimRequest(route: doc.route, fileName: doc.name, sha256: doc.name, size: 1)],
                                                       owner: owner, lease: 60, now: doc.received).first)
            var t = Transition(entry, to: .staged)
            (t.outcome, t.documentId, t.kind, t.parties, t.errorCodes) = (doc.outcome, doc.id, doc.kind, doc.parties, doc.codes)
            #expect(try journal.apply([t], owner: owner, lease: 60, now: doc.received) == [true])
            if let finished = doc.finished {
                var step = Transition(entry, to: .done)
                step.from = .staged
                #expect(try journal.apply([step], owner: owner, lease: 60, now: finished) == [true])
            }
            return entry.id
        }
    }

    @Test(arguments: JournalKind.allCases) func eachFilterFindsItsEntriesNewestFirst(_ kind: JournalKind) throws {
        let (journal, place) = try kind.make()
        defer { place.cleanup() }
        let ids = try Self.record(journal, [
            Doc(name: "A_1.xml", id: "6F9619FF-8B86-D011-B42D-00C04FC964FF", kind: "socialOrder", parties: ["7701234567", "770123456789"], received: 100),
            Doc(name: "A%1.xml", route: "s", kind: "agreement", outcome: .rejected, parties: ["7701234567"], received: 200),
            Doc(name: "A\\1.xml", kind: "agreement", outcome: .duplicate, received: 300, finished: nil),
            Doc(name: "B.xml", route: "s", kind: "contract", outcome: .conflict, received: 400),
            Doc(name: "Ab.xml", received: 500),
        ])
        func found(_ q: JournalQuery) throws -> [Int64] { try journal.search(q).map(\.id) }
        #expect(try found(JournalQuery()) == ids.reversed())
        #expect(try found(JournalQuery(documentId: "6f9619ff-8b86-d011-b42d-00c04fc964ff")) == [ids[0]])
        #expect(try found(JournalQuery(documentId: "6f9619ff")).isEmpty)
        // A prefix of the name: % _ and \ are characters, not patterns.
        #expect(try found(JournalQuery(fileName: "A")) == [ids[4], ids[2], ids[1], ids[0]])
        #expect(try found(JournalQuery(fileName: "A_")) == [ids[0]])
        #expect(try found(JournalQuery(fileName: "A%")) == [ids[1]])
        #expect(try found(JournalQuery(fileName: "A\\")) == [ids[2]])
        #expect(try found(JournalQuery(fileName: "a")).isEmpty)
        #expect(try found(JournalQuery(inn: "7701234567")) == [ids[1], ids[0]])
        #expect(try found(JournalQuery(inn: "770123456789")) == [ids[0]])
        #expect(try found(JournalQuery(inn: "7701234567", route: "r")) == [ids[0]])
        #expect(try found(JournalQuery(kind: "agreement")) == [ids[2], ids[1]])
        #expect(try found(JournalQuery(outcome: .rejected)) == [ids[1]])
        #expect(try found(JournalQuery(outcome: .delivered)) == [ids[4], ids[0]])
        #expect(try found(JournalQuery(unfinished: true)) == [ids[2]])
        #expect(try found(JournalQuery(route: "s")) == [ids[3], ids[1]])
        #expect(try found(JournalQuery(from: 200, to: 400)) == [ids[2], ids[1]])
        #expect(try found(JournalQuery(outcome: .rejected, from: 300)).isEmpty)
        #expect(try found(JournalQuery(kind: "agreement", route: "s", from: 100, to: 1_000)) == [ids[1]])
    }

    @Test(arguments: JournalKind.allCases) func pagesFollowEachOtherByKey(_ kind: JournalKind) throws {
        let (journal, place) = try kind.make()
        defer { place.cleanup() }
        let ids = try Self.record(journal, (0..<7).map { Doc(name: "\($0).xml", parties: ["7701234567"], received: Double($0)) })
        for base in [JournalQuery(limit: 3), JournalQuery(inn: "7701234567", limit: 3), JournalQuery(from: 0, limit: 3)] {
            var pages: [[Int64]] = []
            var query = base
            while true {
                let page = try journal.search(query).map(\.id)
                guard !page.isEmpty else { break }
                pages.append(page)
                query.before = page.last
            }
            #expect(pages == [[ids[6], ids[5], ids[4]], [ids[3], ids[2], ids[1]], [ids[0]]], "\(base)")
        }
        #expect(try journal.search(JournalQuery(limit: 0)).count == 1)
        #expect(try journal.search(JournalQuery(limit: 100_000)).count == 7)
    }

    /// A search by the time received lists the entries newest received first and pages by the entry's key, even
    /// where numbers and times disagree (instances whose clocks differ): every entry once, none skipped. It reads
    /// one page of the time index whatever the range's width, where ordering by number sorted the whole range.
    @Test(arguments: JournalKind.allCases) func aSearchByTimeGoesByTheTimeReceived(_ kind: JournalKind) throws {
        let (journal, place) = try kind.make()
        defer { place.cleanup() }
        let ids = try Self.record(journal, [5.0, 1, 4, 2, 3, 3, 9].enumerated().map { Doc(name: "\($0.offset).xml", received: $0.element) })
        for base in [JournalQuery(from: 0, limit: 2), JournalQuery(from: 1, to: 6, limit: 2), JournalQuery(outcome: .delivered, to: 6, limit: 2)] {
            var pages: [[Int64]] = []
            var query = base
            while pages.count < 10 {
                let page = try journal.search(query)
                guard !page.isEmpty else { break }
                #expect(page.allSatisfy { $0.receivedAt >= base.from ?? 0 && $0.receivedAt < base.to ?? 100 })
                pages.append(page.map(\.id))
                query.before = page.last?.id
            }
            let expected = base.from == 0 ? [[ids[6], ids[0]], [ids[2], ids[5]], [ids[4], ids[3]], [ids[1]]]
                                          : [[ids[0], ids[2]], [ids[5], ids[4]], [ids[3], ids[1]]]
            #expect(pages == expected, "\(base)")
        }
    }

    /// A page deep in a range with both ends is read from its key down, not from the range's end down to the key:
    /// the statement has one upper end on the time, the lower of the two (with both, SQLite took the range's end
    /// and read 0.4 s of a million entries for one page).
    @Test func aDeepPageOfATimeRangeStartsAtItsKey() {
        let q = JournalQuery(from: 1, to: 1_000, before: 10)
        #expect(q.timeUpperBound(keyTime: 500).map { $0 == (500, 10) } == true)
        #expect(JournalQuery(to: 400, before: 10).timeUpperBound(keyTime: 500).map { $0 == (400, Int64.min) } == true)
        #expect(JournalQuery(to: 500, before: 10).timeUpperBound(keyTime: 500).map { $0 == (500, Int64.min) } == true)
        #expect(JournalQuery(from: 1).timeUpperBound(keyTime: nil) == nil)
        let (sql, arguments) = SQLiteJournal.searchSQL(q, keyTime: 500)
        #expect(!sql.contains("d.received_at <") && sql.components(separatedBy: "(d.received_at, d.id) <").count == 2, "\(sql)")
        #expect(arguments == [1.0, 500.0, 10, 50])
    }

    @Test(arguments: JournalKind.allCases) func historyShowsEveryStepTakeoverAndAction(_ kind: JournalKind) throws {
        let (journal, place) = try kind.make()
        defer { place.cleanup() }
        let id = try Self.record(journal, [Doc(name: "a.xml", outcome: .rejected, received: 10, finished: nil)], owner: "gw1")[0]
        // gw1 taking up its own entry again while its lease holds (a step failed; every pass) is no takeover.
        #expect(try journal.recover(owner: "gw1", routes: ["r"], lease: 60, now: 20).map(\.attempt) == [2])
        // gw1's lease runs out; gw2 takes the entry over and finishes it.
        let taken = try journal.recover(owner: "gw2", routes: ["r"], lease: 60, now: 100)
        #expect(taken.map(\.id) == [id])
        var done = Transition(taken[0], to: .done)
        done.archivePath = ""
        #expect(try journal.apply([done], owner: "gw2", lease: 60, now: 110) == [true])
        try journal.recordAction(entryId: id, actor: "ivanova", action: "requeue", note: "errors/a.xml → in/a.xml", now: 200)
        let events = try journal.history(id)
        #expect(events.map(\.action) == ["claim", "step", "recover", "step", "requeue"])
        #expect(events.map(\.from) == [nil, .claimed, .staged, .staged, nil])
        #expect(events.map(\.to) == [.claimed, .staged, .staged, .done, nil])
        #expect(events.map(\.outcome) == [nil, .rejected, .rejected, .rejected, nil])
        #expect(events.map(\.attempt) == [1, 1, 3, 3, nil])
        #expect(events.map(\.owner) == ["gw1", "gw1", "gw2", "gw2", nil])
        #expect(events.map(\.actor) == [nil, nil, nil, nil, "ivanova"])
        #expect(events.map(\.at) == [10, 10, 100, 110, 200])
        #expect(events[2].note == "lease of gw1 ran out")
        #expect(events[4].note == "errors/a.xml → in/a.xml")
        #expect(events.map(\.entryId).allSatisfy { $0 == id })
        // A requeue is recorded once; other actions as often as they happen.
        #expect(throws: JournalError.self) { try journal.recordAction(entryId: id, actor: "petrov", action: "requeue", note: "", now: 300) }
        do {
            try journal.recordAction(entryId: id, actor: "petrov", action: "requeue", note: "", now: 300)
        } catch let error as JournalError {
            #expect(error.code == "DG5063")
        }
        try journal.recordAction(entryId: nil, actor: "petrov", action: "upload", note: "b.xml", now: 400)
        try journal.recordAction(entryId: nil, actor: "petrov", action: "upload", note: "c.xml", now: 500)
        let actions = try journal.actions(limit: 2, before: nil)
        #expect(actions.map(\.note) == ["c.xml", "b.xml"])
        #expect(try journal.actions(limit: 50, before: actions.last?.id).map(\.note) == ["errors/a.xml → in/a.xml"])
        #expect(try journal.history(id).count == 5)
    }

    @Test(arguments: JournalKind.allCases) func dashboardCountsHoursOutcomesAndErrorCodes(_ kind: JournalKind) throws {
        let (journal, place) = try kind.make()
        defer { place.cleanup() }
        let h = 3_600.0
        try Self.record(journal, [
            Doc(name: "1.xml", received: 10 * h, finished: 10 * h + 5),
            Doc(name: "2.xml", outcome: .rejected, codes: ["DG3001", "DG4036"], received: 10 * h, finished: 10 * h + 7),
            Doc(name: "3.xml", outcome: .rejected, codes: ["DG3001"], received: 11 * h, finished: 11 * h + 1),
            Doc(name: "4.xml", outcome: .conflict, codes: ["DG5033"], received: 11 * h, finished: 12 * h + 1),
            Doc(name: "5.xml", received: 11 * h + 10, finished: nil),
            Doc(name: "6.xml", outcome: .rejected, codes: ["DG9999"], received: 5 * h, finished: 5 * h),
        ])
        let hours = try journal.hourlyOutcomes(since: 10 * h, until: 12 * h)
        #expect(hours == [HourlyCount(hour: 10 * h, outcome: "delivered", count: 1), HourlyCount(hour: 10 * h, outcome: "rejected", count: 1),
                          HourlyCount(hour: 11 * h, outcome: "rejected", count: 1), HourlyCount(hour: 11 * h, outcome: "unfinished", count: 1)])
        let top = try journal.topErrorCodes(since: 10 * h, limit: 10)
        #expect(top.map(\.code) == ["DG3001", "DG4036", "DG5033"])
        #expect(top.map(\.count) == [2, 1, 1])
        #expect(try journal.topErrorCodes(since: 10 * h, limit: 1).map(\.code) == ["DG3001"])
        #expect(try journal.topErrorCodes(since: 11 * h, limit: 10).map(\.code) == ["DG3001", "DG5033"])
    }

    @Test(arguments: JournalKind.allCases) func pruningTakesAnEntrysEventsPartiesAndCodesWithIt(_ kind: JournalKind) throws {
        let (journal, place) = try kind.make()
        defer { place.cleanup() }
        let ids = try Self.record(journal, [
            Doc(name: "old.xml", outcome: .rejected, parties: ["7701234567"], codes: ["DG3001"], received: 10, finished: 20),
            Doc(name: "new.xml", outcome: .rejected, parties: ["7701234567"], codes: ["DG3001"], received: 10, finished: 2_000),
        ])
        try journal.recordAction(entryId: ids[0], actor: "ivanova", action: "requeue", note: "", now: 30)
        #expect(try journal.pruneEntries(before: 1_000, limit: 10) == ["rejected": 1])
        #expect(try journal.history(ids[0]).isEmpty)
        #expect(try journal.history(ids[1]).count == 3)
        #expect(try journal.search(JournalQuery(inn: "7701234567")).map(\.id) == [ids[1]])
        #expect(try journal.topErrorCodes(since: 0, limit: 10).map(\.count) == [1])
        let rows = try place.sql("SELECT COUNT(*) FROM document_parties WHERE entry_id = \(ids[0])").stdout
        #expect(rows.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        let codes = try place.sql("SELECT COUNT(*) FROM entry_codes WHERE entry_id = \(ids[0])").stdout
        #expect(codes.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
    }

    /// A journal from before the console (the migration undone): upgraded, its rejected entries' error codes are
    /// counted from their findings (an error only, each once per entry; a warning is no error code).
    @Test(arguments: JournalKind.allCases) func theUpgradeFindsTheErrorCodesOfEntriesDecidedBefore(_ kind: JournalKind) throws {
        let (journal, place) = try kind.make()
        defer { place.cleanup() }
        try Self.record(journal, [Doc(name: "a.xml", outcome: .rejected, received: 10, finished: 20)])
        let findings = #"[{"code": "DG3001", "severity": "error"}, {"code": "DG3001", "severity": "error"}, {"code": "DG4036", "severity": "warning"}]"#
        let drop = "DROP TABLE events; DROP TABLE document_parties; DROP TABLE entry_codes; DROP INDEX documents_document_id; "
            + "DROP INDEX documents_file_name; DROP INDEX documents_kind; DROP INDEX documents_route; DROP INDEX documents_received; "
            + "DROP INDEX documents_finished_outcome; UPDATE documents SET errors = '\(findings)'; "
        _ = try place.sql(drop + (kind == .sqlite ? "DELETE FROM grdb_migrations WHERE identifier = 'v9-console'"
                                                  : "DELETE FROM docgate_migrations WHERE version = 'v5-console'"))
        let upgraded = try place.open()
        #expect(try upgraded.topErrorCodes(since: 0, limit: 10).map(\.code) == ["DG3001"])
        #expect(try upgraded.topErrorCodes(since: 0, limit: 10).map(\.count) == [1])
    }

    /// Every filter reads through an index, and a page is the entries' numbers first (from the index alone where it
    /// covers the filters), then those entries: no search walks the table.
    @Test func eachSearchGoesThroughAnIndex() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let journal = try SQLiteJournal(path: dir.file("journal.sqlite"))
        let queries: [(JournalQuery, String)] = [
            (JournalQuery(documentId: "x"), "documents_document_id"), (JournalQuery(fileName: "x"), "documents_file_name"),
            (JournalQuery(inn: "7701234567"), "SEARCH p USING PRIMARY KEY (inn=?)"), (JournalQuery(kind: "x"), "documents_kind"),
            (JournalQuery(outcome: .rejected), "documents_outcome"), (JournalQuery(unfinished: true), "documents_unfinished"),
            (JournalQuery(route: "x"), "documents_route"), (JournalQuery(from: 1, to: 2), "COVERING INDEX documents_received"),
            (JournalQuery(outcome: .rejected, from: 1), "COVERING INDEX documents_received"),
            (JournalQuery(route: "x", from: 1, before: 10), "COVERING INDEX documents_received"),
            (JournalQuery(before: 10), "INTEGER PRIMARY KEY"),
        ]
        for (query, index) in queries {
            let (sql, arguments) = SQLiteJournal.searchSQL(query)
            let plan = try journal.plan(of: sql, arguments: arguments)
            #expect(plan.contains { $0.contains(index) }, "\(query): \(plan)")
            // A time range is read in the index's order, one page of it: the page's numbers are never the whole
            // range sorted (the page itself, 50 entries, is sorted at the top).
            if index.contains("documents_received") {
                let steps = try journal.planSteps(of: sql, arguments: arguments)
                let page = try #require(steps.first { $0.detail.hasPrefix("LIST SUBQUERY") }?.id)
                #expect(!steps.contains { $0.parent == page && $0.detail.contains("TEMP B-TREE") }, "\(query): \(steps)")
            }
            // The unfinished entries' partial index holds those alone: reading it whole is reading them.
            #expect(!plan.contains { $0.hasPrefix("SCAN") && !$0.contains("INDEX documents_unfinished") }, "\(query): \(plan)")
        }
        let hours = try journal.plan(of: SQLiteJournal.hourlySQL, arguments: ["since": 0, "until": 1])
        #expect(hours.contains { $0.contains("COVERING INDEX documents_finished_outcome") }, "\(hours)")
        #expect(!hours.contains { $0.hasPrefix("SCAN") && !$0.contains("INDEX documents_unfinished") }, "\(hours)")
        let codes = try journal.plan(of: SQLiteJournal.topCodesSQL, arguments: ["since": 0, "limit": 1])
        #expect(codes.contains { $0.contains("documents_finished_outcome") } && !codes.contains { $0.hasPrefix("SCAN") }, "\(codes)")
    }
}
