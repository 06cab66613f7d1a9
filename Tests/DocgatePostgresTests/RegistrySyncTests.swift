@testable import DocgateGateway
import DocgateDocuments
@testable import DocgatePostgres
import DocgateTestSupport
import PostgresNIO
import Testing

/// Another instance's registry entries reach this one's rules (issue 18), on PostgreSQL where a sequence number is
/// taken at insert but seen at commit: an entry committed late, below one already seen, is still taken — once.
@Suite struct RegistrySyncTests {
    @Test func anEntryCommittedLateBelowOneSeenIsStillTakenOnce() throws {
        let server = try PostgresServer.shared()
        let location = try PostgresLocation.parse(server.url(try server.createDatabase())).get()
        let journal = try PostgresJournal(location: location, password: server.password)
        let sync = RegistrySync(journal: journal, owner: "a@h", registry: DocumentContext(), loaded: [])
        try journal.registryAdd([(id: "mine", kind: "socialOrder", json: Array("{}".utf8))], owner: "a@h")
        try journal.registryAdd([(id: "x1", kind: "socialOrder", json: Array("{}".utf8))], owner: "b@h")
        #expect(try sync.pull() == 1)   // x1; never its own entry
        // b's next entry takes its number in a transaction still open while c's next one commits.
        try journal.connections.with { session in
            try session.query("BEGIN")
            try session.query("INSERT INTO registry (document_id, kind, body, added_at, ends_at, owner) VALUES ('late', 'socialOrder', '\\x7b7d'::bytea, 0, 0, 'b@h')")
            try journal.registryAdd([(id: "x2", kind: "socialOrder", json: Array("{}".utf8))], owner: "c@h")
            #expect(try sync.pull() == 1)   // x2, above the one not committed yet
            try session.query("COMMIT")
        }
        #expect(try sync.pull() == 1)   // late, below x2
        #expect(try sync.pull() == 0)   // nothing twice
    }
}
