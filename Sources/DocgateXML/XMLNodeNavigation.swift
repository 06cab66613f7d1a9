import CLibXML2
import Glibc

// Navigation over any node of a tree, and in-place reads of names and text: what code above DocgateXML needs to
// walk a parsed document without libxml2's types. The steps are inlinable, so a walk costs what the same walk over
// the raw pointers costs.

extension XMLNode {
    /// The parent node of any type (an element, or the document node above the root); nil for a node outside a tree.
    @inlinable
    public var parentNode: XMLNode? { pointer.pointee.parent.map(XMLNode.init(pointer:)) }

    /// The first child node of any type (element, text, CDATA, comment, processing instruction, …).
    @inlinable
    public var firstChild: XMLNode? { pointer.pointee.children.map(XMLNode.init(pointer:)) }

    /// The last child node of any type.
    @inlinable
    public var lastChild: XMLNode? { pointer.pointee.last.map(XMLNode.init(pointer:)) }

    /// The next node at the same level, of any type.
    @inlinable
    public var nextSibling: XMLNode? { pointer.pointee.next.map(XMLNode.init(pointer:)) }

    /// The previous node at the same level, of any type.
    @inlinable
    public var previousSibling: XMLNode? { pointer.pointee.prev.map(XMLNode.init(pointer:)) }

    /// True for a text node proper (not a CDATA section; ``kind`` counts both as `.text`).
    @inlinable
    public var isTextNode: Bool { pointer.pointee.type == XML_TEXT_NODE }

    /// True for a CDATA section.
    @inlinable
    public var isCDATA: Bool { pointer.pointee.type == XML_CDATA_SECTION_NODE }

    /// True for a comment.
    @inlinable
    public var isComment: Bool { pointer.pointee.type == XML_COMMENT_NODE }

    /// True for a processing instruction.
    @inlinable
    public var isProcessingInstruction: Bool { pointer.pointee.type == XML_PI_NODE }

    /// True when the node (an element or an attribute) is in the namespace `uri`; compared in place, no string made.
    @inlinable
    public func isInNamespace(_ uri: StaticString) -> Bool {
        guard let ns = pointer.pointee.ns, let href = ns.pointee.href else { return false }
        return strcmp(UnsafeRawPointer(href).assumingMemoryBound(to: CChar.self),
                      UnsafeRawPointer(uri.utf8Start).assumingMemoryBound(to: CChar.self)) == 0
    }

    /// The prefix of the node's namespace as written (`ds` for `ds:Signature`); nil without a prefix or namespace.
    public var namespacePrefix: String? {
        guard let ns = pointer.pointee.ns, let prefix = ns.pointee.prefix else { return nil }
        return String(cString: prefix)
    }

    /// Appends the name as written (`prefix:local`, or `local` without a prefix) in UTF-8 to `bytes`, copied from
    /// the tree without a string in between.
    public func appendQualifiedName(to bytes: inout [UInt8]) {
        if let ns = pointer.pointee.ns, let prefix = ns.pointee.prefix {
            bytes += UnsafeBufferPointer(start: prefix, count: strlen(UnsafeRawPointer(prefix).assumingMemoryBound(to: CChar.self)))
            bytes.append(UInt8(ascii: ":"))
        }
        if let name = pointer.pointee.name {
            bytes += UnsafeBufferPointer(start: name, count: strlen(UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self)))
        }
    }

    /// The namespace URI `prefix` is bound to in scope at this node (libxml2's `xmlSearchNs`); `nil` asks for the
    /// default namespace. nil when the prefix is not bound (or no default namespace is in scope).
    public func namespaceURI(forPrefix prefix: String?) -> String? {
        guard let ns = xmlSearchNs(pointer.pointee.doc, pointer, prefix), let href = ns.pointee.href else { return nil }
        return String(cString: href)
    }

    /// The first attribute of an element (namespace declarations aside); nil for an element without any or a node
    /// that is not an element.
    @inlinable
    public var firstAttribute: XMLAttributeNode? {
        guard pointer.pointee.type == XML_ELEMENT_NODE else { return nil }
        return pointer.pointee.properties.map(XMLAttributeNode.init(pointer:))
    }
}

// MARK: text in place

extension XMLNode {
    /// The node's own content in place — a text, CDATA, comment or processing-instruction node's characters — as
    /// UTF-8 bytes without the terminating NUL; an empty buffer for a node without content (an element).
    public func withOwnContent<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        guard let content = pointer.pointee.content else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeBufferPointer(start: content, count: strlen(UnsafeRawPointer(content).assumingMemoryBound(to: CChar.self))))
    }

    /// Hands each direct text and CDATA child's content to `body` in document order, in place (no copy); stops at
    /// the first chunk `body` answers false for and returns false then, else true. Other children are skipped.
    public func withTextChunks(_ body: (UnsafeBufferPointer<UInt8>) -> Bool) -> Bool {
        var child = pointer.pointee.children
        while let c = child {
            if c.pointee.type == XML_TEXT_NODE || c.pointee.type == XML_CDATA_SECTION_NODE, let content = c.pointee.content {
                let length = strlen(UnsafeRawPointer(content).assumingMemoryBound(to: CChar.self))
                guard body(UnsafeBufferPointer(start: content, count: length)) else { return false }
            }
            child = c.pointee.next
        }
        return true
    }

    /// The fast path of an element holding one text node (no CDATA, references or other children): `body` gets that
    /// text in place and its answer is returned; nil, without calling `body`, for any other content.
    public func withSoleTextChild<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T? {
        guard let child = pointer.pointee.children, child.pointee.type == XML_TEXT_NODE, child.pointee.next == nil,
              let content = child.pointee.content else { return nil }
        return try body(UnsafeBufferPointer(start: content, count: strlen(UnsafeRawPointer(content).assumingMemoryBound(to: CChar.self))))
    }
}

/// An attribute node of a parsed tree, viewed in place like ``XMLNode``: valid while its document is alive. Two values
/// are equal when they view the same attribute node (so attributes can be collected and compared by identity).
public struct XMLAttributeNode: Hashable {
    /// The libxml2 attribute: only DocgateXML sees it.
    @usableFromInline let pointer: xmlAttrPtr

    @usableFromInline init(pointer: xmlAttrPtr) {
        self.pointer = pointer
    }

    /// True when both values view the same attribute node.
    @inlinable
    public static func == (a: XMLAttributeNode, b: XMLAttributeNode) -> Bool { a.pointer == b.pointer }

    /// Hashes the attribute's identity (its address), not its content.
    @inlinable
    public func hash(into hasher: inout Hasher) { hasher.combine(pointer) }

    /// The local name, without prefix.
    public var name: String { pointer.pointee.name.map { String(cString: $0) } ?? "" }

    /// The URI of the attribute's namespace; nil for an attribute in no namespace.
    public var namespaceURI: String? { pointer.pointee.ns.flatMap { $0.pointee.href }.map { String(cString: $0) } }

    /// The value, with entity references resolved as libxml2 reads them.
    public var value: String { XMLNode.attributeValue(pointer) }

    /// The element that carries the attribute.
    @inlinable
    public var element: XMLNode? { pointer.pointee.parent.map(XMLNode.init(pointer:)) }

    /// The element's next attribute.
    @inlinable
    public var next: XMLAttributeNode? { pointer.pointee.next.map(XMLAttributeNode.init(pointer:)) }
}
