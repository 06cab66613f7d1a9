@testable import DocgateGateway
@testable import DocgatePostgres
import DocgateTestSupport
import Foundation
import Testing

/// The plans PostgreSQL makes for the console's searches on a journal with statistics (ANALYZE of 200 000 entries
/// over ten days): a range of time received is read through its index, not by walking every newer entry.
@Suite(.serialized) struct SearchPlanTests {
    @Test func aTimeRangeIsReadThroughItsIndex() throws {
        let server = try PostgresServer.shared()
        let database = try server.createDatabase()
        let journal = try PostgresJournal(location: try PostgresLocation.parse(server.url(database)).get(), password: server.password)
        try server.psql("""
            INSERT INTO documents (route, file_name, sha256, size, document_id, kind, stage, outcome, owner, lease_until, attempt,
                                   received_at, updated_at, finished_at)
            SELECT 'r', 'f' || x, 'h', 1, 'id-' || x, 'agreement', 'done', CASE WHEN x % 20 = 0 THEN 'rejected' ELSE 'delivered' END,
                   'o', 0, 1, x * 4.32, x * 4.32, x * 4.32 + 1 FROM generate_series(1, 200000) x;
            ANALYZE documents
            """, database: database)
        // An hour two days after the first entry, and a day with an outcome.
        for query in [JournalQuery(from: 172_800, to: 176_400), JournalQuery(outcome: .rejected, from: 172_800, to: 259_200),
                      JournalQuery(from: 0, to: 900_000), JournalQuery(from: 0, to: 900_000, before: 100_000)] {
            let plan = try journal.searchPlan(query, keyTime: query.before.map { Double($0) * 4.32 })
            #expect(plan.contains { $0.contains("documents_received") }, "\(query): \(plan.joined(separator: "\n"))")
            // (The key's own time is looked up by the primary key: that is one entry, under another name than d.)
            #expect(!plan.contains { $0.contains("Backward using documents_pkey on documents d ") }, "\(query): \(plan.joined(separator: "\n"))")
            // In the index's order, newest received first: one page of it, not the whole range sorted.
            #expect(plan.contains { $0.contains("Scan Backward using documents_received") }, "\(query): \(plan.joined(separator: "\n"))")
            #expect(try journal.search(query).allSatisfy { $0.receivedAt >= query.from! && $0.receivedAt < query.to! })
        }
        // A deep page of a range with both ends has one upper end, the page's key: the index is entered there.
        let deep = PostgresJournal.searchQuery(JournalQuery(from: 0, to: 900_000, before: 100_000), keyTime: 432_000).sql
        #expect(!deep.contains("d.received_at <") && deep.components(separatedBy: "(d.received_at, d.id) <").count == 2, "\(deep)")
    }
}
