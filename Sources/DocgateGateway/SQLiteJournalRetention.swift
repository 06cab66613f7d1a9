import DocgateCore
import FoundationEssentials
import Glibc
import GRDB

/// Pruning: what `Retention` deletes, in bounded steps.
extension SQLiteJournal: TimedRegistry {
    // MARK: retention (the rules are in Retention.swift)

    /// Registry entry `r` has a later version, in the registry since before the cutoff (the parameter `cutoff`
    /// names: `:cutoff` in SQLite, `$1` in PostgreSQL — the PostgreSQL journal uses the same conditions).
    package static func superseded(_ r: String, cutoff: String = ":cutoff") -> String {
        """
        EXISTS (SELECT 1 FROM registry s WHERE s.previous_id = \(r).document_id AND s.kind = \(r).kind
                AND s.version > \(r).version AND s.added_at < \(cutoff))
        """
    }

    /// Registry entry `r`'s period and delivery (`ends_at`, the later of the two) are before the cutoff, and it is
    /// not a contract whose certificate is kept.
    package static func expired(_ r: String, cutoff: String = ":cutoff") -> String {
        """
        (\(r).ends_at < \(cutoff) AND NOT (\(r).kind = 'contract' AND (
            EXISTS (SELECT 1 FROM registry c WHERE c.document_id = \(r).certificate_id AND c.kind = 'socialCertificate'
                    AND c.ends_at >= \(cutoff) AND NOT \(superseded("c", cutoff: cutoff)))
            OR EXISTS (SELECT 1 FROM registry c WHERE c.number = \(r).certificate_number AND c.kind = 'socialCertificate'
                       AND c.ends_at >= \(cutoff) AND NOT \(superseded("c", cutoff: cutoff))))))
        """
    }

    static let registryLiveSQL = "SELECT seq, body FROM registry r WHERE NOT \(superseded("r")) AND NOT \(expired("r")) ORDER BY seq"

    /// One read: every entry neither superseded nor expired at `cutoff`, in the order added.
    public func registryLiveEntries(cutoff: Double) throws -> [RegistryRow] {
        try pool.read { db in
            try Row.fetchAll(db, sql: Self.registryLiveSQL, arguments: ["cutoff": cutoff]).map { RegistryRow(seq: $0["seq"], json: [UInt8]($0["body"] as Data)) }
        }
    }

    /// One read per 500 keys, over `registry_keys`.
    public func registryFind(keys: [String], cutoff: Double) throws -> [RegistryRow] {
        try pool.read { db in
            var rows: [Int64: RegistryRow] = [:]
            for start in stride(from: 0, to: keys.count, by: 500) {
                let chunk = Array(keys[start..<min(keys.count, start + 500)])
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                let sql = """
                    SELECT seq, body FROM registry r WHERE seq IN (SELECT seq FROM registry_keys WHERE key IN (\(marks)))
                        AND NOT \(Self.superseded("r", cutoff: "?")) AND NOT \(Self.expired("r", cutoff: "?"))
                    """
                let cutoffs = Array(repeating: cutoff, count: Self.cutoffMarks)
                for row in try Row.fetchAll(db, sql: sql, arguments: StatementArguments(chunk) + StatementArguments(cutoffs)) {
                    rows[row["seq"]] = RegistryRow(seq: row["seq"], json: [UInt8](row["body"] as Data))
                }
            }
            return rows.values.sorted { $0.seq < $1.seq }
        }
    }

    /// How many times the cutoff appears in `superseded` and `expired` together.
    static let cutoffMarks = (superseded("r", cutoff: "?") + expired("r", cutoff: "?")).filter { $0 == "?" }.count

    /// One transaction: the entries without a key (the `registry_keys_seq` index) read and filed.
    @discardableResult
    public func registryFillKeys() throws -> Int {
        try pool.write(Self.fillKeys)
    }

    /// Files under their keys, from their JSON, the registry entries that have none; how many.
    static func fillKeys(_ db: Database) throws -> Int {
        let rows = try Row.fetchAll(db, sql: """
            SELECT seq, body FROM registry r WHERE NOT EXISTS (SELECT 1 FROM registry_keys k WHERE k.seq = r.seq)
            """)
        for row in rows { try insertKeys(RegistryFacts(json: [UInt8](row["body"] as Data)).keys, seq: row["seq"], db) }
        return rows.count
    }

    /// One read of the primary key.
    public func registryHighestSeq() throws -> Int64 {
        try pool.read { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM registry") ?? 0 }
    }

    /// One read over the primary key's range.
    public func registrySeqs(after seq: Int64, owner: String) throws -> [(seq: Int64, mine: Bool)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT seq, owner IS ? AS mine FROM registry WHERE seq > ? ORDER BY seq", arguments: [owner, seq])
                .map { ($0["seq"], $0["mine"]) }
        }
    }

    /// One read.
    public func registryBodies(_ seqs: [Int64]) throws -> [RegistryRow] {
        guard !seqs.isEmpty else { return [] }
        return try pool.read { db in
            let statement = try db.cachedStatement(sql: "SELECT seq, body FROM registry WHERE seq = ?")
            return try seqs.compactMap { seq in
                try Row.fetchOne(statement, arguments: [seq]).map { RegistryRow(seq: $0["seq"], json: [UInt8]($0["body"] as Data)) }
            }
        }
    }

    /// The entries a prune step deletes: the same rows each time it runs in one transaction (one plan, one index).
    static let prunedIdsSQL = "SELECT id FROM documents INDEXED BY documents_finished WHERE stage = 'done' AND finished_at < :cutoff LIMIT :limit"

    static let pruneEntriesSQL = "DELETE FROM documents WHERE id IN (\(prunedIdsSQL)) RETURNING COALESCE(outcome, 'closed')"

    /// What goes with the entries a prune step deletes: their events, parties and error codes (run first).
    static let pruneSideSQL = ["events", "document_parties", "entry_codes"].map { "DELETE FROM \($0) WHERE entry_id IN (\(prunedIdsSQL))" }

    /// One transaction over the `documents_finished` index; the entries' events, parties and codes go with them.
    public func pruneEntries(before cutoff: Double, limit: Int) throws -> [String: Int] {
        try pool.write { db in
            for sql in Self.pruneSideSQL { try db.execute(sql: sql, arguments: ["cutoff": cutoff, "limit": limit]) }
            var counts: [String: Int] = [:]
            for outcome in try String.fetchAll(db, sql: Self.pruneEntriesSQL, arguments: ["cutoff": cutoff, "limit": limit]) {
                counts[outcome, default: 0] += 1
            }
            return counts
        }
    }

    /// One read over the `documents_finished` index.
    public func prunableEntries(before cutoff: Double) throws -> [String: Int] {
        try pool.read { db in
            var counts: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT COALESCE(outcome, 'closed') AS o, COUNT(*) AS n FROM documents INDEXED BY documents_finished
                WHERE stage = 'done' AND finished_at < ? GROUP BY o
                """, arguments: [cutoff]) {
                counts[row["o"]] = row["n"]
            }
            return counts
        }
    }

    /// One window of the registry, in the order of delivery: 1 superseded, 2 expired, 0 kept.
    static let registryWindowSQL = """
        SELECT seq, CASE WHEN \(superseded("r")) THEN 1 WHEN \(expired("r")) THEN 2 ELSE 0 END AS verdict
        FROM registry r WHERE seq > :after ORDER BY seq LIMIT :limit
        """

    /// One read (dry run) or one transaction; `next` is nil when fewer than `limit` entries were left to look at.
    public func pruneRegistry(before cutoff: Double, after: Int64, limit: Int, dryRun: Bool) throws -> RegistryPruneStep {
        let step = { (db: Database) throws -> RegistryPruneStep in
            let rows = try Row.fetchAll(db, sql: Self.registryWindowSQL, arguments: ["cutoff": cutoff, "after": after, "limit": limit])
            var result = RegistryPruneStep(superseded: 0, expired: 0, next: rows.count < limit ? nil : rows.last?["seq"])
            var doomed: [Int64] = []
            for row in rows {
                switch row["verdict"] as Int {
                case 1: result.superseded += 1
                case 2: result.expired += 1
                default: continue
                }
                doomed.append(row["seq"])
            }
            if !dryRun && !doomed.isEmpty {
                let delete = try db.cachedStatement(sql: "DELETE FROM registry WHERE seq = ?")
                let keys = try db.cachedStatement(sql: "DELETE FROM registry_keys WHERE seq = ?")
                for seq in doomed {
                    try delete.execute(arguments: [seq])
                    try keys.execute(arguments: [seq])
                }
            }
            return result
        }
        return dryRun ? try pool.read(step) : try pool.write(step)
    }

    /// `PRAGMA incremental_vacuum` of up to `pages` pages (at least 1), outside a transaction.
    public func vacuum(pages: Int) throws -> Int {
        try pool.writeWithoutTransaction { db in
            guard try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") == 2 else { return 0 }
            let before = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            guard before > 0 else { return 0 }
            try db.execute(sql: "PRAGMA incremental_vacuum(\(max(1, pages)))")
            return before - (try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0)
        }
    }
}
