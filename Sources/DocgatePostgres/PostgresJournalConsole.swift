import DocgateCore
import DocgateGateway
import FoundationEssentials
import PostgresNIO

/// The operator's console (issue 19): search, history, operators' actions and the dashboard's figures. The events
/// themselves are written by the claim, step and takeover statements (`PostgresJournalSchema`).
extension PostgresJournal {
    /// The statement of a search: one statement, each filter on its index (the planner picks the most selective
    /// with the statistics PostgreSQL keeps); an ИНН drives from `document_parties`' key (inn, entry_id), newest
    /// first. Never an OFFSET: `before` is a key.
    ///
    /// `keyTime`: when a search by time (``JournalQuery/ordersByTimeReceived``) has a `before`, the time that entry
    /// was received (``search(_:)`` looks it up first).
    static func searchQuery(_ q: JournalQuery, keyTime: Double? = nil) -> PostgresQuery {
        var b = PostgresBindings()
        var conditions: [String] = []
        func bind(_ value: some PostgresNonThrowingEncodable) -> String {
            b.append(value)
            return "$\(b.count)"
        }
        let key = q.inn == nil ? "d.id" : "p.entry_id"
        var source = "documents d"
        if let inn = q.inn {
            source = "document_parties p JOIN documents d ON d.id = p.entry_id"
            conditions.append("p.inn = \(bind(inn))")
        }
        if let id = q.documentId { conditions.append("d.document_id IS NOT NULL AND lower(d.document_id) = lower(\(bind(id)))") }
        if let range = q.fileNameRange {
            conditions.append("d.file_name COLLATE \"C\" >= \(bind(range.lower))")
            if let upper = range.upper { conditions.append("d.file_name COLLATE \"C\" < \(bind(upper))") }
        }
        if let kind = q.kind { conditions.append("d.kind = \(bind(kind))") }
        if let outcome = q.outcome { conditions.append("d.outcome = \(bind(outcome.rawValue))") }
        if q.unfinished { conditions.append("d.stage <> 'done'") }
        if let route = q.route { conditions.append("d.route = \(bind(route))") }
        if let from = q.from { conditions.append("d.received_at >= \(bind(from))") }
        // A time range that drives the search (as in SQLite, when no sharper filter does) is read backwards in the
        // order of `documents_received` (received_at, id), one page of it: ordered by the bare key, the planner
        // walked the primary key back from the newest entry and filtered (270 ms for an hour ten days back in a
        // journal of a million), and a sort of the range cost as much as the range was wide.
        let byTime = q.ordersByTimeReceived
        if byTime {
            if let bound = q.timeUpperBound(keyTime: keyTime) {
                conditions.append("(d.received_at, d.id) < (\(bind(bound.at)), \(bind(bound.id)))")
            }
        } else {
            if let to = q.to { conditions.append("d.received_at < \(bind(to))") }
            if let before = q.before { conditions.append("\(key) < \(bind(before))") }
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let limit = bind(q.clampedLimit)
        let (inner, outer) = byTime ? ("d.received_at DESC, d.id DESC", "received_at DESC, id DESC") : ("\(key) DESC", "id DESC")
        // The page's numbers first (from the index alone where it covers the filters), then those entries.
        return PostgresQuery(unsafeSQL: """
            SELECT \(PostgresJournalSchema.columns) FROM documents WHERE id IN
                (SELECT \(key) FROM \(source) \(whereClause) ORDER BY \(inner) LIMIT \(limit))
            ORDER BY \(outer)
            """, binds: b)
    }

    /// PostgreSQL's plan for a search (`EXPLAIN`), one line per step.
    func searchPlan(_ q: JournalQuery, keyTime: Double? = nil) throws -> [String] {
        let search = Self.searchQuery(q, keyTime: keyTime)
        return try read { s in
            try s.query(PostgresQuery(unsafeSQL: "EXPLAIN " + search.sql, binds: search.binds)).map { try $0.decode(String.self) }
        }
    }

    /// One statement (``searchQuery(_:keyTime:)``); for a page of a search by time, the time its key was received
    /// first.
    public func search(_ query: JournalQuery) throws -> [JournalEntry] {
        try read { s in
            var keyTime: Double?
            if query.ordersByTimeReceived, let before = query.before {
                let found = try s.query(PostgresQuery(unsafeSQL: """
                    SELECT COALESCE((SELECT received_at FROM documents WHERE id = $1),
                                    (SELECT received_at FROM documents WHERE id < $1 ORDER BY id DESC LIMIT 1))
                    """, binds: Self.binds(before)))
                keyTime = try found.first?.decode(Double?.self) ?? nil
                // Nothing at or below the key: the search ended on the page before.
                guard keyTime != nil else { return [] }
            }
            return try s.query(Self.searchQuery(query, keyTime: keyTime)).map(PostgresJournalSchema.entry)
        }
    }

    static let eventColumns = "id, entry_id, at, action, from_stage, to_stage, outcome, attempt, owner, actor, note"

    static func event(_ row: PostgresRow) throws -> JournalEvent {
        let r = row.makeRandomAccess()
        func v<T: PostgresDecodable>(_ name: String, _ type: T.Type = T.self) throws -> T { try r[name].decode(T.self) }
        return JournalEvent(id: try v("id"), entryId: try v("entry_id"), at: try v("at"), action: try v("action"),
                            from: try v("from_stage", String?.self).flatMap(Stage.init(rawValue:)),
                            to: try v("to_stage", String?.self).flatMap(Stage.init(rawValue:)),
                            outcome: try v("outcome", String?.self).flatMap(Outcome.init(rawValue:)),
                            attempt: try v("attempt", Int?.self), owner: try v("owner"), actor: try v("actor"),
                            note: try v("note"))
    }

    /// One read of `events_entry`.
    public func history(_ id: Int64) throws -> [JournalEvent] {
        try read { s in
            try s.query(PostgresQuery(unsafeSQL: "SELECT \(Self.eventColumns) FROM events WHERE entry_id = $1 ORDER BY id", binds: Self.binds(id)))
                .map(Self.event)
        }
    }

    /// A second `requeue` of an entry breaks `events_requeued` (SQLSTATE 23505): DG5063.
    public func recordAction(entryId: Int64?, actor: String, action: String, note: String, now: Double) throws {
        try write { s in
            do {
                try s.query("INSERT INTO events (entry_id, at, action, actor, note) VALUES (\(entryId), \(now), \(action), \(actor), \(note))")
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
                throw JournalError.alreadyRecorded(action, entry: entryId)
            }
        }
    }

    /// One read of `events_actions`.
    public func actions(limit: Int, before: Int64?) throws -> [JournalEvent] {
        try read { s in
            var b = PostgresBindings()
            b.append(before ?? Int64.max)
            b.append(min(500, max(1, limit)))
            return try s.query(PostgresQuery(unsafeSQL: """
                SELECT \(Self.eventColumns) FROM events WHERE actor IS NOT NULL AND id < $1 ORDER BY id DESC LIMIT $2
                """, binds: b)).map(Self.event)
        }
    }

    /// One read: finished entries by the hour they finished (`documents_finished_outcome`), unfinished ones by the
    /// hour they were received.
    public func hourlyOutcomes(since: Double, until: Double) throws -> [HourlyCount] {
        try read { s in
            try s.query("""
                SELECT floor(finished_at / 3600) * 3600 AS hour, COALESCE(outcome, 'closed') AS o, COUNT(*)
                FROM documents WHERE stage = 'done' AND finished_at >= \(since) AND finished_at < \(until) GROUP BY 1, 2
                UNION ALL
                SELECT floor(received_at / 3600) * 3600, 'unfinished', COUNT(*)
                FROM documents WHERE stage <> 'done' AND received_at >= \(since) AND received_at < \(until) GROUP BY 1
                ORDER BY 1, 2
                """).map { row in
                let (hour, outcome, count) = try row.decode((Double, String, Int).self)
                return HourlyCount(hour: hour, outcome: outcome, count: count)
            }
        }
    }

    /// Error codes are recorded only for rejected and conflicting entries (every other outcome is valid).
    public func topErrorCodes(since: Double, limit: Int) throws -> [(code: String, count: Int)] {
        try read { s in
            try s.query("""
                SELECT c.code, COUNT(*) AS n FROM documents d JOIN entry_codes c ON c.entry_id = d.id
                WHERE d.stage = 'done' AND d.finished_at >= \(since) AND d.outcome IN ('rejected', 'conflict')
                GROUP BY c.code ORDER BY n DESC, c.code LIMIT \(max(1, limit))
                """).map { row in try row.decode((String, Int).self) }
        }
    }
}
