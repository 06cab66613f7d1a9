import CLibXML2
import CXMLShims
import Glibc

/// A view of one node in a parsed tree (an element, or any other node met while walking). It does not own the
/// node: it is valid while its ``XMLDocument`` (or, when streaming, the reader's current subtree) is alive, and
/// like the document it stays on one thread. Two values are equal when they view the same node.
public struct XMLNode: Hashable {
    /// The libxml2 node: only DocgateXML sees it (the modules above work with ``XMLNode`` alone).
    @usableFromInline let pointer: xmlNodePtr

    @usableFromInline init(pointer: xmlNodePtr) {
        self.pointer = pointer
    }

    /// True when both values view the same node.
    @inlinable
    public static func == (a: XMLNode, b: XMLNode) -> Bool { a.pointer == b.pointer }

    /// Hashes the node's identity (its address), not its content.
    @inlinable
    public func hash(into hasher: inout Hasher) { hasher.combine(pointer) }

    /// The local name, without prefix.
    public var name: String {
        guard let n = pointer.pointee.name else { return "" }
        return String(cString: n)
    }

    /// True when the local name equals `name`; cheaper than comparing ``name``.
    @inlinable
    public func isNamed(_ name: StaticString) -> Bool {
        guard let n = pointer.pointee.name else { return false }
        return strcmp(UnsafeRawPointer(n).assumingMemoryBound(to: CChar.self),
                      UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self)) == 0
    }

    /// The URI of the node's namespace (an element's or an attribute's); nil for a node in no namespace.
    public var namespaceURI: String? {
        guard let ns = pointer.pointee.ns, let href = ns.pointee.href else { return nil }
        return String(cString: href)
    }

    /// True for an element node.
    @inlinable
    public var isElement: Bool { pointer.pointee.type == XML_ELEMENT_NODE }

    /// 1-based source line (exact beyond 65 535 when parsed with `XML_PARSE_BIG_LINES`).
    public var line: Int { Int(xmlGetLineNo(pointer)) }

    /// The parent when it is an element (nil for the root, whose parent is the document).
    public var parent: XMLNode? {
        guard let p = pointer.pointee.parent, p.pointee.type == XML_ELEMENT_NODE else { return nil }
        return XMLNode(pointer: p)
    }

    /// The next element at the same level, if any.
    public var nextElementSibling: XMLNode? {
        var s = pointer.pointee.next
        while let node = s {
            if node.pointee.type == XML_ELEMENT_NODE { return XMLNode(pointer: node) }
            s = node.pointee.next
        }
        return nil
    }

    /// Child elements in document order.
    public var children: XMLChildren { XMLChildren(first: pointer.pointee.children) }

    /// The first child element with this local name.
    public func child(_ name: StaticString) -> XMLNode? {
        var c = pointer.pointee.children
        while let node = c {
            if node.pointee.type == XML_ELEMENT_NODE, XMLNode(pointer: node).isNamed(name) { return XMLNode(pointer: node) }
            c = node.pointee.next
        }
        return nil
    }

    /// All child elements with this local name.
    public func children(_ name: StaticString) -> [XMLNode] {
        children.filter { $0.isNamed(name) }
    }

    /// The concatenated text content of the element and its descendants.
    public var text: String {
        withContent { String(cString: $0) }
    }

    /// The text content with XML whitespace trimmed from both ends, built from the bytes directly.
    public var trimmedText: String {
        withContent { p in
            var start = UnsafePointer<UInt8>(OpaquePointer(p))
            var end = start + strlen(p)
            while start < end, isXMLSpace(start.pointee) { start += 1 }
            while end > start, isXMLSpace((end - 1).pointee) { end -= 1 }
            return String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
        }
    }

    private func withContent<T>(_ body: (UnsafePointer<CChar>) -> T) -> T {
        // Fast path: a single text child, read in place.
        if let c = pointer.pointee.children, c.pointee.next == nil, c.pointee.type == XML_TEXT_NODE,
           let content = c.pointee.content {
            return body(UnsafeRawPointer(content).assumingMemoryBound(to: CChar.self))
        }
        guard let content = xmlNodeGetContent(pointer) else { return "".withCString(body) }
        defer { docgate_xml_free(content) }
        return body(UnsafeRawPointer(content).assumingMemoryBound(to: CChar.self))
    }

    /// Text of the first child element with this name, whitespace-trimmed; `nil` if there is no such child.
    public func childText(_ name: StaticString) -> String? {
        child(name).map(\.trimmedText)
    }

    /// True when the element carries attributes (namespace declarations aside).
    public var hasAttributes: Bool { pointer.pointee.properties != nil }

    /// The value of an attribute without namespace.
    public func attribute(_ name: String) -> String? {
        // The usual attribute, one text node, read in place; the rest (entity references, defaults from a DTD)
        // as libxml2 reads it.
        var a = pointer.pointee.type == XML_ELEMENT_NODE ? pointer.pointee.properties : nil
        while let attr = a {
            if attr.pointee.ns == nil, let n = attr.pointee.name, xmlStrEqual(n, name) != 0 {
                if let text = attr.pointee.children, text.pointee.type == XML_TEXT_NODE, text.pointee.next == nil,
                   let content = text.pointee.content {
                    return String(cString: content)
                }
                break
            }
            a = attr.pointee.next
        }
        guard let v = xmlGetNoNsProp(pointer, name) else { return nil }
        defer { docgate_xml_free(v) }
        return String(cString: v)
    }

    /// The value of an attribute node.
    static func attributeValue(_ attribute: xmlAttrPtr) -> String {
        guard let v = xmlNodeListGetString(attribute.pointee.doc, attribute.pointee.children, 1) else { return "" }
        defer { docgate_xml_free(v) }
        return String(cString: v)
    }

    /// `/root/child/item[3]/leaf`: local names, with a position where same-named siblings exist.
    public var path: String {
        var steps: [String] = []
        var current: xmlNodePtr? = pointer
        if pointer.pointee.type == XML_ATTRIBUTE_NODE {
            steps.append("@" + name)
            current = pointer.pointee.parent
        }
        while let node = current, node.pointee.type == XML_ELEMENT_NODE {
            steps.append(XMLNode(pointer: node).step)
            current = node.pointee.parent
        }
        return "/" + steps.reversed().joined(separator: "/")
    }

    private var step: String {
        let own = pointer.pointee.name
        var index = 1
        var hasSameNamed = false
        var s = pointer.pointee.prev
        while let node = s {
            if node.pointee.type == XML_ELEMENT_NODE, xmlStrEqual(node.pointee.name, own) != 0 { index += 1 }
            s = node.pointee.prev
        }
        if index == 1 {
            s = pointer.pointee.next
            while let node = s {
                if node.pointee.type == XML_ELEMENT_NODE, xmlStrEqual(node.pointee.name, own) != 0 {
                    hasSameNamed = true
                    break
                }
                s = node.pointee.next
            }
        }
        return index > 1 || hasSameNamed ? "\(name)[\(index)]" : name
    }
}

/// The element children of a node, lazily.
public struct XMLChildren: Sequence {
    let first: xmlNodePtr?

    /// Walks the siblings, elements only.
    public struct Iterator: IteratorProtocol {
        var cursor: xmlNodePtr?

        /// The next element.
        public mutating func next() -> XMLNode? {
            while let node = cursor {
                cursor = node.pointee.next
                if node.pointee.type == XML_ELEMENT_NODE { return XMLNode(pointer: node) }
            }
            return nil
        }
    }

    /// An iterator from the first child.
    public func makeIterator() -> Iterator { Iterator(cursor: first) }
}

/// Space, tab, CR or LF: XML's whitespace.
@inline(__always)
public func isXMLSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D }

extension XMLNode {
    /// A text or CDATA node whose own content is XML whitespace only, read in place (no string).
    public var isBlankText: Bool {
        guard var p = pointer.pointee.content else { return true }
        while p.pointee != 0 {
            guard isXMLSpace(p.pointee) else { return false }
            p += 1
        }
        return true
    }
}

extension StringProtocol {
    /// Trims the XML whitespace characters (space, tab, CR, LF) from both ends, byte-wise.
    public var trimmingXMLSpace: String {
        let s = Substring(self)
        guard let a = s.utf8.firstIndex(where: { !isXMLSpace($0) }), let b = s.utf8.lastIndex(where: { !isXMLSpace($0) })
        else { return "" }
        return String(s[a...b])
    }
}

extension XMLNode {
    /// What a node is, as a walk over a document's content needs to tell.
    public enum Kind: Sendable {
        case element
        /// Text or a CDATA section.
        case text
        /// A comment, a processing instruction, or anything else the content model ignores.
        case other
    }

    /// What the node is, in the three classes above.
    @inlinable
    public var kind: Kind {
        switch pointer.pointee.type {
        case XML_ELEMENT_NODE: .element
        case XML_TEXT_NODE, XML_CDATA_SECTION_NODE: .text
        default: .other
        }
    }

    /// Every child node in document order: elements, text and the rest.
    public var childNodes: [XMLNode] {
        var out: [XMLNode] = []
        var child = pointer.pointee.children
        while let c = child {
            out.append(XMLNode(pointer: c))
            child = c.pointee.next
        }
        return out
    }

    /// The first element child.
    public var firstElementChild: XMLNode? { children.first { _ in true } }

    /// An attribute of an element: its local name, its namespace (nil for an attribute without one) and its value.
    public struct Attribute: Sendable {
        /// The local name.
        public var name: String
        /// Its namespace URI; nil for none.
        public var namespaceURI: String?
        /// The value, with references resolved.
        public var value: String
    }

    /// The element's attributes in document order (namespace declarations aside).
    public var attributes: [Attribute] {
        var out: [Attribute] = []
        var a = pointer.pointee.type == XML_ELEMENT_NODE ? pointer.pointee.properties : nil
        while let attr = a {
            out.append(Attribute(name: String(cString: attr.pointee.name), namespaceURI: attr.pointee.ns.flatMap { $0.pointee.href }.map { String(cString: $0) },
                                 value: Self.attributeValue(attr)))
            a = attr.pointee.next
        }
        return out
    }
}
