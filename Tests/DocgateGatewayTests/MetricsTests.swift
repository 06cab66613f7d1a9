import CoreMetrics
@testable import DocgateGateway
import Foundation
import Prometheus
import Testing

/// /metrics: the figures counted through swift-metrics, written by swift-prometheus, with docgate's help lines.
@Suite struct MetricsTests {
    @Test func theFiguresAreCountedAndWritten() throws {
        let metrics = GatewayMetrics()
        // Three documents: 0.004 s and 0.2 s delivered, 3 s quarantined.
        metrics.countDocument(route: "plan-to-fin", kind: "socialOrder", outcome: "delivered", seconds: 0.004)
        metrics.countDocument(route: "plan-to-fin", kind: "socialOrder", outcome: "delivered", seconds: 0.2)
        metrics.countDocument(route: "plan-to-fin", kind: "agreement", outcome: "quarantined", seconds: 3)
        metrics.countError(route: "plan-to-fin")
        metrics.countLostClaims(route: "plan-to-fin", 3)
        metrics.setQueueDepth(route: "plan-to-fin", 7, oldestSince: 1_000, at: 1_050)
        metrics.setQueueDepth(route: "plan-to-fin", 4, oldestSince: 1_010, at: 1_060)
        // The console's view of the inbox: the last scan's.
        #expect(metrics.inboxStatus()["plan-to-fin"] == InboxStatus(waiting: 4, oldestSince: 1_010, scannedAt: 1_060))
        metrics.setHeldOpen(route: "plan-to-fin", 2)
        // The instances on the journal: gw2 stopped renewing 30 s ago, then its claims were taken over (gone).
        metrics.setInstances([InstanceClaims(owner: "gw1@a", claims: 5, leaseUntil: 1_120),
                              InstanceClaims(owner: "gw2@b", claims: 3, leaseUntil: 1_070)], now: 1_100)
        #expect(metrics.render(journalBytes: nil).contains(#"docgate_journal_instance_lease_seconds{owner="gw2@b"} -30"#))
        metrics.setInstances([InstanceClaims(owner: "gw1@a", claims: 8, leaseUntil: 1_140)], now: 1_101)
        let text = metrics.render(journalBytes: 8192)
        #expect(text.contains(#"docgate_journal_instance_claims{owner="gw1@a"} 8"#) && text.contains("docgate_journal_up 1"), "\(text)")
        #expect(text.contains(#"docgate_journal_instance_claims{owner="gw2@b"} 0"#), "\(text)")
        #expect(text.contains(#"docgate_documents_total{route="plan-to-fin",kind="socialOrder",outcome="delivered"} 2"#), "\(text)")
        #expect(text.contains(#"docgate_documents_total{route="plan-to-fin",kind="agreement",outcome="quarantined"} 1"#))
        #expect(text.contains(#"docgate_errors_total{route="plan-to-fin"} 1"#))
        #expect(text.contains(#"docgate_claims_lost_total{route="plan-to-fin"} 3"#))
        #expect(text.contains(#"docgate_inbox_held_open{route="plan-to-fin"} 2"#), "\(text)")
        // A gauge holds the last value.
        #expect(text.contains(#"docgate_queue_depth{route="plan-to-fin"} 4"#))
        #expect(text.contains("docgate_journal_bytes 8192"))
        // Cumulative buckets: 0.004 ≤ 0.005; 0.2 ≤ 0.25; 3 ≤ 5; the count 3 and the sum 3.204.
        func bucket(_ le: String) -> String? {
            text.split(separator: "\n").first { $0.hasPrefix("docgate_processing_seconds_bucket{le=\"\(le)\"}") }
                .map { String($0.split(separator: " ").last ?? "") }
        }
        #expect(bucket("0.005") == "1")
        #expect(bucket("0.1") == "1")
        #expect(bucket("0.25") == "2")
        #expect(bucket("2.5") == "2")
        #expect(bucket("5.0") == "3" || bucket("5") == "3", "\(text)")
        #expect(bucket("+Inf") == "3")
        #expect(text.contains("docgate_processing_seconds_count 3"))
        let sum = try #require(text.split(separator: "\n").first { $0.hasPrefix("docgate_processing_seconds_sum ") })
        #expect(abs((Double(sum.split(separator: " ")[1]) ?? 0) - 3.204) < 1e-9)
        // Each figure has its help line, once, just before its type.
        for name in GatewayMetrics.help.keys {
            #expect(text.components(separatedBy: "# HELP \(name) ").count == 2, "\(name)")
            #expect(text.contains("# HELP \(name) \(GatewayMetrics.help[name]!)\n# TYPE \(name) "), "\(name)")
        }
    }

    /// Two gateways in one process keep their own figures.
    @Test func eachGatewayCountsOnItsOwn() {
        let a = GatewayMetrics(), b = GatewayMetrics()
        a.countError(route: "r")
        #expect(a.render(journalBytes: nil).contains(#"docgate_errors_total{route="r"} 1"#))
        #expect(!b.render(journalBytes: nil).contains("docgate_errors_total{"))
        // A route's name is written escaped, whatever it holds.
        b.countError(route: "a\"b\\c\nd")
        #expect(b.render(journalBytes: nil).contains(#"docgate_errors_total{route="a\"b\\c\nd"} 1"#))
    }

    /// An embedding program's own factory receives the same figures (here a Prometheus registry it holds).
    @Test func anEmbeddingProgramTakesTheFiguresThroughItsFactory() {
        let registry = PrometheusCollectorRegistry()
        let metrics = GatewayMetrics(factory: PrometheusMetricsFactory(registry: registry))
        metrics.countDocument(route: "r", kind: "receipt", outcome: "delivered", seconds: 0.01)
        #expect(metrics.render(journalBytes: nil).isEmpty)
        #expect(registry.emitToString().contains(#"docgate_documents_total{route="r",kind="receipt",outcome="delivered"} 1"#))
    }
}
