@testable import DocgateGateway
import DocgateDocuments
import DocgateTestSupport
import Foundation
import Testing

/// A termination notice on a contract amended many times before it was terminated, every version in the journal's
/// registry (delivered in earlier runs); the notice names version 1 by id. Read on demand, the whole chain must be
/// followed to its terminated end (review finding: a bound of 16 rounds refused it, "not terminated").
@Suite struct LongChainGatewayTests {
    @Test(arguments: [1, 40]) func aNoticeOnAContractAmendedManyTimes(_ amendments: Int) throws {
        let site = try GatewaySite(route: "context_rules = true")
        let validator = try DocumentValidator(schemaDirectory: TestPaths.schemas)
        func path(_ prefix: String) throws -> String {
            try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix(prefix) })
        }
        func doc(_ prefix: String) throws -> ContextDocument {
            try #require(ContextDocument(report: validator.validate(file: try path(prefix)), sha256: "00"))
        }
        let v1 = try doc("CONTRACT_ACKFIN24_RPGU24_20250227")
        var chain = [v1]
        for i in 0..<amendments {
            var amended = v1
            amended.id = String(format: "%08x-0000-4000-8000-%012x", 6000 + i, 6000 + i)
            amended.file = "amended-\(i).xml"
            amended.header?.version = i + 2
            amended.header?.previousVersionId = chain.last!.id
            chain.append(amended)
        }
        var terminated = try doc("CONTRACT_ACKFIN24_RPGU24_20250701")
        terminated.header?.version = amendments + 2
        terminated.header?.previousVersionId = chain.last!.id
        chain.append(terminated)
        try site.journal.registryAdd(chain.map { (id: $0.id, kind: $0.kind.rawValue, json: [UInt8](try JSONEncoder().encode($0))) })
        let notice = try path("CONTRACTNOTICE_ACKFIN24_RPGU24_20250701")
        try site.put((notice as NSString).lastPathComponent, [UInt8](try Data(contentsOf: URL(fileURLWithPath: notice))))
        site.settle()
        let refused = site.files(site.errors).map { site.text(site.errors + "/" + $0) }.joined(separator: "\n")
        #expect(site.files(site.outbox).count == 1, "\(amendments) amendments: \(refused)")
    }
}
