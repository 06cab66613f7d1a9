import CoreMetrics
import Prometheus

/// The gateway's figures, counted through swift-metrics and exposed by swift-prometheus on /metrics.
///
/// Each gateway counts into its own factory: by default a Prometheus registry of its own (two gateways in one
/// process never mix their figures); an embedding program may pass another swift-metrics factory (an
/// OpenTelemetry exporter, or a multiplexer over several), and the same figures go there.
public final class GatewayMetrics: Sendable {
    /// The registry `render` writes out; nil when the figures go to a factory the caller exposes itself.
    private let registry: PrometheusCollectorRegistry?
    private let factory: any MetricsFactory

    /// Upper bounds of the processing-time histogram, in seconds (Prometheus' usual ones).
    static let bounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    static let help: [String: String] = [
        "docgate_documents_total": "Documents that reached an outcome.",
        "docgate_processing_seconds": "From reading a document to its archived outcome.",
        "docgate_queue_depth": "Files waiting in an inbox.",
        "docgate_errors_total": "Failed steps (retried).",
        "docgate_journal_bytes": "Size of the journal file.",
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

    func countError(route: String) {
        Counter(label: "docgate_errors_total", dimensions: [("route", route)], factory: factory).increment()
    }

    func setQueueDepth(route: String, _ n: Int) {
        Gauge(label: "docgate_queue_depth", dimensions: [("route", route)], factory: factory).record(n)
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
