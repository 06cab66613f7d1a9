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
    /// Deliveries of one root id in one route (`hashtext(route || '/' || document_id)`).
    static let identityLockSpace: Int32 = 0x6467_6931   // "dgi1"
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
        // The keys the rules across documents look documents up by: the registry is read on demand. The rows
        // made before get theirs from their JSON (`backfillKeys`).
        ("v3-registry-keys", """
            CREATE TABLE registry_keys (key TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (key, seq));
            CREATE INDEX registry_keys_seq ON registry_keys(seq)
            """),
        // A header's version is any positive integer the schema allows: one above 2^31 - 1 refused the whole
        // staged commit of its batch.
        ("v4-registry-version-bigint", "ALTER TABLE registry ALTER COLUMN version TYPE BIGINT"),
        // The operator's console (issue 19): events (every step, and operators' actions), the parties' ИНН and the
        // error codes of each entry, an index for each filter of a search; the codes of the entries decided
        // before, from their findings.
        ("v5-console", consoleSchema + """
            ;
            INSERT INTO entry_codes (entry_id, code)
            SELECT DISTINCT d.id, f->>'code' FROM documents d CROSS JOIN LATERAL jsonb_array_elements(d.errors::jsonb) AS f
            WHERE d.outcome IN ('rejected', 'conflict') AND d.errors LIKE '[%' AND f->>'severity' = 'error' AND f->>'code' IS NOT NULL
            ON CONFLICT DO NOTHING
            """),
    ]

    /// The tables and indexes of `v5-console` (the SQLite journal's `v9-console`).
    static let consoleSchema = """
        CREATE TABLE events (
            id BIGSERIAL PRIMARY KEY,
            entry_id BIGINT,
            at DOUBLE PRECISION NOT NULL,
            action TEXT NOT NULL,
            from_stage TEXT,
            to_stage TEXT,
            outcome TEXT,
            attempt INTEGER,
            owner TEXT,
            actor TEXT,
            note TEXT
        );
        CREATE INDEX events_entry ON events(entry_id, id);
        CREATE INDEX events_actions ON events(id) WHERE actor IS NOT NULL;
        CREATE UNIQUE INDEX events_requeued ON events(entry_id) WHERE action = 'requeue';
        CREATE TABLE document_parties (inn TEXT NOT NULL, entry_id BIGINT NOT NULL, PRIMARY KEY (inn, entry_id));
        CREATE INDEX document_parties_entry ON document_parties(entry_id);
        CREATE TABLE entry_codes (entry_id BIGINT NOT NULL, code TEXT NOT NULL, PRIMARY KEY (entry_id, code));
        CREATE INDEX documents_document_id ON documents(lower(document_id)) WHERE document_id IS NOT NULL;
        CREATE INDEX documents_file_name ON documents(file_name COLLATE "C");
        CREATE INDEX documents_kind ON documents(kind, id);
        CREATE INDEX documents_route ON documents(route, id);
        CREATE INDEX documents_received ON documents(received_at, id) INCLUDE (outcome, kind, route);
        CREATE INDEX documents_finished_outcome ON documents(finished_at, outcome) WHERE stage = 'done'
        """

    /// The keys of the registry rows that have none (made before `v3-registry-keys`, or written since by an older
    /// release), from their JSON, 1 000 rows at a time; how many rows.
    @discardableResult
    static func backfillKeys(_ s: Session) throws -> Int {
        var after: Int64 = 0, count = 0
        while true {
            let rows = try s.query("""
                SELECT seq, body FROM registry r WHERE seq > \(after) AND NOT EXISTS (SELECT 1 FROM registry_keys k WHERE k.seq = r.seq)
                ORDER BY seq LIMIT 1000
                """).map(PostgresJournal.row)
            guard let last = rows.last else { return count }
            count += rows.count
            var keys: [String] = [], seqs: [Int64] = []
            for row in rows {
                let k = RegistryFacts(json: row.json).keys
                keys += k
                seqs += Array(repeating: row.seq, count: k.count)
            }
            try PostgresJournal.insertKeys(keys, seqs: seqs, s)
            after = last.seq
        }
    }

    /// Applies the migrations not yet recorded, holding the migration lock: instances starting at once wait for
    /// each other instead of applying one twice. A database migrated by a newer docgate (a version this one does
    /// not know) is refused: its tables may mean something else.
    static func migrate(_ s: Session) throws {
        try s.transaction {
            try s.query("SELECT pg_advisory_xact_lock(\(migrationLockSpace), 0)")
            // Made only when missing: a role that may not create tables starts on a journal made before.
            if try s.query("SELECT to_regclass('docgate_migrations') IS NULL").first?.decode(Bool.self) ?? true {
                try s.query("CREATE TABLE docgate_migrations (version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
            }
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
                if version == "v3-registry-keys" { try backfillKeys(s) }
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

    /// A batch of claims in one statement, as the SQLite journal's: a new entry unless the file is in flight (the
    /// unique index) or is the very file a finished entry of the route took. `$1`: the requests as a JSON array
    /// (`jsonb_to_recordset`: one round trip for the batch, NULLs where a request has no identity); `$2` the owner,
    /// `$3` the lease's end, `$4` now.
    static let claimSQL = """
        WITH c AS (
        INSERT INTO documents (route, file_name, sha256, size, stage, owner, lease_until, attempt, received_at, updated_at,
                               file_device, file_inode, file_mtime_ns, name_bytes, file_ctime_ns)
        SELECT r.route, r.file_name, r.sha256, r.size, 'claimed', $2::text, $3::float8, 1, $4::float8, $4::float8,
               r.device, r.inode, r.mtime, decode(r.name_hex, 'hex'), r.ctime
        FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (route text, file_name text, sha256 text, size bigint, device bigint,
                                                          inode bigint, mtime bigint, name_hex text, ctime bigint)) WITH ORDINALITY
             AS r(route, file_name, sha256, size, device, inode, mtime, name_hex, ctime, n)
        WHERE r.inode IS NULL OR NOT EXISTS (
            SELECT 1 FROM documents d
            WHERE d.route = r.route AND d.file_name = r.file_name AND d.file_inode = r.inode AND d.stage = 'done'
              AND d.file_device = r.device AND d.file_ctime_ns IS NOT DISTINCT FROM r.ctime AND d.sha256 = r.sha256)
        ORDER BY r.n
        ON CONFLICT DO NOTHING
        RETURNING \(columns)),
        e AS (INSERT INTO events (entry_id, at, action, to_stage, attempt, owner)
              SELECT id, $4::float8, 'claim', 'claimed', attempt, owner FROM c)
        SELECT \(columns) FROM c
        """

    /// A batch of compare-and-set steps in one statement (each entry at most once in it). A step that records a
    /// delivery is refused when another entry of the route delivered the same root id (the caller holds that
    /// identity's lock, so the look sees every delivery committed before). `$1`: the steps as a JSON
    /// array (NULL fields keep the journal's value); `$2` the owner, `$3` the lease's end, `$4` now. Returns the
    /// ids of the steps that applied. Each step that applied writes its event, and the parties and error codes it
    /// records, in the same statement.
    static let applySQL = """
        WITH u AS (
        UPDATE documents d SET stage = t."to", outcome = COALESCE(t.outcome, d.outcome), document_id = COALESCE(t.document_id, d.document_id),
            kind = COALESCE(t.kind, d.kind), output_name = COALESCE(t.output_name, d.output_name),
            receipt_name = COALESCE(t.receipt_name, d.receipt_name), archive_path = COALESCE(t.archive_path, d.archive_path),
            errors = COALESCE(t.errors, d.errors), lease_until = $3::float8, updated_at = $4::float8,
            finished_at = CASE WHEN t."to" = 'done' THEN $4::float8 ELSE d.finished_at END
        FROM jsonb_to_recordset($1::jsonb) AS t(id bigint, attempt integer, "from" text, "to" text, outcome text, document_id text,
                                                 kind text, output_name text, receipt_name text, archive_path text, errors text,
                                                 parties jsonb, codes jsonb)
        WHERE d.id = t.id AND d.attempt = t.attempt AND d.stage = t."from" AND d.owner = $2::text
          AND NOT (t.outcome = 'delivered' AND EXISTS (SELECT 1 FROM documents o WHERE o.route = d.route AND o.document_id = t.document_id
                                                       AND o.outcome = 'delivered' AND o.id <> d.id))
        RETURNING d.id, t."from" AS from_stage, d.stage, d.outcome, d.attempt, d.owner, t.parties, t.codes),
        e AS (INSERT INTO events (entry_id, at, action, from_stage, to_stage, outcome, attempt, owner)
              SELECT id, $4::float8, 'step', from_stage, stage, outcome, attempt, owner FROM u),
        p AS (INSERT INTO document_parties (inn, entry_id)
              SELECT DISTINCT x, u.id FROM u CROSS JOIN LATERAL jsonb_array_elements_text(u.parties) AS x ON CONFLICT DO NOTHING),
        c AS (INSERT INTO entry_codes (entry_id, code)
              SELECT DISTINCT u.id, x FROM u CROSS JOIN LATERAL jsonb_array_elements_text(u.codes) AS x ON CONFLICT DO NOTHING)
        SELECT id FROM u
        """

    /// A claim request as `claimSQL` reads it.
    struct ClaimRow: Encodable {
        var route, file_name, sha256: String
        var size: Int64
        var device, inode, mtime, ctime: Int64?
        var name_hex: String?

        init(_ r: ClaimRequest) {
            (route, file_name, sha256, size) = (r.route, r.fileName, r.sha256, r.size)
            device = r.identity.map { Int64(bitPattern: $0.device) }
            inode = r.identity.map { Int64(bitPattern: $0.inode) }
            mtime = r.identity?.mtime
            ctime = r.identity?.ctime
            name_hex = r.nameBytes.map { $0.map { String(format: "%02x", $0) }.joined() }
        }
    }

    /// A step as `applySQL` reads it.
    struct StepRow: Encodable {
        var id: Int64
        var attempt: Int
        var from, to: String
        var outcome, document_id, kind, output_name, receipt_name, archive_path, errors: String?
        /// Never null: `jsonb_array_elements_text` refuses a JSON null.
        var parties, codes: [String]

        init(_ t: Transition) {
            (id, attempt, from, to) = (t.id, t.attempt, t.from.rawValue, t.to.rawValue)
            (outcome, document_id, kind) = (t.outcome?.rawValue, t.documentId, t.kind)
            (output_name, receipt_name, archive_path, errors) = (t.outputName, t.receiptName, t.archivePath, t.errors)
            (parties, codes) = (t.parties ?? [], t.errorCodes ?? [])
        }
    }

    /// Rows as the JSON text a `$1::jsonb` parameter takes (explicit nulls: a missing key is NULL as well).
    static func json(_ rows: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(rows), as: UTF8.self)
    }
}
