import DocgateCore
import DocgateGateway
import FoundationEssentials
import NIOCore
import PostgresNIO

/// The PostgreSQL journal's tables (the SQLite journal's, in PostgreSQL's types), its versioned migrations and
/// its statements.
enum PostgresJournalSchema {
    /// The first key of the journal's advisory locks: migrations (second key 0) and routes (`hashtext(route)`).
    static let routeLockSpace: Int32 = 0x6467_6A31   // "dgj1"
    static let migrationLockSpace: Int32 = 0x6467_6D31   // "dgm1"

    /// The migrations, in order; each runs once, in one transaction with its record in `docgate_migrations`.
    static let migrations: [(String, String)] = [
        ("v1", """
            CREATE TABLE documents (
                id BIGSERIAL PRIMARY KEY,
                route TEXT NOT NULL,
                file_name TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                size BIGINT NOT NULL,
                document_id TEXT,
                kind TEXT,
                stage TEXT NOT NULL,
                outcome TEXT,
                owner TEXT NOT NULL,
                lease_until DOUBLE PRECISION NOT NULL,
                attempt INTEGER NOT NULL DEFAULT 1,
                output_name TEXT,
                receipt_name TEXT,
                archive_path TEXT,
                errors TEXT,
                received_at DOUBLE PRECISION NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL,
                finished_at DOUBLE PRECISION,
                file_device BIGINT,
                file_inode BIGINT,
                file_mtime_ns BIGINT,
                name_bytes BYTEA,
                file_ctime_ns BIGINT
            );
            CREATE UNIQUE INDEX documents_in_flight ON documents(route, file_name) WHERE stage <> 'done';
            CREATE INDEX documents_identity ON documents(route, document_id) WHERE outcome = 'delivered';
            CREATE INDEX documents_unfinished ON documents(owner, lease_until) WHERE stage <> 'done';
            CREATE INDEX documents_expiring ON documents(lease_until) WHERE stage <> 'done';
            CREATE INDEX documents_outcome ON documents(outcome, id);
            CREATE INDEX documents_finished ON documents(finished_at) WHERE stage = 'done';
            CREATE INDEX documents_finished_file ON documents(route, file_name, file_inode) WHERE stage = 'done';
            CREATE TABLE registry (
                seq BIGSERIAL PRIMARY KEY,
                document_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                body BYTEA NOT NULL,
                previous_id TEXT,
                version INTEGER NOT NULL DEFAULT 0,
                number TEXT,
                certificate_id TEXT,
                certificate_number TEXT,
                period_end DOUBLE PRECISION,
                added_at DOUBLE PRECISION NOT NULL,
                ends_at DOUBLE PRECISION NOT NULL
            );
            CREATE INDEX registry_document ON registry(document_id);
            CREATE INDEX registry_previous ON registry(previous_id, kind) WHERE previous_id IS NOT NULL;
            CREATE INDEX registry_certificate_number ON registry(number) WHERE kind = 'socialCertificate';
            """),
        // The instance that delivered each registry entry: the others pull in what it added.
        ("v2-registry-owner", "ALTER TABLE registry ADD COLUMN owner TEXT"),
    ]

    /// Applies the migrations not yet recorded, holding the migration lock: instances starting at once wait for
    /// each other instead of applying one twice. A database migrated by a newer docgate (a version this one does
    /// not know) is refused: its tables may mean something else.
    static func migrate(_ s: Session) throws {
        try s.transaction {
            try s.query("SELECT pg_advisory_xact_lock(\(migrationLockSpace), 0)")
            try s.query("CREATE TABLE IF NOT EXISTS docgate_migrations (version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
            let applied = Set(try s.query("SELECT version FROM docgate_migrations").map { try $0.decode(String.self) })
            let known = Set(migrations.map(\.0))
            if let unknown = applied.subtracting(known).sorted().first {
                throw JournalError(code: "DG5023", message: LocalizedText(
                    ru: "журнал PostgreSQL обновлён более новой версией docgate (миграция \(unknown)): обновите docgate",
                    en: "the PostgreSQL journal was migrated by a newer docgate (migration \(unknown)): upgrade docgate"))
            }
            for (version, sql) in migrations where !applied.contains(version) {
                // One statement at a time (the extended protocol takes no more); no statement holds a `;`.
                for statement in sql.split(separator: ";") where !statement.allSatisfy(\.isWhitespace) {
                    try s.query(PostgresQuery(unsafeSQL: String(statement)))
                }
                try s.query("INSERT INTO docgate_migrations (version) VALUES (\(version))")
            }
        }
    }

    static let columns = """
        id, route, file_name, sha256, size, document_id, kind, stage, outcome, owner, lease_until, attempt,
        output_name, receipt_name, archive_path, errors, received_at, updated_at, finished_at,
        file_device, file_inode, file_mtime_ns, name_bytes, file_ctime_ns
        """

    /// A row of `columns` as an entry.
    static func entry(_ row: PostgresRow) throws -> JournalEntry {
        let r = row.makeRandomAccess()
        func v<T: PostgresDecodable>(_ name: String, _ type: T.Type = T.self) throws -> T { try r[name].decode(T.self) }
        var e = JournalEntry(id: try v("id"), route: try v("route"), fileName: try v("file_name"), sha256: try v("sha256"),
                             size: try v("size"), documentId: try v("document_id"), kind: try v("kind"),
                             stage: Stage(rawValue: try v("stage")) ?? .claimed,
                             outcome: (try v("outcome", String?.self)).flatMap(Outcome.init(rawValue:)), owner: try v("owner"),
                             leaseUntil: try v("lease_until"), attempt: try v("attempt"), outputName: try v("output_name"),
                             receiptName: try v("receipt_name"), archivePath: try v("archive_path"), errors: try v("errors"),
                             receivedAt: try v("received_at"), updatedAt: try v("updated_at"), finishedAt: try v("finished_at"))
        if let device = try v("file_device", Int64?.self), let inode = try v("file_inode", Int64?.self),
           let mtime = try v("file_mtime_ns", Int64?.self) {
            e.identity = FileIdentity(device: UInt64(bitPattern: device), inode: UInt64(bitPattern: inode), size: e.size,
                                      mtime: mtime, ctime: try v("file_ctime_ns"))
        }
        if var bytes = try v("name_bytes", ByteBuffer?.self) { e.nameBytes = bytes.readBytes(length: bytes.readableBytes) }
        return e
    }

    /// A claim, as the SQLite journal's: a new entry unless the file is in flight (the unique index) or is the very
    /// file a finished entry of the route took. Parameters: route, name, SHA-256, size, owner, lease end, now,
    /// device, inode, mtime, name bytes, ctime. Typed, so that a NULL parameter has a type.
    static let claimSQL = """
        INSERT INTO documents (route, file_name, sha256, size, stage, owner, lease_until, attempt, received_at, updated_at,
                               file_device, file_inode, file_mtime_ns, name_bytes, file_ctime_ns)
        SELECT $1::text, $2::text, $3::text, $4::bigint, 'claimed', $5::text, $6::float8, 1, $7::float8, $7::float8,
               $8::bigint, $9::bigint, $10::bigint, $11::bytea, $12::bigint
        WHERE $9::bigint IS NULL OR NOT EXISTS (
            SELECT 1 FROM documents d
            WHERE d.route = $1::text AND d.file_name = $2::text AND d.file_inode = $9::bigint AND d.stage = 'done'
              AND d.file_device = $8::bigint AND d.file_ctime_ns IS NOT DISTINCT FROM $12::bigint AND d.sha256 = $3::text)
        ON CONFLICT DO NOTHING
        RETURNING \(columns)
        """

    /// A compare-and-set step. Parameters: to, outcome, document id, kind, output, receipt, archive path, errors,
    /// lease end, now, id, attempt, from, owner.
    static let applySQL = """
        UPDATE documents SET stage = $1::text, outcome = COALESCE($2::text, outcome), document_id = COALESCE($3::text, document_id),
            kind = COALESCE($4::text, kind), output_name = COALESCE($5::text, output_name), receipt_name = COALESCE($6::text, receipt_name),
            archive_path = COALESCE($7::text, archive_path), errors = COALESCE($8::text, errors), lease_until = $9::float8,
            updated_at = $10::float8, finished_at = CASE WHEN $1::text = 'done' THEN $10::float8 ELSE finished_at END
        WHERE id = $11::bigint AND attempt = $12::integer AND stage = $13::text AND owner = $14::text
        RETURNING id
        """
}
