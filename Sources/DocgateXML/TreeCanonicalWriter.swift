import CLibXML2
import CXMLShims
import Glibc

/// Canonical XML (C14N 1.0 or exclusive C14N 1.0, without comments) written by one walk over the libxml2 tree
/// into a fixed buffer that is handed to the sink whenever it fills.
///
/// The node sets XMLDSig needs here are whole subtrees minus whole subtrees (a document or an element, less the
/// signatures), so every element written is visible with all its attributes and namespace nodes, and the rules of
/// both recommendations reduce to one question per namespace: was it already rendered, with the same URI, by an
/// output ancestor? A stack of rendered declarations answers it. This is the path `XMLCanonicalizer` takes first;
/// libxml2's `xmlC14NExecute` (which asks a visibility question about every node and builds namespace lists per
/// element) stays the reference and the fallback for what this walk does not cover: entity references,
/// attributes whose value is not plain text, relative namespace URIs (an error in C14N), inclusive C14N of a
/// subtree whose ancestors carry xml:* attributes (those would be inherited), and unusual node types.
struct TreeCanonicalWriter: ~Copyable {
    enum Outcome { case written, unsupported }

    private let exclusive: Bool
    /// Exclusive C14N's InclusiveNamespaces PrefixList; nil stands for `#default`.
    private let inclusivePrefixes: [UnsafeMutablePointer<xmlChar>?]
    private let excluded: [XMLNode]
    /// Text written among an element's children as if a text node stood there (before `before`, or last).
    private let insertion: XMLCanonicalizer.Insertion?
    private let census: XMLCanonicalizer.Census?
    let sink: (UnsafeRawBufferPointer) -> Void

    let buffer: UnsafeMutablePointer<UInt8>
    /// The global lists, read once here rather than through their accessors per text node.
    let textStops = docgateXMLTextStops
    let attributeStops = docgateXMLAttributeStops
    static let capacity = 1 << 13
    var used = 0

    /// Namespace declarations rendered by the open elements, innermost last; `marks` holds the stack height at
    /// each open element.
    private var rendered: [(prefix: UnsafePointer<xmlChar>?, href: UnsafePointer<xmlChar>)] = []
    private var marks: [Int] = []
    /// Scratch lists of one start tag.
    private var declarations: [(prefix: UnsafePointer<xmlChar>?, href: UnsafePointer<xmlChar>)] = []
    private var attributes: [xmlAttrPtr] = []

    private static let emptyText: StaticString = ""
    private static var empty: UnsafePointer<xmlChar> { emptyText.utf8Start }

    init(exclusive: Bool, inclusivePrefixes: [String], excluded: [XMLNode], insertion: XMLCanonicalizer.Insertion? = nil,
         census: XMLCanonicalizer.Census? = nil, sink: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.exclusive = exclusive
        self.inclusivePrefixes = inclusivePrefixes.map { $0 == "#default" ? nil : xmlStrdup($0) }
        self.excluded = excluded
        self.insertion = insertion
        self.census = census
        self.sink = sink
        buffer = .allocate(capacity: Self.capacity)
        rendered.reserveCapacity(16)
        marks.reserveCapacity(32)
        declarations.reserveCapacity(8)
        attributes.reserveCapacity(16)
    }

    deinit {
        buffer.deallocate()
        for p in inclusivePrefixes { if let p { docgate_xml_free(p) } }
    }

    // MARK: walking

    /// The whole document: processing instructions outside the root on lines of their own, comments and the
    /// document type left out.
    mutating func writeDocument(_ document: xmlDocPtr) -> Outcome {
        var afterRoot = false
        var child = document.pointee.children
        while let node = child {
            switch node.pointee.type {
            case XML_ELEMENT_NODE:
                if !isExcluded(node) {
                    guard writeSubtree(node, apex: true) == .written else { return .unsupported }
                }
                afterRoot = true
            case XML_PI_NODE:
                if afterRoot { byte(0x0A) }
                writeProcessingInstruction(node)
                if !afterRoot { byte(0x0A) }
            case XML_COMMENT_NODE, XML_DTD_NODE, XML_TEXT_NODE:
                break
            default:
                return .unsupported
            }
            child = node.pointee.next
        }
        flush()
        return .written
    }

    /// One element and everything below it.
    mutating func writeElement(_ element: xmlNodePtr) -> Outcome {
        if !exclusive, ancestorsCarryXMLAttributes(element) { return .unsupported }
        guard writeSubtree(element, apex: true) == .written else { return .unsupported }
        flush()
        return .written
    }

    private func isExcluded(_ node: xmlNodePtr) -> Bool {
        for e in excluded where e.pointer == node { return true }
        return false
    }

    private func ancestorsCarryXMLAttributes(_ element: xmlNodePtr) -> Bool {
        var cursor = element.pointee.parent
        while let node = cursor, node.pointee.type == XML_ELEMENT_NODE {
            var a = node.pointee.properties
            while let attr = a {
                if let ns = attr.pointee.ns, let prefix = ns.pointee.prefix, xmlStrEqual(prefix, "xml") != 0 { return true }
                a = attr.pointee.next
            }
            cursor = node.pointee.parent
        }
        return false
    }

    /// Depth first without recursion: `open` is the innermost element whose start tag is written, `next` the node
    /// to write after it (nil once its children are done).
    private mutating func writeSubtree(_ top: xmlNodePtr, apex: Bool) -> Outcome {
        guard startTag(top, apex: apex) else { return .unsupported }
        var open = top
        var next = top.pointee.children
        while true {
            guard let node = next else {
                if let insertion, insertion.before == nil, open == insertion.parent.pointer { inserted(insertion) }
                endTag(open)
                if open == top { return .written }
                next = open.pointee.next
                open = open.pointee.parent
                continue
            }
            next = node.pointee.next
            if let insertion, node == insertion.before?.pointer, open == insertion.parent.pointer { inserted(insertion) }
            switch node.pointee.type {
            case XML_ELEMENT_NODE:
                if isExcluded(node) { continue }
                guard startTag(node, apex: false) else { return .unsupported }
                open = node
                next = node.pointee.children
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = node.pointee.content { escapedText(content) }
            case XML_COMMENT_NODE:
                break
            case XML_PI_NODE:
                writeProcessingInstruction(node)
            default:
                return .unsupported
            }
        }
    }

    /// The inserted text, escaped as any text is.
    private mutating func inserted(_ insertion: XMLCanonicalizer.Insertion) {
        insertion.text.withCString { escapedText(UnsafeRawPointer($0).assumingMemoryBound(to: xmlChar.self)) }
    }

    // MARK: tags

    private mutating func startTag(_ element: xmlNodePtr, apex: Bool) -> Bool {
        census?.note(XMLNode(pointer: element))
        marks.append(rendered.count)
        if !declarations.isEmpty { declarations.removeAll(keepingCapacity: true) }
        gatherDeclarations(element, apex: apex)
        for d in declarations where d.href[0] != 0 && !Self.isAbsolute(d.href) { return false }

        byte(0x3C)                                                  // <
        name(element)
        if declarations.count > 1 {
            declarations.sort { Self.compare($0.prefix, $1.prefix) < 0 }
        }
        writeDeclarations()
        return writeAttributes(element)
    }

    /// The namespace declarations the element's start tag carries: in exclusive form those it visibly uses (and
    /// the inclusive prefixes), at the apex of inclusive form every namespace in scope, below it its own.
    @inline(__always)
    private mutating func gatherDeclarations(_ element: xmlNodePtr, apex: Bool) {
        if exclusive {
            // Namespaces the element visibly uses: its own and its attributes' prefixes.
            let own = element.pointee.ns
            consider(own?.pointee.prefix.map(UnsafePointer.init), own?.pointee.href.map(UnsafePointer.init) ?? Self.empty)
            var a = element.pointee.properties
            while let attr = a {
                if let ns = attr.pointee.ns, let prefix = ns.pointee.prefix, xmlStrEqual(prefix, "xml") == 0,
                   let href = ns.pointee.href {
                    consider(UnsafePointer(prefix), UnsafePointer(href))
                }
                a = attr.pointee.next
            }
            for prefix in inclusivePrefixes {
                if let ns = xmlSearchNs(element.pointee.doc, element, prefix), let href = ns.pointee.href {
                    if prefix.map({ xmlStrEqual($0, "xml") != 0 }) == true { continue }
                    consider(prefix.map { UnsafePointer($0) }, UnsafePointer(href))
                } else if prefix == nil {
                    consider(nil, Self.empty)
                }
            }
        } else if apex {
            // Every namespace in scope, the nearest declaration of each prefix.
            var cursor: xmlNodePtr? = element
            var seen: [UnsafePointer<xmlChar>?] = []
            while let node = cursor, node.pointee.type == XML_ELEMENT_NODE {
                var d = node.pointee.nsDef
                while let ns = d {
                    let prefix = ns.pointee.prefix.map(UnsafePointer.init)
                    if !seen.contains(where: { Self.same($0, prefix) }) {
                        seen.append(prefix)
                        consider(prefix, ns.pointee.href.map(UnsafePointer.init) ?? Self.empty)
                    }
                    d = ns.pointee.next
                }
                cursor = node.pointee.parent
            }
        } else {
            var d = element.pointee.nsDef
            while let ns = d {
                consider(ns.pointee.prefix.map(UnsafePointer.init), ns.pointee.href.map(UnsafePointer.init) ?? Self.empty)
                d = ns.pointee.next
            }
        }
    }

    /// ` xmlns:prefix="uri"` for each declaration, in the order given.
    @inline(__always)
    private mutating func writeDeclarations() {
        for d in declarations {
            if let prefix = d.prefix {
                ascii(" xmlns:")
                cString(prefix)
            } else {
                ascii(" xmlns")
            }
            ascii("=\"")
            escapedAttribute(d.href)
            byte(0x22)
        }
    }

    /// The attributes, sorted by namespace URI then local name, and the closing `>`; false when a value is not
    /// plain text.
    @inline(__always)
    private mutating func writeAttributes(_ element: xmlNodePtr) -> Bool {
        if let first = element.pointee.properties, first.pointee.next == nil {
            // One attribute: nothing to sort.
            guard attribute(first) else { return false }
            byte(0x3E)
            return true
        }
        if !attributes.isEmpty { attributes.removeAll(keepingCapacity: true) }
        var a = element.pointee.properties
        while let attr = a {
            attributes.append(attr)
            a = attr.pointee.next
        }
        if attributes.count > 1 {
            attributes.sort { x, y in
                let byNamespace = Self.compare(x.pointee.ns?.pointee.href.map(UnsafePointer.init),
                                               y.pointee.ns?.pointee.href.map(UnsafePointer.init))
                return byNamespace != 0 ? byNamespace < 0 : xmlStrcmp(x.pointee.name, y.pointee.name) < 0
            }
        }
        for attr in attributes {
            guard attribute(attr) else { return false }
        }
        byte(0x3E)                                                  // >
        return true
    
    }

    /// ` prefix:name="value"`; false when the value is not plain text.
    private mutating func attribute(_ attr: xmlAttrPtr) -> Bool {
        census?.note(XMLAttributeNode(pointer: attr))
        byte(0x20)
        if let ns = attr.pointee.ns, let prefix = ns.pointee.prefix {
            cString(prefix)
            byte(0x3A)
        }
        cString(attr.pointee.name)
        ascii("=\"")
        var child = attr.pointee.children
        while let text = child {
            guard text.pointee.type == XML_TEXT_NODE else { return false }
            if let content = text.pointee.content { escapedAttribute(content) }
            child = text.pointee.next
        }
        byte(0x22)
        return true
    }

    private mutating func endTag(_ element: xmlNodePtr) {
        ascii("</")
        name(element)
        byte(0x3E)
        let mark = marks.removeLast()
        if rendered.count > mark { rendered.removeSubrange(mark...) }
    }

    /// Renders `prefix` → `href` on the element being opened unless the nearest output ancestor that rendered the
    /// prefix rendered the same URI; an empty default namespace needs rendering only over a non-empty one.
    private mutating func consider(_ prefix: UnsafePointer<xmlChar>?, _ href: UnsafePointer<xmlChar>) {
        for d in declarations where Self.same(d.prefix, prefix) { return }
        let current = lookup(prefix)
        if prefix == nil, href[0] == 0 {
            // xmlns="": only where an output ancestor made a non-empty default namespace current.
            guard let current, current[0] != 0 else { return }
        } else if let current, current == href || xmlStrEqual(current, href) != 0 {
            return
        }
        declarations.append((prefix, href))
        rendered.append((prefix, href))
    }

    private func lookup(_ prefix: UnsafePointer<xmlChar>?) -> UnsafePointer<xmlChar>? {
        var i = rendered.count - 1
        while i >= 0 {
            if Self.same(rendered[i].prefix, prefix) { return rendered[i].href }
            i -= 1
        }
        return nil
    }

    private static func same(_ a: UnsafePointer<xmlChar>?, _ b: UnsafePointer<xmlChar>?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let x?, let y?): return x == y || xmlStrEqual(x, y) != 0
        default: return false
        }
    }

    /// nil sorts as the empty string (the default namespace, attributes in no namespace).
    private static func compare(_ a: UnsafePointer<xmlChar>?, _ b: UnsafePointer<xmlChar>?) -> Int32 {
        xmlStrcmp(a ?? empty, b ?? empty)
    }

    /// A URI with a scheme (C14N refuses relative namespace URIs).
    private static func isAbsolute(_ href: UnsafePointer<xmlChar>) -> Bool {
        var i = 0
        while href[i] != 0 {
            if href[i] == 0x3A { return i > 0 }
            i += 1
        }
        return false
    }

    private mutating func name(_ element: xmlNodePtr) {
        if let ns = element.pointee.ns, let prefix = ns.pointee.prefix {
            cString(prefix)
            byte(0x3A)
        }
        cString(element.pointee.name)
    }

    private mutating func writeProcessingInstruction(_ node: xmlNodePtr) {
        ascii("<?")
        cString(node.pointee.name)
        if let content = node.pointee.content, content[0] != 0 {
            byte(0x20)
            cString(content)                                        // written as it is
        }
        ascii("?>")
    }

}
