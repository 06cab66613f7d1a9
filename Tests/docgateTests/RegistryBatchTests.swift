import DocgateDocuments
@testable import DocgateGateway
import DocgateTestSupport
import Foundation
import Testing

/// The registry rows of a batch in one statement (PostgreSQL), as an outside review probed it.
@Suite struct RegistryBatchTests {
    typealias R = RetentionTests

    /// A header version above 2^31 - 1 (the schema allows any positive integer) is kept on both journals; on
    /// PostgreSQL the column was INTEGER and the statement refused, and with it the whole staged commit of its batch.
    @Test(arguments: JournalKind.allCases) func aLargeVersionIsKept(_ kind: JournalKind) throws {
        let (opened, place) = try kind.make()
        defer { place.cleanup() }
        let journal = try #require(opened as? any TimedRegistry)
        let order = try R.sample("SOCORDER_ACKFIN24_ACKPLAN24_20241220")
        try R.add(journal, [R.version(order, id: "ok-1"), R.version(order, id: "big-1", 2_147_483_648, previous: "ok-1")], at: R.t(2025, 1, 1))
        #expect(try journal.registryHighestSeq() == 2)
        let found = try R.ids(journal.registryFind(keys: [ContextIndex.id.key("big-1")], cutoff: R.t(2025, 2, 1)).map(\.json))
        #expect(found == ["big-1"])
    }

    /// Many entries in one statement, with key counts that differ (one whose JSON does not decode has none): each
    /// entry is found by its own id key.
    @Test func aLargeBatchMapsEachEntryToItsKeys() throws {
        let (opened, place) = try JournalKind.postgresql.make()
        defer { place.cleanup() }
        let journal = try #require(opened as? any TimedRegistry)
        let order = try R.sample("SOCORDER_ACKFIN24_ACKPLAN24_20241220")
        let agreement = try R.sample("AGREEMENT_ACKFIN24_ACKPLAN24_20250120")
        var rows: [(id: String, kind: String, json: [UInt8])] = []
        for i in 0..<150 {
            if i % 7 == 3 { rows.append((id: "junk-\(i)", kind: "x", json: Array("not json \(i)".utf8))); continue }
            let d = R.version(i % 2 == 0 ? order : agreement, id: "d-\(i)")
            rows.append((id: d.id, kind: d.kind.rawValue, json: [UInt8](try JSONEncoder().encode(d))))
        }
        try journal.registryAdd(rows, now: R.t(2025, 1, 1), owner: "")
        for i in 0..<150 where i % 7 != 3 {
            let found = try R.ids(journal.registryFind(keys: [ContextIndex.id.key("d-\(i)")], cutoff: R.t(2025, 2, 1)).map(\.json))
            #expect(found == ["d-\(i)"], "d-\(i): \(found)")
        }
        let bodies = try journal.registryAll()
        #expect(bodies.count == 150)
        #expect(bodies.contains(Array("not json 10".utf8)))
    }
}
