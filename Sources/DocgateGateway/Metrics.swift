import Synchronization

/// The gateway's counters, rendered in the Prometheus text format for /metrics.
public final class GatewayMetrics: Sendable {
    struct State {
        var documents: [String: Int] = [:]          // "route|kind|outcome"
        var errors: [String: Int] = [:]             // route
        var queueDepth: [String: Int] = [:]         // route
        var buckets: [Int] = Array(repeating: 0, count: GatewayMetrics.bounds.count)
        var count = 0
        var sum = 0.0
    }

    static let bounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    private let state = Mutex(State())

    public init() {}

    func countDocument(route: String, kind: String, outcome: String, seconds: Double) {
        state.withLock { s in
            s.documents["\(route)|\(kind)|\(outcome)", default: 0] += 1
            s.count += 1
            s.sum += seconds
            for (i, b) in Self.bounds.enumerated() where seconds <= b { s.buckets[i] += 1 }
        }
    }

    func countError(route: String) { state.withLock { $0.errors[route, default: 0] += 1 } }

    func setQueueDepth(route: String, _ n: Int) { state.withLock { $0.queueDepth[route] = n } }

    /// Documents processed so far, by outcome.
    public func total(outcome: String) -> Int {
        state.withLock { s in s.documents.filter { $0.key.hasSuffix("|" + outcome) }.values.reduce(0, +) }
    }

    /// The exposition text; `journalBytes` is the journal file's size.
    public func render(journalBytes: Int64?) -> String {
        let s = state.withLock { $0 }
        func esc(_ v: String) -> String { v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") }
        var out = "# HELP docgate_documents_total Documents that reached an outcome.\n# TYPE docgate_documents_total counter\n"
        for (key, n) in s.documents.sorted(by: { $0.key < $1.key }) {
            let p = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            out += "docgate_documents_total{route=\"\(esc(p[0]))\",kind=\"\(esc(p[1]))\",outcome=\"\(esc(p[2]))\"} \(n)\n"
        }
        out += "# HELP docgate_processing_seconds From reading a document to its archived outcome.\n# TYPE docgate_processing_seconds histogram\n"
        for (i, b) in Self.bounds.enumerated() { out += "docgate_processing_seconds_bucket{le=\"\(b)\"} \(s.buckets[i])\n" }
        out += "docgate_processing_seconds_bucket{le=\"+Inf\"} \(s.count)\ndocgate_processing_seconds_sum \(s.sum)\ndocgate_processing_seconds_count \(s.count)\n"
        out += "# HELP docgate_queue_depth Files waiting in an inbox.\n# TYPE docgate_queue_depth gauge\n"
        for (route, n) in s.queueDepth.sorted(by: { $0.key < $1.key }) { out += "docgate_queue_depth{route=\"\(esc(route))\"} \(n)\n" }
        out += "# HELP docgate_errors_total Failed steps (retried).\n# TYPE docgate_errors_total counter\n"
        for (route, n) in s.errors.sorted(by: { $0.key < $1.key }) { out += "docgate_errors_total{route=\"\(esc(route))\"} \(n)\n" }
        if let journalBytes {
            out += "# HELP docgate_journal_bytes Size of the journal file.\n# TYPE docgate_journal_bytes gauge\ndocgate_journal_bytes \(journalBytes)\n"
        }
        return out
    }
}
