import DocgateDocuments
@testable import DocgateGateway
import DocgateTestSupport
import Foundation
import GRDB
import Testing

/// Retention on a real SQLite journal: what a prune deletes, what it keeps, and in what steps.
@Suite struct RetentionTests {
    static let day = 86_400.0

    /// Midnight UTC of a day, in seconds since the epoch.
    static func t(_ year: Int, _ month: Int, _ day: Int) -> Double {
        Double(CalendarDate(year: year, month: month, day: day).daysSinceEpoch) * Self.day
    }

    /// A valid sample as the registry keeps it.
    static func sample(_ prefix: String) throws -> ContextDocument {
        let file = try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix(prefix) })
        let validator = try DocumentValidator(schemaDirectory: TestPaths.schemas)
        return try #require(ContextDocument(report: try validator.validate(file: file), sha256: "00"))
    }

    static func version(_ d: ContextDocument, id: String, _ version: Int = 1, previous: String? = nil) -> ContextDocument {
        var d = d
        d.id = id
        d.header?.version = version
        d.header?.previousVersionId = previous
        return d
    }

    static func add(_ journal: any TimedRegistry, _ docs: [ContextDocument], at time: Double) throws {
        try journal.registryAdd(docs.map { (id: $0.id, kind: $0.kind.rawValue, json: [UInt8](try JSONEncoder().encode($0))) }, now: time, owner: "")
    }

    /// The ids in the registry.
    static func ids(_ bodies: [[UInt8]]) throws -> [String] {
        try bodies.map { try JSONDecoder().decode(ContextDocument.self, from: Data($0)).id }.sorted()
    }

    /// A finished entry: claimed, staged with `outcome` (unless nil: a closed claim) and done at `finished`.
    @discardableResult
    static func finish(_ journal: any Journal, _ name: String, _ outcome: Outcome?, id: String? = nil, at finished: Double) throws -> JournalEntry {
        var entry = try #require(try journal.claim([ClaimRequest(route: "r", fileName: name, sha256: name, size: 1)],
                                                    owner: "test", lease: 60, now: finished - 10).first)
        if let outcome {
            var t = Transition(entry, to: .staged)
            t.outcome = outcome
            t.documentId = id
            #expect(try journal.apply([t], owner: "test", lease: 60, now: finished - 5) == [true])
            entry = try #require(try journal.entry(entry.id))
        }
        #expect(try journal.apply([Transition(entry, to: .done)], owner: "test", lease: 60, now: finished) == [true])
        return entry
    }

    @Test(arguments: JournalKind.allCases) func finishedEntriesBeforeTheCutoffAreDeletedInBoundedSteps(_ kind: JournalKind) throws {
        let (opened, place) = try kind.make()
        defer { place.cleanup() }
        let journal = try #require(opened as? any TimedRegistry)
        let old = Self.t(2024, 1, 10), cutoff = Self.t(2025, 1, 1), recent = Self.t(2025, 6, 1)
        try Self.finish(journal, "1.xml", .delivered, id: "doc-1", at: old)
        try Self.finish(journal, "2.xml", .delivered, id: "doc-2", at: old)
        try Self.finish(journal, "3.xml", .rejected, at: old)
        try Self.finish(journal, "4.xml", .duplicate, id: "doc-1", at: old)
        try Self.finish(journal, "5.xml", nil, at: old)
        let kept = try Self.finish(journal, "6.xml", .delivered, id: "doc-6", at: recent)
        // Still on its way, however old: never deleted.
        let inFlight = try #require(try journal.claim([ClaimRequest(route: "r", fileName: "7.xml", sha256: "7", size: 1)],
                                                       owner: "test", lease: 60, now: old).first)
        // One step deletes no more than its limit.
        #expect(try journal.pruneEntries(before: cutoff, limit: 2).values.reduce(0, +) == 2)
        #expect(try journal.stats().total == 5)
        let result = try Retention(journal: journal, days: 400, chunk: 2).run(before: cutoff)
        #expect(result.entriesTotal == 3)
        #expect(try journal.stats().total == 2)
        #expect(try journal.entry(kept.id) != nil)
        #expect(try journal.entry(inFlight.id)?.stage == .claimed)
        // The documented consequence: a document delivered before the cutoff is no longer known to identity checks.
        #expect(try journal.deliveredHashes(route: "r", documentIds: ["doc-1", "doc-2", "doc-6"]) == ["doc-6": ["6.xml"]])
    }

    @Test(arguments: JournalKind.allCases) func aDryRunCountsByOutcomeWhatARunDeletes(_ kind: JournalKind) throws {
        let (opened, place) = try kind.make()
        defer { place.cleanup() }
        let journal = try #require(opened as? any TimedRegistry)
        let old = Self.t(2024, 1, 10)
        try Self.finish(journal, "1.xml", .delivered, id: "doc-1", at: old)
        try Self.finish(journal, "2.xml", .delivered, id: "doc-2", at: old)
        try Self.finish(journal, "3.xml", .conflict, id: "doc-1", at: old)
        try Self.finish(journal, "4.xml", nil, at: old)
        let order = try Self.sample("SOCORDER_ACKFIN24_ACKPLAN24_20241220")
        try Self.add(journal, [Self.version(order, id: "o-1"), Self.version(order, id: "o-2", 2, previous: "o-1")], at: old)
        let retention = Retention(journal: journal, days: 400, chunk: 1)
        let cutoff = Self.t(2029, 1, 1)
        let dry = try retention.run(before: cutoff, dryRun: true)
        #expect(dry.entries == ["delivered": 2, "conflict": 1, "closed": 1])
        #expect(dry.registrySuperseded == 1 && dry.registryExpired == 1)
        #expect(try journal.stats().total == 4 && journal.registryAll().count == 2)
        var real = try retention.run(before: cutoff)
        #expect(real.dryRun == false)
        real.dryRun = true
        real.freedPages = 0
        #expect(real == dry)
        #expect(try journal.stats().total == 0 && journal.registryAll().isEmpty)
    }

    /// A later version lets its predecessor go once it has itself been in the registry for longer than the
    /// retention; another kind naming the same id does not.
    @Test(arguments: JournalKind.allCases) func aSupersededVersionGoesOnceItsSuccessorIsOlderThanTheRetention(_ kind: JournalKind) throws {
        let (opened, place) = try kind.make()
        defer { place.cleanup() }
        let journal = try #require(opened as? any TimedRegistry)
        let order = try Self.sample("SOCORDER_ACKFIN24_ACKPLAN24_20241220")   // planned to 2027
        let agreement = try Self.sample("AGREEMENT_ACKFIN24_ACKPLAN24_20250120")
        try Self.add(journal, [Self.version(order, id: "o-1"), Self.version(agreement, id: "a-1", 5, previous: "o-1")], at: Self.t(2025, 1, 1))
        try Self.add(journal, [Self.version(order, id: "o-2", 2, previous: "o-1")], at: Self.t(2025, 6, 1))
        // Superseded since June 2025: not yet at a cutoff before that.
        #expect(try Self.ids(journal.registryLive(cutoff: Self.t(2025, 5, 1))) == ["a-1", "o-1", "o-2"])
        #expect(try Retention(journal: journal, days: 400).run(before: Self.t(2025, 5, 1)).registrySuperseded == 0)
        let cutoff = Self.t(2026, 1, 1)
        #expect(try Self.ids(journal.registryLive(cutoff: cutoff)) == ["a-1", "o-2"])
        // What the gateway loads at start.
        #expect(try Self.ids(journal.registryLive(now: cutoff + 400 * Self.day, retentionDays: 400).map(\.json)) == ["a-1", "o-2"])
        let result = try Retention(journal: journal, days: 400).run(before: cutoff)
        #expect(result.registrySuperseded == 1 && result.registryExpired == 0)
        #expect(try Self.ids(journal.registryAll()) == ["a-1", "o-2"])
    }

    /// An entry goes when its period ended, and it was delivered, longer than the retention ago.
    @Test(arguments: JournalKind.allCases) func anEntryExpiresWhenItsPeriodAndItsDeliveryAreOlderThanTheRetention(_ kind: JournalKind) throws {
        let (opened, place) = try kind.make()
        defer { place.cleanup() }
        let journal = try #require(opened as? any TimedRegistry)
        let order = try Self.sample("SOCORDER_ACKFIN24_ACKPLAN24_20241220")   // planned to 2027-12-31
        try Self.add(journal, [Self.version(order, id: "o-early")], at: Self.t(2025, 1, 1))
        try Self.add(journal, [Self.version(order, id: "o-late")], at: Self.t(2029, 1, 1))   // delivered long after its period
        #expect(try Self.ids(journal.registryLive(cutoff: Self.t(2027, 12, 31))) == ["o-early", "o-late"])
        #expect(try Self.ids(journal.registryLive(cutoff: Self.t(2028, 6, 1))) == ["o-late"])
        #expect(try Retention(journal: journal, days: 400).run(before: Self.t(2027, 12, 31)).registryExpired == 0)
        let result = try Retention(journal: journal, days: 400).run(before: Self.t(2028, 6, 1))
        #expect(result.registryExpired == 1)
        #expect(try Self.ids(journal.registryAll()) == ["o-late"])
    }

    /// A certificate's remaining volume is counted over all its contracts (DG3103): a contract whose term is over
    /// stays while its certificate, named by id or by number, stays.
    @Test(arguments: JournalKind.allCases) func aContractStaysWhileItsCertificateStays(_ kind: JournalKind) throws {
        let (opened, place) = try kind.make()
        defer { place.cleanup() }
        let journal = try #require(opened as? any TimedRegistry)
        var certificate = Self.version(try Self.sample("SOCCERT_ACKFIN24_GISSS24_20250203"), id: "cert-1")
        guard case .socialCertificate(var c) = certificate.model else { Issue.record("not a certificate"); return }
        c.validTo = CalendarDate(year: 2030, month: 12, day: 31)
        certificate.model = .socialCertificate(c)
        certificate.header?.number = "CERT-NO-1"
        let sample = try Self.sample("CONTRACT_ACKFIN24_RPGU24_20250207")   // term to 2025-12-31
        func contract(_ id: String, certificateId: String?, number: String) -> ContextDocument {
            var d = Self.version(sample, id: id)
            if case .contract(var k) = d.model {
                k.certificateId = certificateId
                k.certificateNumber = number
                d.model = .contract(k)
            }
            return d
        }
        try Self.add(journal, [certificate, contract("by-id", certificateId: "cert-1", number: "other"),
                               contract("by-number", certificateId: "gone", number: "CERT-NO-1"),
                               contract("unrelated", certificateId: "gone", number: "other")], at: Self.t(2025, 3, 1))
        let cutoff = Self.t(2027, 6, 1)
        #expect(try Self.ids(journal.registryLive(cutoff: cutoff)) == ["by-id", "by-number", "cert-1"])
        #expect(try Retention(journal: journal, days: 400).run(before: cutoff).registryExpired == 1)
        #expect(try Self.ids(journal.registryAll()) == ["by-id", "by-number", "cert-1"])
        // Once the certificate is over too, all go.
        #expect(try Retention(journal: journal, days: 400).run(before: Self.t(2032, 1, 1)).registryExpired == 3)
        #expect(try journal.registryAll().isEmpty)
    }

    /// The registry is looked at in windows of at most `limit` entries.
    @Test(arguments: JournalKind.allCases) func aRegistryStepLooksAtNoMoreThanItsLimit(_ kind: JournalKind) throws {
        let (opened, place) = try kind.make()
        defer { place.cleanup() }
        let journal = try #require(opened as? any TimedRegistry)
        let order = try Self.sample("SOCORDER_ACKFIN24_ACKPLAN24_20241220")
        try Self.add(journal, (1...5).map { Self.version(order, id: "o-\($0)") }, at: Self.t(2025, 1, 1))
        let cutoff = Self.t(2030, 1, 1)
        let first = try journal.pruneRegistry(before: cutoff, after: 0, limit: 2, dryRun: false)
        #expect(first.expired == 2 && first.next != nil)
        #expect(try journal.registryAll().count == 3)
        let rest = try Retention(journal: journal, days: 400, chunk: 2).run(before: cutoff)
        #expect(rest.registryExpired == 3)
        #expect(try journal.registryAll().isEmpty)
    }

    /// Each registry entry's verdict is a few index look-ups, and a window reads only its own rows: a scan inside
    /// the verdict would make a prune (and the start's load) quadratic in the registry's size.
    @Test func registryVerdictsSearchIndexes() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let journal = try SQLiteJournal(path: dir.file("journal.sqlite"))
        let arguments: StatementArguments = ["cutoff": 1.0, "after": 0, "limit": 10]
        let window = try journal.plan(of: SQLiteJournal.registryWindowSQL, arguments: arguments)
        #expect(window.first?.hasPrefix("SEARCH r USING INTEGER PRIMARY KEY") == true, "\(window)")
        #expect(!window.contains { $0.hasPrefix("SCAN") }, "\(window)")
        let live = try journal.plan(of: SQLiteJournal.registryLiveSQL, arguments: arguments)
        #expect(live.filter { $0.hasPrefix("SCAN") } == ["SCAN r"], "\(live)")
        let entries = try journal.plan(of: SQLiteJournal.pruneEntriesSQL, arguments: arguments)
        #expect(entries.contains { $0.contains("documents_finished") } && !entries.contains { $0.hasPrefix("SCAN") }, "\(entries)")
    }

    /// The gateway's loop: a run once per interval, a bounded amount of work per call, the rest at the next call.
    @Test(arguments: JournalKind.allCases) func runIfDueWorksInBoundedStepsOncePerInterval(_ kind: JournalKind) throws {
        let (opened, place) = try kind.make()
        defer { place.cleanup() }
        let journal = try #require(opened as? any TimedRegistry)
        for i in 1...5 { try Self.finish(journal, "\(i).xml", .rejected, at: Self.t(2024, 1, 1)) }
        // No time budget: one transaction per call.
        let retention = Retention(journal: journal, days: 400, interval: 3600, budget: 0, chunk: 2)
        let now = Self.t(2026, 1, 1)
        #expect(retention.runIfDue(now: now) == nil)
        #expect(try journal.stats().total == 3)
        var result: PruneResult?
        var calls = 1
        while result == nil && calls < 20 {
            result = retention.runIfDue(now: now + Double(calls))
            calls += 1
        }
        #expect(result?.entriesTotal == 5)
        #expect(result?.cutoff == Retention.cutoff(now: now, days: 400))
        #expect(calls > 3)
        #expect(try journal.stats().total == 0)
        // Not due again before the interval is over.
        try Self.finish(journal, "6.xml", .rejected, at: Self.t(2024, 1, 1))
        #expect(retention.runIfDue(now: now + 1800) == nil)
        #expect(try journal.stats().total == 1)
        result = nil
        calls = 0
        while result == nil && calls < 20 {
            result = retention.runIfDue(now: now + 3700)
            calls += 1
        }
        #expect(result?.entriesTotal == 1)
    }

    /// What each kind's period ends with, from the samples' own dates.
    @Test func theEndOfADocumentsPeriodComesFromWhatItHolds() throws {
        let expected: [(String, CalendarDate)] = [
            ("SOCORDER_ACKFIN24_ACKPLAN24_20241220", CalendarDate(year: 2027, month: 12, day: 31)),   // planYear2
            ("SOCORDER_ACKFIN24_ACKPLAN24_20241223", CalendarDate(year: 2028, month: 12, day: 31)),   // beyondTo
            ("AGREEMENT_ACKFIN24_ACKPLAN24_20250120", CalendarDate(year: 2027, month: 12, day: 31)),  // term
            ("CONTRACT_ACKFIN24_RPGU24_20250227", CalendarDate(year: 2025, month: 8, day: 31)),       // term
            ("SOCCERT_ACKFIN24_GISSS24_20250203", CalendarDate(year: 2025, month: 12, day: 31)),      // validity
            ("EXECREPORT_ACKFIN24_ACKPLAN24_20250714", CalendarDate(year: 2025, month: 12, day: 31)), // reporting year
        ]
        for (prefix, end) in expected {
            let d = try Self.sample(prefix)
            #expect(d.periodEnd == end, "\(prefix)")
            #expect(RegistryFacts(d).periodEnd == Self.t(end.year, end.month, end.day) + Self.day, "\(prefix)")
        }
        // A contract names its certificate by id and number, the certificate's header carries the number.
        let contract = RegistryFacts(try Self.sample("CONTRACT_ACKFIN24_RPGU24_20250207"))
        let certificate = RegistryFacts(try Self.sample("SOCCERT_ACKFIN24_GISSS24_20250203"))
        #expect(contract.certificateId == "ec34912b-0628-5437-b66f-3a301851a2e1")
        #expect(contract.certificateNumber != nil && contract.certificateNumber == certificate.number)
        let amended = RegistryFacts(try Self.sample("AGREEMENT_ACKFIN24_ACKPLAN24_20250305"))
        #expect(amended.previousId == "543d3d63-9b0c-5638-8ddd-6e9f98c9bb0a" && amended.version == 2)
    }

    /// A journal made before retention: the registry's new columns are filled from each document's JSON, and its
    /// entries count as delivered at the upgrade.
    @Test func theUpgradeFillsTheRegistrysRetentionColumns() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("journal.sqlite")
        let amended = try Self.sample("AGREEMENT_ACKFIN24_ACKPLAN24_20250305")
        do {
            let queue = try DatabaseQueue(path: path)
            try SQLiteJournal.migrator.migrate(queue, upTo: "v3-identity")
            try queue.write { db in
                try db.execute(sql: "INSERT INTO registry (document_id, kind, body) VALUES (?, ?, ?)",
                               arguments: [amended.id, amended.kind.rawValue, try JSONEncoder().encode(amended)])
                try db.execute(sql: "INSERT INTO registry (document_id, kind, body) VALUES ('junk', 'contract', x'7b')")
            }
        }
        let before = Date().timeIntervalSince1970
        let journal = try SQLiteJournal(path: path)
        let rows = try journal.pool.read { try Row.fetchAll($0, sql: "SELECT * FROM registry ORDER BY seq") }
        #expect(rows.count == 2)
        #expect(rows[0]["previous_id"] as String? == "543d3d63-9b0c-5638-8ddd-6e9f98c9bb0a")
        #expect(rows[0]["version"] as Int == 2)
        #expect(rows[0]["period_end"] as Double? == Self.t(2028, 1, 1))
        let added: Double = rows[0]["added_at"]
        #expect(added >= before - 1)
        #expect(rows[0]["ends_at"] as Double == max(Self.t(2028, 1, 1), added))
        // Not decodable: nothing known, kept for the retention from now.
        #expect(rows[1]["period_end"] as Double? == nil)
        #expect(rows[1]["ends_at"] as Double == rows[1]["added_at"] as Double)
        #expect(try journal.registryLive(cutoff: before - 400 * Self.day).count == 2)
    }

    /// New journals give pruned pages back to the file system.
    @Test func aNewJournalGivesPrunedPagesBack() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let journal = try SQLiteJournal(path: dir.file("journal.sqlite"))
        #expect(try journal.pool.read { try Int.fetchOne($0, sql: "PRAGMA auto_vacuum") } == 2)
        let findings = String(repeating: "x", count: 8_000)
        for i in 0..<300 {
            let entry = try #require(try journal.claim([ClaimRequest(route: "r", fileName: "\(i).xml", sha256: "h", size: 1)],
                                                        owner: "test", lease: 60, now: 1).first)
            var t = Transition(entry, to: .done)
            t.outcome = .rejected
            t.errors = findings
            _ = try journal.apply([t], owner: "test", lease: 60, now: 2)
        }
        let pages = { try journal.pool.read { try Int.fetchOne($0, sql: "PRAGMA page_count") ?? 0 } }
        let full = try pages()
        let result = try Retention(journal: journal, days: 400).run(before: 10)
        #expect(result.entriesTotal == 300)
        #expect(result.freedPages > 300)
        #expect(try pages() < full - 300)
        #expect(try journal.pool.read { try Int.fetchOne($0, sql: "PRAGMA freelist_count") } == 0)
    }

    /// Every commit is synced (the promise across power loss): GRDB's WAL set-up must not leave the writer at NORMAL.
    @Test func theWriterSyncsEveryCommit() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let journal = try SQLiteJournal(path: dir.file("journal.sqlite"))
        #expect(try journal.pool.write { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == 2)
    }
}
