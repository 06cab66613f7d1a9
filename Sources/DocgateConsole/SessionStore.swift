import DocgateGateway
import Synchronization

/// How long sessions last and how many are kept.
public struct SessionSettings: Sendable, Hashable {
    /// A session unused this many seconds ends (`[console] session_idle`, 30 minutes).
    public var idle: Double = 1800
    /// A session ends this many seconds after its login, used or not (`[console] session_max`, 12 hours).
    public var absolute: Double = 43_200
    /// Most sessions kept; past it the least recently used goes.
    public var capacity = 10_000
    /// Most sessions of one user; past it that user's least recently used goes.
    public var perUser = 16

    /// The defaults, or the configuration's timeouts.
    public init(idle: Double = 1800, absolute: Double = 43_200) {
        (self.idle, self.absolute) = (idle, absolute)
    }
}

/// A logged-in user's session, as the console sees it.
public struct Session: Sendable, Hashable {
    /// The cookie's value: 256 random bits, base64url (43 characters).
    public let token: String
    /// The user's name.
    public let name: String
    /// The user's role at login (a change of role in the users file ends the session).
    public let role: Role
    /// The value a form or a request header must carry (256 random bits, base64url); compare it with
    /// ``csrfMatches(_:)``.
    public let csrfToken: String
    /// Wall-clock time of the login, seconds since 1970.
    public let created: Double
    /// Wall-clock time of the last request, seconds since 1970.
    public let lastUsed: Double

    /// The code to log a request refused for its CSRF token with (DG5059).
    public static let csrfMismatchCode = "DG5059"

    /// Whether `presented` is this session's CSRF token, compared in constant time (every byte is looked at,
    /// whatever the first difference).
    public func csrfMatches(_ presented: String) -> Bool {
        Token.equalInConstantTime(presented, csrfToken)
    }
}

/// The console's sessions, in memory: made at login, found by their token, ended by logout, by the idle or the
/// absolute timeout, or when the users file no longer lists their user with the same role and password.
/// Bounded: ``SessionSettings/capacity`` in all, ``SessionSettings/perUser`` per user. Safe from any thread.
public final class SessionStore: Sendable {
    private struct Record {
        var session: Session
        let hash: String
        let start: Double
        var touched: Double
    }

    private let records = Mutex<[String: Record]>([:])
    private let settings: SessionSettings
    private let clock: any GatewayClock

    /// A store with no sessions; expiry counts on `clock`'s monotonic clock.
    public init(settings: SessionSettings = SessionSettings(), clock: any GatewayClock = SystemClock()) {
        (self.settings, self.clock) = (settings, clock)
    }

    /// A new session for a user who just logged in: fresh session and CSRF tokens, never one taken from the
    /// request (no fixation).
    public func create(for user: ConsoleUser) -> Session {
        let (now, wall) = (clock.monotonic(), clock.now())
        let session = Session(token: Token.random(), name: user.name, role: user.role, csrfToken: Token.random(),
                              created: wall, lastUsed: wall)
        records.withLock { records in
            records = records.filter { !expired($0.value, at: now) }
            let mine = records.filter { $0.value.session.name == user.name }
            if mine.count >= settings.perUser, let oldest = mine.min(by: { $0.value.touched < $1.value.touched }) {
                records[oldest.key] = nil
            }
            if records.count >= settings.capacity, let oldest = records.min(by: { $0.value.touched < $1.value.touched }) {
                records[oldest.key] = nil
            }
            records[session.token] = Record(session: session, hash: user.hash, start: now, touched: now)
        }
        return session
    }

    /// The live session of `token`, or nil: unknown, malformed or expired (an expired one is removed). Its last use
    /// moves to now unless `touching` is false: a page's own automatic refresh is not a person using the console.
    public func session(for token: String, touching: Bool = true) -> Session? {
        guard Token.isWellFormed(token) else { return nil }
        let (now, wall) = (clock.monotonic(), clock.now())
        return records.withLock { records in
            guard var record = records[token] else { return nil }
            guard !expired(record, at: now) else {
                records[token] = nil
                return nil
            }
            guard touching else { return record.session }
            record.touched = now
            record.session = Session(token: token, name: record.session.name, role: record.session.role,
                                     csrfToken: record.session.csrfToken, created: record.session.created, lastUsed: wall)
            records[token] = record
            return record.session
        }
    }

    /// Logout: the session of `token` ends (nothing happens for an unknown token).
    public func end(_ token: String) {
        _ = records.withLock { $0.removeValue(forKey: token) }
    }

    /// After the users file is reloaded: ends the sessions of users it no longer lists, or lists with another role
    /// or another password.
    /// - Returns: how many sessions ended.
    @discardableResult
    public func retain(_ users: UsersFile) -> Int {
        let table = Dictionary(users.users.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        return records.withLock { records in
            let before = records.count
            records = records.filter { _, r in
                table[r.session.name].map { $0.role == r.session.role && $0.hash == r.hash } ?? false
            }
            return before - records.count
        }
    }

    /// Removes the expired sessions (also done at each login); how many were removed.
    @discardableResult
    public func purgeExpired() -> Int {
        let now = clock.monotonic()
        return records.withLock { records in
            let before = records.count
            records = records.filter { !expired($0.value, at: now) }
            return before - records.count
        }
    }

    /// How many sessions are kept.
    public var count: Int { records.withLock { $0.count } }

    private func expired(_ r: Record, at now: Double) -> Bool {
        now - r.touched >= settings.idle || now - r.start >= settings.absolute
    }
}
