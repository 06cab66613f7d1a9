import DocgateXML

/// Small helpers over element nodes for the signature code.
enum Tree {
    static func isDSig(_ node: XMLNode, _ name: StaticString) -> Bool {
        node.isElement && node.isNamed(name) && node.isInNamespace(DSig.namespaceLiteral)
    }

    static func isDSigElement(_ node: XMLNode) -> Bool {
        node.isElement && node.isInNamespace(DSig.namespaceLiteral)
    }

    /// Element children; nil when there is non-whitespace text among them (not allowed in signature structure).
    static func elementChildren(_ node: XMLNode) -> [XMLNode]? {
        var out: [XMLNode] = []
        out.reserveCapacity(4)
        var cursor = node.firstChild
        while let child = cursor {
            switch child.kind {
            case .element: out.append(child)
            case .text:
                if !child.isBlankText { return nil }
            case .other:
                if !child.isComment && !child.isProcessingInstruction { return nil }
            }
            cursor = child.nextSibling
        }
        return out
    }

    /// True when the element holds text only (no child elements, comments or other nodes).
    static func hasOnlyText(_ node: XMLNode) -> Bool {
        var cursor = node.firstChild
        while let child = cursor {
            if !child.isTextNode { return false }
            cursor = child.nextSibling
        }
        return true
    }

    static func attribute(_ node: XMLNode, _ name: String) -> String? {
        node.attribute(name)
    }

    static func text(_ node: XMLNode) -> String { node.text }

    /// The namespace a prefix is bound to at `node`.
    static func namespace(ofPrefix prefix: String, at node: XMLNode) -> String? {
        node.namespaceURI(forPrefix: prefix.isEmpty ? nil : prefix)
    }

    /// Every element of the document in document order.
    static func forEachElement(_ root: XMLNode, _ body: (XMLNode) -> Void) {
        var node: XMLNode? = root
        while let current = node {
            if current.isElement { body(current) }
            if current.isElement, let child = current.firstChild {
                node = child
                continue
            }
            var up: XMLNode? = current
            node = nil
            while let u = up, u != root {
                if let next = u.nextSibling { node = next; break }
                up = u.parentNode
            }
        }
    }
}
