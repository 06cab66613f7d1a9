import DocgateCore
import FoundationEssentials
import Glibc
import GRDB

/// The journal's schema, created and upgraded by versioned migrations (GRDB's `DatabaseMigrator`).
extension SQLiteJournal {
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
        m.registerMigration("v4-retention") { db in
            // Retention (Retention.swift): finished entries are pruned by finished_at; registry entries by what
            // they are (a later version, the end of their period) and when they were delivered.
            try db.execute(sql: """
                CREATE INDEX documents_finished ON documents(finished_at) WHERE stage = 'done';
                ALTER TABLE registry ADD COLUMN previous_id TEXT;
                ALTER TABLE registry ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE registry ADD COLUMN number TEXT;
                ALTER TABLE registry ADD COLUMN certificate_id TEXT;
                ALTER TABLE registry ADD COLUMN certificate_number TEXT;
                ALTER TABLE registry ADD COLUMN period_end REAL;
                ALTER TABLE registry ADD COLUMN added_at REAL NOT NULL DEFAULT 0;
                ALTER TABLE registry ADD COLUMN ends_at REAL NOT NULL DEFAULT 0;
                CREATE INDEX registry_previous ON registry(previous_id, kind) WHERE previous_id IS NOT NULL;
                CREATE INDEX registry_certificate_number ON registry(number) WHERE kind = 'socialCertificate';
                """)
            // Entries made before: their delivery time is not known, so they count as delivered now (kept the
            // longest).
            let now = Clock.now()
            let rows = try Row.fetchCursor(db, sql: "SELECT seq, body FROM registry")
            let update = try db.makeStatement(sql: """
                UPDATE registry SET previous_id = ?, version = ?, number = ?, certificate_id = ?, certificate_number = ?,
                    period_end = ?, added_at = ?, ends_at = ? WHERE seq = ?
                """)
            var facts: [(Int64, RegistryFacts)] = []
            while let row = try rows.next() {
                let body: Data = row["body"]
                facts.append((row["seq"], RegistryFacts(json: [UInt8](body))))
            }
            for (seq, f) in facts {
                try update.execute(arguments: [f.previousId, f.version, f.number, f.certificateId, f.certificateNumber,
                                                f.periodEnd, now, max(f.periodEnd ?? now, now), seq])
            }
        }
        m.registerMigration("v5-ctime") { db in
            // The inbox file's status-change time: a writer can set the modification time back, not this one.
            try db.execute(sql: "ALTER TABLE documents ADD COLUMN file_ctime_ns INTEGER")
        }
        m.registerMigration("v6-finished-file") { db in
            // A claim looks for the very file a finished entry took (several instances on one inbox, issue 18).
            try db.execute(sql: "CREATE INDEX documents_finished_file ON documents(route, file_name, file_inode) WHERE stage = 'done'")
        }
        m.registerMigration("v7-registry-owner") { db in
            // The instance that delivered each registry entry: the others pull in what it added (issue 18).
            try db.execute(sql: "ALTER TABLE registry ADD COLUMN owner TEXT")
        }
        m.registerMigration("v8-registry-keys") { db in
            // The keys the rules across documents look documents up by: the registry is read on demand (issue 18).
            try db.execute(sql: """
                CREATE TABLE registry_keys (key TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (key, seq)) WITHOUT ROWID;
                CREATE INDEX registry_keys_seq ON registry_keys(seq);
                """)
            // The entries made before get their keys (as entries an older release writes later do at each start).
            _ = try SQLiteJournal.fillKeys(db)
        }
        m.registerMigration("v9-console") { db in
            // The operator's console (issue 19): events (every step, and operators' actions), the parties' ИНН and
            // the error codes of each entry, and an index for each filter of a search.
            try db.execute(sql: consoleSchema)
            // The error codes of entries decided before, from their findings.
            try db.execute(sql: """
                INSERT OR IGNORE INTO entry_codes (entry_id, code)
                SELECT d.id, json_extract(f.value, '$.code') FROM documents d, json_each(CASE WHEN json_valid(d.errors) THEN d.errors ELSE '[]' END) f
                WHERE d.outcome IN ('rejected', 'conflict')
                  AND json_extract(f.value, '$.severity') = 'error' AND json_extract(f.value, '$.code') IS NOT NULL
                """)
        }
        return m
    }

    /// The tables and indexes of `v9-console`.
    static let consoleSchema = """
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            entry_id INTEGER,
            at REAL NOT NULL,
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
        -- An entry is requeued once: a second requeue breaks this key.
        CREATE UNIQUE INDEX events_requeued ON events(entry_id) WHERE action = 'requeue';
        CREATE TABLE document_parties (inn TEXT NOT NULL, entry_id INTEGER NOT NULL, PRIMARY KEY (inn, entry_id)) WITHOUT ROWID;
        CREATE INDEX document_parties_entry ON document_parties(entry_id);
        CREATE TABLE entry_codes (entry_id INTEGER NOT NULL, code TEXT NOT NULL, PRIMARY KEY (entry_id, code)) WITHOUT ROWID;
        CREATE INDEX documents_document_id ON documents(document_id COLLATE NOCASE) WHERE document_id IS NOT NULL;
        CREATE INDEX documents_file_name ON documents(file_name);
        CREATE INDEX documents_kind ON documents(kind, id) WHERE kind IS NOT NULL;
        CREATE INDEX documents_route ON documents(route, id);
        -- Covering for a search by time with outcome, kind or route: the rows of a day are read from the index alone.
        CREATE INDEX documents_received ON documents(received_at, id, outcome, kind, route);
        -- Covering for the dashboard (stage too: SQLite reads a column the query names from the index only if it is in it).
        CREATE INDEX documents_finished_outcome ON documents(finished_at, outcome, stage) WHERE stage = 'done';
        """
}
