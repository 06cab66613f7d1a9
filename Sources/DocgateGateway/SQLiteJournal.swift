import FoundationEssentials
import GRDB

/// The journal in one SQLite file (WAL, `synchronous = FULL`): zero set-up, survives SIGKILL and power loss.
public final class SQLiteJournal: Journal {
    let pool: DatabasePool
    public let path: String

    public init(path: String) throws {
        self.path = path
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        pool = try DatabasePool(path: path, configuration: config)
        try Self.migrator.migrate(pool)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE documents (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    route TEXT NOT NULL,
                    file_name TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    size INTEGER NOT NULL,
                    document_id TEXT,
                    kind TEXT,
                    stage TEXT NOT NULL,
                    outcome TEXT,
                    owner TEXT NOT NULL,
                    lease_until REAL NOT NULL,
                    attempt INTEGER NOT NULL DEFAULT 1,
                    output_name TEXT,
                    receipt_name TEXT,
                    archive_path TEXT,
                    errors TEXT,
                    received_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    finished_at REAL
                );
                -- One document in flight per inbox name: the claim is this unique key, not a file lock.
                CREATE UNIQUE INDEX documents_in_flight ON documents(route, file_name) WHERE stage <> 'done';
                CREATE INDEX documents_identity ON documents(route, document_id) WHERE outcome = 'delivered';
                CREATE INDEX documents_unfinished ON documents(stage, lease_until) WHERE stage <> 'done';
                CREATE INDEX documents_outcome ON documents(outcome, id);
                """)
        }
        m.registerMigration("v2-registry") { db in
            try db.execute(sql: """
                CREATE TABLE registry (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    document_id TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    body BLOB NOT NULL
                );
                CREATE INDEX registry_document ON registry(document_id);
                """)
        }
        m.registerMigration("v3-identity") { db in
            // The inbox file as read (inode, size, mtime), so that only that very file is archived; and the raw
            // bytes of a name that is not UTF-8.
            try db.execute(sql: """
                ALTER TABLE documents ADD COLUMN file_device INTEGER;
                ALTER TABLE documents ADD COLUMN file_inode INTEGER;
                ALTER TABLE documents ADD COLUMN file_mtime_ns INTEGER;
                ALTER TABLE documents ADD COLUMN name_bytes BLOB;
                """)
        }
        return m
    }

    private static let columns = """
        id, route, file_name, sha256, size, document_id, kind, stage, outcome, owner, lease_until, attempt,
        output_name, receipt_name, archive_path, errors, received_at, updated_at, finished_at,
        file_device, file_inode, file_mtime_ns, name_bytes
        """

    private static func entry(_ row: Row) -> JournalEntry {
        var e = JournalEntry(id: row["id"], route: row["route"], fileName: row["file_name"], sha256: row["sha256"], size: row["size"],
                     documentId: row["document_id"], kind: row["kind"], stage: Stage(rawValue: row["stage"]) ?? .claimed,
                     outcome: (row["outcome"] as String?).flatMap(Outcome.init(rawValue:)), owner: row["owner"],
                     leaseUntil: row["lease_until"], attempt: row["attempt"], outputName: row["output_name"],
                     receiptName: row["receipt_name"], archivePath: row["archive_path"], errors: row["errors"],
                     receivedAt: row["received_at"], updatedAt: row["updated_at"], finishedAt: row["finished_at"])
        if let device: Int64 = row["file_device"], let inode: Int64 = row["file_inode"], let mtime: Int64 = row["file_mtime_ns"] {
            e.identity = FileIdentity(device: UInt64(bitPattern: device), inode: UInt64(bitPattern: inode), size: e.size, mtime: mtime)
        }
        if let bytes: Data = row["name_bytes"] { e.nameBytes = [UInt8](bytes) }
        return e
    }

    public func claim(_ requests: [ClaimRequest], owner: String, lease: Double, now: Double) throws -> [JournalEntry] {
        guard !requests.isEmpty else { return [] }
        return try pool.write { db in
            var made: [JournalEntry] = []
            // A file already in flight conflicts with the partial unique index and returns no row.
            let insert = try db.cachedStatement(sql: """
                INSERT INTO documents (route, file_name, sha256, size, stage, owner, lease_until, attempt, received_at, updated_at,
                                       file_device, file_inode, file_mtime_ns, name_bytes)
                VALUES (?, ?, ?, ?, 'claimed', ?, ?, 1, ?, ?, ?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                RETURNING \(Self.columns)
                """)
            for r in requests {
                let arguments: StatementArguments = [r.route, r.fileName, r.sha256, r.size, owner, now + lease, now, now,
                                                     r.identity.map { Int64(bitPattern: $0.device) }, r.identity.map { Int64(bitPattern: $0.inode) },
                                                     r.identity?.mtime, r.nameBytes.map { Data($0) }]
                if let row = try Row.fetchOne(insert, arguments: arguments) {
                    made.append(Self.entry(row))
                }
            }
            return made
        }
    }

    public func apply(_ transitions: [Transition], owner: String, lease: Double, now: Double) throws -> [Bool] {
        guard !transitions.isEmpty else { return [] }
        return try pool.write { db in
            var applied: [Bool] = []
            for t in transitions {
                try db.cachedStatement(sql: """
                    UPDATE documents SET stage = ?, outcome = COALESCE(?, outcome), document_id = COALESCE(?, document_id),
                        kind = COALESCE(?, kind), output_name = COALESCE(?, output_name), receipt_name = COALESCE(?, receipt_name),
                        archive_path = COALESCE(?, archive_path), errors = COALESCE(?, errors), lease_until = ?, updated_at = ?,
                        finished_at = CASE WHEN ? = 'done' THEN ? ELSE finished_at END
                    WHERE id = ? AND attempt = ? AND stage = ? AND owner = ?
                    """).execute(arguments: [t.to.rawValue, t.outcome?.rawValue, t.documentId, t.kind, t.outputName, t.receiptName,
                                     t.archivePath, t.errors, now + lease, now, t.to.rawValue, now, t.id, t.attempt,
                                     t.from.rawValue, owner])
                applied.append(db.changesCount == 1)
            }
            return applied
        }
    }

    public func recover(owner: String, lease: Double, now: Double) throws -> [JournalEntry] {
        try pool.write { db in
            // Entries of a former run of this owner, and entries whose owner's lease ran out: taken over with a
            // new attempt number, which fences the former owner out.
            try db.execute(sql: """
                UPDATE documents SET owner = ?, attempt = attempt + 1, lease_until = ?, updated_at = ?
                WHERE stage <> 'done' AND (owner = ? OR lease_until < ?)
                """, arguments: [owner, now + lease, now, owner, now])
            return try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM documents WHERE stage <> 'done' AND owner = ? ORDER BY id",
                                    arguments: [owner]).map(Self.entry)
        }
    }

    /// The identity lookup of every document. The index is named: without statistics SQLite prefers
    /// documents_outcome here, which walks every delivered row — a cost that grows with the journal.
    static let deliveredHashesSQL = """
        SELECT sha256 FROM documents INDEXED BY documents_identity
        WHERE route = ? AND document_id = ? AND outcome = 'delivered'
        """

    public func deliveredHashes(route: String, documentIds: [String]) throws -> [String: [String]] {
        guard !documentIds.isEmpty else { return [:] }
        return try pool.read { db in
            let statement = try db.cachedStatement(sql: Self.deliveredHashesSQL)
            var found: [String: [String]] = [:]
            for id in documentIds {
                let hashes = try String.fetchAll(statement, arguments: [route, id])
                if !hashes.isEmpty { found[id] = hashes }
            }
            return found
        }
    }

    /// SQLite's plan for a statement (`EXPLAIN QUERY PLAN`, its parameters NULL), one line per step.
    func plan(of sql: String) throws -> [String] {
        let parameters = StatementArguments(Array(repeating: nil as String?, count: sql.filter { $0 == "?" }.count))
        return try pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: parameters).map { $0["detail"] as String }
        }
    }

    public func entry(_ id: Int64) throws -> JournalEntry? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM documents WHERE id = ?", arguments: [id]).map(Self.entry)
        }
    }

    public func list(limit: Int, outcome: Outcome?, unfinishedOnly: Bool) throws -> [JournalEntry] {
        try pool.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let outcome { conditions.append("outcome = ?"); _ = arguments.append(contentsOf: [outcome.rawValue]) }
            if unfinishedOnly { conditions.append("stage <> 'done'") }
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            _ = arguments.append(contentsOf: [limit])
            return try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM documents \(whereClause) ORDER BY id DESC LIMIT ?",
                                    arguments: arguments).map(Self.entry)
        }
    }

    public func stats() throws -> JournalStats {
        try pool.read { db in
            var byOutcome: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT COALESCE(outcome, CASE WHEN stage = 'done' THEN 'superseded' ELSE 'pending' END) AS o, COUNT(*) AS n FROM documents GROUP BY o") {
                byOutcome[row["o"]] = row["n"]
            }
            let inFlight = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM documents WHERE stage <> 'done'") ?? 0
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM documents") ?? 0
            let oldest = try Double.fetchOne(db, sql: "SELECT MIN(received_at) FROM documents WHERE stage <> 'done'")
            return JournalStats(byOutcome: byOutcome, inFlight: inFlight, total: total, oldestInFlight: oldest)
        }
    }

    public func registryAdd(_ entries: [(id: String, kind: String, json: [UInt8])]) throws {
        guard !entries.isEmpty else { return }
        try pool.write { db in
            for e in entries {
                try db.cachedStatement(sql: "INSERT INTO registry (document_id, kind, body) VALUES (?, ?, ?)")
                    .execute(arguments: [e.id, e.kind, Data(e.json)])
            }
        }
    }

    public func registryAll() throws -> [[UInt8]] {
        try pool.read { db in
            try Data.fetchAll(db, sql: "SELECT body FROM registry ORDER BY seq").map { [UInt8]($0) }
        }
    }
}
