import CLibXML2
import DocgateXML

/// Small helpers over libxml2 element nodes for the signature code.
enum Tree {
    static func isDSig(_ node: xmlNodePtr, _ name: StaticString) -> Bool {
        guard node.pointee.type == XML_ELEMENT_NODE, let ns = node.pointee.ns, let href = ns.pointee.href else { return false }
        return XMLNode(pointer: node).isNamed(name) && xmlStrEqual(href, DSig.namespace) != 0
    }

    static func isDSigElement(_ node: xmlNodePtr) -> Bool {
        guard node.pointee.type == XML_ELEMENT_NODE, let ns = node.pointee.ns, let href = ns.pointee.href else { return false }
        return xmlStrEqual(href, DSig.namespace) != 0
    }

    /// Element children; nil when there is non-whitespace text among them (not allowed in signature structure).
    static func elementChildren(_ node: xmlNodePtr) -> [xmlNodePtr]? {
        var out: [xmlNodePtr] = []
        out.reserveCapacity(4)
        var cursor = node.pointee.children
        while let child = cursor {
            switch child.pointee.type {
            case XML_ELEMENT_NODE: out.append(child)
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if !XMLNode(pointer: child).isBlankText { return nil }
            case XML_COMMENT_NODE, XML_PI_NODE: break
            default: return nil
            }
            cursor = child.pointee.next
        }
        return out
    }

    /// True when the element holds text only (no child elements, comments or other nodes).
    static func hasOnlyText(_ node: xmlNodePtr) -> Bool {
        var cursor = node.pointee.children
        while let child = cursor {
            if child.pointee.type != XML_TEXT_NODE { return false }
            cursor = child.pointee.next
        }
        return true
    }

    static func attribute(_ node: xmlNodePtr, _ name: String) -> String? {
        XMLNode(pointer: node).attribute(name)
    }

    static func text(_ node: xmlNodePtr) -> String { XMLNode(pointer: node).text }

    /// The namespace a prefix is bound to at `node`.
    static func namespace(ofPrefix prefix: String, at node: xmlNodePtr) -> String? {
        guard let ns = xmlSearchNs(node.pointee.doc, node, prefix.isEmpty ? nil : prefix), let href = ns.pointee.href else { return nil }
        return String(cString: href)
    }

    /// Every element of the document in document order.
    static func forEachElement(_ root: xmlNodePtr, _ body: (xmlNodePtr) -> Void) {
        var node: xmlNodePtr? = root
        while let current = node {
            if current.pointee.type == XML_ELEMENT_NODE { body(current) }
            if current.pointee.type == XML_ELEMENT_NODE, let child = current.pointee.children {
                node = child
                continue
            }
            var up: xmlNodePtr? = current
            node = nil
            while let u = up, u != root {
                if let next = u.pointee.next { node = next; break }
                up = u.pointee.parent
            }
        }
    }
}
