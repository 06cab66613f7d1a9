import CoreMetrics
import Prometheus
import Synchronization

/// The gateway's figures, counted through swift-metrics and exposed by swift-prometheus on /metrics.
///
/// Each gateway counts into its own factory: by default a Prometheus registry of its own (two gateways in one
/// process never mix their figures); an embedding program may pass another swift-metrics factory (an
/// OpenTelemetry exporter, or a multiplexer over several), and the same figures go there.
public final class GatewayMetrics: Sendable {
    /// The registry `render` writes out; nil when the figures go to a factory the caller exposes itself.
    private let registry: PrometheusCollectorRegistry?
    private let factory: any MetricsFactory
    /// The owners the last heartbeat saw holding claims.
    private let knownOwners = Mutex<Set<String>>([])
    /// Each route's inbox at its last scan, for the console.
    private let inboxes = Mutex<[String: InboxStatus]>([:])

    /// Upper bounds of the processing-time histogram, in seconds (Prometheus' usual ones).
    static let bounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    static let help: [String: String] = [
        "docgate_documents_total": "Documents that reached an outcome.",
        "docgate_processing_seconds": "From reading a document to its archived outcome.",
        "docgate_queue_depth": "Files waiting in an inbox.",
        "docgate_inbox_held_open": "Inbox files open for writing by another process for longer than held_open_warning (DG5050).",
        "docgate_errors_total": "Failed steps (retried).",
        "docgate_journal_bytes": "Size of the journal file.",
        "docgate_claims_lost_total": "Files read but claimed or finished by another instance first (several instances on one inbox).",
        "docgate_journal_up": "1 when the journal answered at the last heartbeat, 0 when it could not be reached.",
        "docgate_journal_instance_claims": "Unfinished entries each instance holds in the journal (every instance on it, at the last heartbeat).",
        "docgate_journal_instance_lease_seconds": "Seconds until an instance's latest lease runs out (negative: it stopped renewing; its claims can be taken over).",
    ]

    /// Figures into a Prometheus registry of this gateway's own.
    public convenience init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = Self.bounds.map { Duration.nanoseconds(Int64(($0 * 1e9).rounded())) }
        self.init(factory: factory, registry: registry)
    }

    /// Figures into `factory`; `render` gives the text of `registry` when there is one.
    public init(factory: any MetricsFactory, registry: PrometheusCollectorRegistry? = nil) {
        self.factory = factory
        self.registry = registry
    }

    func countDocument(route: String, kind: String, outcome: String, seconds: Double) {
        Counter(label: "docgate_documents_total", dimensions: [("route", route), ("kind", kind), ("outcome", outcome)],
                factory: factory).increment()
        Timer(label: "docgate_processing_seconds", dimensions: [], factory: factory)
            .recordNanoseconds(Int64((max(0, seconds) * 1e9).rounded()))
    }

    func countLostClaims(route: String, _ n: Int) {
        Counter(label: "docgate_claims_lost_total", dimensions: [("route", route)], factory: factory).increment(by: n)
    }

    func countError(route: String) {
        Counter(label: "docgate_errors_total", dimensions: [("route", route)], factory: factory).increment()
    }

    /// The instances on the journal, as the heartbeat last saw them; an instance seen before and gone now is set to
    /// zero claims (a gauge keeps its last value otherwise).
    func setInstances(_ instances: [InstanceClaims]?, now: Double) {
        Gauge(label: "docgate_journal_up", dimensions: [], factory: factory).record(instances == nil ? 0 : 1)
        guard let instances else { return }
        let gone = knownOwners.withLock { known in
            defer { known = Set(instances.map(\.owner)) }
            return known.subtracting(instances.map(\.owner))
        }
        for i in instances {
            Gauge(label: "docgate_journal_instance_claims", dimensions: [("owner", i.owner)], factory: factory).record(i.claims)
            Gauge(label: "docgate_journal_instance_lease_seconds", dimensions: [("owner", i.owner)], factory: factory)
                .record((i.leaseUntil - now).rounded())
        }
        for owner in gone {
            Gauge(label: "docgate_journal_instance_claims", dimensions: [("owner", owner)], factory: factory).record(0)
            Gauge(label: "docgate_journal_instance_lease_seconds", dimensions: [("owner", owner)], factory: factory).record(0)
        }
    }

    func setQueueDepth(route: String, _ n: Int, oldestSince: Double?, at now: Double) {
        Gauge(label: "docgate_queue_depth", dimensions: [("route", route)], factory: factory).record(n)
        inboxes.withLock { $0[route] = InboxStatus(waiting: n, oldestSince: oldestSince, scannedAt: now) }
    }

    /// Each route's inbox as its last scan saw it, by route name.
    public func inboxStatus() -> [String: InboxStatus] { inboxes.withLock { $0 } }

    func setHeldOpen(route: String, _ n: Int) {
        Gauge(label: "docgate_inbox_held_open", dimensions: [("route", route)], factory: factory).record(n)
    }

    /// The exposition text, with a HELP line for each of docgate's figures; `journalBytes` is the journal file's
    /// size. Empty when the figures go to a factory the caller exposes.
    public func render(journalBytes: Int64?) -> String {
        if let journalBytes {
            Gauge(label: "docgate_journal_bytes", dimensions: [], factory: factory).record(journalBytes)
        }
        guard let registry else { return "" }
        var out = ""
        for line in registry.emitToString().split(separator: "\n", omittingEmptySubsequences: false) {
            // swift-metrics carries no help text: it is added before each of our TYPE lines.
            if line.hasPrefix("# TYPE "), let name = line.dropFirst(7).split(separator: " ").first, let help = Self.help[String(name)] {
                out += "# HELP \(name) \(help)\n"
            }
            out += line.isEmpty ? "" : line + "\n"
        }
        return out
    }
}

/// A route's inbox at its last scan: the files in it, and since when the longest-waiting one has been seen.
public struct InboxStatus: Sendable, Hashable {
    /// Files in the inbox.
    public var waiting: Int
    /// When docgate first saw the longest-waiting file (seconds since the epoch); nil when the inbox is empty.
    public var oldestSince: Double?
    /// When the scan was.
    public var scannedAt: Double
}
