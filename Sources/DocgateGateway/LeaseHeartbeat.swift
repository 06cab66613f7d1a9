import Dispatch
import Logging
import Synchronization

/// When the gateway's loop last moved (a pass began or ended, a batch was claimed or finished, a wait ended), on
/// the monotonic clock.
final class LoopProgress: Sendable {
    private let clock: any GatewayClock
    private let last: Mutex<Double>

    init(clock: any GatewayClock) {
        self.clock = clock
        last = Mutex(clock.monotonic())
    }

    /// The loop moved now.
    func tick() {
        let now = clock.monotonic()
        last.withLock { $0 = now }
    }

    /// Seconds since the loop last moved.
    var idle: Double { clock.monotonic() - last.withLock { $0 } }
}

/// Renews this instance's claims every `interval` seconds while the gateway runs, on its own queue: a batch that
/// takes longer than the lease (large documents, a slow disk) keeps its claims, and after a crash the claims run out
/// `claim_lease` seconds later for another instance to take over. A renewal that fails is logged (DG5043) and tried
/// again at the next beat; the compare-and-set transitions keep a late owner from overwriting a takeover anyway.
///
/// A living instance whose loop is stuck (a hung file system call, a deadlock) must not hold its claims forever:
/// once the loop has not moved for `stallAfter` seconds the beats stop renewing (logged once, DG5043, and `/ready`
/// says so), and the claims run out for the others; the beats renew again when the loop moves.
/// Each beat also reads every instance's claims for `/metrics` (`docgate_journal_instance_claims`, `…_lease_seconds`,
/// `docgate_journal_up`).
final class LeaseHeartbeat {
    private let timer: any DispatchSourceTimer
    private let state = BeatState()

    /// The beats counted and whether the loop was found stuck, shared with the timer's handler.
    final class BeatState: Sendable {
        let value = Mutex<(beats: Int, stalled: Bool)>((0, false))
    }

    init(context: StageContext, routes: [String], interval: Double, progress: LoopProgress, stallAfter: Double) {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "docgate.lease-heartbeat"))
        timer.schedule(deadline: .now() + interval, repeating: interval)
        let state = self.state
        timer.setEventHandler {
            defer { state.value.withLock { $0.beats += 1 } }
            let now = context.clock.now()
            let idle = progress.idle
            let stalled = idle > stallAfter
            let changed = state.value.withLock { s in defer { s.stalled = stalled }; return s.stalled != stalled }
            if stalled {
                if changed {
                    context.logger.error("the gateway loop has not moved: its claims are no longer renewed and will be taken over",
                                         metadata: ["code": "DG5043", "idle_seconds": "\(Int(idle))"])
                }
                return
            }
            if changed { context.logger.notice("the gateway loop moves again: claims renewed", metadata: [:]) }
            do {
                _ = try context.journal.renew(owner: context.owner, routes: routes, lease: context.lease, now: now)
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

    /// Beats so far (tests wait for them).
    var beats: Int { state.value.withLock { $0.beats } }
    /// Whether the last beat found the loop stuck.
    var stalled: Bool { state.value.withLock { $0.stalled } }

    /// Stops the beats (the claims then run out after the lease unless finished or taken up again).
    func stop() {
        timer.cancel()
    }
}
