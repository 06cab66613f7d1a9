import CLibXML2
import Glibc

/// Element and namespace names of one parse, interned: libxml2 hands out names from its dictionary, so the same
/// pointer means the same name and a lookup is one pointer hash.
public final class NameTable {
    private var ids: [UnsafeRawPointer: Int32] = [:]
    private var byText: [String: Int32] = [:]
    private(set) var strings: [String] = []
    private(set) var bytes: [[UInt8]] = []

    public init() {}

    func id(_ name: UnsafePointer<xmlChar>?) -> Int32 {
        guard let name else { return -1 }
        if let id = ids[UnsafeRawPointer(name)] { return id }
        let s = String(cString: name)
        let id: Int32
        if let existing = byText[s] {
            id = existing
        } else {
            id = Int32(strings.count)
            strings.append(s)
            bytes.append(Array(s.utf8))
            byText[s] = id
        }
        ids[UnsafeRawPointer(name)] = id
        return id
    }

    func matches(_ id: Int32, _ name: StaticString) -> Bool {
        guard id >= 0 else { return false }
        let b = bytes[Int(id)]
        guard b.count == name.utf8CodeUnitCount else { return false }
        return b.withUnsafeBufferPointer { memcmp($0.baseAddress!, name.utf8Start, b.count) == 0 }
    }

    func string(_ id: Int32) -> String { id >= 0 ? strings[Int(id)] : "" }
}

/// One record — a complete element and its descendants — captured from the parser as flat arrays: no tree of
/// heap nodes, no per-element allocation. Valid only during the consumer's call; the builder reuses it.
public final class XMLRecord {
    struct Element {
        var name: Int32
        var namespace: Int32
        var parent: Int32
        var firstChild: Int32 = -1
        var lastChild: Int32 = -1
        var next: Int32 = -1
        var line: Int32
        var textStart: Int32
        var textEnd: Int32
        var attributeStart: Int32
        var attributeEnd: Int32
    }

    struct Attribute {
        var name: Int32
        var valueStart: Int32
        var valueEnd: Int32
    }

    let names: NameTable
    var elements: [Element] = []
    var attributes: [Attribute] = []
    var text: [UInt8] = []

    init(names: NameTable) {
        self.names = names
        elements.reserveCapacity(64)
        text.reserveCapacity(4096)
    }

    func removeAll() {
        elements.removeAll(keepingCapacity: true)
        attributes.removeAll(keepingCapacity: true)
        text.removeAll(keepingCapacity: true)
    }

    /// The record's own element.
    public var root: RecordElement { RecordElement(record: self, index: 0) }

    /// Appends an element under `parent` (-1 for the record's root) and returns its index.
    @discardableResult
    func open(name: Int32, namespace: Int32, parent: Int32, line: Int32) -> Int32 {
        let index = Int32(elements.count)
        let start = Int32(text.count)
        let attributeStart = Int32(attributes.count)
        elements.append(Element(name: name, namespace: namespace, parent: parent, line: line, textStart: start,
                                textEnd: start, attributeStart: attributeStart, attributeEnd: attributeStart))
        if parent >= 0 {
            let p = Int(parent)
            if elements[p].lastChild >= 0 { elements[Int(elements[p].lastChild)].next = index } else { elements[p].firstChild = index }
            elements[p].lastChild = index
        }
        return index
    }

    func addAttribute(to element: Int32, name: Int32, value: UnsafeBufferPointer<UInt8>) {
        let start = Int32(text.count)
        text.append(contentsOf: value)
        attributes.append(Attribute(name: name, valueStart: start, valueEnd: Int32(text.count)))
        elements[Int(element)].attributeEnd = Int32(attributes.count)
    }

    /// Character data of `element`, kept while it has no child elements (the documents' data sit in leaves).
    func addText(to element: Int32, _ bytes: UnsafeBufferPointer<UInt8>) {
        let e = Int(element)
        guard elements[e].firstChild < 0 else { return }
        if elements[e].textStart == elements[e].textEnd {
            elements[e].textStart = Int32(text.count)
        } else if elements[e].textEnd != Int32(text.count) {
            return
        }
        text.append(contentsOf: bytes)
        elements[e].textEnd = Int32(text.count)
    }
}

/// One element of a captured record: the API the document readers use.
public struct RecordElement {
    let record: XMLRecord
    let index: Int32

    private var entry: XMLRecord.Element { record.elements[Int(index)] }

    /// The local name.
    public var name: String { record.names.string(entry.name) }

    /// True when the local name equals `name` (a byte comparison).
    public func isNamed(_ name: StaticString) -> Bool { record.names.matches(entry.name, name) }

    public var namespaceURI: String? { entry.namespace >= 0 ? record.names.string(entry.namespace) : nil }

    /// 1-based source line of the start tag.
    public var line: Int { Int(entry.line) }

    /// Position in the record, for identity comparisons.
    public var id: Int { Int(index) }

    public var parent: RecordElement? {
        entry.parent >= 0 ? RecordElement(record: record, index: entry.parent) : nil
    }

    public var children: RecordChildren { RecordChildren(record: record, first: entry.firstChild) }

    public func child(_ name: StaticString) -> RecordElement? {
        var c = entry.firstChild
        while c >= 0 {
            let e = record.elements[Int(c)]
            if record.names.matches(e.name, name) { return RecordElement(record: record, index: c) }
            c = e.next
        }
        return nil
    }

    public func children(_ name: StaticString) -> [RecordElement] {
        children.filter { $0.isNamed(name) }
    }

    public var hasChildren: Bool { entry.firstChild >= 0 }
    public var hasAttributes: Bool { entry.attributeEnd > entry.attributeStart }

    /// The element's own character data (the documents keep data in leaf elements).
    public var text: String {
        let e = entry
        return record.text.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[Int(e.textStart)..<Int(e.textEnd)]), as: UTF8.self)
        }
    }

    /// The character data with XML whitespace trimmed from both ends.
    public var trimmedText: String {
        let e = entry
        return record.text.withUnsafeBufferPointer { buffer in
            var start = Int(e.textStart)
            var end = Int(e.textEnd)
            while start < end, isXMLSpace(buffer[start]) { start += 1 }
            while end > start, isXMLSpace(buffer[end - 1]) { end -= 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self)
        }
    }

    /// Trimmed text of the first child with this name; `nil` without such a child.
    public func childText(_ name: StaticString) -> String? { child(name)?.trimmedText }

    public func attribute(_ name: String) -> String? {
        let e = entry
        var i = Int(e.attributeStart)
        while i < Int(e.attributeEnd) {
            let a = record.attributes[i]
            if record.names.string(a.name) == name {
                return record.text.withUnsafeBufferPointer {
                    String(decoding: UnsafeBufferPointer(rebasing: $0[Int(a.valueStart)..<Int(a.valueEnd)]), as: UTF8.self)
                }
            }
            i += 1
        }
        return nil
    }

    /// The step below the parent, indexed where same-named siblings exist: `item[3]`.
    public var relativeStep: String {
        guard let parent else { return name }
        let own = entry.name
        var position = 1
        var passed = false
        for sibling in parent.children {
            if sibling.index == index { passed = true; continue }
            if record.elements[Int(sibling.index)].name == own {
                if passed { return "\(name)[\(position)]" }
                position += 1
            }
        }
        return position > 1 ? "\(name)[\(position)]" : name
    }
}

public struct RecordChildren: Sequence {
    let record: XMLRecord
    let first: Int32

    public struct Iterator: IteratorProtocol {
        let record: XMLRecord
        var cursor: Int32

        public mutating func next() -> RecordElement? {
            guard cursor >= 0 else { return nil }
            let e = RecordElement(record: record, index: cursor)
            cursor = record.elements[Int(cursor)].next
            return e
        }
    }

    public func makeIterator() -> Iterator { Iterator(record: record, cursor: first) }
}
