import CLibXML2
import CXMLShims

/// Canonical XML of a node subset of a parsed document (C14N 1.0 or exclusive C14N 1.0, never with comments): a
/// document or an element, less whole subtrees. Written by a direct walk over the tree, with libxml2's
/// `xmlC14NExecute` (TOOLCHAIN.md §2.4) as the reference and the fallback.
public struct XMLCanonicalizer {
    /// The canonicalization algorithm.
    public enum Method: Sendable, Hashable {
        /// Canonical XML 1.0 (inclusive), without comments.
        case inclusive
        /// Exclusive XML Canonicalization 1.0, without comments; `prefixes` is its InclusiveNamespaces list.
        case exclusive(prefixes: [String])

        /// The XMLDSig algorithm URIs (without comments only).
        public static let inclusiveURI = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
        /// Exclusive XML Canonicalization 1.0 without comments.
        public static let exclusiveURI = "http://www.w3.org/2001/10/xml-exc-c14n#"
    }

    /// Which nodes are canonicalised. Comments are never part of the output.
    public enum Scope {
        /// The whole document (an XMLDSig `URI=""` reference).
        case document
        /// One element and everything below it (a `#id` reference, or SignedInfo).
        case subtree(XMLNode)

        /// One element and everything below it (the same as ``subtree(_:)``).
        public static func element(_ node: XMLNode) -> Scope { .subtree(node) }
    }

    /// Inclusive or exclusive.
    public let method: Method
    /// The document or one element's subtree.
    public let scope: Scope
    /// Elements whose subtrees are left out (signatures removed by the enveloped-signature or subtract
    /// transform).
    public let excluded: [XMLNode]
    /// Text canonicalized as if it stood among an element's children, which the tree does not hold (yet).
    public let insertion: Insertion?

    /// Text taken as a text node among `parent`'s children: before `before`, or after the last child.
    public struct Insertion {
        /// The element among whose children the text stands.
        public var parent: XMLNode
        /// The child the text stands before; nil for after the last child.
        public var before: XMLNode?
        /// The text, as a text node would hold it (escaped when written).
        public var text: String

        /// `text` among `parent`'s children, before `before` (nil: after the last child).
        public init(parent: XMLNode, before: XMLNode?, text: String) {
            self.parent = parent
            self.before = before
            self.text = text
        }
    }

    /// Notes elements and attributes of interest on the way (see `Census`); nil for none.
    public let census: Census?

    /// What the walk noticed among the elements it wrote: elements with one expanded name, and attributes in no
    /// namespace with given names. A caller that must look at every element anyway (a signer checking for
    /// earlier signatures and duplicated ids) learns it from the walk it needs for the digest instead of a walk of
    /// its own. Excluded subtrees are not walked, so not noted. When libxml2 writes the output instead, the walk
    /// is incomplete: `complete` stays false and the caller must look for itself — with `note`, the same test.
    public final class Census {
        /// What to note, prepared once: `{namespace}localName` elements and attributes in no namespace named one
        /// of `attributeNames`.
        public struct Pattern: Sendable {
            let namespace: [UInt8]
            let localName: [UInt8]
            let attributeNames: [[UInt8]]

            /// A pattern for elements `{elementNamespace}localName` and attributes in no namespace named so.
            public init(elementNamespace: String, localName: String, attributeNames: [String]) {
                namespace = Array(elementNamespace.utf8) + [0]
                self.localName = Array(localName.utf8) + [0]
                self.attributeNames = attributeNames.map { Array($0.utf8) + [0] }
            }
        }

        let pattern: Pattern
        /// Elements named as the pattern says, in document order.
        public internal(set) var elements: [XMLNode] = []
        /// Attributes named as the pattern says, in document order.
        public internal(set) var attributes: [XMLAttributeNode] = []
        /// True when the walk covered its whole scope.
        public internal(set) var complete = false

        /// A census that notes what `pattern` names.
        public init(_ pattern: Pattern) {
            self.pattern = pattern
        }

        /// Notes `element` if it is named as the pattern says.
        @inline(__always)
        public func note(_ element: XMLNode) {
            let node = element.pointer
            guard let name = node.pointee.name, name[0] == pattern.localName[0] else { return }
            guard let ns = node.pointee.ns, let href = ns.pointee.href,
                  Self.equal(name, pattern.localName), Self.equal(href, pattern.namespace) else { return }
            elements.append(element)
        }

        /// Notes `attribute` if it is named as the pattern says.
        @inline(__always)
        public func note(_ attribute: XMLAttributeNode) {
            let attr = attribute.pointer
            guard attr.pointee.ns == nil, let name = attr.pointee.name else { return }
            for candidate in pattern.attributeNames where candidate[0] == name[0] && Self.equal(name, candidate) {
                attributes.append(attribute)
                return
            }
        }

        private static func equal(_ a: UnsafePointer<xmlChar>, _ b: [UInt8]) -> Bool {
            b.withUnsafeBufferPointer { xmlStrEqual(a, $0.baseAddress) != 0 }
        }
    }

    /// A canonicalizer of `scope` by `method`, less the subtrees of `excluded`, with `insertion`'s text taken as
    /// if in the tree, noting what `census` looks for on the way.
    public init(method: Method, scope: Scope, excluding excluded: [XMLNode] = [], inserting insertion: Insertion? = nil,
                census: Census? = nil) {
        self.method = method
        self.scope = scope
        self.excluded = excluded
        self.insertion = insertion
        self.census = census
    }

    /// Streams the canonical form of `document` to `sink`. Returns false when the tree cannot be canonicalized.
    ///
    /// The tree is walked directly (`TreeCanonicalWriter`); where that walk meets something it leaves to libxml2 it
    /// calls `restart` — whatever `sink` received so far is void — and libxml2's `xmlC14NExecute` writes the whole
    /// output instead (not with an `insertion`: then the result is false). A whole-document scope takes libxml2's fast path there: the excluded subtrees are unlinked
    /// for the duration of the call and put back exactly where they were, with no visibility callback.
    public func run(_ document: XMLDocument, restart: () -> Void, into sink: (UnsafeRawBufferPointer) -> Void) -> Bool {
        let written: TreeCanonicalWriter.Outcome = withoutActuallyEscaping(sink) { sink in
            var prefixes: [String] = []
            var exclusive = false
            if case .exclusive(let list) = method { exclusive = true; prefixes = list }
            var writer = TreeCanonicalWriter(exclusive: exclusive, inclusivePrefixes: prefixes, excluded: excluded,
                                             insertion: insertion, census: census, sink: sink)
            switch scope {
            case .document: return writer.writeDocument(document.pointer)
            case .subtree(let node): return writer.writeElement(node.pointer)
            }
        }
        if written == .written {
            census?.complete = true
            return true
        }
        // libxml2 knows nothing of text that is not in the tree.
        if insertion != nil { return false }
        restart()
        return runWithLibXML2(document, into: sink)
    }

    /// The same output from libxml2's `xmlC14NExecute`, the reference implementation.
    public func runWithLibXML2(_ document: XMLDocument, into sink: (UnsafeRawBufferPointer) -> Void) -> Bool {
        if case .document = scope {
            let detached = Detached(excluded)
            defer { detached.restore() }
            return execute(document, visibility: nil, into: sink)
        }
        return execute(document, visibility: VisibilityState(scope: scope, excluded: excluded), into: sink)
    }

    private func execute(_ document: XMLDocument, visibility state: VisibilityState?,
                         into sink: (UnsafeRawBufferPointer) -> Void) -> Bool {
        return withoutActuallyEscaping(sink) { sink in
        let output = OutputSink(sink)
        return withExtendedLifetime((state, output)) {
            guard let buffer = xmlOutputBufferCreateIO(writeToSink, nil, Unmanaged.passUnretained(output).toOpaque(), nil)
            else { return false }
            let collector = IssueCollector(limit: 4)
            var prefixStrings: [UnsafeMutablePointer<xmlChar>?] = []
            var mode = Int32(XML_C14N_1_0.rawValue)
            if case .exclusive(let prefixes) = method {
                mode = Int32(XML_C14N_EXCLUSIVE_1_0.rawValue)
                prefixStrings = prefixes.map { xmlStrdup($0) } + [nil]
            }
            defer { for p in prefixStrings { if let p { docgate_xml_free(p) } } }
            let result = collector.capture {
                prefixStrings.withUnsafeMutableBufferPointer { list in
                    xmlC14NExecute(document.pointer, state == nil ? nil : isVisible,
                                   state.map { Unmanaged.passUnretained($0).toOpaque() }, mode,
                                   list.isEmpty ? nil : list.baseAddress, 0, buffer)
                }
            }
            let closed = xmlOutputBufferClose(buffer)
            return result >= 0 && closed >= 0 && !output.failed
        }
        }
    }

    /// The canonical form as bytes (for SignedInfo and tests; digest large inputs with `run(_:into:)`).
    public func bytes(_ document: XMLDocument) -> [UInt8]? {
        var out: [UInt8] = []
        let ok = run(document, restart: { out.removeAll() }) { out.append(contentsOf: $0) }
        return ok ? out : nil
    }

    /// libxml2's output as bytes (to compare the two implementations).
    public func bytesWithLibXML2(_ document: XMLDocument) -> [UInt8]? {
        var out: [UInt8] = []
        let ok = runWithLibXML2(document) { out.append(contentsOf: $0) }
        return ok ? out : nil
    }
}

/// Subtrees taken out of the tree and put back in the same places.
private struct Detached {
    private var removed: [(node: xmlNodePtr, parent: xmlNodePtr?, next: xmlNodePtr?)] = []

    init(_ excluded: [XMLNode]) {
        let nodes = excluded.map(\.pointer)
        for node in nodes where !Self.hasAncestor(node, in: nodes) {
            removed.append((node, node.pointee.parent, node.pointee.next))
            xmlUnlinkNode(node)
        }
    }

    private static func hasAncestor(_ node: xmlNodePtr, in nodes: [xmlNodePtr]) -> Bool {
        var cursor = node.pointee.parent
        while let p = cursor {
            if nodes.contains(p) { return true }
            cursor = p.pointee.parent
        }
        return false
    }

    /// In reverse order, so that each node's recorded next sibling is back in the tree when it is needed.
    func restore() {
        for entry in removed.reversed() {
            if let next = entry.next {
                xmlAddPrevSibling(next, entry.node)
            } else if let parent = entry.parent {
                xmlAddChild(parent, entry.node)
            }
        }
    }
}

private final class OutputSink {
    let sink: (UnsafeRawBufferPointer) -> Void
    var failed = false

    init(_ sink: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.sink = sink
    }
}

private let writeToSink: xmlOutputWriteCallback = { context, buffer, length in
    guard let context else { return -1 }
    let output = Unmanaged<OutputSink>.fromOpaque(context).takeUnretainedValue()
    if length > 0, let buffer {
        output.sink(UnsafeRawBufferPointer(start: buffer, count: Int(length)))
    }
    return length
}

private final class VisibilityState {
    let root: xmlNodePtr?
    let excluded: [xmlNodePtr]

    init(scope: XMLCanonicalizer.Scope, excluded: [XMLNode]) {
        switch scope {
        case .document: root = nil
        case .subtree(let node): root = node.pointer
        }
        self.excluded = excluded.map(\.pointer)
    }

    /// Whether `element` (or the node whose owner it is) lies in the scope and outside every excluded subtree.
    func contains(_ start: xmlNodePtr) -> Bool {
        var cursor: xmlNodePtr? = start
        var inScope = root == nil
        while let node = cursor {
            if !excluded.isEmpty, excluded.contains(node) { return false }
            if let root, node == root {
                inScope = true
                if excluded.isEmpty { return true }
            }
            cursor = node.pointee.parent
        }
        return inScope
    }
}

/// libxml2 asks for every node, attribute and namespace node; namespace nodes arrive as `xmlNs*` cast to a node
/// pointer, with `parent` the element they are in scope for (TOOLCHAIN.md §2.4).
private let isVisible: xmlC14NIsVisibleCallback = { context, node, parent in
    guard let context, let node else { return 0 }
    let state = Unmanaged<VisibilityState>.fromOpaque(context).takeUnretainedValue()
    let type = node.pointee.type
    switch type {
    case XML_NAMESPACE_DECL, XML_ATTRIBUTE_NODE:
        guard let parent else { return 0 }
        return state.contains(parent) ? 1 : 0
    case XML_COMMENT_NODE:
        return 0
    case XML_DOCUMENT_NODE, XML_HTML_DOCUMENT_NODE:
        return state.root == nil ? 1 : 0
    default:
        if state.root == nil, node.pointee.parent?.pointee.type == XML_DOCUMENT_NODE, type != XML_ELEMENT_NODE {
            // Processing instructions outside the document element belong to a URI="" reference.
            return 1
        }
        return state.contains(node) ? 1 : 0
    }
}

extension XMLDocument {
    /// The document's exclusive canonical form (without comments) after dropping whitespace-only text that sits
    /// between elements and writing the root's namespace as the default one: two documents that carry the same
    /// data — whatever their indentation, prefix, comments or namespace declarations — give the same bytes.
    /// Changes the tree.
    public func canonicalData() -> [UInt8]? {
        guard let root = xmlDocGetRootElement(pointer) else { return nil }
        if let rootNs = root.pointee.ns, rootNs.pointee.prefix != nil, let href = rootNs.pointee.href {
            // The same namespace under no prefix, declared on the root (unless the root declares a default
            // namespace of its own, which then stays as it is).
            if let plain = xmlNewNs(root, href, nil) {
                func rename(_ node: xmlNodePtr) {
                    if let ns = node.pointee.ns, xmlStrEqual(ns.pointee.href, href) != 0 { node.pointee.ns = plain }
                    var c = node.pointee.children
                    while let child = c {
                        if child.pointee.type == XML_ELEMENT_NODE { rename(child) }
                        c = child.pointee.next
                    }
                }
                rename(root)
            }
        }
        func strip(_ node: xmlNodePtr) {
            var hasElement = false
            var c = node.pointee.children
            while let child = c {
                if child.pointee.type == XML_ELEMENT_NODE { hasElement = true }
                c = child.pointee.next
            }
            c = node.pointee.children
            while let child = c {
                c = child.pointee.next
                if child.pointee.type == XML_ELEMENT_NODE {
                    strip(child)
                } else if hasElement, child.pointee.type == XML_TEXT_NODE,
                          XMLNode(pointer: child).text.allSatisfy({ $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" || $0 == "\r\n" }) {
                    xmlUnlinkNode(child)
                    xmlFreeNode(child)
                }
            }
        }
        strip(root)
        return XMLCanonicalizer(method: .exclusive(prefixes: []), scope: .document).bytes(self)
    }
}
