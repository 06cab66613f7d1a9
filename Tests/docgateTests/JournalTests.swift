@testable import DocgateGateway
import DocgateTestSupport
import Testing

/// The SQLite journal on its own: the identity lookup every document makes.
@Suite struct JournalTests {
    /// Claims `names` on `route` and records each as delivered with the given root id.
    static func deliver(_ journal: SQLiteJournal, route: String, _ docs: [(name: String, id: String, sha: String)]) throws {
        let claimed = try journal.claim(docs.map { ClaimRequest(route: route, fileName: $0.name, sha256: $0.sha, size: 1) },
                                        owner: "test", lease: 60, now: 1)
        let transitions = zip(claimed, docs).map { entry, doc in
            var t = Transition(entry, to: .staged)
            t.outcome = .delivered
            t.documentId = doc.id
            return t
        }
        #expect(try journal.apply(transitions, owner: "test", lease: 60, now: 2) == Array(repeating: true, count: docs.count))
    }

    @Test func identityLookupFindsDeliveredHashesPerRouteAndId() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let journal = try SQLiteJournal(path: dir.file("journal.sqlite"))
        try Self.deliver(journal, route: "a", [("1.xml", "id-1", "aa"), ("2.xml", "id-2", "bb"), ("3.xml", "id-1", "cc")])
        try Self.deliver(journal, route: "b", [("1.xml", "id-1", "dd")])
        // A rejected document with the same id is not an earlier delivery.
        let rejected = try journal.claim([ClaimRequest(route: "a", fileName: "4.xml", sha256: "ee", size: 1)], owner: "test", lease: 60, now: 3)
        var t = Transition(rejected[0], to: .staged)
        t.outcome = .rejected
        t.documentId = "id-1"
        _ = try journal.apply([t], owner: "test", lease: 60, now: 4)
        let a = try journal.deliveredHashes(route: "a", documentIds: ["id-1", "id-2", "id-3"])
        #expect(a.mapValues { $0.sorted() } == ["id-1": ["aa", "cc"], "id-2": ["bb"]])
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
}
