import DocgateCore
import DocgateTestSupport
import Testing
@testable import DocgateXML

/// `maxTreeBytes` bounds what is parsed into a tree (sign, verify, inspect, export): text-heavy input passes the
/// element limit, so without a byte cap a file of gigabytes would be read whole and then held twice over.
@Suite struct TreeSizeLimitTests {
    static let text = "<r>" + String(repeating: "x", count: 300) + "</r>"

    @Test func theDefaultIsAGigabyteAndNoMoreThanTheInputLimit() {
        #expect(XMLLimits.default.maxTreeBytes == 1 << 30)
        #expect(XMLLimits.default.maxTreeBytes <= XMLLimits.default.maxInputBytes)
    }

    @Test func bytesOverTheCapAreRefusedBeforeParsing() throws {
        let bytes = Array(Self.text.utf8)
        let fits = XMLLimits(maxTreeBytes: bytes.count)
        #expect(throws: Never.self) { try bytes.withUnsafeBytes { XMLDocument.parse($0, limits: fits) }.get() }
        let small = XMLLimits(maxTreeBytes: bytes.count - 1)
        let refused = bytes.withUnsafeBytes { XMLDocument.parse($0, limits: small) }
        guard case .failure(let failure) = refused else {
            Issue.record("a tree was built over the byte cap")
            return
        }
        #expect(failure == .gate(.tooLarge(size: bytes.count, limit: bytes.count - 1)))
        let d = try #require(XMLDiagnostics.diagnostics(for: failure).first)
        #expect(d.code == "DG1015", "\(d)")
    }

    @Test func aFileOverTheCapIsNotReadWhole() throws {
        let dir = try TemporaryDirectory("tree-cap")
        defer { dir.remove() }
        let path = try dir.write("big.xml", Self.text)
        let result = try XMLDocument.parse(file: path, limits: XMLLimits(maxTreeBytes: 100))
        guard case .failure(.gate(.tooLarge(let size, let limit))) = result else {
            Issue.record("the file was parsed: \(result)")
            return
        }
        // The size is the file's, as stat gave it: nothing past the cap was read.
        #expect(size == Self.text.utf8.count && limit == 100)
    }
}
