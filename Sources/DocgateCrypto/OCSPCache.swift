import Synchronization

/// OCSP answers by certificate id and responder, each kept while it may be relied on (until its nextUpdate, or for
/// the configured time when it has none). Bounded: when full, answers past their time go first, then the one that
/// expires soonest. Shared by the threads of a batch or of the gateway.
final class OCSPCache: Sendable {
    private let entries = Mutex<[[UInt8]: OCSPAnswer]>([:])
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// The answer kept under `key`, if it may still be relied on at `now`.
    func answer(_ key: [UInt8], now: Int64) -> OCSPAnswer? {
        entries.withLock { table in
            guard let hit = table[key] else { return nil }
            if hit.reliableUntil > now { return hit }
            table[key] = nil
            return nil
        }
    }

    func keep(_ answer: OCSPAnswer, _ key: [UInt8], now: Int64) {
        guard answer.reliableUntil > now else { return }
        entries.withLock { table in
            if table[key] == nil, table.count >= capacity {
                for (k, v) in table where v.reliableUntil <= now { table[k] = nil }
                if table.count >= capacity, let soonest = table.min(by: { $0.value.reliableUntil < $1.value.reliableUntil }) {
                    table[soonest.key] = nil
                }
            }
            table[key] = answer
        }
    }

    /// How many answers are kept (tests).
    var count: Int { entries.withLock { $0.count } }
}
