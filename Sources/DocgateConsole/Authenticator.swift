import DocgateCore
import DocgateGateway
import Glibc
import Synchronization

/// The outcome of a login.
public enum LoginOutcome: Sendable, Hashable {
    /// The name and password match: the user as the users file lists them.
    case accepted(ConsoleUser)
    /// No such user, or a wrong password — deliberately not told apart (DG5057).
    case refused
    /// Too many failures for the name or the client address: refused without checking the password; the client
    /// may try again after this many seconds (DG5058).
    case throttled(retryAfter: Double)

    /// The code to log with: DG5057 for a refusal, DG5058 for a throttled attempt, nil when accepted.
    public var code: Code? {
        switch self {
        case .accepted: nil
        case .refused: .DG5057
        case .throttled: .DG5058
        }
    }
}

/// Checks logins against the users file, throttled per name and per client address.
///
/// A login naming no user still checks a bcrypt hash (``Password/dummyHash``), so its answer takes as long as a
/// wrong password's and does not tell which names exist. Every attempt is counted against the name and the client
/// address independently (``ThrottlePolicy``); an attempt is counted as in flight from the moment it is let through,
/// so parallel attempts cannot slip past the threshold while the hashes are being checked. A success ends the
/// name's streak. IPv6 clients are counted by their /64, since one host commonly holds a whole /64.
///
/// ``verify(name:password:client:)`` blocks for the time of a bcrypt check (about 0.25 s at cost 12): call it off
/// the event loop. Safe to call from any number of threads.
public final class Authenticator: Sendable {
    private struct State {
        var users: [String: ConsoleUser]
        var names: LoginThrottle
        var clients: LoginThrottle
    }

    private let state: Mutex<State>
    private let checks = Atomic<Int>(0)
    private let clock: any GatewayClock
    private let dummyHash: String

    /// - Parameters:
    ///   - users: who may log in; replaced with ``replaceUsers(_:)`` when the file is reloaded.
    ///   - clock: the time throttling counts in (its monotonic clock).
    ///   - policy: thresholds, locks and the number of entries tracked.
    ///   - dummyHash: the hash checked for an unknown name; tests pass one of their own low cost.
    public init(users: UsersFile, clock: any GatewayClock = SystemClock(), policy: ThrottlePolicy = ThrottlePolicy(),
                dummyHash: String = Password.dummyHash) {
        state = Mutex(State(users: Self.table(users), names: LoginThrottle(policy: policy), clients: LoginThrottle(policy: policy)))
        self.clock = clock
        self.dummyHash = dummyHash
    }

    private static func table(_ users: UsersFile) -> [String: ConsoleUser] {
        Dictionary(users.users.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Puts a reloaded users file in force; the throttling counts stay.
    public func replaceUsers(_ users: UsersFile) {
        let table = Self.table(users)
        state.withLock { $0.users = table }
    }

    /// Checks a login.
    /// - Parameters:
    ///   - name: as typed (anything: it is not echoed, logged or kept unless it is a valid user name).
    ///   - password: as typed.
    ///   - client: the client's address as the server saw it (IPv4 or IPv6 text).
    public func verify(name: String, password: String, client: String) -> LoginOutcome {
        let nameKey = UserName.isValid(name) ? name : nil
        let clientKey = Self.clientKey(client)
        let now = clock.monotonic()
        let (user, wait): (ConsoleUser?, Double?) = state.withLock { s in
            let user = nameKey.flatMap { s.users[$0] }
            let byClient = s.clients.admit(clientKey, at: now)
            guard byClient == nil else { return (user, byClient) }
            if let nameKey, let byName = s.names.admit(nameKey, at: now, known: user != nil) {
                s.clients.finish(clientKey, at: now, failed: false, clears: false)
                return (user, byName)
            }
            return (user, nil)
        }
        if let wait { return .throttled(retryAfter: wait) }
        // The same work whether or not the name exists.
        checks.add(1, ordering: .relaxed)
        let matches = Password.verify(password, hash: user?.hash ?? dummyHash) && user != nil
        let done = clock.monotonic()
        state.withLock { s in
            s.clients.finish(clientKey, at: done, failed: !matches, clears: false)
            if let nameKey { s.names.finish(nameKey, at: done, failed: !matches, clears: true) }
        }
        return matches ? .accepted(user!) : .refused
    }

    /// The key a client address is counted under: an IPv6 address by its /64, an IPv4 address (mapped or not) as it
    /// is; anything else as given, cut to 64 bytes.
    static func clientKey(_ client: String) -> String {
        var v6 = in6_addr()
        if inet_pton(AF_INET6, client, &v6) == 1 {
            let b = withUnsafeBytes(of: v6) { Array($0) }
            if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF {
                return b[12...].map { String($0) }.joined(separator: ".")
            }
            return b[0..<8].map { String(hexByte: $0) }.joined() + "::/64"
        }
        return String(decoding: client.utf8.prefix(64), as: UTF8.self)
    }

    /// How many passwords were checked against a hash (attempts refused by throttling are not).
    public var passwordChecks: Int { checks.load(ordering: .relaxed) }

    /// How many names and client addresses are tracked (for tests and metrics).
    public var trackedEntries: (names: Int, clients: Int) {
        state.withLock { ($0.names.trackers.count, $0.clients.trackers.count) }
    }
}

private extension String {
    /// Two lowercase hex digits.
    init(hexByte byte: UInt8) {
        let digits = Array("0123456789abcdef")
        self = String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}
