import CLibXML2
import CXMLShims
import Glibc

/// Why an input could not be parsed into a tree.
public enum XMLParseFailure: Error, Sendable, Hashable {
    /// Refused by the input gate (limits, DOCTYPE, encoding, not XML).
    case gate(GateProblem)
    /// An element in an XInclude namespace: docgate never processes XInclude.
    case xinclude(line: Int)
    /// Not well-formed, as libxml2 reported it.
    case malformed([XMLIssue])
}

/// A parsed document, owning its libxml2 tree. Not `Sendable`: one document belongs to one thread at a time
/// (libxml2 does not support sharing a tree between threads).
public final class XMLDocument {
    /// The libxml2 tree: only DocgateXML sees it (the modules above work with ``XMLNode``).
    let pointer: xmlDocPtr
    /// The encoding the input was in.
    public let inputEncoding: InputEncoding

    init(pointer: xmlDocPtr, inputEncoding: InputEncoding) {
        self.pointer = pointer
        self.inputEncoding = inputEncoding
    }

    deinit {
        xmlFreeDoc(pointer)
    }

    /// The document element.
    public var root: XMLNode? {
        xmlDocGetRootElement(pointer).map(XMLNode.init(pointer:))
    }

    /// Parser options for untrusted input: no network, exact line numbers; never `NOENT`, `DTDLOAD`,
    /// `XINCLUDE` or `HUGE` (TOOLCHAIN.md §2.1).
    static let safeOptions = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_BIG_LINES.rawValue)

    /// Parses bytes from memory after the input gate has accepted them.
    ///
    /// - Parameters:
    ///   - bytes: the whole input.
    ///   - limits: bounds enforced by the gate.
    /// - Returns: the tree, or why there is none.
    public static func parse(_ bytes: UnsafeRawBufferPointer, limits: XMLLimits = .default)
        -> Result<XMLDocument, XMLParseFailure> {
        XMLLibrary.initialize()
        let cap = limits.maxTreeInputBytes
        if bytes.count > cap {
            return .failure(.gate(.tooLarge(size: bytes.count, limit: cap)))
        }
        let prolog: Prolog
        switch Prolog.detect(UnsafeRawBufferPointer(rebasing: bytes.prefix(512))) {
        case .success(let p): prolog = p
        case .failure(let problem): return .failure(.gate(problem))
        }
        // The whole input passes the gate before libxml2 sees it, so no tree grows past the limits.
        var gate = InputGate(prolog: prolog, limits: limits, countsElements: true)
        gate.feed(bytes)
        if let problem = gate.finish() { return .failure(.gate(problem)) }

        guard let base = bytes.baseAddress, bytes.count <= Int(Int32.max),
              let ctxt = xmlCreateMemoryParserCtxt(base.assumingMemoryBound(to: CChar.self), Int32(bytes.count))
        else {
            return .failure(.gate(.tooLarge(size: bytes.count, limit: Int(Int32.max))))
        }
        defer { xmlFreeParserCtxt(ctxt) }
        let guardState = ParseGuard()
        let collector = IssueCollector(limit: limits.maxIssues)
        let doc: xmlDocPtr? = collector.capture {
            xmlCtxtUseOptions(ctxt, safeOptions)
            ParseGuard.install(guardState, on: ctxt)
            return withExtendedLifetime(guardState) {
                _ = xmlParseDocument(ctxt)
                let doc = ctxt.pointee.myDoc
                ctxt.pointee.myDoc = nil
                return doc
            }
        }
        if let line = guardState.xincludeLine {
            xmlFreeDoc(doc)
            return .failure(.xinclude(line: line))
        }
        guard ctxt.pointee.wellFormed != 0, let doc else {
            xmlFreeDoc(doc)
            let issues = collector.issues.filter { !$0.isWarning }
            return .failure(.malformed(issues.isEmpty ? collector.issues : issues))
        }
        return .success(XMLDocument(pointer: doc, inputEncoding: prolog.encoding))
    }

    /// Reads and parses a file. I/O failures are thrown; document problems are returned.
    public static func parse(file path: String, limits: XMLLimits = .default) throws(XMLFileError)
        -> Result<XMLDocument, XMLParseFailure> {
        let cap = limits.maxTreeInputBytes
        let bytes = try FileBytes.read(path, limit: cap)
        switch bytes {
        case .tooLarge(let size):
            return .failure(.gate(.tooLarge(size: size, limit: cap)))
        case .bytes(let data):
            return data.withUnsafeBytes { parse($0, limits: limits) }
        }
    }
}

/// Per-parse state reached from libxml2's SAX callbacks through `ctxt->_private`.
final class ParseGuard {
    var xincludeLine: Int?

    static func install(_ state: ParseGuard, on ctxt: xmlParserCtxtPtr) {
        ctxt.pointee._private = Unmanaged.passUnretained(state).toOpaque()
        ctxt.pointee.sax.pointee.startElementNs = guardedStartElement
    }

    /// The namespaces of XInclude 1.0 (and its 2003 draft).
    static func isXInclude(_ uri: UnsafePointer<xmlChar>?) -> Bool {
        guard let uri else { return false }
        // Both XInclude namespaces are 31 bytes long and start with 'h': most URIs are out at the first byte.
        guard uri[0] == UInt8(ascii: "h"), strlen(UnsafeRawPointer(uri).assumingMemoryBound(to: CChar.self)) == 31
        else { return false }
        return xmlStrEqual(uri, "http://www.w3.org/2001/XInclude") != 0
            || xmlStrEqual(uri, "http://www.w3.org/2003/XInclude") != 0
    }
}

private let guardedStartElement: startElementNsSAX2Func = {
    ctx, localname, prefix, uri, nbNamespaces, namespaces, nbAttributes, nbDefaulted, attributes in
    guard let ctx else { return }
    let ctxt = ctx.assumingMemoryBound(to: xmlParserCtxt.self)
    if ParseGuard.isXInclude(uri), let raw = ctxt.pointee._private {
        let state = Unmanaged<ParseGuard>.fromOpaque(raw).takeUnretainedValue()
        if state.xincludeLine == nil { state.xincludeLine = Int(ctxt.pointee.input.pointee.line) }
        xmlStopParser(ctxt)
        return
    }
    xmlSAX2StartElementNs(ctx, localname, prefix, uri, nbNamespaces, namespaces, nbAttributes, nbDefaulted, attributes)
}
