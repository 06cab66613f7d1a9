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
        let sync = RegistrySync(journal: journal, owner: "a@h", registry: DocumentContext(), from: 0)
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

    /// The look reads the entries after the mark; the instance's own entries move the mark too, so a look costs
    /// what was added since the last, not everything this instance ever delivered.
    @Test func ownEntriesMoveTheMark() throws {
        let server = try PostgresServer.shared()
        let location = try PostgresLocation.parse(server.url(try server.createDatabase())).get()
        let journal = try PostgresJournal(location: location, password: server.password)
        let sync = RegistrySync(journal: journal, owner: "a@h", registry: DocumentContext(), from: 0)
        let entries = (0..<3000).map { (id: "mine-\($0)", kind: "socialOrder", json: Array("{}".utf8)) }
        try journal.registryAdd(entries, owner: "a@h")
        #expect(try sync.pull() == 0)
        try journal.registryAdd([(id: "x", kind: "socialOrder", json: Array("{}".utf8))], owner: "b@h")
        #expect(try sync.pull() == 1)
        // What the next look reads: the window below the mark, not the 3 000 own entries.
        #expect(try journal.registrySeqs(after: sync.mark - RegistrySync.window, owner: "a@h").count <= Int(RegistrySync.window) + 1)
    }
}
