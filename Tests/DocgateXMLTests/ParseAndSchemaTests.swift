import DocgateCore
import DocgateTestSupport
import Dispatch
import Foundation
import Synchronization
import Testing
@testable import DocgateXML

private let miniSchema = """
<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns="urn:t" targetNamespace="urn:t" elementFormDefault="qualified">
  <xs:element name="r">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="item" maxOccurs="unbounded">
          <xs:complexType>
            <xs:sequence>
              <xs:element name="code"><xs:simpleType><xs:restriction base="xs:string"><xs:pattern value="[0-9]{3}"/></xs:restriction></xs:simpleType></xs:element>
              <xs:element name="amount" type="xs:decimal"/>
            </xs:sequence>
          </xs:complexType>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>
"""

private func item(_ code: String, _ amount: String) -> String { "<item><code>\(code)</code><amount>\(amount)</amount></item>" }

@Suite struct ParseAndSchemaTests {
    let dir: TemporaryDirectory
    let schema: XMLSchema

    init() throws {
        dir = try TemporaryDirectory("xmltests")
        schema = try XMLSchema(path: try dir.write("t.xsd", miniSchema))
    }

    @Test func malformedXMLReportsLineColumnAndLibxmlMessage() {
        let bytes = Array("<r>\n  <a></b>\n</r>".utf8)
        guard case .failure(.malformed(let issues)) = bytes.withUnsafeBytes({ XMLDocument.parse($0) }) else {
            Issue.record("expected a malformed document"); return
        }
        #expect(issues.first?.line == 2)
        #expect(issues.first?.column != nil)
        #expect(issues.first?.message.contains("mismatch") == true)
        let d = XMLDiagnostics.diagnostics(for: .malformed(issues))
        #expect(d.first?.code == "DG1003")
    }

    @Test func undeclaredEntityIsAnEntityError() {
        let bytes = Array("<r>&nbsp;</r>".utf8)
        guard case .failure(let f) = bytes.withUnsafeBytes({ XMLDocument.parse($0) }) else { Issue.record("parsed"); return }
        #expect(XMLDiagnostics.diagnostics(for: f).first?.code == "DG1006")
    }

    @Test func xincludeElementsAreRefused() {
        let bytes = Array("<r xmlns:xi=\"http://www.w3.org/2001/XInclude\">\n<xi:include href=\"/etc/passwd\" parse=\"text\"/></r>".utf8)
        guard case .failure(.xinclude(let line)) = bytes.withUnsafeBytes({ XMLDocument.parse($0) }) else {
            Issue.record("XInclude accepted"); return
        }
        #expect(line == 2)
    }

    @Test func schemaErrorsCarryLineAndElementPath() throws {
        let text = "<r xmlns=\"urn:t\">\n" + item("123", "1.5") + "\n" + item("12x", "2") + "\n" + item("456", "abc") + "\n</r>"
        let doc = try Array(text.utf8).withUnsafeBytes { XMLDocument.parse($0) }.get()
        let (issues, dropped) = schema.validate(doc)
        #expect(dropped == 0)
        #expect(issues.map(\.line) == [3, 4])
        #expect(issues.map(\.path) == ["/r/item[2]/code", "/r/item[3]/amount"])
        let diags = XMLDiagnostics.diagnostics(forSchemaIssues: issues, dropped: 0)
        #expect(diags.map(\.code) == ["DG2003", "DG2003"])
        #expect(diags[0].message.ru.contains("«12x»"))
        #expect(!diags[0].message.en.contains("{urn:t}"))
    }

    @Test func schemaFindingsAreBoundedAndCounted() throws {
        let text = "<r xmlns=\"urn:t\">" + (0..<50).map { _ in item("x", "1") }.joined() + "</r>"
        let doc = try Array(text.utf8).withUnsafeBytes { XMLDocument.parse($0) }.get()
        let (issues, dropped) = schema.validate(doc, limit: 10)
        #expect(issues.count == 10)
        #expect(dropped == 40)
        #expect(XMLDiagnostics.diagnostics(forSchemaIssues: issues, dropped: dropped).last?.code == "DG2099")
    }

    @Test func bigLineNumbersAreExact() throws {
        let text = "<r xmlns=\"urn:t\">" + String(repeating: "\n", count: 70_000) + item("bad", "1") + "</r>"
        let doc = try Array(text.utf8).withUnsafeBytes { XMLDocument.parse($0) }.get()
        #expect(schema.validate(doc).issues.first?.line == 70_001)
    }

    @Test func oneCompiledSchemaServesManyThreadsWithoutMixingResults() throws {
        let valid = try dir.write("v.xml", "<r xmlns=\"urn:t\">" + item("123", "1") + "</r>")
        let invalid = try dir.write("i.xml", "<r xmlns=\"urn:t\">" + item("1", "x") + item("2", "y") + "</r>")
        let wrong = Atomic<Int>(0)
        let schema = self.schema
        DispatchQueue.concurrentPerform(iterations: 400) { i in
            let path = i % 2 == 0 ? valid : invalid
            guard case .success(let doc)? = try? XMLDocument.parse(file: path) else { wrong.add(1, ordering: .relaxed); return }
            let expected = i % 2 == 0 ? 0 : 4
            if schema.validate(doc).issues.count != expected { wrong.add(1, ordering: .relaxed) }
        }
        #expect(wrong.load(ordering: .relaxed) == 0)
    }

    @Test func streamingAndTreeValidationAgree() throws {
        var rows = (0..<2000).map { item(String(format: "%03d", $0 % 1000), "\($0).5") }
        rows[700] = item("7x0", "1")
        rows[1500] = item("150", "one")
        let text = "<r xmlns=\"urn:t\">\n" + rows.joined(separator: "\n") + "\n</r>"
        let path = try dir.write("big.xml", text)
        let tree = schema.validate(try XMLDocument.parse(file: path).get()).issues
        let stream = try XMLStream.validate(file: path, schema: schema, consumer: nil)
        #expect(stream.failure == nil)
        #expect(tree.map(\.path) == ["/r/item[701]/code", "/r/item[1501]/amount"])
        #expect(stream.schemaIssues.map(\.line) == tree.map(\.line))
        #expect(stream.schemaIssues.map(\.code) == tree.map(\.code))
        #expect(stream.schemaIssues.map(\.path) == ["/r/item[701]/code", "/r/item[1501]/amount"])
    }

    @Test func streamingDeliversRecordsAndStopsAtTheGate() throws {
        final class Counter: XMLRecordConsumer {
            var records = 0
            var paths: [String] = []
            var amounts: [String] = []
            func begin(root: RecordElement) -> Set<String>? { [] }
            func enter(container: RecordElement, path: String) {}
            func record(_ node: RecordElement, in containerPath: String, at position: RecordPosition) {
                records += 1
                if records <= 2 { paths.append(position.path) }
                amounts.append(node.childText("amount") ?? "")
            }
            func exit(container path: String) {}
        }
        let path = try dir.write("rec.xml", "<r xmlns=\"urn:t\">" + (0..<100).map { _ in item("123", "1") }.joined() + "</r>")
        let counter = Counter()
        let result = try XMLStream.validate(file: path, schema: schema, consumer: counter)
        #expect(result.failure == nil && result.schemaIssues.isEmpty)
        #expect(counter.records == 100)
        #expect(counter.paths == ["/r/item", "/r/item[2]"])
        #expect(Set(counter.amounts) == ["1"])
        let hostile = try dir.write("doctype.xml", "<!DOCTYPE r SYSTEM \"http://127.0.0.1:9/x.dtd\"><r/>")
        #expect(try XMLStream.validate(file: hostile, schema: schema, consumer: nil).failure == .gate(.doctype(line: 1)))
        let xi = try dir.write("xi.xml", "<r xmlns=\"urn:t\"><item xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"/etc/passwd\"/></item></r>")
        #expect(try XMLStream.validate(file: xi, schema: schema, consumer: Counter()).failure == .xinclude(line: 1))
    }

    @Test func missingFileIsAnIOErrorNotADocumentDefect() {
        #expect(throws: XMLFileError.self) { try XMLDocument.parse(file: dir.file("absent.xml")) }
        #expect(throws: XMLFileError.self) { try XMLStream.validate(file: dir.path, schema: nil, consumer: nil) }
        #expect(throws: XMLFileError.self) { try XMLStream.validate(file: dir.file("absent.xml"), schema: nil, consumer: nil) }
    }

    @Test func entityLoaderRefusesFilesOutsideSchemaDirectories() throws {
        // A schema importing a file outside its directory does not compile: the loader refuses the path.
        let outside = try TemporaryDirectory("outside")
        defer { outside.remove() }
        _ = try outside.write("other.xsd", miniSchema)
        let importer = """
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:import namespace="urn:t" schemaLocation="\(outside.path)/other.xsd"/></xs:schema>
        """
        let sub = try TemporaryDirectory("importer")
        defer { sub.remove() }
        let path = try sub.write("imp.xsd", importer)
        let compiled = try? XMLSchema(path: path)
        // libxml2 turns a failed import into a warning; the imported root element must not be there.
        if let compiled {
            let doc = try Array("<r xmlns=\"urn:t\"><item><code>123</code><amount>1</amount></item></r>".utf8)
                .withUnsafeBytes { XMLDocument.parse($0) }.get()
            #expect(!compiled.validate(doc).issues.isEmpty)
        }
    }
}

/// Small inputs get only the prolog scanned by the gate; the SAX handlers and libxml2 enforce the rest.
@Suite struct SmallInputLimitTests {
    private func failure(_ text: String, limits: XMLLimits = .default) -> XMLParseFailure? {
        Array(text.utf8).withUnsafeBytes { XMLStream.validate(bytes: $0, schema: nil, limits: limits, consumer: nil) }.failure
    }

    @Test func limitsHoldWithoutTheFullScan() {
        var limits = XMLLimits.default
        limits.maxDepth = 10
        limits.maxAttributes = 5
        limits.maxTextLength = 50
        #expect(failure(String(repeating: "<a>", count: 20) + String(repeating: "</a>", count: 20), limits: limits)
                == .gate(.tooDeep(line: 1, limit: 10)))
        #expect(failure("<r " + (0..<8).map { "a\($0)='1'" }.joined(separator: " ") + "/>", limits: limits)
                == .gate(.tooManyAttributes(line: 1, limit: 5)))
        #expect(failure("<r>" + String(repeating: "x", count: 60) + "</r>", limits: limits)
                == .gate(.textTooLong(line: 1, limit: 50)))
    }

    @Test func prologIsStillScannedBeforeLibxml2() {
        #expect(failure("<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><r>&e;</r>")
                == .gate(.doctype(line: 2)))
        #expect(failure("") == .gate(.empty))
        #expect(failure("hello") == .gate(.notXML(start: "h")))
    }

    @Test func cutInputIsTruncatedAndBadBytesAreEncodingErrors() {
        #expect(failure("<r><a>text</a><b>more") == .gate(.truncated(line: 1)))
        guard case .malformed(let issues)? = Array("<r>\u{FFFD}".utf8.dropLast(2) + Array("</r>".utf8)).withUnsafeBytes({
            XMLStream.validate(bytes: $0, schema: nil, consumer: nil)
        }).failure else {
            Issue.record("invalid UTF-8 accepted"); return
        }
        #expect(XMLDiagnostics.diagnostics(for: .malformed(issues)).first?.code == "DG1011")
    }
}

@Suite struct TruncationTests {
    @Test(arguments: [0.2, 0.37, 0.5, 0.63, 0.81, 0.99])
    func aCutSampleIsTruncatedWhereverItIsCut(_ fraction: Double) throws {
        let sample = try #require(TestPaths.sampleFiles("valid").first)
        guard case .bytes(let bytes) = try FileBytes.read(sample, limit: 1 << 20) else { return }
        var cut = Array(bytes.prefix(Int(Double(bytes.count) * fraction)))
        // End on a tag boundary at least once, and mid-character (Cyrillic is two bytes) otherwise.
        if fraction == 0.5, let lt = cut.lastIndex(of: UInt8(ascii: "<")) { cut = Array(cut[...lt]) }
        let failure = cut.withUnsafeBytes { XMLStream.validate(bytes: $0, schema: nil, consumer: nil) }.failure
        guard case .gate(.truncated)? = failure else {
            Issue.record("cut at \(fraction): \(String(describing: failure))")
            return
        }
    }

    @Test func aMismatchOnTheLastLineIsNotATruncation() {
        let failure = Array("<r><a>x</b>".utf8).withUnsafeBytes { XMLStream.validate(bytes: $0, schema: nil, consumer: nil) }.failure
        guard case .malformed(let issues)? = failure else { Issue.record("\(String(describing: failure))"); return }
        #expect(XMLDiagnostics.diagnostics(for: .malformed(issues)).first?.code == "DG1003")
    }
}

/// Files above a megabyte are read and gated on a second thread.
@Suite struct ReadAheadTests {
    @Test func largeFilesAreGatedAndCompleteThroughTheReader() throws {
        let dir = try TemporaryDirectory("readahead")
        defer { dir.remove() }
        let items = String(repeating: "<item><code>123</code><amount>1.5</amount></item>\n", count: 60_000)
        let good = try dir.write("good.xml", "<r xmlns=\"urn:t\">\n" + items + "</r>")
        final class Count: XMLRecordConsumer {
            var n = 0
            func begin(root: RecordElement) -> Set<String>? { [] }
            func enter(container: RecordElement, path: String) {}
            func record(_ element: RecordElement, in containerPath: String, at position: RecordPosition) { n += 1 }
            func exit(container path: String) {}
        }
        let count = Count()
        let ok = try XMLStream.validate(file: good, schema: nil, consumer: count)
        #expect(ok.failure == nil)
        #expect(count.n == 60_000)
        // A hostile tag two megabytes in: the reader thread's gate stops the parse.
        let wide = "<x " + (0..<1000).map { "a\($0)='1'" }.joined(separator: " ") + "/>"
        let bad = try dir.write("bad.xml", "<r>\n" + items + wide + items + "</r>")
        let result = try XMLStream.validate(file: bad, schema: nil, consumer: nil)
        guard case .gate(.tooManyAttributes(let line, 256))? = result.failure else {
            Issue.record("\(String(describing: result.failure))"); return
        }
        #expect(line == 60_002)
        // Truncated large file.
        let cut = try dir.write("cut.xml", "<r>\n" + items)
        #expect(try XMLStream.validate(file: cut, schema: nil, consumer: nil).failure == .gate(.truncated(line: 60_002)))
    }
}
