import CLibXML2
import Glibc

/// A growable buffer of trivial values in manually managed memory: reading an element costs a load, with no
/// reference counting and no exclusivity check — the record layer touches millions of them.
struct RawBuffer<T> {
    private(set) var base: UnsafeMutablePointer<T>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    func free() { base.deallocate() }

    mutating func append(_ value: T) {
        if count == capacity { grow(to: count + 1) }
        (base + count).initialize(to: value)
        count += 1
    }

    mutating func append(contentsOf values: UnsafeBufferPointer<T>) {
        guard values.count > 0 else { return }
        if count + values.count > capacity { grow(to: count + values.count) }
        (base + count).initialize(from: values.baseAddress!, count: values.count)
        count += values.count
    }

    mutating func removeAll() { count = 0 }

    private mutating func grow(to minimum: Int) {
        var newCapacity = capacity * 2
        while newCapacity < minimum { newCapacity *= 2 }
        let fresh = UnsafeMutablePointer<T>.allocate(capacity: newCapacity)
        fresh.moveInitialize(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity = newCapacity
    }

    subscript(i: Int) -> T {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }
}

/// One record — a complete element and its descendants — captured from the parser as flat buffers: no tree of
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

    unowned(unsafe) let names: NameTable
    /// The same table, for hot paths that must not touch its reference count.
    let namesRef: Unmanaged<NameTable>
    @exclusivity(unchecked) var elements = RawBuffer<Element>(capacity: 64)
    @exclusivity(unchecked) var attributes = RawBuffer<Attribute>(capacity: 16)
    @exclusivity(unchecked) var text = RawBuffer<UInt8>(capacity: 4096)

    init(names: NameTable) {
        self.names = names
        self.namesRef = Unmanaged.passUnretained(names)
    }

    deinit {
        elements.free()
        attributes.free()
        text.free()
    }

    func removeAll() {
        elements.removeAll()
        attributes.removeAll()
        text.removeAll()
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
            let last = elements[p].lastChild
            if last >= 0 { elements.base[Int(last)].next = index } else { elements.base[p].firstChild = index }
            elements.base[p].lastChild = index
        }
        return index
    }

    func addAttribute(to element: Int32, name: Int32, value: UnsafeBufferPointer<UInt8>) {
        let start = Int32(text.count)
        text.append(contentsOf: value)
        attributes.append(Attribute(name: name, valueStart: start, valueEnd: Int32(text.count)))
        elements.base[Int(element)].attributeEnd = Int32(attributes.count)
    }

    /// Character data of `element`, kept while it has no child elements (the documents' data sit in leaves).
    func addText(to element: Int32, _ bytes: UnsafeBufferPointer<UInt8>) {
        let e = elements.base + Int(element)
        guard e.pointee.firstChild < 0 else { return }
        if e.pointee.textStart == e.pointee.textEnd {
            e.pointee.textStart = Int32(text.count)
        } else if e.pointee.textEnd != Int32(text.count) {
            return
        }
        text.append(contentsOf: bytes)
        e.pointee.textEnd = Int32(text.count)
    }
}

/// One element of a captured record: the API the document readers use.
public struct RecordElement {
    // Elements live only while their record is being handed to a consumer, and the record outlives every
    // element made from it during that call: no reference counting on the hot path.
    unowned(unsafe) let record: XMLRecord
    let index: Int32

    @inline(__always)
    private var entry: XMLRecord.Element { record.elements.base[Int(index)] }

    /// The local name.
    public var name: String { record.names.string(entry.name) }

    /// The interned id of the local name (compare with ``NameTable/intern(_:)``).
    public var nameID: Int32 { entry.name }

    /// The table the record's names live in.
    public var names: NameTable { record.names }

    /// True when the local name equals `name` (a byte comparison).
    public func isNamed(_ name: StaticString) -> Bool {
        let id = entry.name
        return record.namesRef._withUnsafeGuaranteedRef { $0.matches(id, name) }
    }

    /// The element's namespace URI; nil for none.
    public var namespaceURI: String? { entry.namespace >= 0 ? record.names.string(entry.namespace) : nil }

    /// True when the element's namespace is `uri` (a byte comparison).
    public func isInNamespace(_ uri: StaticString) -> Bool {
        let ns = entry.namespace
        return record.namesRef._withUnsafeGuaranteedRef { $0.matches(ns, uri) }
    }

    /// 1-based source line of the start tag.
    public var line: Int { Int(entry.line) }

    /// Position in the record, for identity comparisons.
    public var id: Int { Int(index) }

    /// The parent element within the record; nil for the record's top element.
    public var parent: RecordElement? {
        let p = entry.parent
        return p >= 0 ? RecordElement(record: record, index: p) : nil
    }

    /// Child elements in document order.
    public var children: RecordChildren { RecordChildren(record: record, first: entry.firstChild) }

    /// The first child element with this local name.
    public func child(_ name: StaticString) -> RecordElement? {
        let base = record.elements.base
        var c = base[Int(index)].firstChild
        return record.namesRef._withUnsafeGuaranteedRef { names in
            while c >= 0 {
                if names.matches(base[Int(c)].name, name) { return RecordElement(record: record, index: c) }
                c = base[Int(c)].next
            }
            return nil
        }
    }

    /// All child elements with this local name.
    public func children(_ name: StaticString) -> [RecordElement] {
        children.filter { $0.isNamed(name) }
    }

    /// Whether the element has child elements.
    public var hasChildren: Bool { entry.firstChild >= 0 }
    /// Whether the element has attributes.
    public var hasAttributes: Bool { entry.attributeEnd > entry.attributeStart }

    private func bytes(_ start: Int32, _ end: Int32) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: record.text.base + Int(start), count: Int(end - start))
    }

    /// The element's own character data (the documents keep data in leaf elements).
    public var text: String {
        let e = entry
        return String(decoding: bytes(e.textStart, e.textEnd), as: UTF8.self)
    }

    /// Calls `body` with the trimmed character data as bytes, without making a string.
    @inline(__always)
    public func withTrimmedBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        let e = entry
        let base = record.text.base
        var start = Int(e.textStart)
        var end = Int(e.textEnd)
        while start < end, isXMLSpace(base[start]) { start += 1 }
        while end > start, isXMLSpace(base[end - 1]) { end -= 1 }
        return body(UnsafeBufferPointer(start: base + start, count: end - start))
    }

    /// The character data with XML whitespace trimmed from both ends.
    public var trimmedText: String { withTrimmedBytes { String(decoding: $0, as: UTF8.self) } }

    /// Trimmed text of the first child with this name; `nil` without such a child.
    public func childText(_ name: StaticString) -> String? { child(name)?.trimmedText }

    /// Calls `body` with the bytes of an attribute's value, if the element has it.
    public func withAttributeBytes<T>(_ name: StaticString, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T? {
        let e = entry
        var i = Int(e.attributeStart)
        while i < Int(e.attributeEnd) {
            let a = record.attributes[i]
            if record.namesRef._withUnsafeGuaranteedRef({ $0.matches(a.name, name) }) {
                return body(bytes(a.valueStart, a.valueEnd))
            }
            i += 1
        }
        return nil
    }

    /// The value of an attribute without namespace.
    public func attribute(_ name: String) -> String? {
        let e = entry
        var i = Int(e.attributeStart)
        while i < Int(e.attributeEnd) {
            let a = record.attributes[i]
            if record.names.string(a.name) == name {
                return String(decoding: bytes(a.valueStart, a.valueEnd), as: UTF8.self)
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

/// The child elements of a record element, lazily.
public struct RecordChildren: Sequence {
    unowned(unsafe) let record: XMLRecord
    let first: Int32

    /// Walks the siblings.
    public struct Iterator: IteratorProtocol {
        unowned(unsafe) let record: XMLRecord
        var cursor: Int32

        /// The next child element.
        public mutating func next() -> RecordElement? {
            guard cursor >= 0 else { return nil }
            let e = RecordElement(record: record, index: cursor)
            cursor = record.elements.base[Int(cursor)].next
            return e
        }
    }

    /// An iterator from the first child.
    public func makeIterator() -> Iterator { Iterator(record: record, cursor: first) }
}
