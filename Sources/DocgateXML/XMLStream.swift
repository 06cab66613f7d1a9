import CLibXML2
import Glibc

/// What a streaming pass over an input found.
public struct XMLStreamResult {
    /// Set when the input was refused or is not well-formed; schema findings are then left out.
    public var failure: XMLParseFailure?
    /// Schema findings (empty when no schema was given).
    public var schemaIssues: [XMLIssue]
    /// Findings beyond the limit, counted only.
    public var dropped: Int
    /// The encoding the input was in, once known.
    public var encoding: InputEncoding?

    public init(failure: XMLParseFailure?, schemaIssues: [XMLIssue], dropped: Int, encoding: InputEncoding?) {
        self.failure = failure
        self.schemaIssues = schemaIssues
        self.dropped = dropped
        self.encoding = encoding
    }
}

/// Validation in one streaming pass: the input gate, libxml2's push parser with the XSD validator plugged into
/// its SAX stream, and records captured for a consumer — constant memory whatever the size, and no tree built.
///
/// libxml2's text reader builds and frees a node for every element; the SAX route does not, which makes it
/// several times cheaper (TOOLCHAIN.md measured the reader at ≈ xmllint --stream; SAX parsing is ≈ 4× faster).
public enum XMLStream {
    static let chunkSize = 256 * 1024

    /// Validates a file.
    public static func validate(file path: String, schema: XMLSchema?, limits: XMLLimits = .default,
                                consumer: (any XMLRecordConsumer)?) throws(XMLFileError) -> XMLStreamResult {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw XMLFileError(path: path, errorNumber: errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw XMLFileError(path: path, errorNumber: errno) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw XMLFileError(path: path, errorNumber: EISDIR) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        var ioError: Int32 = 0
        let result = run(schema: schema, limits: limits, consumer: consumer) { () -> UnsafeRawBufferPointer? in
            while true {
                let n = read(fd, buffer.baseAddress!, buffer.count)
                if n < 0 {
                    if errno == EINTR { continue }
                    ioError = errno
                    return nil
                }
                return n == 0 ? nil : UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            }
        }
        if ioError != 0 { throw XMLFileError(path: path, errorNumber: ioError) }
        return result
    }

    /// Validates bytes in memory.
    public static func validate(bytes: UnsafeRawBufferPointer, schema: XMLSchema?, limits: XMLLimits = .default,
                                consumer: (any XMLRecordConsumer)?) -> XMLStreamResult {
        var offset = 0
        return run(schema: schema, limits: limits, consumer: consumer) { () -> UnsafeRawBufferPointer? in
            guard offset < bytes.count else { return nil }
            let end = min(bytes.count, offset + chunkSize)
            defer { offset = end }
            return UnsafeRawBufferPointer(rebasing: bytes[offset..<end])
        }
    }

    private static func run(schema: XMLSchema?, limits: XMLLimits, consumer: (any XMLRecordConsumer)?,
                            next: () -> UnsafeRawBufferPointer?) -> XMLStreamResult {
        XMLLibrary.initialize()
        var result = XMLStreamResult(failure: nil, schemaIssues: [], dropped: 0, encoding: nil)
        guard var chunk = next() else {
            result.failure = .gate(.empty)
            return result
        }
        let prolog: Prolog
        switch Prolog.detect(UnsafeRawBufferPointer(rebasing: chunk.prefix(512))) {
        case .failure(let problem):
            result.failure = .gate(problem)
            return result
        case .success(let p):
            prolog = p
        }
        result.encoding = prolog.encoding
        var gate = InputGate(prolog: prolog, limits: limits)
        let state = SAXState(builder: RecordBuilder(names: NameTable(), consumer: consumer))
        let collector = IssueCollector(limit: limits.maxIssues)
        collector.pathOfUnnamed = { [unowned state] _, element in state.builder.path(forElement: element) }
        var gateProblem: GateProblem?

        collector.capture {
            let handler = UnsafeMutablePointer<xmlSAXHandler>.allocate(capacity: 1)
            defer { handler.deallocate() }
            handler.initialize(to: xmlSAXHandler())
            handler.pointee.initialized = UInt32(truncatingIfNeeded: XML_SAX2_MAGIC)
            handler.pointee.startElementNs = saxStart
            handler.pointee.endElementNs = saxEnd
            handler.pointee.characters = saxCharacters
            handler.pointee.cdataBlock = saxCharacters
            var sax: UnsafeMutablePointer<xmlSAXHandler>? = handler
            var user: UnsafeMutableRawPointer? = Unmanaged.passUnretained(state).toOpaque()
            var valid: xmlSchemaValidCtxtPtr? = nil
            var plug: xmlSchemaSAXPlugPtr? = nil
            if let schema {
                valid = xmlSchemaNewValidCtxt(schema.pointer)
                if let valid {
                    xmlSchemaValidateSetLocator(valid, saxLocator, Unmanaged.passUnretained(state).toOpaque())
                    plug = xmlSchemaSAXPlug(valid, &sax, &user)
                }
            }
            defer {
                if let plug { xmlSchemaSAXUnplug(plug) }
                if let valid { xmlSchemaFreeValidCtxt(valid) }
            }
            guard let ctxt = xmlCreatePushParserCtxt(sax, user, nil, 0, nil) else { return }
            defer { xmlFreeParserCtxt(ctxt) }
            xmlCtxtUseOptions(ctxt, XMLDocument.safeOptions)
            state.parser = ctxt
            withExtendedLifetime(state) {
                while true {
                    if !gate.feed(chunk) {
                        gateProblem = gate.problem
                        return
                    }
                    _ = chunk.withMemoryRebound(to: CChar.self) { xmlParseChunk(ctxt, $0.baseAddress, Int32($0.count), 0) }
                    if state.xincludeLine != nil || ctxt.pointee.disableSAX != 0 { return }
                    guard let n = next() else { break }
                    chunk = n
                }
                if let problem = gate.finish() {
                    gateProblem = problem
                    return
                }
                xmlParseChunk(ctxt, nil, 0, 1)
            }
            state.wellFormed = ctxt.pointee.wellFormed != 0
        }
        if let gateProblem {
            result.failure = .gate(gateProblem)
        } else if let line = state.xincludeLine {
            result.failure = .xinclude(line: line)
        } else {
            let parseErrors = collector.issues.filter { !$0.isSchemaIssue && !$0.isWarning }
            if !parseErrors.isEmpty || !state.wellFormed || !state.builder.sawRoot {
                result.failure = .malformed(parseErrors)
            } else {
                result.schemaIssues = collector.issues.filter(\.isSchemaIssue)
                result.dropped = collector.dropped
            }
        }
        return result
    }
}

/// Per-parse state reached from the SAX callbacks.
final class SAXState {
    let builder: RecordBuilder
    var parser: xmlParserCtxtPtr?
    var xincludeLine: Int?
    var wellFormed = false
    @exclusivity(unchecked) var attributes: RecordBuilder.Attributes = []

    init(builder: RecordBuilder) {
        self.builder = builder
    }

    var line: Int32 { parser.map { $0.pointee.input.pointee.line } ?? 0 }
}

private let saxStart: startElementNsSAX2Func = { ctx, localname, _, uri, _, _, nbAttributes, _, attributes in
    guard let ctx else { return }
    let state = Unmanaged<SAXState>.fromOpaque(ctx).takeUnretainedValue()
    if ParseGuard.isXInclude(uri) {
        if state.xincludeLine == nil { state.xincludeLine = Int(state.line) }
        if let parser = state.parser { xmlStopParser(parser) }
        return
    }
    let names = state.builder.names
    state.attributes.removeAll(keepingCapacity: true)
    if let attributes, nbAttributes > 0 {
        for i in 0..<Int(nbAttributes) {
            guard let value = attributes[5 * i + 3], let end = attributes[5 * i + 4] else { continue }
            state.attributes.append((names.id(attributes[5 * i]),
                                     UnsafeBufferPointer(start: value, count: end - value)))
        }
    }
    state.builder.start(name: names.id(localname), namespace: names.id(uri), line: state.line,
                        attributes: state.attributes)
}

private let saxEnd: endElementNsSAX2Func = { ctx, _, _, _ in
    guard let ctx else { return }
    Unmanaged<SAXState>.fromOpaque(ctx).takeUnretainedValue().builder.end()
}

private let saxCharacters: charactersSAXFunc = { ctx, ch, len in
    guard let ctx, let ch, len > 0 else { return }
    Unmanaged<SAXState>.fromOpaque(ctx).takeUnretainedValue().builder.characters(UnsafeBufferPointer(start: ch, count: Int(len)))
}

/// Tells the plugged validator where the parser is, so its messages carry the right line.
private let saxLocator: xmlSchemaValidityLocatorFunc = { ctx, file, line in
    guard let ctx else { return -1 }
    let state = Unmanaged<SAXState>.fromOpaque(ctx).takeUnretainedValue()
    file?.pointee = nil
    line?.pointee = UInt(max(0, state.line))
    return 0
}
