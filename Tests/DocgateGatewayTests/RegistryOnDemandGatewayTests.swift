@testable import DocgateGateway
import DocgateDocuments
import DocgateTestSupport
import Foundation
import Testing

/// The gateway reads the registry of the rules across documents on demand: nothing at start, then what the checks
/// of each batch look up — a report finds the order delivered in an earlier run among many others, and memory
/// holds that order, not the whole registry.
@Suite struct RegistryOnDemandGatewayTests {
    static func sample(_ prefix: String) throws -> (name: String, text: String) {
        let path = try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix(prefix) })
        return ((path as NSString).lastPathComponent, try String(contentsOfFile: path, encoding: .utf8))
    }

    /// The UUID a sample's file name ends with (its root id).
    static func id(_ name: String) -> String { String(name.dropFirst(name.count - 40).prefix(36)) }

    @Test func aReportFindsItsOrderAmongManyWithoutTheRegistryLoadedWhole() throws {
        let site = try GatewaySite(route: "context_rules = true")
        let validator = try DocumentValidator(schemaDirectory: TestPaths.schemas)
        let order = try Self.sample("SOCORDER_ACKFIN24_ACKPLAN24_20241220")
        let orderDoc = try #require(ContextDocument(report: validator.validate(bytes: Array(order.text.utf8), file: order.name), sha256: "00"))
        // The registry as an earlier run left it: the order and 300 others.
        var others = (0..<300).map { n -> ContextDocument in
            var d = orderDoc
            d.id = String(format: "%08x-0000-4000-8000-%012x", n, n)
            return d
        }
        others.append(orderDoc)
        try site.journal.registryAdd(others.map { (id: $0.id, kind: $0.kind.rawValue, json: [UInt8](try JSONEncoder().encode($0))) })
        let report = try Self.sample("EXECREPORT_ACKFIN24_ACKPLAN24_20250714")
        try site.put(report.name, Array(report.text.utf8))
        // A copy of the report (another id) on an order nobody delivered.
        let stray = report.text.replacingOccurrences(of: Self.id(order.name), with: "0000abcd-0000-4000-8000-00000000abcd")
            .replacingOccurrences(of: Self.id(report.name), with: "0000abcd-0000-4000-8000-00000000ef01")
        try site.put("stray.xml", Array(stray.utf8))
        site.settle()
        #expect(site.files(site.outbox) == [report.name], "\(site.files(site.errors))")
        #expect(site.text(site.errors + "/stray.xml.reason.txt").contains("DG3100"))
        // The order, and the documents the two checks looked up (none besides it): not the 301 entries.
        let held = site.gateway.registryInMemory
        #expect(held >= 1 && held < 10, "\(held) registry documents in memory")
    }
}
