import DocgateCore
import FoundationEssentials
import GRDB

/// The operator's console (issue 19): the events every step writes, search, history, operators' actions and the
/// dashboard's figures.
extension SQLiteJournal {
    // MARK: events, written in the caller's transaction

    /// The statements that record a batch's claims and steps, looked up once per transaction (the statement
    /// cache hashes a statement's whole text at each lookup).
    struct EventStatements {
        let claim, step, party, code: Statement

        init(_ db: Database) throws {
            claim = try db.cachedStatement(sql: """
                INSERT INTO events (entry_id, at, action, to_stage, attempt, owner) VALUES (?, ?, 'claim', 'claimed', ?, ?)
                """)
            // What the step's compare-and-set held (attempt, owner) and set (stage, the outcome when it decides
            // one: `history` carries an outcome on to the steps after it).
            step = try db.cachedStatement(sql: """
                INSERT INTO events (entry_id, at, action, from_stage, to_stage, outcome, attempt, owner) VALUES (?, ?, 'step', ?, ?, ?, ?, ?)
                """)
            party = try db.cachedStatement(sql: "INSERT OR IGNORE INTO document_parties (inn, entry_id) VALUES (?, ?)")
            code = try db.cachedStatement(sql: "INSERT OR IGNORE INTO entry_codes (entry_id, code) VALUES (?, ?)")
        }
    }

    /// A new entry's claim.
    static func recordClaim(_ entry: JournalEntry, _ s: EventStatements, now: Double) throws {
        try s.claim.execute(arguments: [entry.id, now, entry.attempt, entry.owner])
    }

    /// A step that applied: its event, and the parties and error codes it records.
    static func recordStep(_ t: Transition, _ s: EventStatements, owner: String, now: Double) throws {
        try s.step.execute(arguments: [t.id, now, t.from.rawValue, t.to.rawValue, t.outcome?.rawValue, t.attempt, owner])
        for inn in t.parties ?? [] { try s.party.execute(arguments: [inn, t.id]) }
        for code in t.errorCodes ?? [] { try s.code.execute(arguments: [t.id, code]) }
    }

    /// The takeovers `recover` is about to make of entries whose lease ran out (one statement, before its update).
    static func recordTakeovers(_ db: Database, owner: String, inRoutes: String, routes: [String], now: Double) throws {
        try db.execute(sql: """
            INSERT INTO events (entry_id, at, action, from_stage, to_stage, outcome, attempt, owner, note)
            SELECT id, ?, 'recover', stage, stage, outcome, attempt + 1, ?, 'lease of ' || owner || ' ran out'
            FROM documents WHERE stage <> 'done' AND lease_until < ? AND \(inRoutes)
            """, arguments: StatementArguments([now, owner, now] as [any DatabaseValueConvertible]) + StatementArguments(routes))
    }

    // MARK: search

    /// The statement of a search and its arguments: the numbers of one page, found through the index of the most
    /// selective filter given (named, so that the plan never depends on statistics SQLite may not have), read from
    /// the index alone where it covers the filters; then those entries. Never an OFFSET: `before` is a key.
    ///
    /// `keyTime`: when a search by time (``JournalQuery/ordersByTimeReceived``) has a `before`, the time that entry
    /// was received (``search(_:)`` looks it up first).
    static func searchSQL(_ q: JournalQuery, keyTime: Double? = nil) -> (sql: String, arguments: StatementArguments) {
        var conditions: [String] = []
        var values: [(any DatabaseValueConvertible)?] = []
        func add(_ condition: String, _ value: (any DatabaseValueConvertible)?...) {
            conditions.append(condition)
            values += value
        }
        let key = q.inn == nil ? "d.id" : "p.entry_id"
        let source: String
        if let inn = q.inn {
            // The party's entries, newest first, straight from the key (inn, entry_id).
            source = "document_parties p CROSS JOIN documents d ON d.id = p.entry_id"
            add("p.inn = ?", inn)
        } else {
            source = "documents d " + (searchIndex(q).map { "INDEXED BY " + $0 } ?? "NOT INDEXED")
        }
        if let id = q.documentId { add("d.document_id IS NOT NULL AND d.document_id = ? COLLATE NOCASE", id) }
        if let range = q.fileNameRange {
            add("d.file_name >= ?", range.lower)
            if let upper = range.upper { add("d.file_name < ?", upper) }
        }
        if let kind = q.kind { add("d.kind = ?", kind) }
        if let outcome = q.outcome { add("d.outcome = ?", outcome.rawValue) }
        if q.unfinished { add("d.stage <> 'done'") }
        if let route = q.route { add("d.route = ?", route) }
        if let from = q.from { add("d.received_at >= ?", from) }
        let byTime = q.ordersByTimeReceived
        if byTime {
            // Read in the index's order (received_at, id), from the one upper end down.
            if let bound = q.timeUpperBound(keyTime: keyTime) { add("(d.received_at, d.id) < (?, ?)", bound.at, bound.id) }
        } else {
            if let to = q.to { add("d.received_at < ?", to) }
            if let before = q.before { add("\(key) < ?", before) }
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        values.append(q.clampedLimit)
        let (inner, outer) = byTime ? ("d.received_at DESC, d.id DESC", "received_at DESC, id DESC") : ("\(key) DESC", "id DESC")
        let sql = """
            SELECT \(columns) FROM documents WHERE id IN
                (SELECT \(key) FROM \(source) \(whereClause) ORDER BY \(inner) LIMIT ?)
            ORDER BY \(outer)
            """
        return (sql, StatementArguments(values))
    }

    /// The index a search without an ИНН goes through; nil: the table itself, newest first.
    static func searchIndex(_ q: JournalQuery) -> String? {
        if q.documentId != nil { return "documents_document_id" }
        if q.fileNameRange != nil { return "documents_file_name" }
        if q.unfinished { return "documents_unfinished" }
        if q.from != nil || q.to != nil { return "documents_received" }
        // Most entries are delivered: that outcome narrows less than a kind or a route.
        if let outcome = q.outcome, outcome != .delivered { return "documents_outcome" }
        if q.kind != nil { return "documents_kind" }
        if q.route != nil { return "documents_route" }
        return q.outcome != nil ? "documents_outcome" : nil
    }

    /// One read: for a page of a search by time, the time its key was received, then the page.
    public func search(_ query: JournalQuery) throws -> [JournalEntry] {
        try pool.read { db in
            var keyTime: Double?
            if query.ordersByTimeReceived, let before = query.before {
                keyTime = try Double.fetchOne(db, sql: "SELECT received_at FROM documents WHERE id = ?", arguments: [before])
                    ?? Double.fetchOne(db, sql: "SELECT received_at FROM documents WHERE id < ? ORDER BY id DESC LIMIT 1", arguments: [before])
                // Nothing at or below the key: the search ended on the page before.
                guard keyTime != nil else { return [] }
            }
            let (sql, arguments) = Self.searchSQL(query, keyTime: keyTime)
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.entry)
        }
    }

    // MARK: history and actions

    static let eventColumns = "id, entry_id, at, action, from_stage, to_stage, outcome, attempt, owner, actor, note"

    static func event(_ row: Row) -> JournalEvent {
        JournalEvent(id: row["id"], entryId: row["entry_id"], at: row["at"], action: row["action"],
                     from: (row["from_stage"] as String?).flatMap(Stage.init(rawValue:)),
                     to: (row["to_stage"] as String?).flatMap(Stage.init(rawValue:)),
                     outcome: (row["outcome"] as String?).flatMap(Outcome.init(rawValue:)), attempt: row["attempt"],
                     owner: row["owner"], actor: row["actor"], note: row["note"])
    }

    /// One read of `events_entry`; a step records the outcome it decides, and the steps after it show it too.
    public func history(_ id: Int64) throws -> [JournalEvent] {
        var events = try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.eventColumns) FROM events WHERE entry_id = ? ORDER BY id", arguments: [id]).map(Self.event)
        }
        var outcome: Outcome?
        for i in events.indices where events[i].actor == nil {
            if events[i].outcome == nil { events[i].outcome = outcome } else { outcome = events[i].outcome }
        }
        return events
    }

    /// One transaction; a second `requeue` of an entry breaks `events_requeued` (DG5063).
    public func recordAction(entryId: Int64?, actor: String, action: String, note: String, now: Double) throws {
        do {
            try pool.write { db in
                try db.execute(sql: "INSERT INTO events (entry_id, at, action, actor, note) VALUES (?, ?, ?, ?, ?)",
                               arguments: [entryId, now, action, actor, note])
            }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw JournalError.alreadyRecorded(action, entry: entryId)
        }
    }

    /// One read of `events_actions`.
    public func actions(limit: Int, before: Int64?) throws -> [JournalEvent] {
        try pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(Self.eventColumns) FROM events INDEXED BY events_actions WHERE actor IS NOT NULL AND id < ? ORDER BY id DESC LIMIT ?
                """, arguments: [before ?? Int64.max, min(500, max(1, limit))]).map(Self.event)
        }
    }

    // MARK: the dashboard

    static let hourlySQL = """
        SELECT CAST(finished_at / 3600 AS INTEGER) * 3600 AS hour, COALESCE(outcome, 'closed') AS o, COUNT(*) AS n
        FROM documents INDEXED BY documents_finished_outcome
        WHERE stage = 'done' AND finished_at >= :since AND finished_at < :until GROUP BY hour, o
        UNION ALL
        SELECT CAST(received_at / 3600 AS INTEGER) * 3600 AS hour, 'unfinished' AS o, COUNT(*) AS n
        FROM documents INDEXED BY documents_unfinished
        WHERE stage <> 'done' AND received_at >= :since AND received_at < :until GROUP BY hour
        ORDER BY hour, o
        """

    /// One read: the finished entries from the covering `documents_finished_outcome`, the unfinished from theirs.
    public func hourlyOutcomes(since: Double, until: Double) throws -> [HourlyCount] {
        try pool.read { db in
            try Row.fetchAll(db, sql: Self.hourlySQL, arguments: ["since": since, "until": until]).map {
                HourlyCount(hour: Double($0["hour"] as Int64), outcome: $0["o"], count: $0["n"])
            }
        }
    }

    /// Error codes are recorded only for rejected and conflicting entries (every other outcome is valid), so only
    /// those entries of the period are looked up.
    static let topCodesSQL = """
        SELECT c.code AS code, COUNT(*) AS n
        FROM documents d INDEXED BY documents_finished_outcome CROSS JOIN entry_codes c ON c.entry_id = d.id
        WHERE d.stage = 'done' AND d.finished_at >= :since AND d.outcome IN ('rejected', 'conflict')
        GROUP BY c.code ORDER BY n DESC, c.code LIMIT :limit
        """

    /// One read.
    public func topErrorCodes(since: Double, limit: Int) throws -> [(code: String, count: Int)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: Self.topCodesSQL, arguments: ["since": since, "limit": max(1, limit)]).map { ($0["code"], $0["n"]) }
        }
    }
}
