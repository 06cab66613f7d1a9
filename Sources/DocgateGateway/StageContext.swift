import DocgateCore
import DocgateDocuments
import DocgateSignature
import Logging

/// What every stage shares: the journal and this instance's claim on it, the clock, the log and the metrics.
final class StageContext: Sendable {
    let journal: any Journal
    let owner: String
    let lease: Double
    let clock: any GatewayClock
    let logger: Logger
    let metrics: GatewayMetrics
    let gatewayId: String

    init(journal: any Journal, owner: String, lease: Double, clock: any GatewayClock, logger: Logger, metrics: GatewayMetrics,
         gatewayId: String) {
        self.journal = journal
        self.owner = owner
        self.lease = lease
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        self.gatewayId = gatewayId
    }

    /// A failed step: the file waits with exponential back-off (0.5 s doubling to 30 s) and is tried again; a
    /// failure that retrying cannot cure is counted, so that the third in a row ends the file with a rejection.
    func fail(_ r: RouteRuntime, _ name: FileName, _ error: FileError, identity: FileIdentity? = nil) {
        let now = clock.now()
        let (delay, permanent, failures) = r.backoff.withLock { backoff in
            var b = backoff[name] ?? RouteRuntime.Backoff(until: 0, failures: 0, permanent: 0)
            if let identity, let known = b.identity, known != identity { b = RouteRuntime.Backoff(until: 0, failures: 0, permanent: 0) }
            if let identity { b.identity = identity }
            b.failures += 1
            b.permanent = error.isTransient ? 0 : b.permanent + 1
            b.last = error
            let delay = min(30, 0.25 * Double(1 << min(b.failures, 7)))
            b.until = now + delay
            backoff[name] = b
            return (delay, b.permanent, b.failures)
        }
        metrics.countError(route: r.route.name)
        // Three incurable failures in a row, or ten of any kind (a file docgate may not read, a full disk that stays
        // full): an operator is told once.
        if permanent == 3 || failures == 10 {
            logger.critical("a step keeps failing for a reason retrying cannot cure; an operator must look", metadata: ["code": "DG5036", 
                "route": "\(r.route.name)", "file": "\(name.display)", "error": "\(error)"])
        }
        logger.warning("will retry", metadata: ["code": "DG5045", "route": "\(r.route.name)", "file": "\(name.display)", "error": "\(error)",
                                                "retry_in_s": "\(delay)"])
    }

    /// Transitions applied in one transaction; items whose transition did not apply (fenced out) drop out.
    func commit(_ pairs: [(Work, Transition)]) -> [Work] {
        guard !pairs.isEmpty else { return [] }
        do {
            let applied = try journal.apply(pairs.map(\.1), owner: owner, lease: lease, now: clock.now())
            var out: [Work] = []
            for ((w, t), ok) in zip(pairs, applied) {
                if ok {
                    w.entry.stage = t.to
                    if let o = t.outcome { w.entry.outcome = o }
                    if let v = t.documentId { w.entry.documentId = v }
                    if let v = t.kind { w.entry.kind = v }
                    if let v = t.outputName { w.entry.outputName = v }
                    if let v = t.receiptName { w.entry.receiptName = v }
                    if let v = t.archivePath { w.entry.archivePath = v }
                    if let v = t.errors { w.entry.errors = v }
                    out.append(w)
                } else {
                    logger.warning("journal transition refused (another owner holds the document)",
                                   metadata: ["code": "DG5046", "id": "\(w.entry.id)", "to": "\(t.to.rawValue)"])
                }
            }
            return out
        } catch {
            logger.error("journal write failed", metadata: ["code": "DG5043", "error": "\(error)"])
            metrics.countError(route: "-")
            return []
        }
    }
}
