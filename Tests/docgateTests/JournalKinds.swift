@testable import DocgateGateway
import DocgatePostgres
import DocgateTestSupport
import Testing

/// The journals a test runs against: the SQLite file and PostgreSQL (a database of its own in the test run's
/// cluster).
enum JournalKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgresql

    var testDescription: String { rawValue }

    /// Where a new, empty journal of this kind lives: a file path or a URL, and how to open it again.
    struct Place: Sendable {
        var kind: JournalKind
        /// The `journal` value of a configuration (SQLite path or PostgreSQL URL).
        var value: String
        var password: String?
        var passwordFile: String?
        let cleanup: @Sendable () -> Void
        /// Runs SQL on the journal (sqlite3, or psql), as a test reaches into it; the rows as `a|b` lines.
        var sql: @Sendable (String) throws -> ProcessResult = { _ in throw PostgresServer.ServerError("no SQL for this journal") }

        /// Another handle on the same journal (another instance's).
        func open() throws -> any Journal {
            switch kind {
            case .sqlite: return try SQLiteJournal(path: value)
            case .postgresql: return try PostgresJournal(location: try PostgresLocation.parse(value).get(), password: password)
            }
        }

        /// The configuration lines that name it (`journal = …`, or the `[journal]` table for PostgreSQL: its
        /// lines come last in a file, after every top-level key and before the routes).
        var configTable: String {
            switch kind {
            case .sqlite: return ""
            case .postgresql: return "[journal]\nurl = \"\(value)\"\npassword_file = \"\(passwordFile ?? "")\"\n"
            }
        }
    }

    /// A new, empty journal's place.
    func place() throws -> Place {
        switch self {
        case .sqlite:
            let dir = try TemporaryDirectory()
            let path = dir.file("journal.sqlite")
            return Place(kind: self, value: path, password: nil, passwordFile: nil, cleanup: { dir.remove() },
                         sql: { try ProcessRunner.run(ProcessRunner.which("sqlite3") ?? "/usr/bin/sqlite3", [path, $0]) })
        case .postgresql:
            let server = try PostgresServer.shared()
            let database = try server.createDatabase()
            return Place(kind: self, value: server.url(database), password: server.password, passwordFile: server.passwordFile,
                         cleanup: { _ = try? server.psql("DROP DATABASE \(database) WITH (FORCE)") },
                         sql: { ProcessResult(status: 0, stdout: try server.psql($0, database: database), stderr: "", maxRSSKilobytes: 0, seconds: 0, timedOut: false) })
        }
    }

    /// A new, empty journal, and its place (to open it again and to remove it).
    func make() throws -> (any Journal, Place) {
        let place = try place()
        return (try place.open(), place)
    }
}
