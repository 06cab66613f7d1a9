import DocgateDocuments
@testable import DocgateGateway
import DocgateTestSupport
import Foundation
import Testing

/// The registry of the rules across documents is read on demand (issue 18): the journal finds its entries by the
/// keys the rules look up, keeps to what a prune would keep, and lets a pruned entry's keys go with it.
@Suite struct RegistryOnDemandTests {
    typealias R = RetentionTests

    @Test(arguments: JournalKind.allCases) func entriesAreFoundByTheKeysTheRulesLookUp(_ kind: JournalKind) throws {
        let (opened, place) = try kind.make()
        defer { place.cleanup() }
        let journal = try #require(opened as? any TimedRegistry)
        let order = try R.sample("SOCORDER_ACKFIN24_ACKPLAN24_20241220")
        let agreement = try R.sample("AGREEMENT_ACKFIN24_ACKPLAN24_20250120")
        guard case .agreement(let a) = agreement.model, let orderRef = a.socialOrderRef?.id else {
            Issue.record("the agreement sample names no order")
            return
        }
        try R.add(journal, [R.version(order, id: "o-1"), R.version(agreement, id: "a-1")], at: R.t(2025, 1, 1))
        try R.add(journal, [R.version(order, id: "o-2", 2, previous: "o-1")], at: R.t(2025, 6, 1))
        func find(_ keys: [String], _ cutoff: Double) throws -> [String] { try R.ids(journal.registryFind(keys: keys, cutoff: cutoff).map(\.json)) }
        let before = R.t(2025, 5, 1), after = R.t(2026, 1, 1)
        #expect(try find([ContextIndex.id.key("o-1")], before) == ["o-1"])
        #expect(try find([ContextIndex.previous.key("o-1")], before) == ["o-2"])
        #expect(try find([ContextIndex.agreementsByOrder.key(orderRef)], before) == ["a-1"])
        #expect(try find([ContextIndex.id.key("o-1"), ContextIndex.id.key("a-1"), ContextIndex.id.key("none")], before) == ["a-1", "o-1"])
        #expect(try find([ContextIndex.id.key("none")], before).isEmpty)
        // Superseded once o-2 is older than the cutoff: not found, as a prune would delete it.
        #expect(try find([ContextIndex.id.key("o-1")], after).isEmpty)
        #expect(try find([ContextIndex.id.key("o-2")], after) == ["o-2"])
        #expect(try journal.registryHighestSeq() == 3)
        // A prune takes the entry's keys with it.
        _ = try Retention(journal: journal, days: 400).run(before: after)
        let keys = try place.sql("SELECT count(*) FROM registry_keys WHERE key = '\(ContextIndex.id.key("o-1"))'")
        #expect(keys.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "\(keys)")
        #expect(try find([ContextIndex.previous.key("o-1")], before) == ["o-2"])
    }

    /// A journal made before the keys existed gets them from its entries' JSON when it is opened.
    @Test(arguments: JournalKind.allCases) func entriesMadeBeforeTheKeysGetThemAtTheUpgrade(_ kind: JournalKind) throws {
        let (opened, place) = try kind.make()
        defer { place.cleanup() }
        let journal = try #require(opened as? any TimedRegistry)
        try R.add(journal, [R.version(try R.sample("SOCORDER_ACKFIN24_ACKPLAN24_20241220"), id: "o-1")], at: R.t(2025, 1, 1))
        // Back to the schema before: no keys, the migration not recorded.
        let undo = kind == .sqlite ? "DROP TABLE registry_keys; DELETE FROM grdb_migrations WHERE identifier = 'v8-registry-keys'"
            : "DROP TABLE registry_keys; DELETE FROM docgate_migrations WHERE version = 'v3-registry-keys'"
        for statement in undo.split(separator: ";") { _ = try place.sql(String(statement)) }
        let upgraded = try place.open()
        #expect(try R.ids(upgraded.registryFind(keys: [ContextIndex.id.key("o-1")], cutoff: R.t(2025, 2, 1)).map(\.json)) == ["o-1"])
    }

    /// An entry the previous release writes after the upgrade's migration (an instance not yet restarted, in a
    /// rolling upgrade) has no keys: found again once filed (`registryFillKeys`, at each start and retention run),
    /// not lost to the rules for as long as the journal keeps it (review finding).
    @Test(arguments: JournalKind.allCases) func anEntryWrittenWithoutKeysIsStillFound(_ kind: JournalKind) throws {
        let (opened, place) = try kind.make()
        defer { place.cleanup() }
        let journal = try #require(opened as? any TimedRegistry)
        try R.add(journal, [R.version(try R.sample("SOCORDER_ACKFIN24_ACKPLAN24_20241220"), id: "o-1")], at: R.t(2025, 1, 1))
        // What the previous release's registryAdd leaves: the row, no registry_keys (it does not know the table).
        _ = try place.sql("DELETE FROM registry_keys")
        let cutoff = R.t(2025, 2, 1)
        #expect(try R.ids(journal.registryLiveEntries(cutoff: cutoff).map(\.json)) == ["o-1"])
        #expect(try journal.registryFind(keys: [ContextIndex.id.key("o-1")], cutoff: cutoff).isEmpty)
        // Filed (as a gateway's start or its retention run does): found, and filed once.
        #expect(try journal.registryFillKeys() == 1)
        #expect(try R.ids(journal.registryFind(keys: [ContextIndex.id.key("o-1")], cutoff: cutoff).map(\.json)) == ["o-1"])
        #expect(try journal.registryFillKeys() == 0)
    }
}
