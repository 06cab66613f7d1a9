import DocgateCore
import DocgateTestSupport
import Foundation
import Testing
@testable import DocgateXML

/// One catalogue of codes (DocgateCore): the table of docs/codes.md is a copy of it, every code the sources write is in
/// it, and nothing in it is never written.
@Suite struct CodeCatalogueTests {
    @Test func eachCodeHasOneEntry() {
        #expect(CodeCatalogue.entries.count == Code.allCases.count)
        #expect(Set(CodeCatalogue.entries.map(\.code)).count == Code.allCases.count)
        #expect(CodeCatalogue.entries.allSatisfy { !$0.meaning.ru.isEmpty && !$0.meaning.en.isEmpty })
    }

    @Test func theCodeTableIsTheCatalogue() throws {
        let readme = try String(contentsOfFile: TestPaths.root + "/docs/codes.md", encoding: .utf8)
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex(of: "| code | severity | meaning |"))
        let table = lines[start...].prefix { $0.hasPrefix("|") }.map { $0 + "\n" }.joined()
        #expect(table == CodeCatalogue.markdown(.en))
    }

    /// Every `DGnnnn` in Sources/ (outside the catalogue itself) is catalogued, and every catalogued code is written
    /// somewhere.
    @Test func theSourcesWriteExactlyTheCataloguedCodes() throws {
        let sources = TestPaths.root + "/Sources"
        let files = try #require(FileManager.default.enumerator(atPath: sources)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") && !($0 as NSString).lastPathComponent.hasPrefix("CodeCatalogue") }
        var written: Set<String> = []
        let pattern = try NSRegularExpression(pattern: #"DG[0-9]{4}"#)
        for file in files {
            let text = try String(contentsOfFile: sources + "/" + file, encoding: .utf8)
            for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                written.insert(String(text[Range(m.range, in: text)!]))
            }
        }
        let catalogued = Set(Code.allCases.map(\.rawValue))
        #expect(written.subtracting(catalogued).isEmpty, "written but not catalogued: \(written.subtracting(catalogued).sorted())")
        #expect(catalogued.subtracting(written).isEmpty, "catalogued but never written: \(catalogued.subtracting(written).sorted())")
    }

    /// Every error, critical and warning line of the daemon's log names its code (metadata `code`).
    @Test func theDaemonsLogLinesCarryCodes() throws {
        for dir in ["/Sources/DocgateGateway", "/Sources/docgate-gateway"] {
            let path = TestPaths.root + dir
            for name in try FileManager.default.contentsOfDirectory(atPath: path) where name.hasSuffix(".swift") {
                let text = try String(contentsOfFile: path + "/" + name, encoding: .utf8)
                var rest = Substring(text)
                while let r = rest.range(of: #"logger\.(error|critical|warning)\("#, options: .regularExpression) {
                    // The call up to its closing parenthesis.
                    var depth = 0
                    var end = r.upperBound
                    var i = r.lowerBound
                    while i < rest.endIndex {
                        if rest[i] == "(" { depth += 1 } else if rest[i] == ")" { depth -= 1; if depth == 0 { end = i; break } }
                        i = rest.index(after: i)
                    }
                    let call = rest[r.lowerBound...end]
                    #expect(call.contains("\"code\""), "\(name): \(call.prefix(80))")
                    rest = rest[end...].dropFirst()
                }
            }
        }
    }

    /// The parse and schema messages of DocgateXML carry catalogued codes of the catalogued severity.
    @Test func theXMLMessagesAgreeWithTheCatalogue() throws {
        for item in XMLDiagnostics.catalogue {
            let code = try #require(Code(rawValue: item.code), "\(item.code)")
            #expect(code.severity == .error, "\(item.code)")
        }
    }
}
