import CLibXML2
import CXMLShims

/// One message from libxml2, copied out of its `xmlError` while the callback runs.
public struct XMLIssue: Sendable, Hashable {
    /// libxml2's `xmlErrorDomain` (1 parser, 16/17 schemas, 8 I/O, …).
    public var domain: Int32
    /// libxml2's `xmlParserErrors` code.
    public var code: Int32
    /// 1 warning, 2 error, 3 fatal.
    public var level: Int32
    /// The line libxml2 gave, when it gave one.
    public var line: Int?
    /// The column libxml2 gave, when it gave one.
    public var column: Int?
    /// Element path of the node the message is about, when libxml2 named one.
    public var path: String?
    /// The message as libxml2 wrote it, without the trailing newline.
    public var message: String

    /// True for a message of schema parsing or validation.
    public var isSchemaIssue: Bool {
        domain == Int32(XML_FROM_SCHEMASV.rawValue) || domain == Int32(XML_FROM_SCHEMASP.rawValue)
    }
    /// True for a warning (level 1).
    public var isWarning: Bool { level == Int32(XML_ERR_WARNING.rawValue) }
}

/// Collects libxml2's structured errors for one synchronous operation.
///
/// libxml2 2.9 keeps its structured error handler per OS thread, so the handler is installed, the libxml2 calls
/// are made and the previous handler is restored inside one synchronous function, never across an `await`.
final class IssueCollector {
    var issues: [XMLIssue] = []
    var dropped = 0
    let limit: Int
    /// Turns the node an error is about into a path; the streaming reader supplies its own, because the nodes
    /// before the current one are already freed there.
    var pathOf: (xmlNodePtr) -> String? = { XMLNode(pointer: $0).path }
    /// The path when libxml2 names no node (the validator plugged into the SAX stream passes none): from the
    /// parser's position and the element named in the message.
    var pathOfUnnamed: (_ line: Int?, _ element: String?) -> String? = { _, _ in nil }
    /// Called for the first well-formedness error, while the parser still stands where it found it.
    var onFirstParseError: () -> Void = {}
    private var sawParseError = false

    init(limit: Int) {
        self.limit = limit
    }

    func add(_ issue: XMLIssue) {
        if !sawParseError, !issue.isSchemaIssue, !issue.isWarning {
            sawParseError = true
            onFirstParseError()
        }
        if issues.count < limit { issues.append(issue) } else { dropped += 1 }
    }

    /// Runs `body` with this collector receiving every structured error raised on this thread.
    func capture<T>(_ body: () throws -> T) rethrows -> T {
        XMLLibrary.initialize()
        let previousContext = docgate_xml_current_structured_context()
        let previousHandler = docgate_xml_current_structured_handler()
        xmlSetStructuredErrorFunc(Unmanaged.passUnretained(self).toOpaque(), collectIssue)
        defer {
            xmlSetStructuredErrorFunc(previousContext,
                                      unsafeBitCast(previousHandler, to: xmlStructuredErrorFunc?.self))
        }
        return try withExtendedLifetime(self) { try body() }
    }
}

private let collectIssue: xmlStructuredErrorFunc = { context, error in
    guard let context, let error else { return }
    let collector = Unmanaged<IssueCollector>.fromOpaque(context).takeUnretainedValue()
    let e = error.pointee
    var message = e.message.map { String(cString: $0) } ?? ""
    while message.last == "\n" || message.last == " " { message.removeLast() }
    var line = e.line > 0 ? Int(e.line) : nil
    var path: String? = nil
    if e.node == nil, e.domain == Int32(XML_FROM_SCHEMASV.rawValue) {
        path = collector.pathOfUnnamed(line, elementName(in: message))
    }
    if let raw = e.node {
        let node = raw.assumingMemoryBound(to: xmlNode.self)
        if node.pointee.type == XML_ELEMENT_NODE || node.pointee.type == XML_ATTRIBUTE_NODE {
            path = collector.pathOf(node)
            if line == nil || line == 65535 {
                let l = xmlGetLineNo(node)
                if l > 0 { line = Int(l) }
            }
        }
    }
    collector.add(XMLIssue(domain: Int32(e.domain), code: Int32(e.code), level: Int32(e.level.rawValue),
                           line: line, column: e.int2 > 0 ? Int(e.int2) : nil, path: path, message: message))
}

/// `Element '{urn:x}amount': …` → `amount`.
private func elementName(in message: String) -> String? {
    guard message.hasPrefix("Element '") else { return nil }
    let rest = message.dropFirst("Element '".count)
    guard let end = rest.firstIndex(of: "'") else { return nil }
    var name = rest[..<end]
    if let close = name.lastIndex(of: "}") { name = name[name.index(after: close)...] }
    return String(name)
}
