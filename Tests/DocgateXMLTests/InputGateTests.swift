import DocgateTestSupport
import Testing
@testable import DocgateXML

/// The pre-scan that enforces limits and refuses DTDs before libxml2 sees a byte.
@Suite struct InputGateTests {
    private func parse(_ bytes: [UInt8], limits: XMLLimits = .default) -> Result<XMLDocument, XMLParseFailure> {
        bytes.withUnsafeBytes { XMLDocument.parse($0, limits: limits) }
    }

    private func gateProblem(_ bytes: [UInt8], limits: XMLLimits = .default) -> GateProblem? {
        if case .failure(.gate(let p)) = parse(bytes, limits: limits) { return p }
        return nil
    }

    @Test func wellFormedDocumentPasses() throws {
        let doc = try parse(Array("<?xml version=\"1.0\"?>\n<a x=\"1\"><!-- c --><b><![CDATA[<not a tag>]]></b><?pi x?></a>".utf8)).get()
        #expect(doc.root?.name == "a")
    }

    /// Found by the fuzzer (Tests/FuzzRegressions): an XML declaration cut short before the length of the word
    /// "encoding" crashed the prolog reader (a range with its bounds reversed) — a seven-byte file stopped the daemon.
    @Test(arguments: ["<?xml?>", "<?xml \u{A8}", "<?xml v", "<?xml version", "<?xml encoding", "<?xml encoding=", "<?xml encoding=\"UTF-8"])
    func aShortDeclarationIsJudgedNotCrashedOn(_ text: String) {
        // Returning at all is the test: before the fix the process trapped.
        if case .success = parse(Array(text.utf8)) { Issue.record("a bare declaration parsed as a document: \(text)") }
        let utf16: [UInt8] = Array(text.utf8).flatMap { [$0, 0] }
        if case .success = parse(utf16) { Issue.record("a bare UTF-16 declaration parsed as a document: \(text)") }
    }

    @Test func emptyAndWhitespaceOnlyInputsAreEmpty() {
        #expect(gateProblem([]) == .empty)
        #expect(gateProblem(Array("  \n\t ".utf8)) == .empty)
    }

    @Test func nonXMLIsRecognisedByItsFirstByte() {
        #expect(gateProblem(Array("%PDF-1.7\n%âãÏÓ".utf8)) == .notXML(start: "%"))
        #expect(gateProblem([0x89, 0x50, 0x4E, 0x47]) == .notXML(start: "0x89"))
    }

    @Test func anyDoctypeIsRefusedWithItsLine() {
        let doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY a \"b\">]>\n<r>&a;</r>"
        #expect(gateProblem(Array(doc.utf8)) == .doctype(line: 2))
    }

    @Test func depthLimitStopsDeepNesting() {
        let deep = String(repeating: "<a>", count: 300) + String(repeating: "</a>", count: 300)
        #expect(gateProblem(Array(deep.utf8)) == .tooDeep(line: 1, limit: 256))
        var limits = XMLLimits.default
        limits.maxDepth = 400
        #expect(gateProblem(Array(deep.utf8), limits: limits) == nil)
    }

    @Test func selfClosingAndEndTagsKeepDepthBalanced() throws {
        let wide = "<r>" + String(repeating: "<a/><b x='/'></b>", count: 1000) + "</r>"
        var limits = XMLLimits.default
        limits.maxDepth = 2
        _ = try parse(Array(wide.utf8), limits: limits).get()
    }

    @Test func attributeLimitCountsAttributesNotEqualsSignsInValues() throws {
        let many = "<r " + (0..<300).map { "a\($0)=\"1\"" }.joined(separator: " ") + "/>"
        #expect(gateProblem(Array(many.utf8)) == .tooManyAttributes(line: 1, limit: 256))
        let quoted = "<r a=\"x=y=z=w\" b='=='/>"
        var limits = XMLLimits.default
        limits.maxAttributes = 2
        _ = try parse(Array(quoted.utf8), limits: limits).get()
    }

    @Test func textLengthLimitAppliesToTextAndCDATA() {
        var limits = XMLLimits.default
        limits.maxTextLength = 100
        #expect(gateProblem(Array(("<r>" + String(repeating: "x", count: 101) + "</r>").utf8), limits: limits)
                == .textTooLong(line: 1, limit: 100))
        #expect(gateProblem(Array(("<r><![CDATA[" + String(repeating: "x", count: 101) + "]]></r>").utf8), limits: limits)
                == .textTooLong(line: 1, limit: 100))
        #expect(gateProblem(Array(("<r>" + String(repeating: "x", count: 60) + "<b/>" + String(repeating: "y", count: 60) + "</r>").utf8), limits: limits) == nil)
    }

    @Test func nulBytesAreRefusedWithTheirLine() {
        #expect(gateProblem(Array("<r>\n\n".utf8) + [0] + Array("</r>".utf8)) == .nulByte(line: 3))
    }

    @Test func invalidUTF8IsRefusedUnlessDeclaredOtherwise() {
        let cp1251 = Array("<r>".utf8) + [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2] + Array("</r>".utf8)  // «Привет»
        #expect(gateProblem(cp1251) == .invalidUTF8(line: 1))
        let declared = Array("<?xml version=\"1.0\" encoding=\"windows-1251\"?>".utf8) + cp1251
        #expect(gateProblem(declared) == nil)
        // overlong encoding of '/', and a lone continuation byte
        #expect(gateProblem(Array("<r>".utf8) + [0xC0, 0xAF] + Array("</r>".utf8)) == .invalidUTF8(line: 1))
        #expect(gateProblem(Array("<r>".utf8) + [0x80] + Array("</r>".utf8)) == .invalidUTF8(line: 1))
        // a lead byte followed by ASCII, in text and in an attribute value
        #expect(gateProblem(Array("<r>".utf8) + [0xD0] + Array("a</r>".utf8)) == .invalidUTF8(line: 1))
        #expect(gateProblem(Array("<r a=\"".utf8) + [0xD0] + Array("b\"/>".utf8)) == .invalidUTF8(line: 1))
        #expect(gateProblem(Array("<r>".utf8) + [0xD0] + Array("<b/></r>".utf8)) == .invalidUTF8(line: 1))
    }

    @Test func windows1251LabelOnUTF8BytesIsMislabelled() {
        let doc = "<?xml version=\"1.0\" encoding=\"windows-1251\"?><r>Привет</r>"
        #expect(gateProblem(Array(doc.utf8)) == .mislabelledEncoding(declared: "windows-1251", actual: "UTF-8"))
    }

    @Test func unsupportedEncodingLabelIsRefused() {
        #expect(gateProblem(Array("<?xml version=\"1.0\" encoding=\"KOI8-R\"?><r/>".utf8)) == .unsupportedEncoding(label: "KOI8-R"))
    }

    @Test func utf16WithAndWithoutBOMParsesToUTF8() throws {
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><r>Ёлка</r>"
        let le: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let be: [UInt8] = text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        for bytes in [le, be] {
            let doc = try parse(bytes).get()
            #expect(doc.root?.text == "Ёлка")
        }
        #expect(gateProblem(Array(text.utf8)) == .mislabelledEncoding(declared: "UTF-16", actual: "8-bit"))
    }

    @Test func utf8ByteOrderMarkIsAccepted() throws {
        let doc = try parse([0xEF, 0xBB, 0xBF] + Array("<r>да</r>".utf8)).get()
        #expect(doc.root?.text == "да")
    }

    @Test func truncatedInputIsReportedAsTruncated() {
        #expect(gateProblem(Array("<r><a>text".utf8)) == .truncated(line: 1))
        #expect(gateProblem(Array("<r a=\"1".utf8)) == .truncated(line: 1))
    }

    @Test func chunkBoundariesDoNotChangeTheVerdict() {
        // Feed a document one byte at a time: the gate keeps its state across chunks.
        let doc = Array("<?xml version=\"1.0\"?><r a='x'><!-- -- --><![CDATA[]]]]><b/></r>".utf8)
        let prolog = try! doc.withUnsafeBytes { Prolog.detect($0) }.get()
        var gate = InputGate(prolog: prolog, limits: .default)
        for b in doc { withUnsafeBytes(of: b) { _ = gate.feed($0) } }
        #expect(gate.finish() == nil)
    }
}
