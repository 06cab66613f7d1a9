@testable import DocgateGateway
import Dispatch
import Synchronization
import DocgateTestSupport
import Foundation
import Testing

/// The journal on its own, SQLite and PostgreSQL alike: claims, steps, takeovers, the identity lookup every
/// document makes.
@Suite struct JournalTests {
    /// Claims `names` on `route` and records each as delivered with the given root id.
    @discardableResult
    static func deliver(_ journal: any Journal, route: String, _ docs: [(name: String, id: String, sha: String)]) throws -> [Bool] {
        let claimed = try journal.claim(docs.map { ClaimRequest(route: route, fileName: $0.name, sha256: $0.sha, size: 1) },
                                        owner: "test", lease: 60, now: 1)
        let transitions = zip(claimed, docs).map { entry, doc in
            var t = Transition(entry, to: .staged)
            t.outcome = .delivered
            t.documentId = doc.id
            return t
        }
        return try journal.apply(transitions, owner: "test", lease: 60, now: 2)
    }

    @Test(arguments: JournalKind.allCases) func identityLookupFindsDeliveredHashesPerRouteAndId(_ kind: JournalKind) throws {
        let (journal, place) = try kind.make()
        defer { place.cleanup() }
        // The same id again with other bytes, in the same batch: not a second delivery (it is decided again).
        #expect(try Self.deliver(journal, route: "a", [("1.xml", "id-1", "aa"), ("2.xml", "id-2", "bb"), ("3.xml", "id-1", "cc")]) == [true, true, false])
        #expect(try Self.deliver(journal, route: "b", [("1.xml", "id-1", "dd")]) == [true])
        // A rejected document with the same id is not an earlier delivery.
        let rejected = try journal.claim([ClaimRequest(route: "a", fileName: "4.xml", sha256: "ee", size: 1)], owner: "test", lease: 60, now: 3)
        var t = Transition(rejected[0], to: .staged)
        t.outcome = .rejected
        t.documentId = "id-1"
        _ = try journal.apply([t], owner: "test", lease: 60, now: 4)
        let a = try journal.deliveredHashes(route: "a", documentIds: ["id-1", "id-2", "id-3"])
        #expect(a.mapValues { $0.sorted() } == ["id-1": ["aa"], "id-2": ["bb"]])
        #expect(try journal.deliveredHashes(route: "b", documentIds: ["id-1", "id-2"]) == ["id-1": ["dd"]])
        #expect(try journal.deliveredHashes(route: "c", documentIds: ["id-1"]).isEmpty)
    }

    /// Every document asks this; a plan that walks all delivered rows made the daemon slower with every document
    /// it had delivered (a third of its CPU after 3 000).
    @Test func identityLookupSearchesTheIdentityIndex() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let journal = try SQLiteJournal(path: dir.file("journal.sqlite"))
        let plan = try journal.plan(of: SQLiteJournal.deliveredHashesSQL)
        #expect(plan.contains { $0.contains("SEARCH") && $0.contains("documents_identity") }, "\(plan)")
        #expect(!plan.contains { $0.contains("documents_outcome") || $0.hasPrefix("SCAN") }, "\(plan)")
    }

    /// Takes an entry through every stage to `done`.
    static func finish(_ journal: any Journal, _ entry: JournalEntry, owner: String = "a") throws {
        var current = entry
        for stage in [Stage.staged, .delivered, .receipted, .done] {
            var t = Transition(current, to: stage)
            if stage == .staged { t.outcome = .delivered }
            #expect(try journal.apply([t], owner: owner, lease: 60, now: 2) == [true])
            current = try #require(try journal.entry(entry.id))
        }
    }

    /// Several instances on one inbox (issue 18): one that listed and read a file before another finished it must
    /// not claim that very file again once it is finished — it would be finished twice (a second receipt, a second
    /// copy in errors/). A new file of the same name (another inode, or changed since) is a new arrival.
    @Test(arguments: JournalKind.allCases) func aFinishedFileIsNotClaimedAgainButANewOneOfTheSameNameIs(_ kind: JournalKind) throws {
        let (journal, place) = try kind.make()
        defer { place.cleanup() }
        let read = FileIdentity(device: 1, inode: 42, size: 10, mtime: 1_000, ctime: 1_001)
        let request = ClaimRequest(route: "r", fileName: "a.xml", sha256: "aa", size: 10, identity: read)
        let first = try journal.claim([request], owner: "a", lease: 60, now: 1)
        #expect(first.count == 1)
        // While it is in flight, nobody else gets it.
        #expect(try journal.claim([request], owner: "b", lease: 60, now: 1).isEmpty)
        try Self.finish(journal, first[0])
        // Finished: the same file, as the slower instance read it, is not claimed again.
        #expect(try journal.claim([request], owner: "b", lease: 60, now: 3).isEmpty)
        // Another file under the same name is.
        var other = request
        other.identity = FileIdentity(device: 1, inode: 43, size: 10, mtime: 1_000, ctime: 1_001)
        #expect(try journal.claim([other], owner: "b", lease: 60, now: 3).count == 1)
        // So is the same inode written again (a new status-change time), and a file read without its identity.
        var rewritten = request
        rewritten.fileName = "b.xml"
        let b = try journal.claim([rewritten], owner: "a", lease: 60, now: 3)
        try Self.finish(journal, try #require(b.first))
        rewritten.identity = FileIdentity(device: 1, inode: 42, size: 10, mtime: 1_000, ctime: 2_002)
        #expect(try journal.claim([rewritten], owner: "b", lease: 60, now: 4).count == 1)
        var unknown = request
        unknown.fileName = "c.xml"
        unknown.identity = nil
        #expect(try journal.claim([unknown], owner: "b", lease: 60, now: 4).count == 1)
    }

    /// The check runs on every claim: it must search an index, not scan the finished entries.
    @Test func theFinishedFileCheckSearchesAnIndex() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let journal = try SQLiteJournal(path: dir.file("journal.sqlite"))
        let plan = try journal.plan(of: SQLiteJournal.claimSQL)
        #expect(!plan.contains { $0.hasPrefix("SCAN documents") || $0.contains("SCAN d") }, "\(plan)")
        #expect(plan.contains { $0.contains("documents_finished_file") }, "\(plan)")
    }

    /// Several instances starting at once on a new journal: each opens it, switches it to WAL and runs the
    /// migrations; none may fail to start (DG5023) because another applied a migration at the same time ("index
    /// already exists") or was switching the file to WAL ("database is locked", returned without waiting).
    @Test func instancesOpeningANewJournalAtOnceAllStart() throws {
        for round in 0..<150 {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let path = dir.file("journal.sqlite")
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 8) { _ in
                do { _ = try SQLiteJournal(path: path) } catch { failures.withLock { $0.append("\(error)") } }
            }
            #expect(failures.withLock { $0 }.isEmpty, "round \(round): \(failures.withLock { $0 })")
        }
    }

    /// The heartbeat of a working instance: its unfinished entries get a fresh lease; another owner's, or an entry
    /// taken over since (the owner changed), or a finished one, do not.
    @Test(arguments: JournalKind.allCases) func renewalExtendsOnlyTheOwnersUnfinishedLeases(_ kind: JournalKind) throws {
        let (journal, place) = try kind.make()
        defer { place.cleanup() }
        let mine = try journal.claim([ClaimRequest(route: "r", fileName: "a.xml", sha256: "aa", size: 1),
                                      ClaimRequest(route: "r", fileName: "b.xml", sha256: "bb", size: 1)], owner: "a", lease: 10, now: 100)
        let theirs = try journal.claim([ClaimRequest(route: "r", fileName: "c.xml", sha256: "cc", size: 1)], owner: "b", lease: 10, now: 100)
        try Self.finish(journal, mine[1], owner: "a")
        let finished = try #require(try journal.entry(mine[1].id)).leaseUntil
        #expect(try journal.renew(owner: "a", routes: ["r"], lease: 10, now: 105) == 1)
        #expect(try journal.entry(mine[0].id)?.leaseUntil == 115)
        #expect(try journal.entry(mine[1].id)?.leaseUntil == finished)
        #expect(try journal.entry(theirs[0].id)?.leaseUntil == 110)
        // Taken over by b once a's lease ran out: a's heartbeat no longer reaches it.
        _ = try journal.recover(owner: "b", routes: ["r"], lease: 10, now: 200)
        #expect(try journal.renew(owner: "a", routes: ["r"], lease: 10, now: 201) == 0)
        #expect(try journal.entry(mine[0].id)?.leaseUntil == 210)
    }

    /// Two instances on one route: one finishes a file while the other, which read the same file before it left
    /// the inbox, claims it. Whatever the interleaving the second must not get it — on PostgreSQL a claim whose
    /// statement began before the finishing commit would otherwise pass both the look at finished entries and
    /// (once the in-flight row became `done`) the unique slot.
    @Test(arguments: JournalKind.allCases) func aClaimRacingTheFinishOfTheSameFileNeverTakesIt(_ kind: JournalKind) throws {
        let (a, place) = try kind.make()
        defer { place.cleanup() }
        let b = try place.open()
        let taken = Mutex<[String]>([])
        for i in 0..<250 {
            let request = ClaimRequest(route: "r", fileName: "f\(i).xml", sha256: "h\(i)", size: 1,
                                       identity: FileIdentity(device: 1, inode: UInt64(i), size: 1, mtime: 1, ctime: 1))
            var entry = try #require(try a.claim([request], owner: "a", lease: 60, now: 1).first)
            for stage in [Stage.staged, .delivered, .receipted] {
                var t = Transition(entry, to: stage)
                if stage == .staged { t.outcome = .delivered }
                _ = try a.apply([t], owner: "a", lease: 60, now: 2)
                entry = try #require(try a.entry(entry.id))
            }
            let finished = Atomic<Bool>(false)
            let last = entry
            DispatchQueue.concurrentPerform(iterations: 2) { k in
                if k == 0 {
                    let done = try? a.apply([Transition(last, to: .done)], owner: "a", lease: 60, now: 3)
                    if done != [true] { taken.withLock { $0.append("finish of \(request.fileName) not applied") } }
                    finished.store(true, ordering: .releasing)
                } else {
                    var after = 0
                    while after < 2 {
                        if finished.load(ordering: .acquiring) { after += 1 }
                        if let got = try? b.claim([request], owner: "b", lease: 60, now: 3), !got.isEmpty {
                            taken.withLock { $0.append(request.fileName) }
                        }
                    }
                }
            }
        }
        #expect(taken.withLock { $0 }.isEmpty, "claimed again after being finished: \(taken.withLock { $0 })")
    }

    /// A takeover: an expired lease is taken with a new attempt, a live one is not; the former owner's late step is
    /// refused, the new owner's applies.
    @Test(arguments: JournalKind.allCases) func aTakeoverFencesTheFormerOwnerOut(_ kind: JournalKind) throws {
        let (journal, place) = try kind.make()
        defer { place.cleanup() }
        let other = try place.open()
        let old = try journal.claim([ClaimRequest(route: "r", fileName: "a.xml", sha256: "aa", size: 1)], owner: "a", lease: 10, now: 100)
        let live = try journal.claim([ClaimRequest(route: "r", fileName: "b.xml", sha256: "bb", size: 1)], owner: "c", lease: 100, now: 100)
        let taken = try other.recover(owner: "b", routes: ["r"], lease: 10, now: 120)
        #expect(taken.map(\.id) == [old[0].id])
        #expect(taken.first?.attempt == 2 && taken.first?.owner == "b")
        #expect(try journal.entry(live[0].id)?.owner == "c")
        #expect(try journal.apply([Transition(old[0], to: .staged)], owner: "a", lease: 10, now: 121) == [false])
        #expect(try other.apply([Transition(taken[0], to: .staged)], owner: "b", lease: 10, now: 121) == [true])
        #expect(try journal.stats().instances.map(\.owner) == ["b", "c"])
    }

    /// Instances claiming the same files at once, each through its own handle (its own connections): each file is
    /// claimed once.
    @Test(arguments: JournalKind.allCases) func concurrentClaimsTakeEachFileOnce(_ kind: JournalKind) throws {
        let place = try kind.place()
        defer { place.cleanup() }
        let handles = try (0..<4).map { _ in try place.open() }
        let requests = (0..<200).map { ClaimRequest(route: "r", fileName: "f\($0).xml", sha256: "h\($0)", size: 1) }
        let claimed = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: handles.count) { k in
            for chunk in stride(from: 0, to: requests.count, by: 20) {
                let batch = Array(requests[chunk..<(chunk + 20)].shuffled())
                if let got = try? handles[k].claim(batch, owner: "i\(k)", lease: 60, now: 1) {
                    claimed.withLock { $0.append(contentsOf: got.map(\.fileName)) }
                }
            }
        }
        let names = claimed.withLock { $0 }
        #expect(names.count == requests.count && Set(names).count == requests.count)
        #expect(try handles[0].stats().inFlight == requests.count)
    }

    /// An instance takes over only the routes it serves: an expired claim of another route stays for an instance
    /// that serves it (taken, it would be renewed by a heartbeat that never works on it).
    @Test(arguments: JournalKind.allCases) func aTakeoverKeepsToTheRoutesTheInstanceServes(_ kind: JournalKind) throws {
        let (journal, place) = try kind.make()
        defer { place.cleanup() }
        let mine = try journal.claim([ClaimRequest(route: "r", fileName: "a.xml", sha256: "aa", size: 1)], owner: "dead", lease: 10, now: 100)
        let theirs = try journal.claim([ClaimRequest(route: "other", fileName: "b.xml", sha256: "bb", size: 1)], owner: "dead", lease: 10, now: 100)
        let taken = try journal.recover(owner: "me", routes: ["r"], lease: 10, now: 200)
        #expect(taken.map(\.id) == [mine[0].id])
        #expect(try journal.entry(theirs[0].id)?.owner == "dead")
        #expect(try journal.recover(owner: "them", routes: ["other", "x"], lease: 10, now: 200).map(\.id) == [theirs[0].id])
        // Nor are they renewed: an instance restarted without a route does not keep that route's old claims alive.
        let left = try journal.claim([ClaimRequest(route: "gone", fileName: "c.xml", sha256: "cc", size: 1)], owner: "me", lease: 10, now: 200)
        #expect(try journal.renew(owner: "me", routes: ["r"], lease: 10, now: 205) == 1)
        #expect(try journal.entry(left[0].id)?.leaseUntil == 210)
    }

    /// What a claim records comes back as it went in: a name that is not UTF-8, the file's identity (a device and
    /// inode past Int64's range included), a step's fields.
    @Test(arguments: JournalKind.allCases) func anEntryKeepsWhatItWasGiven(_ kind: JournalKind) throws {
        let (journal, place) = try kind.make()
        defer { place.cleanup() }
        let identity = FileIdentity(device: UInt64.max - 1, inode: 1 << 63 + 5, size: 7, mtime: 1_764_000_000_123_456_789, ctime: nil)
        let request = ClaimRequest(route: "r", fileName: "%CF%F0.xml", sha256: "ab", size: 7, identity: identity, nameBytes: [0xCF, 0xF0, 0x2E, 0x78])
        let entry = try #require(try journal.claim([request], owner: "o", lease: 5, now: 10.25).first)
        #expect(entry.nameBytes == [0xCF, 0xF0, 0x2E, 0x78] && entry.identity == identity && entry.identity?.ctime == nil)
        #expect(entry.leaseUntil == 15.25 && entry.receivedAt == 10.25 && entry.attempt == 1 && entry.stage == .claimed)
        var t = Transition(entry, to: .staged)
        (t.outcome, t.documentId, t.kind, t.outputName, t.errors) = (.rejected, "id-1", "agreement", "out.xml", "[{\"code\":\"DG2001\"}]")
        #expect(try journal.apply([t], owner: "o", lease: 5, now: 11) == [true])
        let back = try #require(try journal.entry(entry.id))
        #expect(back.outcome == .rejected && back.documentId == "id-1" && back.kind == "agreement" && back.outputName == "out.xml")
        #expect(back.errors == "[{\"code\":\"DG2001\"}]" && back.receiptName == nil && back.finishedAt == nil && back.leaseUntil == 16)
        // A step that does not hold (another attempt) changes nothing, and says so.
        var stale = Transition(entry, to: .staged)
        stale.attempt = 2
        #expect(try journal.apply([stale], owner: "o", lease: 5, now: 12) == [false])
    }

    /// Two copies of one document under two names, taken by two instances at once: each decides "delivered" before
    /// the other's delivery is in the journal. The journal takes only the first: the second step is refused, and
    /// the document is decided again (a duplicate).
    @Test(arguments: JournalKind.allCases) func aDocumentIsDeliveredOnceWhicheverInstancesTookItsCopies(_ kind: JournalKind) throws {
        let (a, place) = try kind.make()
        defer { place.cleanup() }
        let b = try place.open()
        let count = 150
        let results = Mutex<[[Bool]]>([])
        let ready = Atomic<Int>(0)
        // Two threads of their own (concurrentPerform may run both on one thread, and the barrier below would wait
        // forever).
        let workers = (0..<2).map { k in Thread {
            let journal = k == 0 ? a : b
            let requests = (0..<count).map { ClaimRequest(route: "r", fileName: "\(k)-\($0).xml", sha256: "h\($0)", size: 1) }
            let entries = (try? journal.claim(requests, owner: "i\(k)", lease: 60, now: 1)) ?? []
            // Both have claimed their copies; then batches of deliveries, as the pipeline commits them, both at once.
            ready.add(1, ordering: .relaxed)
            while ready.load(ordering: .relaxed) < 2 {}
            for chunk in stride(from: 0, to: entries.count, by: 25) {
                let steps = entries[chunk..<min(entries.count, chunk + 25)].map { entry in
                    var t = Transition(entry, to: .staged)
                    t.outcome = .delivered
                    t.documentId = "doc-" + entry.fileName.dropFirst(2).dropLast(4)
                    return t
                }
                if let applied = try? journal.apply(steps, owner: "i\(k)", lease: 60, now: 2) { results.withLock { $0 += applied.map { [$0] } } }
            }
        } }
        workers.forEach { $0.start() }
        while !workers.allSatisfy(\.isFinished) { usleep(1_000) }
        let applied = results.withLock { $0 }
        #expect(applied.count == 2 * count)
        #expect(applied.filter { $0 == [true] }.count == count, "\(applied.filter { $0 == [true] }.count) deliveries of \(count) documents")
        for i in [0, count / 2, count - 1] {
            #expect(try a.deliveredHashes(route: "r", documentIds: ["doc-\(i)"])["doc-\(i)"]?.count == 1)
        }
        // The refused copy is decided again: a duplicate is taken.
        let second = try #require(try a.claim([ClaimRequest(route: "r", fileName: "late.xml", sha256: "h0", size: 1)], owner: "i0", lease: 60, now: 3).first)
        var again = Transition(second, to: .staged)
        again.documentId = "doc-0"
        again.outcome = .delivered
        #expect(try a.apply([again], owner: "i0", lease: 60, now: 4) == [false])
        again.outcome = .duplicate
        #expect(try a.apply([again], owner: "i0", lease: 60, now: 4) == [true])
    }
}
