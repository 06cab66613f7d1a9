@testable import DocgateGateway
import DocgateDocuments
import DocgateTestSupport
import Foundation
import GRDB
import Testing

/// A delivery and its entry in the registry of the rules across documents are one commit: a failure between the
/// two (a crash, a full disk) must never leave a delivered document the registry does not know — the next start
/// would reject the reports on it (DG3100) for an order it delivered itself.
@Suite struct RegistryCommitTests {
    @Test func aDeliveryIsNeverStagedWithoutItsRegistryEntry() throws {
        let site = try GatewaySite(route: "context_rules = true")
        // The registry refuses every row for a while, as a journal would on a full disk.
        try site.journal.pool.write { db in
            try db.execute(sql: "CREATE TRIGGER refuse BEFORE INSERT ON registry BEGIN SELECT RAISE(ABORT, 'refused'); END")
        }
        try site.put("order-1.xml", try GatewaySite.order(1))
        site.settle(limit: 6)
        func delivered() throws -> Set<String> {
            Set(try site.entries().filter { $0.outcome == .delivered && $0.stage != .claimed }.compactMap(\.documentId))
        }
        func registered() throws -> Set<String> {
            let decoder = JSONDecoder()
            return Set(try site.journal.registryAll().compactMap { try? decoder.decode(ContextDocument.self, from: Data($0)).id })
        }
        let (before, known) = (try delivered(), try registered())
        #expect(before.isSubset(of: known), "delivered \(before), registered \(known)")
        #expect(site.files(site.outbox).isEmpty)
        // Once the journal takes rows again, the document goes through, and the registry has it.
        try site.journal.pool.write { db in try db.execute(sql: "DROP TRIGGER refuse") }
        site.settle()
        #expect(site.files(site.outbox).count == 1)
        #expect(try delivered().count == 1)
        #expect(try delivered() == registered())
    }
}
