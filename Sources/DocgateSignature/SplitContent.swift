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
        var splits: [XMLNode] = []
        /// Other comments and instructions in signed content.
        var others: [XMLNode] = []
    }

    /// Every comment and processing instruction at or below `root`, outside `excluded` subtrees (the signatures),
    /// in document order.
    static func find(below root: XMLNode, excluding excluded: [XMLNode]) -> Found {
        var found = Found()
        var node: XMLNode? = root.firstChild
        while let current = node {
            var descend = false
            if current.isElement {
                descend = !excluded.contains(current) && current.firstChild != nil
            } else if current.isComment || current.isProcessingInstruction {
                if hasText(from: current, forward: false) && hasText(from: current, forward: true) {
                    found.splits.append(current)
                } else {
                    found.others.append(current)
                }
            }
            if descend {
                node = current.firstChild
                continue
            }
            // Next in document order: the next sibling, or the next sibling of the nearest ancestor that has one.
            var up: XMLNode? = current
            node = nil
            while let u = up, u != root {
                if let next = u.nextSibling { node = next; break }
                up = u.parentNode
            }
        }
        return found
    }

    /// Whether the first sibling past comments and instructions in that direction is text that is not blank.
    private static func hasText(from node: XMLNode, forward: Bool) -> Bool {
        var sibling = forward ? node.nextSibling : node.previousSibling
        while let s = sibling, s.isComment || s.isProcessingInstruction {
            sibling = forward ? s.nextSibling : s.previousSibling
        }
        guard let s = sibling, s.kind == .text else { return false }
        return !s.isBlankText
    }
}
