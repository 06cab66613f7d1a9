import CLibXML2
import CXMLShims

/// Writing a document failed (an encoding that cannot represent a character, or libxml2 out of memory).
public struct XMLWriterError: Error, Sendable {
    /// libxml2's messages.
    public var issues: [XMLIssue]
}

/// Builds an XML document as bytes, streaming, with correct escaping: the generation side of docgate.
///
/// ```swift
/// let w = try XMLWriter(encoding: .utf8)
/// try w.start("receipt", namespace: "urn://docgate/receipt/1")
/// try w.attribute("id", value)
/// try w.element("status", text: "delivered")
/// try w.end()
/// let bytes = try w.finish()
/// ```
public final class XMLWriter {
    private let buffer: xmlBufferPtr
    private let writer: xmlTextWriterPtr
    private let collector = IssueCollector(limit: 20)
    private var finished = false

    /// Output encodings docgate writes.
    public enum Encoding: String, Sendable {
        case utf8 = "UTF-8"
        case windows1251 = "windows-1251"
    }

    /// - Parameters:
    ///   - encoding: the output encoding, declared in the prolog.
    ///   - indent: pretty-print with two spaces per level.
    public init(encoding: Encoding = .utf8, indent: Bool = true) throws(XMLWriterError) {
        XMLLibrary.initialize()
        guard let buffer = xmlBufferCreate() else { throw XMLWriterError(issues: []) }
        guard let writer = xmlNewTextWriterMemory(buffer, 0) else {
            xmlBufferFree(buffer)
            throw XMLWriterError(issues: [])
        }
        self.buffer = buffer
        self.writer = writer
        if indent {
            xmlTextWriterSetIndent(writer, 1)
            xmlTextWriterSetIndentString(writer, "  ")
        }
        try check(xmlTextWriterStartDocument(writer, "1.0", encoding.rawValue, nil))
    }

    deinit {
        xmlFreeTextWriter(writer)
        xmlBufferFree(buffer)
    }

    private func check(_ status: Int32) throws(XMLWriterError) {
        if status < 0 { throw XMLWriterError(issues: collector.issues) }
    }

    private func run(_ body: () -> Int32) throws(XMLWriterError) {
        let status = collector.capture(body)
        try check(status)
    }

    /// Opens an element; with `namespace` it also declares it as the default namespace.
    public func start(_ name: String, namespace: String? = nil) throws(XMLWriterError) {
        try run { xmlTextWriterStartElementNS(writer, nil, name, namespace) }
    }

    /// Opens an element with a prefix (`ds:Signature`); the namespace is declared when given.
    public func start(_ name: String, prefix: String, namespace: String?) throws(XMLWriterError) {
        try run { xmlTextWriterStartElementNS(writer, prefix, name, namespace) }
    }

    /// An attribute of the open start tag, escaped.
    public func attribute(_ name: String, _ value: String) throws(XMLWriterError) {
        try run { xmlTextWriterWriteAttribute(writer, name, value) }
    }

    /// Text of the open element, escaped.
    public func text(_ value: String) throws(XMLWriterError) {
        try run { xmlTextWriterWriteString(writer, value) }
    }

    /// Closes the innermost open element.
    public func end() throws(XMLWriterError) {
        try run { xmlTextWriterEndElement(writer) }
    }

    /// A whole element with text content.
    public func element(_ name: String, text value: String) throws(XMLWriterError) {
        try run { xmlTextWriterWriteElement(writer, name, value) }
    }

    /// A whole element with text, skipped when `value` is `nil`.
    public func element(_ name: String, optional value: String?) throws(XMLWriterError) {
        if let value { try element(name, text: value) }
    }

    /// Closes everything and returns the encoded document.
    public func finish() throws(XMLWriterError) -> [UInt8] {
        if !finished {
            try run { xmlTextWriterEndDocument(writer) }
            try run { xmlTextWriterFlush(writer) }
            finished = true
        }
        let count = Int(xmlBufferLength(buffer))
        guard let content = xmlBufferContent(buffer) else { return [] }
        return Array(UnsafeBufferPointer(start: content, count: count))
    }
}

extension XMLDocument {
    /// The tree serialised in `encoding` (UTF-8 unless asked otherwise).
    public func serialized(encoding: XMLWriter.Encoding = .utf8) -> [UInt8] {
        var memory: UnsafeMutablePointer<xmlChar>?
        var size: Int32 = 0
        xmlDocDumpMemoryEnc(pointer, &memory, &size, encoding.rawValue)
        guard let memory else { return [] }
        defer { docgate_xml_free(memory) }
        return Array(UnsafeBufferPointer(start: memory, count: Int(size)))
    }
}
