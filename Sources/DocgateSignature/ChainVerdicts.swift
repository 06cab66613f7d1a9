import DocgateCrypto
import Glibc
import Synchronization

/// Chains already verified, each with the window in which it stays valid, so that a batch from one signer pays for
/// its chain once. Only accepted chains are kept (a rejection is rare and is worked out again with its reason);
/// an entry holds its certificates, so the identities it compares stay unique while it lives. The trust store of
/// a verifier never changes, and nothing but the time decides a chain's validity again (the window ends by the CRLs'
/// nextUpdate and the OCSP answers' it was decided with), so a hit inside the window gives what `check` would.
final class ChainVerdicts: Sendable {
    private struct Entry {
        let leaf: Certificate
        let intermediates: [Certificate]
        let validity: TrustStore.Validity
    }

    private let entries = Mutex<[Entry]>([])
    private let capacity: Int

    init(capacity: Int = 64) {
        self.capacity = capacity
    }

    /// Why the chain is not accepted at `time` (nil: now), or nil when it is.
    func problem(_ leaf: Certificate, intermediates: [Certificate], trust: TrustStore, at time: Int64?) -> ChainProblem? {
        let now = Int64(Glibc.time(nil))
        let moment = time ?? now
        let known = entries.withLock { list in
            list.contains { entry in
                entry.leaf === leaf && entry.intermediates.count == intermediates.count
                    && zip(entry.intermediates, intermediates).allSatisfy { $0 === $1 } && entry.validity.holds(at: moment, now: now)
            }
        }
        if known { return nil }
        switch trust.check(leaf, intermediates: intermediates, at: time) {
        case .failure(let problem):
            return problem
        case .success(let validity):
            // An OCSP answer without nextUpdate (or one already past it): the verdict is not kept.
            guard validity.holds(at: moment, now: now) else { return nil }
            entries.withLock { list in
                if list.count >= capacity { list.removeFirst() }
                list.append(Entry(leaf: leaf, intermediates: intermediates, validity: validity))
            }
            return nil
        }
    }
}
