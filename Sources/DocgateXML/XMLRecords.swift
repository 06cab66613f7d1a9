import CLibXML2
import CXMLShims
import Glibc

/// Receives a document as a sequence of records, so that the same code reads a small file and a 200 MB one.
///
/// The consumer names its *containers*: elements (given as paths below the root, such as `volumeDetail` or
/// `generalInfo/yearBlock`) whose children arrive one at a time. Every other element below the root or a
/// container arrives whole, as a *record*, valid only during the call.
public protocol XMLRecordConsumer: AnyObject {
    /// The document element (its attributes are readable, its children are not there).
    /// - Returns: the container paths, or `nil` when the consumer does not read this document.
    func begin(root: RecordElement) -> Set<String>?
    /// A container starts; its attributes are readable.
    func enter(container: RecordElement, path: String)
    /// A complete element directly inside the root or a container.
    func record(_ element: RecordElement, in containerPath: String, at position: RecordPosition)
    /// A container ends.
    func exit(container path: String)
}

/// Where a record sits: its container's absolute path and its own step, formatted only when needed.
public struct RecordPosition: Sendable {
    /// The absolute path of the root or container holding the record, e.g. `/executionReport/volumeDetail`.
    public let base: String
    /// The record's own element name.
    public let name: String
    /// 1-based position among same-named siblings seen so far.
    public let index: Int
    /// Items of a container are always indexed; elements directly under the root only from the second on.
    public let inContainer: Bool

    /// `/executionReport/volumeDetail/item[12]`.
    public var path: String {
        base + "/" + (inContainer || index > 1 ? "\(name)[\(index)]" : name)
    }
}

/// Turns start/text/end events (from the SAX parser, or replayed from a tree) into records for a consumer, and
/// knows the path of the element being parsed when an error arrives.
final class RecordBuilder {
    enum FrameKind { case root, container, record, ignored }

    struct Frame {
        var kind: FrameKind
        var name: Int32
        /// Index of the element in the current record (record frames only).
        var element: Int32
        /// Path template below the root (root and containers), e.g. `generalInfo/yearBlock`.
        var template: String
        /// Absolute path with positions (root and containers).
        var absolute: String
        /// Children seen so far, by name (root and containers).
        var counts: [Int32: Int] = [:]
        /// For a record's own element: its position.
        var position: RecordPosition?
    }

    let names: NameTable
    private(set) var consumer: (any XMLRecordConsumer)?
    private let record: XMLRecord
    private let single: XMLRecord
    private var containers: Set<String> = []
    /// Root, containers and the current record's own element.
    @exclusivity(unchecked) private var stack: [Frame] = []
    /// Elements open inside the current record, below its own element: their indexes in the record.
    @exclusivity(unchecked) private var inner: [Int32] = []
    /// Depth of open elements inside an ignored subtree.
    private var ignoredDepth = 0
    /// True while the top frame is a record: the hot path, which must not copy frames.
    private var inRecord = false
    private(set) var ignoring = false
    private(set) var sawRoot = false

    init(names: NameTable, consumer: (any XMLRecordConsumer)?) {
        self.names = names
        self.consumer = consumer
        record = XMLRecord(names: names)
        single = XMLRecord(names: names)
        stack.reserveCapacity(32)
    }

    /// Ready for the next document, keeping the buffers.
    func reset(consumer: (any XMLRecordConsumer)?) {
        self.consumer = consumer
        containers = []
        stack.removeAll(keepingCapacity: true)
        inner.removeAll(keepingCapacity: true)
        ignoredDepth = 0
        inRecord = false
        closed = .none
        ignoring = false
        sawRoot = false
        record.removeAll()
        single.removeAll()
    }

    /// Adds an element's attributes to a record: the SAX handler reads them straight from libxml2's array, the
    /// tree replay from its nodes.
    typealias Attributes = (_ record: XMLRecord, _ element: Int32) -> Void

    func start(name: Int32, namespace: Int32, line: Int32, attributes: Attributes) {
        closed = .none
        if inRecord {
            let index = record.open(name: name, namespace: namespace, parent: inner.last ?? 0, line: line)
            attributes(record, index)
            inner.append(index)
            return
        }
        if ignoredDepth > 0 {
            ignoredDepth += 1
            return
        }
        guard let top = stack.last else {
            startRoot(name: name, namespace: namespace, line: line, attributes: attributes)
            return
        }
        if top.kind == .record {
            let parent = inner.last ?? top.element
            let index = record.open(name: name, namespace: namespace, parent: parent, line: line)
            attributes(record, index)
            inner.append(index)
            return
        }
        if top.kind == .ignored {
            ignoredDepth = 1
            return
        }
        let parent = stack.count - 1
        let position = (stack[parent].counts[name] ?? 0) + 1
        stack[parent].counts[name] = position
        if ignoring {
            var frame = Frame(kind: .ignored, name: name, element: -1, template: "", absolute: "")
            frame.position = RecordPosition(base: top.absolute, name: names.string(name), index: position,
                                            inContainer: top.kind == .container)
            stack.append(frame)
            return
        }
        let (template, isContainer) = childTemplate(parent, name)
        if isContainer {
            let step = position > 1 ? "\(names.string(name))[\(position)]" : names.string(name)
            let absolute = top.absolute + "/" + step
            let container = element(in: single, name: name, namespace: namespace, line: line, attributes: attributes)
            consumer?.enter(container: container, path: template)
            stack.append(Frame(kind: .container, name: name, element: -1, template: template, absolute: absolute))
        } else {
            startRecord(name: name, namespace: namespace, line: line, attributes: attributes, in: top, position: position)
        }
    }

    /// The document element: the consumer says which containers it wants records of (or none, and the rest is ignored).
    private func startRoot(name: Int32, namespace: Int32, line: Int32, attributes: Attributes) {
        sawRoot = true
        let root = element(in: single, name: name, namespace: namespace, line: line, attributes: attributes)
        if let consumer {
            if let set = consumer.begin(root: root) { containers = set } else { ignoring = true }
        } else {
            ignoring = true
        }
        stack.append(Frame(kind: .root, name: name, element: -1, template: "", absolute: "/" + names.string(name)))
    }

    /// A record's top element: the record starts afresh and collects everything below it.
    private func startRecord(name: Int32, namespace: Int32, line: Int32, attributes: Attributes, in top: Frame, position: Int) {
        record.removeAll()
        let index = record.open(name: name, namespace: namespace, parent: -1, line: line)
        attributes(record, index)
        var frame = Frame(kind: .record, name: name, element: index, template: "", absolute: "")
        frame.position = RecordPosition(base: top.absolute, name: names.string(name), index: position,
                                        inContainer: top.kind == .container)
        stack.append(frame)
        inRecord = true
    }

    func characters(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard inRecord else { return }
        record.addText(to: inner.last ?? 0, bytes)
    }

    /// The element that closed last: libxml2's validator checks an element's content after the end handler
    /// ran, so an error about it arrives once it is closed.
    private enum Closed {
        case none
        case inner(Int32)
        case record(RecordPosition)
        case frame(String)
    }

    private var closed = Closed.none

    func end() {
        if ignoredDepth > 0 {
            ignoredDepth -= 1
            return
        }
        if let index = inner.popLast() {
            closed = .inner(index)
            return
        }
        guard let frame = stack.popLast() else { return }
        switch frame.kind {
        case .record:
            inRecord = false
            if let position = frame.position {
                closed = .record(position)
                consumer?.record(record.root, in: stack.last?.template ?? "", at: position)
            }
        case .container:
            closed = .frame(frame.absolute)
            consumer?.exit(container: frame.template)
        case .root:
            closed = .frame(frame.absolute)
        case .ignored:
            closed = .none
        }
    }

    /// Child templates and whether each is a container, by parent template and name: the same for every
    /// document of a kind, so kept across documents while the container set stays the same.
    private var templates: [String: [Int32: (String, Bool)]] = [:]
    private var templatesFor: Set<String> = []

    private func childTemplate(_ parent: Int, _ name: Int32) -> (String, Bool) {
        if templatesFor != containers {
            templates = [:]
            templatesFor = containers
        }
        let base = stack[parent].template
        if let cached = templates[base]?[name] { return cached }
        let template = base.isEmpty ? names.string(name) : base + "/" + names.string(name)
        let result = (template, containers.contains(template))
        templates[base, default: [:]][name] = result
        return result
    }

    private func element(in r: XMLRecord, name: Int32, namespace: Int32, line: Int32, attributes: Attributes) -> RecordElement {
        r.removeAll()
        let index = r.open(name: name, namespace: namespace, parent: -1, line: line)
        attributes(r, index)
        return r.root
    }

    /// The path of the element libxml2 reports an error about: the one that just closed (its content is
    /// checked after the end handler ran), the open element itself, or a new child of it (a start check).
    func path(forElement name: String?) -> String? {
        // An error about the element that just closed.
        if let name {
            switch closed {
            case .inner(let index) where RecordElement(record: record, index: index).name == name:
                return openPath() + "/" + RecordElement(record: record, index: index).relativeStep
            case .record(let position) where position.name == name:
                return position.path
            case .frame(let absolute) where absolute.split(separator: "/").last.map({ $0.hasPrefix(name) }) == true:
                return absolute
            default:
                break
            }
        }
        guard !stack.isEmpty else { return name.map { "/" + $0 } }
        var path = openPath()
        let top = stack[stack.count - 1]
        let openName: String
        if top.kind == .record, let last = inner.last {
            openName = RecordElement(record: record, index: last).name
        } else {
            openName = names.string(top.name)
        }
        if let name, openName != name, ignoredDepth == 0 {
            var seen = 0
            switch top.kind {
            case .root, .container:
                seen = top.counts.first { names.string($0.key) == name }?.value ?? 0
            case .record:
                seen = RecordElement(record: record, index: inner.last ?? top.element).children.filter { $0.name == name }.count
            case .ignored:
                break
            }
            path += "/" + (seen > 0 ? "\(name)[\(seen + 1)]" : name)
        }
        return path
    }

    /// The path of the innermost open element.
    private func openPath() -> String {
        var steps: [String] = []
        for frame in stack {
            switch frame.kind {
            case .root, .container:
                steps = frame.absolute.split(separator: "/").map(String.init)
            case .record:
                if let position = frame.position {
                    steps.append(String(position.path.split(separator: "/").last ?? ""))
                }
                for index in inner {
                    steps.append(RecordElement(record: record, index: index).relativeStep)
                }
            case .ignored:
                if let position = frame.position {
                    steps.append(String(position.path.split(separator: "/").last ?? ""))
                } else {
                    steps.append(names.string(frame.name))
                }
            }
        }
        return "/" + steps.joined(separator: "/")
    }
}

/// Feeds a parsed tree to a consumer as records, exactly as the streaming parser would.
public enum XMLRecordReplay {
    /// Feeds the document's root and records to `consumer`.
    public static func replay(_ document: XMLDocument, into consumer: any XMLRecordConsumer) {
        guard let root = xmlDocGetRootElement(document.pointer) else { return }
        let builder = RecordBuilder(names: NameTable(), consumer: consumer)
        visit(root, builder)
    }

    private static func visit(_ node: xmlNodePtr, _ builder: RecordBuilder) {
        // Attribute values copied into one buffer, then handed over while the buffer is pinned.
        var storage: [UInt8] = []
        var spans: [(name: Int32, start: Int, end: Int)] = []
        var a = node.pointee.properties
        while let attr = a {
            if let v = xmlNodeListGetString(node.pointee.doc, attr.pointee.children, 1) {
                let start = storage.count
                storage.append(contentsOf: UnsafeBufferPointer(start: v, count: strlen(UnsafeRawPointer(v).assumingMemoryBound(to: CChar.self))))
                docgate_xml_free(v)
                spans.append((builder.names.id(attr.pointee.name), start, storage.count))
            }
            a = attr.pointee.next
        }
        storage.withUnsafeBufferPointer { buffer in
            builder.start(name: builder.names.id(node.pointee.name), namespace: builder.names.id(node.pointee.ns?.pointee.href),
                          line: Int32(truncatingIfNeeded: xmlGetLineNo(node))) { record, element in
                for span in spans {
                    record.addAttribute(to: element, name: span.name, value: UnsafeBufferPointer(rebasing: buffer[span.start..<span.end]))
                }
            }
        }
        var child = node.pointee.children
        while let c = child {
            switch c.pointee.type {
            case XML_ELEMENT_NODE:
                visit(c, builder)
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = c.pointee.content {
                    builder.characters(UnsafeBufferPointer(start: content, count: strlen(UnsafeRawPointer(content).assumingMemoryBound(to: CChar.self))))
                }
            default:
                break
            }
            child = c.pointee.next
        }
        builder.end()
    }
}
