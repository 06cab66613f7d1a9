import CLibXML2
import DocgateXML

/// Comments and processing instructions inside signed content. Exclusive C14N without comments leaves comments
/// out of the digest, so `<number>2<!---->4-СЗ/2025-01</number>` verifies with the comment added after signing —
/// and an importer that reads an element's first text node sees `2` (the comment-truncation attack on SAML). A
/// comment or processing instruction with text on both sides (past any other comments and instructions) splits
/// that text: the signature is refused. Any other comment or instruction in signed content is reported as a
/// warning.
enum SplitContent {
    struct Found {
        /// Comments and instructions that split an element's text.
        var splits: [xmlNodePtr] = []
        /// Other comments and instructions in signed content.
        var others: [xmlNodePtr] = []
    }

    /// Every comment and processing instruction at or below `root`, outside `excluded` subtrees (the signatures),
    /// in document order.
    static func find(below root: xmlNodePtr, excluding excluded: [xmlNodePtr]) -> Found {
        var found = Found()
        var node: xmlNodePtr? = root.pointee.children
        while let current = node {
            var descend = false
            switch current.pointee.type {
            case XML_ELEMENT_NODE:
                descend = !excluded.contains(current) && current.pointee.children != nil
            case XML_COMMENT_NODE, XML_PI_NODE:
                if hasText(from: current, forward: false) && hasText(from: current, forward: true) {
                    found.splits.append(current)
                } else {
                    found.others.append(current)
                }
            default:
                break
            }
            if descend {
                node = current.pointee.children
                continue
            }
            // Next in document order: the next sibling, or the next sibling of the nearest ancestor that has one.
            var up: xmlNodePtr? = current
            node = nil
            while let u = up, u != root {
                if let next = u.pointee.next { node = next; break }
                up = u.pointee.parent
            }
        }
        return found
    }

    /// Whether the first sibling past comments and instructions in that direction is text that is not blank.
    private static func hasText(from node: xmlNodePtr, forward: Bool) -> Bool {
        var sibling = forward ? node.pointee.next : node.pointee.prev
        while let s = sibling, s.pointee.type == XML_COMMENT_NODE || s.pointee.type == XML_PI_NODE {
            sibling = forward ? s.pointee.next : s.pointee.prev
        }
        guard let s = sibling, s.pointee.type == XML_TEXT_NODE || s.pointee.type == XML_CDATA_SECTION_NODE else { return false }
        return !XMLNode(pointer: s).isBlankText
    }
}
