import DocgateCore
import DocgateTestSupport
import Testing
@testable import DocgateXML

/// `maxElements` bounds a tree: the gate counts start tags as the bytes stream past and refuses the input
/// before libxml2 builds anything.
@Suite struct ElementLimitTests {
    /// `<r>` on line 1, then one `<a/>` per line: `n + 1` elements, element `k + 1` on line `k + 1`.
    static func document(_ n: Int) -> String {
        "<r>\n" + String(repeating: "<a/>\n", count: n) + "</r>"
    }

    static func utf16(_ text: String) -> [UInt8] {
        [0xFF, 0xFE] + ("<?xml version=\"1.0\" encoding=\"UTF-16\"?>" + text).utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }

    static func parse(_ bytes: [UInt8], _ limits: XMLLimits) -> Result<XMLDocument, XMLParseFailure> {
        bytes.withUnsafeBytes { XMLDocument.parse($0, limits: limits) }
    }

    @Test func theDefaultIsAMillion() {
        #expect(XMLLimits.default.maxElements == 1_000_000)
    }

    @Test func justUnderPassesAndOneOverIsRefusedWithItsLine() throws {
        let limits = XMLLimits(maxElements: 1000)
        for (label, under, over) in [("UTF-8", Array(Self.document(999).utf8), Array(Self.document(1000).utf8)),
                                     ("UTF-16", Self.utf16(Self.document(999)), Self.utf16(Self.document(1000)))] {
            let doc = try Self.parse(under, limits).get()
            #expect(doc.root.map { Array($0.children).count } == 999, "\(label)")
            guard case .failure(let failure) = Self.parse(over, limits) else {
                Issue.record("\(label): 1 001 elements parsed under a limit of 1 000"); continue
            }
            // Refused by the gate (which runs before libxml2 is given a byte), not by the parser.
            #expect(failure == .gate(.tooManyElements(line: 1001, limit: 1000)), "\(label)")
            let d = try #require(XMLDiagnostics.diagnostics(for: failure).first)
            #expect(d.code == "DG1017" && d.line == 1001, "\(label): \(d)")
            #expect(d.message.en.contains("1000") && d.message.ru.contains("1000"), "\(d.message)")
        }
    }

    @Test func aMillionTinyElementsAreRefusedUnderTheDefault() throws {
        // 4 MB: well under any size threshold, yet a tree of about 140 MB.
        let failure = try #require(Self.parse(Array(Self.document(1_000_000).utf8), .default).failure)
        #expect(failure == .gate(.tooManyElements(line: 1_000_001, limit: 1_000_000)))
    }

    @Test func onlyStartTagsCount() throws {
        let limits = XMLLimits(maxElements: 2)
        let two = "<?xml version=\"1.0\"?><!-- <x><y/> --><?pi <e/>?><r a=\"1\"><![CDATA[<c><d/>]]><a></a></r>"
        _ = try Self.parse(Array(two.utf8), limits).get()
        let three = two.replacingOccurrences(of: "<a></a>", with: "<a></a><b/>")
        #expect(Self.parse(Array(three.utf8), limits).failure == .gate(.tooManyElements(line: 1, limit: 2)))
    }

    @Test func streamingValidationDoesNotApplyIt() throws {
        // Constant memory whatever the count. 1.5 MB: the gate scans it all, in memory and through the read-ahead.
        let limits = XMLLimits(maxElements: 10)
        let bytes = Array(Self.document(300_000).utf8)
        let result = bytes.withUnsafeBytes { XMLStream.validate(bytes: $0, schema: nil, limits: limits, consumer: nil) }
        #expect(result.failure == nil)
        let dir = try TemporaryDirectory("element-limit")
        defer { dir.remove() }
        let file = try XMLStream.validate(file: try dir.write("many.xml", bytes), schema: nil, limits: limits, consumer: nil)
        #expect(file.failure == nil)
    }
}

private extension Result {
    var failure: Failure? {
        if case .failure(let f) = self { return f }
        return nil
    }
}
