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
        return m
    }
}
