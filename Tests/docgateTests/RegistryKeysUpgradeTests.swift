import DocgateDocuments
@testable import DocgateGateway
import DocgateTestSupport
import Foundation
import Testing

/// An entry the previous release writes after the upgrade's migration (an instance not yet restarted, in a rolling
/// upgrade) has no keys: found again once filed (`registryFillKeys`, at each start and retention run), not lost to
/// the rules for as long as the journal keeps it (review finding).
@Suite struct RegistryKeysUpgradeTests {
    typealias R = RetentionTests

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
