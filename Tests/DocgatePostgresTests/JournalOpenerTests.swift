@testable import DocgateGateway
import DocgatePostgres
import DocgateTestSupport
import Foundation
import Testing

/// The journal's password: from a file of the owner's alone or from the environment, never guessed.
@Suite struct JournalOpenerTests {
    static func location(_ extra: (inout PostgresLocation) -> Void) throws -> PostgresLocation {
        var l = try PostgresLocation.parse("postgresql://dg@127.0.0.1/j").get()
        extra(&l)
        return l
    }

    @Test func thePasswordComesFromAPrivateFileOrTheEnvironment() throws {
        let dir = try TemporaryDirectory("pg-password")
        defer { dir.remove() }
        let file = try dir.write("pw", "s3cret\nignored\n")
        chmod(file, 0o600)
        #expect(try JournalOpener.password(try Self.location { $0.passwordFile = file }) == "s3cret")
        #expect(try JournalOpener.password(try Self.location { $0.passwordEnv = "DG_PW" }, environment: ["DG_PW": "x"]) == "x")
        #expect(try JournalOpener.password(try Self.location { _ in }) == nil)
        // Refused: a file others can read, an empty first line, a missing file, an unset variable.
        chmod(file, 0o644)
        #expect(throws: JournalError.self) { try JournalOpener.password(try Self.location { $0.passwordFile = file }) }
        let empty = try dir.write("empty", "\nsecond\n")
        chmod(empty, 0o600)
        #expect(throws: JournalError.self) { try JournalOpener.password(try Self.location { $0.passwordFile = empty }) }
        #expect(throws: JournalError.self) { try JournalOpener.password(try Self.location { $0.passwordFile = dir.file("none") }) }
        #expect(throws: JournalError.self) { try JournalOpener.password(try Self.location { $0.passwordEnv = "DG_PW" }, environment: [:]) }
    }

    /// A server that is not there: DG5023 within the connection deadline, not a hang.
    @Test func anUnreachableServerIsAJournalErrorNotAHang() throws {
        let port = try SilentListener.closedPort()
        let location = try PostgresLocation.parse("postgresql://dg@127.0.0.1:\(port)/j").get()
        let error = #expect(throws: JournalError.self) { try PostgresJournal(location: location, password: "x") }
        #expect(error?.code == "DG5023")
        #expect(error?.message.en.contains("PostgreSQL") == true, "\(String(describing: error))")
    }

    /// A wrong password is refused by the server: the journal says so.
    @Test func aWrongPasswordIsRefused() throws {
        let server = try PostgresServer.shared()
        let location = try PostgresLocation.parse(server.url()).get()
        let error = #expect(throws: JournalError.self) { try PostgresJournal(location: location, password: "wrong") }
        #expect(error?.message.en.contains("28P01") == true, "\(String(describing: error))")
        _ = try PostgresJournal(location: location, password: server.password)
    }

    /// Through the Unix socket, as on a machine that runs the server itself.
    @Test func theJournalIsReachedThroughTheUnixSocket() throws {
        let server = try PostgresServer.shared()
        let database = try server.createDatabase()
        let journal = try PostgresJournal(location: try PostgresLocation.parse(server.url(database, socket: true)).get(), password: server.password)
        #expect(try journal.claim([ClaimRequest(route: "r", fileName: "a.xml", sha256: "aa", size: 1)], owner: "o", lease: 10, now: 1).count == 1)
        #expect(try journal.stats().inFlight == 1)
    }

    /// A role that may only read and write the journal's tables (no CREATE) starts on a journal made before, as the
    /// operator's manual says.
    @Test func aRoleWithoutCreateStartsOnAnExistingJournal() throws {
        let server = try PostgresServer.shared()
        let database = try server.createDatabase()
        _ = try PostgresJournal(location: try PostgresLocation.parse(server.url(database)).get(), password: server.password)
        let role = "dml_" + database
        try server.psql("CREATE ROLE \(role) LOGIN PASSWORD 'dml-secret'")
        try server.psql("""
            REVOKE CREATE ON SCHEMA public FROM PUBLIC; GRANT USAGE ON SCHEMA public TO \(role);
            GRANT SELECT, INSERT, UPDATE, DELETE ON documents, events, document_parties, entry_codes, registry, registry_keys,
                docgate_migrations TO \(role);
            GRANT USAGE ON SEQUENCE documents_id_seq, events_id_seq, registry_seq_seq TO \(role)
            """, database: database)
        var location = try PostgresLocation.parse(server.url(database)).get()
        location.user = role
        let journal = try PostgresJournal(location: location, password: "dml-secret")
        #expect(try journal.claim([ClaimRequest(route: "r", fileName: "a.xml", sha256: "aa", size: 1)], owner: "o", lease: 10, now: 1).count == 1)
    }
}
