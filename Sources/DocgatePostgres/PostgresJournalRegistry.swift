import DocgateCore
import DocgateGateway
import FoundationEssentials
import NIOCore
import PostgresNIO

/// The registry of delivered documents and retention, with the SQLite journal's rules (its SQL conditions, the
/// cutoff as `$1`).
extension PostgresJournal: TimedRegistry {
    public func registryAdd(_ entries: [(id: String, kind: String, json: [UInt8])], owner: String) throws {
        try registryAdd(entries, now: Clock.now(), owner: owner)
    }

    /// `registryAdd` at a given time of delivery.
    package func registryAdd(_ entries: [(id: String, kind: String, json: [UInt8])], now: Double, owner: String = "") throws {
        guard !entries.isEmpty else { return }
        let rows = entries.map { RegistryEntry(id: $0.id, kind: $0.kind, json: $0.json) }
        try write { s in
            try Self.insert(rows, s, now: now, owner: owner)
        }
    }

    /// Registry rows and their keys, in the caller's transaction: one statement for the rows, one for the keys,
    /// however many. Sequence numbers follow the entries' order (the rows are made in that order, and a
    /// statement's `nextval`s increase), so the i-th smallest number returned is the i-th entry's.
    static func insert(_ entries: [RegistryEntry], _ s: Session, now: Double, owner: String) throws {
        guard !entries.isEmpty else { return }
        var b = PostgresBindings()
        b.append(try PostgresJournalSchema.json(entries.map(RegistryInsertRow.init)))
        b.append(now)
        b.append(owner)
        let seqs = try s.query(PostgresQuery(unsafeSQL: Self.registryInsertSQL, binds: b)).map { try $0.decode(Int64.self) }.sorted()
        guard seqs.count == entries.count else {
            throw JournalError(code: "DG5023", message: LocalizedText(ru: "PostgreSQL: записано строк реестра \(seqs.count) из \(entries.count)",
                                                                      en: "PostgreSQL: \(seqs.count) of \(entries.count) registry rows written"))
        }
        var keys: [String] = [], keySeqs: [Int64] = []
        for (entry, seq) in zip(entries, seqs) {
            keys += entry.facts.keys
            keySeqs += Array(repeating: seq, count: entry.facts.keys.count)
        }
        try insertKeys(keys, seqs: keySeqs, s)
    }

    static let registryInsertSQL = """
        INSERT INTO registry (document_id, kind, body, previous_id, version, number, certificate_id,
                              certificate_number, period_end, added_at, ends_at, owner)
        SELECT t.document_id, t.kind, decode(t.body, 'base64'), t.previous_id, t.version, t.number, t.certificate_id,
               t.certificate_number, t.period_end, $2::float8, GREATEST(COALESCE(t.period_end, $2::float8), $2::float8), $3::text
        FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (document_id text, kind text, body text, previous_id text, version bigint,
             number text, certificate_id text, certificate_number text, period_end float8)) WITH ORDINALITY
             AS t(document_id, kind, body, previous_id, version, number, certificate_id, certificate_number, period_end, ord)
        ORDER BY t.ord
        RETURNING seq
        """

    /// A registry entry as `registryInsertSQL` reads it (the body in base64, as JSONEncoder writes `Data`).
    struct RegistryInsertRow: Encodable {
        var document_id, kind: String
        var body: Data
        var previous_id, number, certificate_id, certificate_number: String?
        var version: Int
        var period_end: Double?

        init(_ e: RegistryEntry) {
            let f = e.facts
            (document_id, kind, body) = (e.id, e.kind, Data(e.json))
            (previous_id, number, certificate_id, certificate_number) = (f.previousId, f.number, f.certificateId, f.certificateNumber)
            (version, period_end) = (f.version, f.periodEnd)
        }
    }

    /// Keys and the registry rows they find, in one statement.
    static func insertKeys(_ keys: [String], seqs: [Int64], _ s: Session) throws {
        guard !keys.isEmpty else { return }
        try s.query("INSERT INTO registry_keys (key, seq) SELECT * FROM unnest(\(keys)::text[], \(seqs)::bigint[]) ON CONFLICT DO NOTHING")
    }

    public func registryFind(keys: [String], cutoff: Double) throws -> [RegistryRow] {
        guard !keys.isEmpty else { return [] }
        let sql = """
            SELECT seq, body FROM registry r WHERE seq IN (SELECT seq FROM registry_keys WHERE key = ANY($2))
                AND NOT \(SQLiteJournal.superseded("r", cutoff: "$1")) AND NOT \(SQLiteJournal.expired("r", cutoff: "$1")) ORDER BY seq
            """
        var b = PostgresBindings()
        b.append(cutoff); b.append(keys)
        return try read { s in try s.query(PostgresQuery(unsafeSQL: sql, binds: b)).map(Self.row) }
    }

    @discardableResult
    public func registryFillKeys() throws -> Int {
        try write { s in try PostgresJournalSchema.backfillKeys(s) }
    }

    public func registryHighestSeq() throws -> Int64 {
        try read { s in try s.query("SELECT COALESCE(MAX(seq), 0)::bigint FROM registry").first?.decode(Int64.self) ?? 0 }
    }

    public func registryAll() throws -> [[UInt8]] {
        try read { s in try s.query("SELECT body FROM registry ORDER BY seq").map(Self.bytes) }
    }

    public func registryLiveEntries(cutoff: Double) throws -> [RegistryRow] {
        let sql = "SELECT seq, body FROM registry r WHERE NOT \(SQLiteJournal.superseded("r", cutoff: "$1")) AND NOT \(SQLiteJournal.expired("r", cutoff: "$1")) ORDER BY seq"
        return try read { s in try s.query(PostgresQuery(unsafeSQL: sql, binds: Self.binds(cutoff))).map(Self.row) }
    }

    public func registrySeqs(after seq: Int64, owner: String) throws -> [(seq: Int64, mine: Bool)] {
        try read { s in
            try s.query("SELECT seq, owner IS NOT DISTINCT FROM \(owner) FROM registry WHERE seq > \(seq) ORDER BY seq").map {
                let (seq, mine) = try $0.decode((Int64, Bool).self)
                return (seq, mine)
            }
        }
    }

    public func registryBodies(_ seqs: [Int64]) throws -> [RegistryRow] {
        guard !seqs.isEmpty else { return [] }
        return try read { s in try s.query("SELECT seq, body FROM registry WHERE seq = ANY(\(seqs)) ORDER BY seq").map(Self.row) }
    }

    public func pruneEntries(before cutoff: Double, limit: Int) throws -> [String: Int] {
        try write { s in
            var counts: [String: Int] = [:]
            // The entries' events, parties and error codes go with them, in the same statement.
            for row in try s.query("""
                WITH gone AS (DELETE FROM documents WHERE id IN
                    (SELECT id FROM documents WHERE stage = 'done' AND finished_at < \(cutoff) LIMIT \(limit) FOR UPDATE SKIP LOCKED)
                    RETURNING id, COALESCE(outcome, 'closed') AS o),
                e AS (DELETE FROM events WHERE entry_id IN (SELECT id FROM gone)),
                p AS (DELETE FROM document_parties WHERE entry_id IN (SELECT id FROM gone)),
                c AS (DELETE FROM entry_codes WHERE entry_id IN (SELECT id FROM gone))
                SELECT o FROM gone
                """) {
                counts[try row.decode(String.self), default: 0] += 1
            }
            return counts
        }
    }

    public func prunableEntries(before cutoff: Double) throws -> [String: Int] {
        try read { s in
            var counts: [String: Int] = [:]
            for row in try s.query("""
                SELECT COALESCE(outcome, 'closed'), COUNT(*) FROM documents WHERE stage = 'done' AND finished_at < \(cutoff) GROUP BY 1
                """) {
                let (o, n) = try row.decode((String, Int).self)
                counts[o] = n
            }
            return counts
        }
    }

    public func pruneRegistry(before cutoff: Double, after: Int64, limit: Int, dryRun: Bool) throws -> RegistryPruneStep {
        let sql = """
            SELECT seq, CASE WHEN \(SQLiteJournal.superseded("r", cutoff: "$1")) THEN 1 WHEN \(SQLiteJournal.expired("r", cutoff: "$1")) THEN 2 ELSE 0 END
            FROM registry r WHERE seq > $2 ORDER BY seq LIMIT $3
            """
        return try write { s in
            var b = PostgresBindings()
            b.append(cutoff); b.append(after); b.append(limit)
            let rows = try s.query(PostgresQuery(unsafeSQL: sql, binds: b)).map { try $0.decode((Int64, Int).self) }
            var result = RegistryPruneStep(superseded: 0, expired: 0, next: rows.count < limit ? nil : rows.last?.0)
            var doomed: [Int64] = []
            for (seq, verdict) in rows where verdict != 0 {
                if verdict == 1 { result.superseded += 1 } else { result.expired += 1 }
                doomed.append(seq)
            }
            if !dryRun && !doomed.isEmpty {
                try s.query("DELETE FROM registry WHERE seq = ANY(\(doomed))")
                try s.query("DELETE FROM registry_keys WHERE seq = ANY(\(doomed))")
            }
            return result
        }
    }

    /// PostgreSQL's autovacuum gives deleted rows' space back: nothing to do here.
    public func vacuum(pages: Int) throws -> Int { 0 }

    static func row(_ row: PostgresRow) throws -> RegistryRow {
        var (seq, buffer) = try row.decode((Int64, ByteBuffer).self)
        return RegistryRow(seq: seq, json: buffer.readBytes(length: buffer.readableBytes) ?? [])
    }

    static func bytes(_ row: PostgresRow) throws -> [UInt8] {
        var buffer = try row.decode(ByteBuffer.self)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }
}
