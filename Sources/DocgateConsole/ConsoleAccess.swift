import DocgateGateway
import Synchronization

/// The console's access layer in one piece: the users file, logins and sessions, as the console's routes use them.
///
/// ```swift
/// let access = try ConsoleAccess(config.console!)
/// switch access.login(name: form.name, password: form.password, client: remoteAddress) {   // off the event loop
/// case .success(let session): // Set-Cookie: SessionCookie.setCookie(token: session.token)
/// case .failure(let outcome): // 401 / 429, logged with outcome.code
/// }
/// let session = SessionCookie.token(fromCookieHeader: cookie).flatMap(access.sessions.session(for:))
/// ```
public final class ConsoleAccess: Sendable {
    /// The users file's path.
    public let usersPath: String
    /// Checks passwords, with throttling.
    public let authenticator: Authenticator
    /// The sessions.
    public let sessions: SessionStore
    private let users: Mutex<UsersFile>

    /// Reads the users file (``UsersFile/load(_:)``) and starts with no sessions.
    /// - Throws: DG5053 when the users file cannot be used.
    public init(usersPath: String, settings: SessionSettings = SessionSettings(), clock: any GatewayClock = SystemClock(),
                policy: ThrottlePolicy = ThrottlePolicy(), dummyHash: String = Password.dummyHash) throws(ConsoleError) {
        let file = try UsersFile.load(usersPath)
        self.usersPath = usersPath
        users = Mutex(file)
        authenticator = Authenticator(users: file, clock: clock, policy: policy, dummyHash: dummyHash)
        sessions = SessionStore(settings: settings, clock: clock)
    }

    /// The access layer of a configured console (`[console]`: its users file and session timeouts).
    public convenience init(_ config: ConsoleConfig, clock: any GatewayClock = SystemClock()) throws(ConsoleError) {
        try self.init(usersPath: config.users, settings: SessionSettings(idle: config.sessionIdle, absolute: config.sessionMax), clock: clock)
    }

    /// The users in force.
    public var currentUsers: UsersFile { users.withLock { $0 } }

    /// Checks a login and, when it is accepted, opens a session. Blocks for a bcrypt check: call it off the event loop.
    public func login(name: String, password: String, client: String) -> Result<Session, LoginFailure> {
        switch authenticator.verify(name: name, password: password, client: client) {
        case .accepted(let user):
            let session = sessions.create(for: user)
            // A reload between the check and the session: the session must not outlive the change.
            guard currentUsers[user.name] == user else {
                sessions.end(session.token)
                return .failure(LoginFailure(outcome: .refused))
            }
            return .success(session)
        case let outcome:
            return .failure(LoginFailure(outcome: outcome))
        }
    }

    /// Reads the users file again. When it cannot be used the users in force stay (and the error says why);
    /// otherwise the new users are in force and the sessions of users removed, or whose role or password
    /// changed, end.
    /// - Returns: how many sessions ended.
    @discardableResult
    public func reload() throws(ConsoleError) -> Int {
        let file = try UsersFile.load(usersPath)
        users.withLock { $0 = file }
        authenticator.replaceUsers(file)
        return sessions.retain(file)
    }
}

/// A login that did not open a session: ``LoginOutcome/refused`` or ``LoginOutcome/throttled(retryAfter:)``.
public struct LoginFailure: Error, Sendable, Hashable {
    /// Why.
    public let outcome: LoginOutcome

    /// A failure for this outcome.
    public init(outcome: LoginOutcome) { self.outcome = outcome }
    /// DG5057 or DG5058.
    public var code: String { outcome.code?.rawValue ?? "DG5057" }
}
