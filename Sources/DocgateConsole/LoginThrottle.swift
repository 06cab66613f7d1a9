/// How logins are throttled: after ``threshold`` failures within ``window`` seconds, attempts are refused without
/// checking the password until a lock ends; the first lock lasts ``firstLock`` seconds and each further failure
/// doubles it, up to ``longestLock``.
public struct ThrottlePolicy: Sendable, Hashable {
    /// Failures within the window that lock.
    public var threshold = 5
    /// The window, in seconds (15 minutes).
    public var window: Double = 900
    /// The first lock, in seconds (1 minute).
    public var firstLock: Double = 60
    /// The longest lock, in seconds (1 hour).
    public var longestLock: Double = 3600
    /// Most names and most client addresses tracked (each); past it the least useful entries are dropped.
    public var capacity = 10_000

    /// The defaults: 5 failures in 15 minutes, locks of 1 minute doubling up to an hour, 10 000 entries.
    public init() {}
}

/// The failures of one name or one client address.
struct Tracker {
    /// Failures within the window (oldest first), at most the threshold's worth.
    var failures: [Double] = []
    /// Attempts let through whose outcome is not known yet.
    var inFlight = 0
    /// Locks imposed since the last success or the last quiet window; 0 when not in a streak.
    var level = 0
    var lockedUntil: Double = 0
    var lastSeen: Double = 0
    /// A name that is a user's (kept over others when entries must be dropped).
    var known = false

    func isIdle(at now: Double, _ policy: ThrottlePolicy) -> Bool {
        inFlight == 0 && now >= lockedUntil + policy.window && failures.allSatisfy { $0 <= now - policy.window }
    }
}

/// Failures per key (a name, or a client address), bounded in memory. Not thread-safe: the ``Authenticator`` holds
/// it in a mutex.
struct LoginThrottle {
    let policy: ThrottlePolicy
    private(set) var trackers: [String: Tracker] = [:]

    init(policy: ThrottlePolicy) { self.policy = policy }

    /// Seconds until `key` may try again, or nil when it may try now (and the attempt is then counted as in flight).
    mutating func admit(_ key: String, at now: Double, known: Bool = false) -> Double? {
        var t = trackers[key] ?? Tracker()
        defer { trackers[key] = t; shed(at: now) }
        t.lastSeen = now
        t.known = known
        if now < t.lockedUntil { return t.lockedUntil - now }
        // A streak ends after a quiet window following its last lock.
        if t.level > 0 && now >= t.lockedUntil + policy.window { t.level = 0 }
        t.failures.removeAll { $0 <= now - policy.window }
        // In a streak one attempt at a time; otherwise no more at once than failures still allowed.
        let allowed = t.level > 0 ? 1 : policy.threshold - t.failures.count
        if t.inFlight >= allowed { return 1 }
        t.inFlight += 1
        return nil
    }

    /// The outcome of an attempt `admit` let through: a failure counts (and may lock), a success ends the streak
    /// when `clears`, or only releases the attempt otherwise.
    mutating func finish(_ key: String, at now: Double, failed: Bool, clears: Bool) {
        guard var t = trackers[key] else { return }
        t.inFlight = max(0, t.inFlight - 1)
        t.lastSeen = now
        if !failed {
            if clears { t.failures = []; t.level = 0; t.lockedUntil = 0 }
        } else {
            t.failures.removeAll { $0 <= now - policy.window }
            t.failures.append(now)
            if t.failures.count > policy.threshold { t.failures.removeFirst(t.failures.count - policy.threshold) }
            if t.level > 0 || t.failures.count >= policy.threshold {
                let lock = min(policy.firstLock * Double(1 << min(t.level, 30)), policy.longestLock)
                t.level += 1
                t.lockedUntil = now + lock
            }
        }
        trackers[key] = t
    }

    /// Keeps the trackers within capacity: idle ones go first, then (oldest first) unknown names before known ones
    /// and unlocked entries before locked ones. Drops a tenth at a time so that the sort is rare.
    private mutating func shed(at now: Double) {
        guard trackers.count > policy.capacity else { return }
        trackers = trackers.filter { !$0.value.isIdle(at: now, policy) }
        guard trackers.count > policy.capacity else { return }
        let drop = trackers.count - policy.capacity + max(1, policy.capacity / 10)
        let order = trackers.sorted { a, b in
            let ka = (a.value.known, now < a.value.lockedUntil, a.value.lastSeen)
            let kb = (b.value.known, now < b.value.lockedUntil, b.value.lastSeen)
            return ka.0 != kb.0 ? !ka.0 : ka.1 != kb.1 ? !ka.1 : ka.2 < kb.2
        }
        for (key, _) in order.prefix(drop) { trackers[key] = nil }
    }
}
