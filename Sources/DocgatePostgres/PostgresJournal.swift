import DocgateCore
import DocgateGateway
import FoundationEssentials
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import Synchronization

/// The journal in a PostgreSQL database, shared by instances on several machines. The same promises as the
/// SQLite journal: a claim is a unique in-flight slot for (route, file name), every step a compare-and-set on
/// stage, attempt and owner, a takeover only after a lease ran out.
///
/// What PostgreSQL adds: its statements see other instances' commits at their own start (read committed), so a
/// claim and the step that finishes an entry of the same route are ordered by a lock of the route
/// (`pg_advisory_xact_lock`). Without it an instance could claim a file in the instant another finished it (the
/// finishing update commits between the claim's look at finished entries and its insert) and deliver it twice.
///
/// When the server cannot be reached every call fails (DG5023) and ``isAvailable`` turns false until one
/// succeeds; the gateway keeps running, claims nothing, and its `/ready` says so. A commit whose answer was lost
/// is settled by the journal itself: the entries stay the owner's and `recover` finds them on the next pass.
public final class PostgresJournal: Journal {
    let connections: PostgresConnections
    /// Where it lives, as the operator may see it.
    public let location: PostgresLocation
    private let reachable = Atomic<Bool>(true)

    /// Connects (DG5023 when the server cannot be reached or refuses the login) and brings the schema up to date:
    /// migrations run one instance at a time (an advisory lock), each once (`docgate_migrations`).
    public init(location: PostgresLocation, password: String?, timeout: Int64 = 30, logger: Logger = Logger(label: "docgate.journal")) throws {
        self.location = location
        connections = PostgresConnections(configuration: try Self.configuration(location, password: password),
                                          size: location.poolSize, timeout: timeout, logger: logger)
        try guarded { try connections.with { try PostgresJournalSchema.migrate($0) } }
    }

    deinit { connections.close() }

    /// False while the last call failed because the server could not be reached (or answered nothing in time).
    public var isAvailable: Bool { reachable.load(ordering: .relaxed) }

    /// The connection settings: TCP with the TLS mode asked for, or the Unix socket.
    static func configuration(_ l: PostgresLocation, password: String?) throws -> PostgresConnection.Configuration {
        var c: PostgresConnection.Configuration
        if let socket = l.socketPath {
            c = .init(unixSocketPath: socket, username: l.user, password: password, database: l.database)
        } else {
            let tls: PostgresConnection.Configuration.TLS
            switch l.tls {
            case .disable: tls = .disable
            case .require:
                var t = TLSConfiguration.makeClientConfiguration()
                t.certificateVerification = .none
                tls = .require(try NIOSSLContext(configuration: t))
            case .verifyFull:
                var t = TLSConfiguration.makeClientConfiguration()
                t.certificateVerification = .fullVerification
                if let ca = l.caFile { t.trustRoots = .file(ca) }
                tls = .require(try NIOSSLContext(configuration: t))
            }
            c = .init(host: l.host ?? "localhost", port: l.port, username: l.user, password: password, database: l.database, tls: tls)
        }
        c.options.connectTimeout = .seconds(10)
        return c
    }

    /// Runs `body`, keeping ``isAvailable`` true after an answer and false after a failure to reach the server; the
    /// server's own refusal of a statement, and an error of docgate's own (an answer it cannot use, rows it cannot
    /// encode), leave it as it was.
    func guarded<T>(_ body: () throws -> T) throws -> T {
        do {
            let result = try body()
            reachable.store(true, ordering: .relaxed)
            return result
        } catch let error as PSQLError {
            if error.code != .server { reachable.store(false, ordering: .relaxed) }
            throw JournalError(code: "DG5023", message: Self.describe(error))
        } catch let error as PostgresDeadline {
            reachable.store(false, ordering: .relaxed)
            throw error.journalError
        } catch let error as JournalError {
            throw error
        } catch {
            // An answer docgate cannot decode, rows it cannot encode: its own; anything else is the way to the server.
            if !(error is PostgresDecodingError || error is EncodingError) { reachable.store(false, ordering: .relaxed) }
            throw JournalError(code: "DG5023", message: LocalizedText(ru: "PostgreSQL: \(error)", en: "PostgreSQL: \(error)"))
        }
    }

    /// The server's message and SQLSTATE when it sent one, else what failed on the way.
    static func describe(_ error: PSQLError) -> LocalizedText {
        if let info = error.serverInfo {
            let text = "\(info[.sqlState] ?? "?") \(info[.message] ?? "")"
            return LocalizedText(ru: "PostgreSQL отказал: \(text)", en: "PostgreSQL refused: \(text)")
        }
        let what = error.underlying.map { "\(error.code): \($0)" } ?? "\(error.code)"
        return LocalizedText(ru: "PostgreSQL недоступен: \(what)", en: "PostgreSQL is not reachable: \(what)")
    }

    /// One transaction on a pooled connection.
    func write<T>(_ body: (Session) throws -> T) throws -> T {
        try guarded { try connections.with { session in try session.transaction { try body(session) } } }
    }

    /// One statement (its own snapshot) on a pooled connection.
    func read<T>(_ body: (Session) throws -> T) throws -> T {
        try guarded { try connections.with(body) }
    }

    /// Locks the routes (in order, so two transactions never wait for each other) until the transaction ends.
    static func lockRoutes(_ routes: some Sequence<String>, _ s: Session) throws {
        try lock(PostgresJournalSchema.routeLockSpace, routes, s)
    }

    /// Advisory locks of `keys` in `space` (`hashtext` of each), taken in order until the transaction ends, in one
    /// statement: a batch's 64 deliveries took 64 round trips inside the staged commit when each lock was one.
    static func lock(_ space: Int32, _ keys: some Sequence<String>, _ s: Session) throws {
        let sorted = Set(keys).sorted()
        guard !sorted.isEmpty else { return }
        try s.query("SELECT pg_advisory_xact_lock(\(space), hashtext(k)) FROM unnest(\(sorted)::text[]) WITH ORDINALITY AS t(k, n) ORDER BY n")
    }

    // MARK: the Journal

    public func claim(_ requests: [ClaimRequest], owner: String, lease: Double, now: Double) throws -> [JournalEntry] {
        guard !requests.isEmpty else { return [] }
        let rows = try PostgresJournalSchema.json(requests.map(PostgresJournalSchema.ClaimRow.init))
        return try write { s in
            try Self.lockRoutes(requests.map(\.route), s)
            var b = PostgresBindings()
            b.append(rows); b.append(owner); b.append(now + lease); b.append(now)
            return try s.query(PostgresQuery(unsafeSQL: PostgresJournalSchema.claimSQL, binds: b)).map(PostgresJournalSchema.entry)
                .sorted { $0.id < $1.id }
        }
    }

    public func apply(_ transitions: [Transition], owner: String, lease: Double, now: Double) throws -> [Bool] {
        guard !transitions.isEmpty else { return [] }
        // One statement for the batch when each entry steps once in it and no root id is delivered twice; otherwise
        // (never in the pipeline) one statement per step, in order, so that a later step sees an earlier one.
        let delivering = transitions.filter { $0.outcome == .delivered && $0.documentId != nil }
        let finishing = transitions.filter { $0.to == .done }
        let oneStatement = Set(transitions.map(\.id)).count == transitions.count
            && Set(delivering.compactMap(\.documentId)).count == delivering.count
        let batches = oneStatement ? [transitions] : transitions.map { [$0] }
        let encoded = try batches.map { try PostgresJournalSchema.json($0.map(PostgresJournalSchema.StepRow.init)) }
        return try write { s in
            // Finishing steps wait for a claim of their route in progress, deliveries for another delivery of the
            // same document in progress (two copies taken by two instances: the statement then sees it and refuses
            // the later). One look for the routes of both.
            let locked = finishing.map(\.id) + delivering.map(\.id)
            if !locked.isEmpty {
                let routes = Dictionary(try s.query("SELECT id, route FROM documents WHERE id = ANY(\(locked))").map { try $0.decode((Int64, String).self) },
                                        uniquingKeysWith: { a, _ in a })
                try Self.lock(PostgresJournalSchema.routeLockSpace, finishing.compactMap { routes[$0.id] }, s)
                try Self.lock(PostgresJournalSchema.identityLockSpace, delivering.compactMap { t in routes[t.id].map { $0 + "/" + (t.documentId ?? "") } }, s)
            }
            var results: [Bool] = []
            for (batch, rows) in zip(batches, encoded) {
                var b = PostgresBindings()
                b.append(rows); b.append(owner); b.append(now + lease); b.append(now)
                let applied = Set(try s.query(PostgresQuery(unsafeSQL: PostgresJournalSchema.applySQL, binds: b)).map { try $0.decode(Int64.self) })
                results += batch.map { applied.contains($0.id) }
            }
            // Deliveries join the registry in the same transaction.
            try Self.insert(zip(transitions, results).compactMap { t, ok in ok ? t.registry : nil }, s, now: now, owner: owner)
            return results
        }
    }

    public func recover(owner: String, routes: [String], lease: Double, now: Double) throws -> [JournalEntry] {
        guard !routes.isEmpty else { return [] }
        return try write { s in
            // Rows another instance is taking over at this instant are skipped, not waited for. A takeover after a
            // lease ran out is an event (this owner's own entries, taken up again on every pass while a step keeps
            // failing, are not).
            try s.query("""
                WITH old AS (SELECT id, owner, lease_until FROM documents WHERE stage <> 'done' AND (owner = \(owner) OR lease_until < \(now))
                             AND route = ANY(\(routes)) FOR UPDATE SKIP LOCKED),
                u AS (UPDATE documents d SET owner = \(owner), attempt = d.attempt + 1, lease_until = \(now + lease), updated_at = \(now)
                      FROM old WHERE d.id = old.id
                      RETURNING d.id, d.stage, d.outcome, d.attempt, old.owner AS previous, old.lease_until < \(now) AS expired)
                INSERT INTO events (entry_id, at, action, from_stage, to_stage, outcome, attempt, owner, note)
                SELECT id, \(now), 'recover', stage, stage, outcome, attempt, \(owner), 'lease of ' || previous || ' ran out' FROM u WHERE expired
                """)
            var b = PostgresBindings()
            b.append(owner)
            b.append(routes)
            return try s.query(PostgresQuery(unsafeSQL: "SELECT \(PostgresJournalSchema.columns) FROM documents WHERE stage <> 'done' AND owner = $1 AND route = ANY($2) ORDER BY id",
                                             binds: b)).map(PostgresJournalSchema.entry)
        }
    }

    public func renew(owner: String, routes: [String], lease: Double, now: Double) throws -> Int {
        guard !routes.isEmpty else { return 0 }
        return try write { s in
            try s.query("""
                UPDATE documents SET lease_until = \(now + lease) WHERE stage <> 'done' AND owner = \(owner) AND route = ANY(\(routes)) RETURNING id
                """).count
        }
    }

    public func deliveredHashes(route: String, documentIds: [String]) throws -> [String: [String]] {
        guard !documentIds.isEmpty else { return [:] }
        return try read { s in
            var found: [String: [String]] = [:]
            for row in try s.query("""
                SELECT document_id, sha256 FROM documents WHERE route = \(route) AND document_id = ANY(\(documentIds)) AND outcome = 'delivered'
                """) {
                let (id, hash) = try row.decode((String, String).self)
                found[id, default: []].append(hash)
            }
            return found
        }
    }

    public func entry(_ id: Int64) throws -> JournalEntry? {
        try read { s in
            try s.query(PostgresQuery(unsafeSQL: "SELECT \(PostgresJournalSchema.columns) FROM documents WHERE id = $1", binds: Self.binds(id)))
                .first.map(PostgresJournalSchema.entry)
        }
    }

    public func list(limit: Int, outcome: Outcome?, unfinishedOnly: Bool) throws -> [JournalEntry] {
        try read { s in
            var conditions: [String] = []
            var b = PostgresBindings()
            if let outcome { b.append(outcome.rawValue); conditions.append("outcome = $1") }
            if unfinishedOnly { conditions.append("stage <> 'done'") }
            b.append(limit)
            let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try s.query(PostgresQuery(unsafeSQL: "SELECT \(PostgresJournalSchema.columns) FROM documents \(whereClause) ORDER BY id DESC LIMIT $\(b.count)",
                                             binds: b)).map(PostgresJournalSchema.entry)
        }
    }

    public func stats() throws -> JournalStats {
        try read { s in
            try s.transaction {
                var byOutcome: [String: Int] = [:]
                for row in try s.query("""
                    SELECT COALESCE(outcome, CASE WHEN stage = 'done' THEN 'superseded' ELSE 'pending' END) AS o, COUNT(*) FROM documents GROUP BY o
                    """) {
                    let (o, n) = try row.decode((String, Int).self)
                    byOutcome[o] = n
                }
                let flight = try s.query("SELECT COUNT(*), MIN(received_at) FROM documents WHERE stage <> 'done'")
                let (inFlight, oldest) = try flight[0].decode((Int, Double?).self)
                return JournalStats(byOutcome: byOutcome, inFlight: inFlight, total: byOutcome.values.reduce(0, +),
                                    oldestInFlight: oldest, instances: try Self.instances(s))
            }
        }
    }

    public func instances() throws -> [InstanceClaims] {
        try read(Self.instances)
    }

    static func instances(_ s: Session) throws -> [InstanceClaims] {
        try s.query("""
            SELECT owner, COUNT(*), MAX(lease_until), MIN(received_at) FROM documents WHERE stage <> 'done' GROUP BY owner ORDER BY owner
            """).map { row in
            let (owner, n, lease, oldest) = try row.decode((String, Int, Double, Double).self)
            return InstanceClaims(owner: owner, claims: n, leaseUntil: lease, oldestReceived: oldest)
        }
    }

    /// Bindings of one value.
    static func binds(_ value: some PostgresNonThrowingEncodable) -> PostgresBindings {
        var b = PostgresBindings()
        b.append(value)
        return b
    }
}
