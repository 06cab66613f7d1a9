import DocgateCore
import CLibXML2
import Dispatch
import Glibc
import Synchronization

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

    /// A result as the streaming validator ends.
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

    /// Validates a file against one schema (or none).
    public static func validate(file path: String, schema: XMLSchema?, limits: XMLLimits = .default,
                                consumer: (any XMLRecordConsumer)?) throws(XMLFileError) -> XMLStreamResult {
        try validate(file: path, schemaFor: { _ in schema }, limits: limits, consumer: consumer)
    }

    /// Validates bytes in memory against one schema (or none).
    public static func validate(bytes: UnsafeRawBufferPointer, schema: XMLSchema?, limits: XMLLimits = .default,
                                consumer: (any XMLRecordConsumer)?) -> XMLStreamResult {
        validate(bytes: bytes, schemaFor: { _ in schema }, limits: limits, consumer: consumer)
    }

    /// Validates a file; `schemaFor` picks the schema from the root element's namespace as read by
    /// ``XMLRootProbe`` (`nil` when the probe could not tell).
    public static func validate(file path: String, schemaFor: (String?) -> XMLSchema?, limits: XMLLimits = .default,
                                consumer: (any XMLRecordConsumer)?) throws(XMLFileError) -> XMLStreamResult {
        try validate(file: path, schemaFor: schemaFor, limits: limits, consumer: consumer, watch: nil)
    }

    /// As above; `watch` is shown the read-ahead reader of a large file (tests check it has stopped).
    static func validate(file path: String, schemaFor: (String?) -> XMLSchema?, limits: XMLLimits,
                         consumer: (any XMLRecordConsumer)?,
                         watch: ((ReadAhead) -> Void)?) throws(XMLFileError) -> XMLStreamResult {
        let fd: Int32, st: stat
        switch BoundedFile.openRegular(path) {
        case .success(let opened): (fd, st) = opened
        case .failure(.unreadable(let code)): throw XMLFileError(path: path, errorNumber: code)
        case .failure: throw XMLFileError(path: path, errorNumber: EINVAL)
        }
        defer { close(fd) }
        if Int(st.st_size) > limits.maxInputBytes {
            return XMLStreamResult(failure: .gate(.tooLarge(size: Int(st.st_size), limit: limits.maxInputBytes)),
                                   schemaIssues: [], dropped: 0, encoding: nil)
        }
        if Int(st.st_size) > readAheadThreshold {
            // Large files: another thread reads and gates ahead while this one parses.
            let ahead = ReadAhead(fd: fd, limits: limits)
            // However the parse ends, the reader is stopped and joined before the descriptor closes.
            defer { ahead.stop() }
            watch?(ahead)
            let result = run(schemaFor: schemaFor, limits: limits, consumer: consumer, size: Int(st.st_size),
                             gatedBy: ahead, next: ahead.next)
            ahead.stop()
            if ahead.ioError != 0 { throw XMLFileError(path: path, errorNumber: ahead.ioError) }
            return result
        }
        // A buffer no larger than the file (a 10 KB document should not cost a 256 KB allocation).
        let size = max(4096, min(chunkSize, Int(st.st_size) + 1))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        let ioError = Box<Int32>(0)
        let result = run(schemaFor: schemaFor, limits: limits, consumer: consumer, size: Int(st.st_size)) { () -> UnsafeRawBufferPointer? in
            while true {
                let n = read(fd, buffer.baseAddress!, buffer.count)
                if n < 0 {
                    if errno == EINTR { continue }
                    ioError.value = errno
                    return nil
                }
                return n == 0 ? nil : UnsafeRawBufferPointer(rebasing: buffer[0..<n])
            }
        }
        if ioError.value != 0 { throw XMLFileError(path: path, errorNumber: ioError.value) }
        return result
    }

    /// Validates bytes in memory; `schemaFor` as for files.
    public static func validate(bytes: UnsafeRawBufferPointer, schemaFor: (String?) -> XMLSchema?,
                                limits: XMLLimits = .default, consumer: (any XMLRecordConsumer)?) -> XMLStreamResult {
        let offset = Box(0)
        return run(schemaFor: schemaFor, limits: limits, consumer: consumer, size: bytes.count) { () -> UnsafeRawBufferPointer? in
            guard offset.value < bytes.count else { return nil }
            let end = min(bytes.count, offset.value + chunkSize)
            defer { offset.value = end }
            return UnsafeRawBufferPointer(rebasing: bytes[offset.value..<end])
        }
    }

    /// libxml2's errors about a piece that never came: a cut file, when they come at the end of the input.
    static let endOfInputErrors: Set<Int32> = [1, 5, 33, 37, 39, 40, 43, 44, 45, 47, 57, 63, 65, 68, 72, 73, 74, 75, 77, 84]

    /// Inputs up to this size get the prolog-only gate; libxml2's own limits and the SAX handlers cover the rest,
    /// and the quadratic attribute check costs little within so few bytes.
    static let smallInput = 16 * 1024

    /// Files above this size are read and gated on a second thread.
    static let readAheadThreshold = 1 << 20

    private static func run(schemaFor: (String?) -> XMLSchema?, limits: XMLLimits, consumer: (any XMLRecordConsumer)?,
                            size: Int, gatedBy ahead: ReadAhead? = nil,
                            next: @escaping () -> UnsafeRawBufferPointer?) -> XMLStreamResult {
        XMLLibrary.initialize()
        var result = XMLStreamResult(failure: nil, schemaIssues: [], dropped: 0, encoding: nil)
        guard let chunk = next() else {
            result.failure = .gate(ahead?.gateProblem ?? .empty)
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
        let schema = schemaFor(XMLRootProbe.namespace(in: chunk, encoding: prolog.encoding))
        let scope: InputGate.Scope = size <= smallInput && prolog.encoding != .windows1251 ? .prolog : .full
        let gate = InputGate(prolog: prolog, limits: limits, scope: scope)
        let resources = StreamResources.checkOut()
        defer { StreamResources.checkIn(resources) }
        let state = resources.state
        state.reset(consumer: consumer, limits: limits)
        let collector = IssueCollector(limit: limits.maxIssues)
        collector.pathOfUnnamed = { [unowned state] _, element in state.builder.path(forElement: element) }
        var gateProblem: GateProblem?

        let source = PullSource(first: chunk, next: next, gate: ahead == nil ? gate : nil)
        collector.onFirstParseError = { [unowned state, unowned source] in
            // How much input the parser still held unparsed when it gave up.
            if let input = state.parser?.pointee.input, let cur = input.pointee.cur, let end = input.pointee.end {
                state.unparsedAtFirstError = end - cur
            }
            // libxml2 goes on through the rest of the input after a fatal error (callbacks off) only to find its
            // consequences; the first error is the verdict. Starve it at its next read, a point where libxml2
            // expects failure (stopping it here, inside its error report, could free input it still reads).
            source.cutOff()
        }
        collector.capture {
            var sax: UnsafeMutablePointer<xmlSAXHandler>? = resources.handler
            var user: UnsafeMutableRawPointer? = Unmanaged.passUnretained(state).toOpaque()
            var plug: xmlSchemaSAXPlugPtr? = nil
            if let schema, let valid = resources.validator(for: schema) {
                plug = xmlSchemaSAXPlug(valid, &sax, &user)
            }
            defer { if let plug { xmlSchemaSAXUnplug(plug) } }
            // Pull parsing: libxml2 asks for bytes as it needs them, and each chunk passes the gate first.
            let io = Unmanaged.passUnretained(source).toOpaque()
            guard let ctxt = xmlCreateIOParserCtxt(sax, user, pullRead, pullClose, io, XML_CHAR_ENCODING_NONE) else { return }
            defer { xmlFreeParserCtxt(ctxt) }
            resources.adoptDictionary(ctxt)
            xmlCtxtUseOptions(ctxt, XMLDocument.safeOptions)
            state.parser = ctxt
            defer { state.parser = nil }
            withExtendedLifetime(source) { _ = xmlParseDocument(ctxt) }
            state.wellFormed = ctxt.pointee.wellFormed != 0
        }
        gateProblem = source.gateProblem ?? ahead?.gateProblem
        if let gateProblem {
            result.failure = .gate(gateProblem)
        } else if let problem = state.limitProblem {
            result.failure = .gate(problem)
        } else if let line = state.xincludeLine {
            result.failure = .xinclude(line: line)
        } else {
            let parseErrors = collector.issues.filter { !$0.isSchemaIssue && !$0.isWarning }
            if !parseErrors.isEmpty || !state.wellFormed || !state.builder.sawRoot {
                // A piece missing at the very end of the input, with elements still open: it was cut short.
                if state.depth > 0, source.atEnd, let rest = state.unparsedAtFirstError, rest <= 256,
                   let first = parseErrors.first, Self.endOfInputErrors.contains(first.code) {
                    result.failure = .gate(.truncated(line: parseErrors.first?.line ?? Int(state.line)))
                } else {
                    result.failure = .malformed(parseErrors)
                }
            } else {
                result.schemaIssues = collector.issues.filter(\.isSchemaIssue)
                result.dropped = collector.dropped
            }
        }
        return result
    }
}

/// Per-parse state reached from the SAX callbacks; reset and reused by the next parse.
final class SAXState {
    let names: NameTable
    let builder: RecordBuilder
    var parser: xmlParserCtxtPtr?
    var xincludeLine: Int?
    var wellFormed = false
    /// The namespace of the last element and its id: documents keep one namespace throughout.
    var lastNamespacePointer: UnsafePointer<xmlChar>?
    var lastNamespace: Int32 = -1
    var limits = XMLLimits.default
    /// Open elements, and the current run of character data.
    var depth = 0
    var textRun = 0
    /// A limit the SAX handlers enforced (depth, attributes, text).
    var limitProblem: GateProblem?
    /// Bytes the parser held but had not parsed when it reported its first well-formedness error.
    var unparsedAtFirstError: Int?

    init(names: NameTable) {
        self.names = names
        builder = RecordBuilder(names: names, consumer: nil)
    }

    func reset(consumer: (any XMLRecordConsumer)?, limits: XMLLimits = .default) {
        builder.reset(consumer: consumer)
        parser = nil
        xincludeLine = nil
        wellFormed = false
        self.limits = limits
        depth = 0
        textRun = 0
        limitProblem = nil
        unparsedAtFirstError = nil
        lastNamespacePointer = nil
        lastNamespace = -1
    }

    func stop(_ problem: GateProblem) {
        if limitProblem == nil { limitProblem = problem }
        if let parser { xmlStopParser(parser) }
    }


    var line: Int32 { parser.map { $0.pointee.input.pointee.line } ?? 0 }
}

let saxStart: startElementNsSAX2Func = { ctx, localname, _, uri, nbNamespaces, _, nbAttributes, _, attributes in
    guard let ctx else { return }
    Unmanaged<SAXState>.fromOpaque(ctx)._withUnsafeGuaranteedRef {
        $0.start(localname, uri, nbNamespaces, nbAttributes, attributes)
    }
}

extension SAXState {
    /// A start tag: limits, XInclude, then the record builder.
    func start(_ localname: UnsafePointer<xmlChar>?, _ uri: UnsafePointer<xmlChar>?, _ nbNamespaces: Int32,
               _ nbAttributes: Int32, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        depth += 1
        textRun = 0
        if depth > limits.maxDepth {
            stop(.tooDeep(line: Int(line), limit: limits.maxDepth))
            return
        }
        if Int(nbAttributes) + Int(nbNamespaces) > limits.maxAttributes {
            stop(.tooManyAttributes(line: Int(line), limit: limits.maxAttributes))
            return
        }
        if ParseGuard.isXInclude(uri) {
            if xincludeLine == nil { xincludeLine = Int(line) }
            if let parser { xmlStopParser(parser) }
            return
        }
        if uri != lastNamespacePointer {
            lastNamespacePointer = uri
            lastNamespace = names.id(uri)
        }
        let names = self.names
        builder.start(name: names.id(localname), namespace: lastNamespace, line: line) { record, element in
            guard let attributes, nbAttributes > 0 else { return }
            for i in 0..<Int(nbAttributes) {
                guard let value = attributes[5 * i + 3], let end = attributes[5 * i + 4] else { continue }
                record.addAttribute(to: element, name: names.id(attributes[5 * i]),
                                    value: UnsafeBufferPointer(start: value, count: end - value))
            }
        }
    }
}

let saxEnd: endElementNsSAX2Func = { ctx, _, _, _ in
    guard let ctx else { return }
    Unmanaged<SAXState>.fromOpaque(ctx)._withUnsafeGuaranteedRef { state in
        state.depth -= 1
        state.textRun = 0
        state.builder.end()
    }
}

let saxCharacters: charactersSAXFunc = { ctx, ch, len in
    guard let ctx, let ch, len > 0 else { return }
    Unmanaged<SAXState>.fromOpaque(ctx)._withUnsafeGuaranteedRef { state in
        state.textRun += Int(len)
        if state.textRun > state.limits.maxTextLength {
            state.stop(.textTooLong(line: Int(state.line), limit: state.limits.maxTextLength))
            return
        }
        state.builder.characters(UnsafeBufferPointer(start: ch, count: Int(len)))
    }
}

/// Tells the plugged validator where the parser is, so its messages carry the right line.
let saxLocator: xmlSchemaValidityLocatorFunc = { ctx, file, line in
    guard let ctx else { return -1 }
    let state = Unmanaged<SAXState>.fromOpaque(ctx).takeUnretainedValue()
    file?.pointee = nil
    line?.pointee = UInt(max(0, state.line))
    return 0
}
