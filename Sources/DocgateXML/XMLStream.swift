import CLibXML2
import Glibc

/// What a streaming pass over a file found.
public struct XMLStreamResult {
    /// Set when the input was refused or is not well-formed; schema findings are then incomplete.
    public var failure: XMLParseFailure?
    /// Schema findings (empty when no schema was given).
    public var schemaIssues: [XMLIssue]
    /// Findings beyond the limit, counted only.
    public var dropped: Int
    /// False when the consumer stopped the pass at the root.
    public var completed: Bool
}

/// Streaming validation with libxml2's text reader: constant memory whatever the file size.
///
/// The bytes go through the ``InputGate`` inside the reader's read callback, so limits and DOCTYPE are enforced
/// before libxml2 parses them. A schema, when given, validates every node as the reader passes it. Records are
/// expanded one at a time for the consumer and freed once the reader moves on.
public enum XMLStream {
    public static func validate(file path: String, schema: XMLSchema?, limits: XMLLimits = .default,
                                consumer: (any XMLRecordConsumer)?) throws(XMLFileError) -> XMLStreamResult {
        XMLLibrary.initialize()
        let source = try StreamSource(path: path, limits: limits)
        let headProblem: GateProblem? = source.prepare()
        if let headProblem {
            return XMLStreamResult(failure: .gate(headProblem), schemaIssues: [], dropped: 0, completed: true)
        }
        let collector = IssueCollector(limit: limits.maxIssues)
        collector.tracksUnplaced = true
        let walker = StreamWalker(consumer: consumer, collector: collector)
        collector.pathOf = { [unowned walker] node in walker.path(of: node) }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_BIG_LINES.rawValue)
        let outcome: (ok: Bool, valid: Bool) = collector.capture {
            let context = Unmanaged.passUnretained(source).toOpaque()
            guard let reader = xmlReaderForIO(streamRead, streamClose, context, nil, nil, options) else {
                return (false, false)
            }
            defer { xmlFreeTextReader(reader) }
            if let schema, xmlTextReaderSetSchema(reader, schema.pointer) != 0 { return (false, false) }
            let ok = withExtendedLifetime(source) { walker.run(reader) }
            walker.placeRemaining()
            return (ok, schema == nil || xmlTextReaderIsValid(reader) == 1)
        }
        _ = outcome.valid
        if let problem = source.finishGate() {
            return XMLStreamResult(failure: .gate(problem), schemaIssues: [], dropped: 0, completed: true)
        }
        if let line = walker.xincludeLine {
            return XMLStreamResult(failure: .xinclude(line: line), schemaIssues: [], dropped: 0, completed: true)
        }
        if let ioError = source.ioError { throw ioError }
        let parseErrors = collector.issues.filter { !$0.isSchemaIssue && !$0.isWarning }
        if !parseErrors.isEmpty || !outcome.ok {
            return XMLStreamResult(failure: .malformed(parseErrors), schemaIssues: [], dropped: 0, completed: true)
        }
        return XMLStreamResult(failure: nil, schemaIssues: collector.issues.filter(\.isSchemaIssue),
                               dropped: collector.dropped, completed: !walker.stopped)
    }
}

/// The file behind the reader: buffered reads, each chunk scanned by the gate before libxml2 sees it.
final class StreamSource {
    let path: String
    let fd: Int32
    let limits: XMLLimits
    var gate: InputGate?
    var buffer: UnsafeMutableRawBufferPointer
    var start = 0
    var end = 0
    var eof = false
    var ioError: XMLFileError?
    var gateFinished = false

    init(path: String, limits: XMLLimits) throws(XMLFileError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw XMLFileError(path: path, errorNumber: errno) }
        var st = stat()
        if fstat(fd, &st) != 0 || (st.st_mode & S_IFMT) != S_IFREG {
            let e = (st.st_mode & S_IFMT) != S_IFREG ? EISDIR : errno
            close(fd)
            throw XMLFileError(path: path, errorNumber: e)
        }
        self.path = path
        self.fd = fd
        self.limits = limits
        self.buffer = .allocate(byteCount: 256 * 1024, alignment: 16)
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    /// Reads the first chunk and sets the gate up from its prolog.
    func prepare() -> GateProblem? {
        fill()
        if ioError != nil { return nil }
        switch Prolog.detect(UnsafeRawBufferPointer(rebasing: buffer[start..<min(end, start + 512)])) {
        case .failure(let problem):
            return problem
        case .success(let prolog):
            gate = InputGate(prolog: prolog, limits: limits)
            gate!.feed(UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
            if end == start { return finishGate() }
            return gate!.problem
        }
    }

    func fill() {
        start = 0
        end = 0
        while !eof && end == 0 {
            let n = read(fd, buffer.baseAddress!, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                ioError = XMLFileError(path: path, errorNumber: errno)
                eof = true
            } else if n == 0 {
                eof = true
            } else {
                end = n
            }
        }
    }

    /// Serves libxml2: -1 stops the parse (gate problem or I/O error).
    func serve(into destination: UnsafeMutablePointer<CChar>, capacity: Int) -> Int32 {
        if gate?.problem != nil || ioError != nil { return -1 }
        if start == end {
            fill()
            if ioError != nil { return -1 }
            if end > start, gate?.feed(UnsafeRawBufferPointer(rebasing: buffer[start..<end])) == false { return -1 }
        }
        if start == end {
            if finishGate() != nil { return -1 }
            return 0
        }
        let n = min(capacity, end - start)
        UnsafeMutableRawPointer(destination).copyMemory(from: buffer.baseAddress! + start, byteCount: n)
        start += n
        return Int32(n)
    }

    /// The gate's verdict once the whole input has passed (or the first problem found).
    func finishGate() -> GateProblem? {
        guard gate != nil else { return nil }
        if let problem = gate!.problem { return problem }
        if !eof || start != end { return nil }
        if !gateFinished {
            gateFinished = true
            return gate!.finish()
        }
        return gate!.problem
    }
}

private let streamRead: xmlInputReadCallback = { context, buffer, length in
    guard let context, let buffer, length > 0 else { return -1 }
    return Unmanaged<StreamSource>.fromOpaque(context).takeUnretainedValue().serve(into: buffer, capacity: Int(length))
}

private let streamClose: xmlInputCloseCallback = { _ in 0 }

/// Walks the reader: containers are entered, records expanded for the consumer and then skipped over (the
/// reader still validates every node of a skipped subtree).
final class StreamWalker {
    let consumer: (any XMLRecordConsumer)?
    var containers: Set<String> = []
    /// Formatted steps of the open containers, root first, and their child counts by name.
    var steps: [String] = []
    var paths: [String] = []
    var counts: [[String: Int]] = []
    var recordStep: String?
    /// The record being passed over; its subtree is expanded, so errors inside it can be placed.
    var recordNode: xmlNodePtr?
    private var rootName = ""
    private var containerPaths: [String: String] = [:]
    var xincludeLine: Int?
    var stopped = false

    let collector: IssueCollector

    init(consumer: (any XMLRecordConsumer)?, collector: IssueCollector) {
        self.consumer = consumer
        self.collector = collector
    }

    private static let elementType = Int32(XML_READER_TYPE_ELEMENT.rawValue)
    private static let endType = Int32(XML_READER_TYPE_END_ELEMENT.rawValue)

    /// Returns false when the reader failed.
    func run(_ reader: xmlTextReaderPtr) -> Bool {
        var ret = xmlTextReaderRead(reader)
        while ret == 1 {
            let type = xmlTextReaderNodeType(reader)
            if type == Self.elementType {
                guard let node = xmlTextReaderCurrentNode(reader) else { return false }
                if ParseGuard.isXInclude(node.pointee.ns?.pointee.href) {
                    xincludeLine = Int(xmlGetLineNo(node))
                    return false
                }
                let depth = Int(xmlTextReaderDepth(reader))
                let empty = xmlTextReaderIsEmptyElement(reader) == 1
                let name = XMLNode(pointer: node).name
                if depth == 0 {
                    if let consumer {
                        if let set = consumer.begin(root: XMLNode(pointer: node)) {
                            containers = set
                        } else {
                            // Not a document the consumer reads: still read to the end, so that parse errors
                            // and limits are reported as they would be for a tree.
                            stopped = true
                        }
                    }
                    rootName = name
                    open(step: name, path: "")
                    ret = xmlTextReaderRead(reader)
                    continue
                }
                let parentPath = paths.last ?? ""
                let path = parentPath.isEmpty ? name : parentPath + "/" + name
                let index = (counts[counts.count - 1][name] ?? 0) + 1
                counts[counts.count - 1][name] = index
                if !stopped, containers.contains(path) {
                    let step = index > 1 ? "\(name)[\(index)]" : name
                    place(container: name, path: "/" + (steps + [step]).joined(separator: "/"))
                    consumer?.enter(container: XMLNode(pointer: node), path: path)
                    if empty {
                        consumer?.exit(container: path)
                    } else {
                        open(step: step, path: path)
                    }
                    ret = xmlTextReaderRead(reader)
                    continue
                }
                recordStep = parentPath.isEmpty && index == 1 ? name : "\(name)[\(index)]"
                guard let expanded = xmlTextReaderExpand(reader) else { return false }
                if let line = firstXInclude(in: expanded) {
                    xincludeLine = line
                    return false
                }
                recordNode = expanded
                place(record: expanded)
                if !stopped { consumer?.record(XMLNode(pointer: expanded), in: parentPath,
                                 path: "/" + steps.joined(separator: "/") + "/" + recordStep!) }
                ret = xmlTextReaderNext(reader)
                recordStep = nil
                recordNode = nil
                continue
            } else if type == Self.endType, xmlTextReaderDepth(reader) < steps.count {
                if let path = paths.last, !path.isEmpty { consumer?.exit(container: path) }
                steps.removeLast()
                paths.removeLast()
                counts.removeLast()
            }
            ret = xmlTextReaderRead(reader)
        }
        return ret == 0
    }

    private func open(step: String, path: String) {
        steps.append(step)
        paths.append(path)
        counts.append([:])
    }

    private func firstXInclude(in node: xmlNodePtr) -> Int? {
        if ParseGuard.isXInclude(node.pointee.ns?.pointee.href) { return Int(xmlGetLineNo(node)) }
        var child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_ELEMENT_NODE, let line = firstXInclude(in: c) { return line }
            child = c.pointee.next
        }
        return nil
    }

    /// Places findings that named no node once the reader reaches them: an element with that name on that line
    /// inside the record just expanded.
    private func place(record: xmlNodePtr) {
        guard !collector.unplaced.isEmpty else { return }
        let start = Int(xmlGetLineNo(record))
        collector.unplaced.removeAll { entry in
            guard entry.line >= start, let found = find(entry.element, line: entry.line, in: record) else { return false }
            collector.issues[entry.index].path = path(of: found)
            return true
        }
    }

    /// Findings about a container itself (a missing child is reported at its end tag) take its path.
    private func place(container name: String, path: String) {
        containerPaths[name] = path
        guard !collector.unplaced.isEmpty else { return }
        collector.unplaced.removeAll { entry in
            guard entry.element == name else { return false }
            collector.issues[entry.index].path = path
            return true
        }
    }

    /// What is left at the end: the root by name, anything else as a descendant of the root.
    func placeRemaining() {
        let root = rootName
        for entry in collector.unplaced {
            collector.issues[entry.index].path = entry.element == root ? "/" + root
                : containerPaths[entry.element] ?? "/" + root + "//" + entry.element
        }
        collector.unplaced.removeAll()
    }

    private func find(_ name: String, line: Int, in node: xmlNodePtr) -> xmlNodePtr? {
        if Int(xmlGetLineNo(node)) == line, XMLNode(pointer: node).name == name { return node }
        var child = node.pointee.children
        while let c = child {
            if c.pointee.type == XML_ELEMENT_NODE, let found = find(name, line: line, in: c) { return found }
            child = c.pointee.next
        }
        return nil
    }

    /// The path of a node in the partial tree: open containers and the current record from the walker's own
    /// counts (earlier siblings are freed by then), deeper steps by name.
    func path(of node: xmlNodePtr) -> String {
        var chain: [xmlNodePtr] = []
        var current: xmlNodePtr? = node
        if node.pointee.type == XML_ATTRIBUTE_NODE { current = node.pointee.parent }
        while let n = current, n.pointee.type == XML_ELEMENT_NODE {
            chain.append(n)
            current = n.pointee.parent
        }
        chain.reverse()
        var out: [String] = []
        for (depth, n) in chain.enumerated() {
            if depth < steps.count {
                out.append(steps[depth])
            } else if depth == steps.count, let recordStep {
                out.append(recordStep)
            } else {
                out.append(XMLNode(pointer: n).name)
            }
        }
        var path = "/" + out.joined(separator: "/")
        if node.pointee.type == XML_ATTRIBUTE_NODE { path += "/@" + XMLNode(pointer: node).name }
        return path
    }
}
