import Dispatch
import Logging

/// Renews this instance's claims every `interval` seconds while the gateway runs, on its own queue: a batch that
/// takes longer than the lease (large documents, a slow disk) keeps its claims, and after a crash the claims run out
/// `claim_lease` seconds later for another instance to take over. A renewal that fails is logged (DG5043) and tried
/// again at the next beat; the compare-and-set transitions keep a late owner from overwriting a takeover anyway.
/// Each beat also reads every instance's claims for `/metrics` (`docgate_journal_instance_claims`, `…_lease_seconds`,
/// `docgate_journal_up`).
final class LeaseHeartbeat {
    private let timer: any DispatchSourceTimer

    init(context: StageContext, interval: Double) {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "docgate.lease-heartbeat"))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.setEventHandler {
            let now = context.clock.now()
            do {
                _ = try context.journal.renew(owner: context.owner, lease: context.lease, now: now)
                // Every instance's claims, for /metrics (read here, off the HTTP handlers: a database round trip).
                context.metrics.setInstances(try context.journal.instances(), now: now)
            } catch {
                context.logger.error("claims not renewed", metadata: ["code": "DG5043", "error": "\(error)"])
                context.metrics.countError(route: "-")
                context.metrics.setInstances(nil, now: now)
            }
        }
        timer.resume()
        self.timer = timer
    }

    /// Stops the beats (the claims then run out after the lease unless finished or taken up again).
    func stop() {
        timer.cancel()
    }
}
