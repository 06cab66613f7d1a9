import DocgateCore
import FoundationEssentials
import Glibc
import GRDB

/// The journal in one SQLite file (WAL, `synchronous = FULL`): zero set-up, survives SIGKILL and power loss.
///
/// The journal holds personal data (file names, and SNILS and surnames in findings): the file and its `-wal` and
/// `-shm` are the owner's alone (0600). A new file is created so before SQLite opens it, and SQLite gives the
/// `-wal` and `-shm` it creates the database's mode; an existing file readable by others is corrected at open, or
/// refused (DG5023) when it cannot be.
public final class SQLiteJournal: Journal {
    let pool: DatabasePool
    /// The database file.
    public let path: String

    /// Opens the journal at `path`, creating it (0600) and its tables when missing and migrating an older one;
    /// DG5023 (``JournalError``) when the file cannot be opened, is not a regular file or stays open to others;
    /// SQLite's error otherwise.
    public init(path: String) throws {
        self.path = path
        try Self.restrictMode(path)
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // A new, empty database (page_count 0) can still take incremental auto-vacuum: retention then gives
            // pruned pages back. It must come before WAL mode and the first table.
            if try Int.fetchOne(db, sql: "PRAGMA page_count") == 0 {
                try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
            }
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        pool = try Self.whileHoldingDirectoryLock(path) {
            let pool = try DatabasePool(path: path, configuration: config)
            // GRDB sets `synchronous = NORMAL` on the writer when it enables WAL, after prepareDatabase: in WAL mode
            // NORMAL does not sync at commit, so the last commits could be lost on power loss. The writer is one
            // connection, kept for the pool's life.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try Self.migrator.migrate(pool)
            return pool
        }
    }

    /// Runs `body` (the open: WAL mode, then the migrations) holding an exclusive `flock` on the journal's directory
    /// when it can be had. Instances starting at once on a new journal would otherwise race: switching a new file to
    /// WAL needs its exclusive lock, and SQLite answers "database is locked" at once, without waiting, to a
    /// connection that would deadlock with another's; and each could read the applied migrations before another
    /// committed its own and apply one again ("table already exists"). Either is an instance that does not start
    /// (DG5023). The directory, not the database file: closing another descriptor of the file would drop SQLite's
    /// own locks on it.
    static func whileHoldingDirectoryLock<T>(_ path: String, _ body: () throws -> T) throws -> T {
        let slash = path.lastIndex(of: "/")
        let dir = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        // Without blocking, for at most 30 s: another program's lock on the directory (a backup script's `flock`)
        // must not hold the daemon's start forever; past that, or where the file system has no flock, the open runs
        // unlocked.
        if fd >= 0 {
            var tries = 0
            while flock(fd, LOCK_EX | LOCK_NB) != 0, errno == EWOULDBLOCK || errno == EINTR, tries < 3000 {
                tries += 1
                usleep(10_000)
            }
        }
        defer {
            if fd >= 0 {
                flock(fd, LOCK_UN)
                close(fd)
            }
        }
        return try body()
    }

    /// Creates the journal 0600 if it is missing; takes the group's and others' access away from the database and
    /// an existing `-wal` or `-shm`.
    static func restrictMode(_ path: String) throws {
        func failure(_ file: String, _ ru: String, _ en: String) -> JournalError {
            let reason = String(cString: strerror(errno))
            return JournalError(code: "DG5023", message: LocalizedText(ru: "\(file): \(ru): \(reason)", en: "\(file): \(en): \(reason)"))
        }
        for (file, create) in [(path, true), (path + "-wal", false), (path + "-shm", false)] {
            // Non-blocking: a FIFO under the name must not hang the open.
            let flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK
            let fd = create ? open(file, flags | O_CREAT, 0o600) : open(file, flags)
            if fd < 0 {
                if !create && errno == ENOENT { continue }
                throw failure(file, "файл журнала не открывается", "the journal file cannot be opened")
            }
            defer { close(fd) }
            var st = stat()
            guard fstat(fd, &st) == 0 else { throw failure(file, "файл журнала недоступен", "the journal file cannot be examined") }
            // A device or a FIFO named as the journal is a mistake, and keeps its mode (a directory fails the open).
            guard st.st_mode & S_IFMT == S_IFREG else {
                if create {
                    throw JournalError(code: "DG5023", message: LocalizedText(ru: "\(file): журнал не обычный файл",
                                                                             en: "\(file): the journal is not a regular file"))
                }
                continue
            }
            let mode = UInt32(st.st_mode) & 0o777
            if mode & 0o077 != 0 && fchmod(fd, 0o600) != 0 {
                let octal = String(mode, radix: 8)
                throw failure(file, "журнал содержит персональные данные, а файл доступен не только владельцу (права \(octal)) и изменить права не удалось; выполните chmod 600",
                              "the journal holds personal data and the file is open to others than its owner (mode \(octal)), and its mode cannot be changed; run chmod 600")
            }
        }
    }

    static let columns = """
        id, route, file_name, sha256, size, document_id, kind, stage, outcome, owner, lease_until, attempt,
        output_name, receipt_name, archive_path, errors, received_at, updated_at, finished_at,
        file_device, file_inode, file_mtime_ns, name_bytes, file_ctime_ns
        """

    static func entry(_ row: Row) -> JournalEntry {
        var e = JournalEntry(id: row["id"], route: row["route"], fileName: row["file_name"], sha256: row["sha256"], size: row["size"],
                     documentId: row["document_id"], kind: row["kind"], stage: Stage(rawValue: row["stage"]) ?? .claimed,
                     outcome: (row["outcome"] as String?).flatMap(Outcome.init(rawValue:)), owner: row["owner"],
                     leaseUntil: row["lease_until"], attempt: row["attempt"], outputName: row["output_name"],
                     receiptName: row["receipt_name"], archivePath: row["archive_path"], errors: row["errors"],
                     receivedAt: row["received_at"], updatedAt: row["updated_at"], finishedAt: row["finished_at"])
        if let device: Int64 = row["file_device"], let inode: Int64 = row["file_inode"], let mtime: Int64 = row["file_mtime_ns"] {
            e.identity = FileIdentity(device: UInt64(bitPattern: device), inode: UInt64(bitPattern: inode), size: e.size, mtime: mtime,
                                      ctime: row["file_ctime_ns"])
        }
        if let bytes: Data = row["name_bytes"] { e.nameBytes = [UInt8](bytes) }
        return e
    }

    /// A claim: a new entry unless the file is in flight (the partial unique index) or is the very file a finished
    /// entry of the route took (same name, device, inode, status-change time and content). Parameters: route, name,
    /// SHA-256, size, owner, lease end, received, updated, device, inode, mtime, name bytes, ctime.
    static let claimSQL = """
        INSERT INTO documents (route, file_name, sha256, size, stage, owner, lease_until, attempt, received_at, updated_at,
                               file_device, file_inode, file_mtime_ns, name_bytes, file_ctime_ns)
        SELECT ?1, ?2, ?3, ?4, 'claimed', ?5, ?6, 1, ?7, ?8, ?9, ?10, ?11, ?12, ?13
        WHERE ?10 IS NULL OR NOT EXISTS (
            SELECT 1 FROM documents d INDEXED BY documents_finished_file
            WHERE d.route = ?1 AND d.file_name = ?2 AND d.file_inode = ?10 AND d.stage = 'done'
              AND d.file_device = ?9 AND d.file_ctime_ns IS ?13 AND d.sha256 = ?3)
        ON CONFLICT DO NOTHING
        RETURNING \(columns)
        """

    /// One transaction; each new entry is `claimed`, attempt 1, leased to `owner` until `now + lease`.
    public func claim(_ requests: [ClaimRequest], owner: String, lease: Double, now: Double) throws -> [JournalEntry] {
        guard !requests.isEmpty else { return [] }
        return try pool.write { db in
            var made: [JournalEntry] = []
            // A file already in flight conflicts with the partial unique index and returns no row; so does the very
            // file an entry finished (another instance read it before it left the inbox).
            let insert = try db.cachedStatement(sql: Self.claimSQL)
            let events = try EventStatements(db)
            for r in requests {
                let arguments: StatementArguments = [r.route, r.fileName, r.sha256, r.size, owner, now + lease, now, now,
                                                     r.identity.map { Int64(bitPattern: $0.device) }, r.identity.map { Int64(bitPattern: $0.inode) },
                                                     r.identity?.mtime, r.nameBytes.map { Data($0) }, r.identity?.ctime]
                if let row = try Row.fetchOne(insert, arguments: arguments) {
                    let entry = Self.entry(row)
                    try Self.recordClaim(entry, events, now: now)
                    made.append(entry)
                }
            }
            return made
        }
    }

    /// One transaction; each applied step renews the lease to `now + lease`, and a step to `done` sets `finishedAt`.
    /// A step that records a delivery is refused when another entry of the route delivered the same root id: two
    /// instances that took two copies of one document decided before either delivery was recorded, and the later
    /// must decide again (a duplicate or a conflict).
    public func apply(_ transitions: [Transition], owner: String, lease: Double, now: Double) throws -> [Bool] {
        guard !transitions.isEmpty else { return [] }
        return try pool.write { db in
            var applied: [Bool] = []
            let events = try EventStatements(db)
            let update = try db.cachedStatement(sql: Self.applySQL)
            for t in transitions {
                try update.execute(arguments: [t.to.rawValue, t.outcome?.rawValue, t.documentId, t.kind, t.outputName, t.receiptName,
                                               t.archivePath, t.errors, now + lease, now, t.to.rawValue, now, t.id, t.attempt,
                                               t.from.rawValue, owner, t.outcome?.rawValue, t.documentId])
                let ok = db.changesCount == 1
                if ok { try Self.recordStep(t, events, owner: owner, now: now) }
                if ok, let entry = t.registry { try Self.insert(entry, db, now: now, owner: owner) }
                applied.append(ok)
            }
            return applied
        }
    }

    /// A compare-and-set step (see `apply`).
    static let applySQL = """
        UPDATE documents SET stage = ?, outcome = COALESCE(?, outcome), document_id = COALESCE(?, document_id),
            kind = COALESCE(?, kind), output_name = COALESCE(?, output_name), receipt_name = COALESCE(?, receipt_name),
            archive_path = COALESCE(?, archive_path), errors = COALESCE(?, errors), lease_until = ?, updated_at = ?,
            finished_at = CASE WHEN ? = 'done' THEN ? ELSE finished_at END
        WHERE id = ? AND attempt = ? AND stage = ? AND owner = ?
          AND NOT (? = 'delivered' AND EXISTS (SELECT 1 FROM documents o INDEXED BY documents_identity
                   WHERE o.route = documents.route AND o.document_id = ? AND o.outcome = 'delivered' AND o.id <> documents.id))
        """

    /// One transaction: takes over every unfinished entry of `routes` of `owner` or with an expired lease
    /// (attempt + 1), returns those `owner` now holds, oldest first.
    public func recover(owner: String, routes: [String], lease: Double, now: Double) throws -> [JournalEntry] {
        guard !routes.isEmpty else { return [] }
        let inRoutes = "route IN (" + Array(repeating: "?", count: routes.count).joined(separator: ", ") + ")"
        return try pool.write { db in
            // Entries of a former run of this owner, and entries whose owner's lease ran out: taken over with a
            // new attempt number, which fences the former owner out. A takeover after a lease ran out is an event
            // (this owner's own entries, taken up again on every pass while a step keeps failing, are not).
            try Self.recordTakeovers(db, owner: owner, inRoutes: inRoutes, routes: routes, now: now)
            try db.execute(sql: """
                UPDATE documents SET owner = ?, attempt = attempt + 1, lease_until = ?, updated_at = ?
                WHERE stage <> 'done' AND (owner = ? OR lease_until < ?) AND \(inRoutes)
                """, arguments: StatementArguments([owner, now + lease, now, owner, now] as [any DatabaseValueConvertible]) + StatementArguments(routes))
            return try Row.fetchAll(db, sql: "SELECT \(Self.columns) FROM documents WHERE stage <> 'done' AND owner = ? AND \(inRoutes) ORDER BY id",
                                    arguments: StatementArguments([owner]) + StatementArguments(routes)).map(Self.entry)
        }
    }

    /// The heartbeat: one statement over the unfinished entries (their index), this owner's only.
    public func renew(owner: String, routes: [String], lease: Double, now: Double) throws -> Int {
        guard !routes.isEmpty else { return 0 }
        let inRoutes = "route IN (" + Array(repeating: "?", count: routes.count).joined(separator: ", ") + ")"
        return try pool.write { db in
            try db.execute(sql: "UPDATE documents SET lease_until = ? WHERE stage <> 'done' AND owner = ? AND \(inRoutes)",
                           arguments: StatementArguments([now + lease, owner] as [any DatabaseValueConvertible]) + StatementArguments(routes))
            return db.changesCount
        }
    }

    /// The identity lookup of every document. The index is named: without statistics SQLite prefers
    /// documents_outcome here, which walks every delivered row — a cost that grows with the journal.
    static let deliveredHashesSQL = """
        SELECT sha256 FROM documents INDEXED BY documents_identity
        WHERE route = ? AND document_id = ? AND outcome = 'delivered'
        """

    /// One read, through the `documents_identity` index.
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

    /// SQLite's plan for a statement (`EXPLAIN QUERY PLAN`, its parameters NULL unless given), one line per step.
    func plan(of sql: String, arguments: StatementArguments? = nil) throws -> [String] {
        try planSteps(of: sql, arguments: arguments).map(\.detail)
    }

    /// `EXPLAIN QUERY PLAN` with each step's place in the tree: its number and the number of the step it is part of
    /// (0 at the top).
    func planSteps(of sql: String, arguments: StatementArguments? = nil) throws -> [(id: Int, parent: Int, detail: String)] {
        // As many nulls as the statement has parameters: the highest `?N`, or the number of plain `?`.
        let numbered = sql.split(separator: "?").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }.max()
        let parameters = arguments ?? StatementArguments(Array(repeating: nil as String?, count: numbered ?? sql.filter { $0 == "?" }.count))
        return try pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: parameters).map { ($0["id"], $0["parent"], $0["detail"]) }
        }
    }

    /// The entry with this number, or nil.
    public func entry(_ id: Int64) throws -> JournalEntry? {
        try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM documents WHERE id = ?", arguments: [id]).map(Self.entry)
        }
    }

    /// The newest `limit` entries first, filtered as asked.
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

    /// Counts of the whole journal, in one read.
    public func stats() throws -> JournalStats {
        try pool.read { db in
            var byOutcome: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT COALESCE(outcome, CASE WHEN stage = 'done' THEN 'superseded' ELSE 'pending' END) AS o, COUNT(*) AS n FROM documents GROUP BY o") {
                byOutcome[row["o"]] = row["n"]
            }
            let inFlight = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM documents WHERE stage <> 'done'") ?? 0
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM documents") ?? 0
            // Through the unfinished entries' own index: the time index would be read from its oldest end until the
            // first unfinished entry, which is among the newest.
            let oldest = try Double.fetchOne(db, sql: "SELECT MIN(received_at) FROM documents INDEXED BY documents_unfinished WHERE stage <> 'done'")
            return JournalStats(byOutcome: byOutcome, inFlight: inFlight, total: total, oldestInFlight: oldest,
                                instances: try Self.instances(db))
        }
    }

    /// One read over the unfinished entries.
    public func instances() throws -> [InstanceClaims] {
        try pool.read(Self.instances)
    }

    static func instances(_ db: Database) throws -> [InstanceClaims] {
        try Row.fetchAll(db, sql: """
            SELECT owner, COUNT(*) AS n, MAX(lease_until) AS lease, MIN(received_at) AS oldest
            FROM documents INDEXED BY documents_unfinished WHERE stage <> 'done' GROUP BY owner ORDER BY owner
            """).map { InstanceClaims(owner: $0["owner"], claims: $0["n"], leaseUntil: $0["lease"], oldestReceived: $0["oldest"]) }
    }

    /// Adds the entries in one transaction, delivered now, with what retention needs of each.
    public func registryAdd(_ entries: [(id: String, kind: String, json: [UInt8])], owner: String) throws {
        try registryAdd(entries, now: Clock.now(), owner: owner)
    }

    /// `registryAdd` at a given time of delivery.
    package func registryAdd(_ entries: [(id: String, kind: String, json: [UInt8])], now: Double, owner: String = "") throws {
        guard !entries.isEmpty else { return }
        // What retention needs of each document, from its JSON (decoded outside the write transaction).
        let rows = entries.map { RegistryEntry(id: $0.id, kind: $0.kind, json: $0.json) }
        try pool.write { db in
            for row in rows { try Self.insert(row, db, now: now, owner: owner) }
        }
    }

    /// One registry row, in the caller's transaction.
    static func insert(_ e: RegistryEntry, _ db: Database, now: Double, owner: String) throws {
        let f = e.facts
        try db.cachedStatement(sql: """
            INSERT INTO registry (document_id, kind, body, previous_id, version, number, certificate_id,
                                  certificate_number, period_end, added_at, ends_at, owner)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [e.id, e.kind, Data(e.json), f.previousId, f.version, f.number, f.certificateId,
                                     f.certificateNumber, f.periodEnd, now, max(f.periodEnd ?? now, now), owner])
        try insertKeys(f.keys, seq: db.lastInsertedRowID, db)
    }

    /// The keys a registry row is found by.
    static func insertKeys(_ keys: [String], seq: Int64, _ db: Database) throws {
        let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO registry_keys (key, seq) VALUES (?, ?)")
        for key in keys { try statement.execute(arguments: [key, seq]) }
    }

    /// Every registry entry's JSON, in the order added.
    public func registryAll() throws -> [[UInt8]] {
        try pool.read { db in
            try Data.fetchAll(db, sql: "SELECT body FROM registry ORDER BY seq").map { [UInt8]($0) }
        }
    }

}
