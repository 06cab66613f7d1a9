import DocgateCore
@testable import DocgateGateway
@testable import DocgatePostgres
import DocgateTestSupport
import Foundation
import Synchronization
import Testing

/// The journal after the database restarted: the pooled connections of before are dead, and finding one dead must
/// not cost a call per connection (each a deadline's wait or a failure, while the gateway backs off and says it is
/// not ready).
@Suite(.serialized) struct RestartTests {
    @Test(.timeLimit(.minutes(3))) func afterARestartAtMostOneCallFails() throws {
        let server = try PostgresServer()
        defer { server.remove() }
        var location = try PostgresLocation.parse(server.url(try server.createDatabase())).get()
        location.poolSize = 4
        let journal = try PostgresJournal(location: location, password: server.password, timeout: 5)
        // Four connections open and idle in the pool.
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            _ = try? journal.read { try $0.query("SELECT pg_sleep(0.3)") }
        }
        try server.stop("immediate")
        try server.start()
        var failures = 0
        for _ in 0..<6 {
            if (try? journal.stats()) == nil { failures += 1 }
        }
        #expect(failures <= 1, "\(failures) calls failed after one restart")
        #expect(journal.isAvailable)
    }

    /// A statement past its deadline: the call fails (DG5023), its connection is closed and let go only once it is
    /// closed (postgres-nio asserts that), and the next call runs on a new connection — many times over.
    @Test(.timeLimit(.minutes(3))) func aStatementPastItsDeadlineClosesItsConnectionAndTheNextCallWorks() throws {
        let server = try PostgresServer.shared()
        let location = try PostgresLocation.parse(server.url(try server.createDatabase())).get()
        let journal = try PostgresJournal(location: location, password: server.password, timeout: 1)
        for _ in 0..<5 {
            let error = #expect(throws: JournalError.self) { try journal.read { try $0.query("SELECT pg_sleep(3)") } }
            #expect(error?.code == "DG5023")
            #expect(!journal.isAvailable)
            #expect(try journal.stats().total == 0)
            #expect(journal.isAvailable)
        }
    }

    /// An error of docgate's own inside a call — an answer it cannot decode, a check of its own that fails — is the
    /// call's failure (DG5023), not the server's absence: the journal stays available, so `/ready` and the pass go on.
    @Test(.timeLimit(.minutes(3))) func aLocalErrorDoesNotMarkTheServerUnreachable() throws {
        let server = try PostgresServer.shared()
        let location = try PostgresLocation.parse(server.url(try server.createDatabase())).get()
        let journal = try PostgresJournal(location: location, password: server.password, timeout: 5)
        let undecodable = #expect(throws: JournalError.self) {
            try journal.read { try $0.query("SELECT 'x'::text").first?.decode(Int64.self) }
        }
        #expect(undecodable?.code == "DG5023")
        #expect(journal.isAvailable)
        #expect(throws: JournalError.self) {
            try journal.write { _ in throw JournalError(code: "DG5023", message: LocalizedText(ru: "проверка", en: "a check")) }
        }
        #expect(journal.isAvailable)
    }

    /// The server crashing under statements in flight: each fails (DG5023) and its connection is let go only once
    /// closed; the journal answers again once the server is back.
    @Test(.timeLimit(.minutes(3))) func statementsInFlightWhenTheServerCrashesFailAndTheJournalComesBack() throws {
        let server = try PostgresServer()
        defer { server.remove() }
        var location = try PostgresLocation.parse(server.url(try server.createDatabase())).get()
        location.poolSize = 8
        let journal = try PostgresJournal(location: location, password: server.password, timeout: 10)
        for _ in 0..<3 {
            let started = DispatchSemaphore(value: 0), failures = Mutex(0)
            let group = DispatchGroup()
            for _ in 0..<8 {
                DispatchQueue.global().async(group: group) {
                    started.signal()
                    if (try? journal.read { try $0.query("SELECT pg_sleep(5)") }) == nil { failures.withLock { $0 += 1 } }
                }
            }
            for _ in 0..<8 { started.wait() }
            usleep(300_000)
            try server.stop("immediate")
            group.wait()
            #expect(failures.withLock { $0 } >= 1)
            try server.start()
            #expect(try journal.stats().total == 0)
        }
    }
}
