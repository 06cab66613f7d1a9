import CLibXML2

// Changing a parsed tree: new elements and text, namespaces, placement, content, removal, and one node written
// out. Each call is one libxml2 call with libxml2's semantics (noted where they surprise: adjacent text merges,
// `setContent` parses references). Like reading, building stays on the document's thread.

/// A namespace declaration on an element, to put elements in (``XMLNode/setNamespace(_:)``,
/// ``XMLDocument/newElement(_:namespace:)``). Valid while the element that declares it is.
public struct XMLNamespace {
    /// The libxml2 namespace: only DocgateXML sees it.
    @usableFromInline let pointer: xmlNsPtr

    @usableFromInline init(pointer: xmlNsPtr) {
        self.pointer = pointer
    }

    /// The namespace URI.
    public var uri: String { pointer.pointee.href.map { String(cString: $0) } ?? "" }

    /// The prefix; nil for a default namespace.
    public var prefix: String? { pointer.pointee.prefix.map { String(cString: $0) } }
}

extension XMLDocument {
    /// A new element with local name `name` in `namespace` (none when nil), owned by this document but not yet in
    /// the tree (place it with ``XMLNode/appendChild(_:)`` or a sibling call); nil when libxml2 cannot allocate it.
    public func newElement(_ name: String, namespace: XMLNamespace? = nil) -> XMLNode? {
        xmlNewDocNode(pointer, namespace?.pointer, name, nil).map(XMLNode.init(pointer:))
    }

    /// A new text node holding `text` literally (escaped when serialised), not yet in the tree; nil when libxml2
    /// cannot allocate it.
    public func newText(_ text: String) -> XMLNode? {
        xmlNewDocText(pointer, text).map(XMLNode.init(pointer:))
    }
}

extension XMLNode {
    /// Declares `prefix` (nil: the default namespace) bound to `uri` on this element, as `xmlns:prefix="uri"`;
    /// nil when the element already declares that prefix (libxml2's `xmlNewNs`).
    @discardableResult
    public func declareNamespace(_ uri: String, prefix: String?) -> XMLNamespace? {
        xmlNewNs(pointer, uri, prefix).map(XMLNamespace.init(pointer:))
    }

    /// Puts this element in `namespace` (declared on it or an ancestor), or in no namespace for nil.
    public func setNamespace(_ namespace: XMLNamespace?) {
        xmlSetNs(pointer, namespace?.pointer)
    }

    /// Makes `child` (unlinked from wherever it was) the last child of this node (libxml2's `xmlAddChild`). Text
    /// next to a last text child is merged into it and `child` freed; returns the node now holding it, nil on error.
    @discardableResult
    public func appendChild(_ child: XMLNode) -> XMLNode? {
        xmlAddChild(pointer, child.pointer).map(XMLNode.init(pointer:))
    }

    /// Places `node` right before this one (libxml2's `xmlAddPrevSibling`); text beside text is merged as libxml2
    /// merges it. Returns the node now holding it, nil on error.
    @discardableResult
    public func addPreviousSibling(_ node: XMLNode) -> XMLNode? {
        xmlAddPrevSibling(pointer, node.pointer).map(XMLNode.init(pointer:))
    }

    /// Places `node` right after this one (libxml2's `xmlAddNextSibling`); text beside text is merged as libxml2
    /// merges it. Returns the node now holding it, nil on error.
    @discardableResult
    public func addNextSibling(_ node: XMLNode) -> XMLNode? {
        xmlAddNextSibling(pointer, node.pointer).map(XMLNode.init(pointer:))
    }

    /// Appends a new text node holding `text` literally (merged into a last text child); nothing when libxml2
    /// cannot allocate it.
    public func appendText(_ text: String) {
        xmlAddChild(pointer, xmlNewDocText(pointer.pointee.doc, text))
    }

    /// Places a new text node holding `text` literally right before this node (merged with text there); nothing
    /// when libxml2 cannot allocate it.
    public func addPreviousText(_ text: String) {
        xmlAddPrevSibling(pointer, xmlNewDocText(pointer.pointee.doc, text))
    }

    /// Adds an attribute in no namespace with `value` taken literally, after the element's others, without looking
    /// for one of the same name (libxml2's `xmlNewProp`: for new elements). Returns it, nil on error.
    @discardableResult
    public func addAttribute(_ name: String, value: String) -> XMLAttributeNode? {
        xmlNewProp(pointer, name, value).map(XMLAttributeNode.init(pointer:))
    }

    /// Replaces the node's children by `content` as libxml2's `xmlNodeSetContent` reads it: entity and character
    /// references in it (`&amp;`, `&#10;`) are parsed, so a literal `&` must be written `&amp;`. Safe for text
    /// without `&`, such as base64.
    public func setContent(_ content: String) {
        xmlNodeSetContent(pointer, content)
    }

    /// Unlinks the node from its tree and frees it with its subtree; no view of it or into it may be used afterwards.
    public func unlinkAndFree() {
        xmlUnlinkNode(pointer)
        xmlFreeNode(pointer)
    }

    /// libxml2's serialisation of this node and its subtree (`xmlNodeDump`: no indentation added, namespaces
    /// declared on ancestors not repeated) as UTF-8 bytes; nil when libxml2 fails.
    public func serializedBytes() -> [UInt8]? {
        guard let buffer = xmlBufferCreate() else { return nil }
        defer { xmlBufferFree(buffer) }
        guard xmlNodeDump(buffer, pointer.pointee.doc, pointer, 0, 0) >= 0, let content = xmlBufferContent(buffer) else { return nil }
        return Array(UnsafeBufferPointer(start: content, count: Int(xmlBufferLength(buffer))))
    }
}
