import DocgateTestSupport
import Testing
@testable import DocgateXML

@Suite struct XPathWriterTests {
    @Test func xpathFindsNodesStringsAndNumbers() throws {
        let doc = try Array("<r xmlns=\"urn:t\"><a n=\"1\">x</a><a n=\"2\">y</a></r>".utf8).withUnsafeBytes { XMLDocument.parse($0) }.get()
        let q = XPathQuery(doc, namespaces: ["t": "urn:t"])
        #expect(try q.nodes("/t:r/t:a").map(\.text) == ["x", "y"])
        #expect(try q.string("/t:r/t:a[@n='2']") == "y")
        #expect(try q.number("sum(/t:r/t:a/@n)") == 3)
        #expect(throws: XPathError.self) { try q.nodes("/t:r/[") }
    }

    @Test func writerEscapesAndRoundTripsThroughTheParser() throws {
        for encoding in [XMLWriter.Encoding.utf8, .windows1251] {
            let w = try XMLWriter(encoding: encoding)
            try w.start("receipt", namespace: "urn://docgate/receipt/1")
            try w.attribute("id", "a&b\"c")
            try w.element("status", text: "Доставлен <ok> & «проверен»")
            try w.element("note", optional: nil)
            try w.end()
            let bytes = try w.finish()
            let doc = try bytes.withUnsafeBytes { XMLDocument.parse($0) }.get()
            #expect(doc.inputEncoding == (encoding == .utf8 ? .utf8 : .windows1251))
            #expect(doc.root?.attribute("id") == "a&b\"c")
            #expect(doc.root?.childText("status") == "Доставлен <ok> & «проверен»")
            #expect(doc.root?.child("note") == nil)
            #expect(String(decoding: doc.serialized(), as: UTF8.self).contains("«проверен»"))
        }
    }

    @Test func writerRefusesCharactersTheEncodingCannotHold() throws {
        let w = try XMLWriter(encoding: .windows1251)
        try w.start("r")
        // Chinese characters are not in windows-1251: libxml2 writes character references instead.
        try w.text("中文")
        try w.end()
        let bytes = try w.finish()
        let doc = try bytes.withUnsafeBytes { XMLDocument.parse($0) }.get()
        #expect(doc.root?.text == "中文")
    }

    @Test func schemaMessagesAreTranslated() {
        let cases = [
            ("Element 'item': This element is not expected. Expected is ( code ).", "Элемент «item»: элемент здесь не ожидается; ожидается: code."),
            ("Element 'x', attribute 'okei': [facet 'pattern'] The value 'ab' is not accepted by the pattern '[0-9]{3,4}'.",
             "Элемент «x», атрибут «okei»: значение «ab» не соответствует шаблону «[0-9]{3,4}»."),
            ("Element 'r': The attribute 'id' is required but missing.", "Элемент «r»: отсутствует обязательный атрибут «id»."),
            ("Something libxml2 never said.", "Ошибка проверки по схеме: Something libxml2 never said."),
        ]
        for (en, ru) in cases { #expect(SchemaMessageTranslator.russian(en) == ru) }
        #expect(XMLDiagnostics.stripNamespaces("Element '{urn:t}a': set {'x', 'y'}.") == "Element 'a': set {'x', 'y'}.")
    }
}
