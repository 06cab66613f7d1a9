import DocgateTestSupport
import Foundation
import Testing
@testable import DocgateXML

/// The parse and schema codes the sources catalogue are the ones the README's code table lists.
@Suite struct CodeCatalogueTests {
    @Test func catalogueAndReadmeTableAgree() throws {
        let readme = try String(contentsOfFile: TestPaths.root + "/README.md", encoding: .utf8)
        let rows = Set(readme.split(separator: "\n").filter { $0.hasPrefix("| DG") }.compactMap {
            $0.split(separator: "|").first.map { $0.trimmingCharacters(in: .whitespaces) }
        })
        let catalogue = Set(XMLDiagnostics.catalogue.map(\.code))
        // DG1xxx and DG2001–DG2099 are the parse and schema codes; DG21xx belong to generate and export.
        let listed = rows.filter { $0.hasPrefix("DG1") || ($0.hasPrefix("DG20")) }
        #expect(catalogue.subtracting(listed).isEmpty, "not in the README: \(catalogue.subtracting(listed).sorted())")
        #expect(listed.subtracting(catalogue).isEmpty, "not in the catalogue: \(listed.subtracting(catalogue).sorted())")
    }
}
