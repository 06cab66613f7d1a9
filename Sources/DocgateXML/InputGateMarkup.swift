/// The input gate's markup state machine: one code unit at a time, for the bytes the fast runs of `scan8` leave
/// (and every UTF-16 unit). Split from InputGate.swift by concern; the members are internal so the two files share
/// them, and the type itself is internal to DocgateXML.
extension InputGate {
    @inline(__always)
    mutating func countText() {
        textRun += 1
        if textRun > limits.maxTextLength {
            problem = .textTooLong(line: line, limit: limits.maxTextLength)
        }
    }

    /// One code unit below U+0080 (or any UTF-16 unit) through the markup state machine.
    @inline(__always)
    mutating func step(_ c: UInt32) {
        if c == 0x0A { line += 1 }
        if c == 0 {
            problem = .nulByte(line: line)
            return
        }
        if !started {
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { return }
            noteStart(c)
            if problem != nil { return }
        }
        switch state {
        case .content:
            if c == 0x3C {
                state = .lt
                textRun = 0
            } else {
                countText()
            }
        case .lt: afterLessThan(c)
        case .startTag: inStartTag(c)
        case .quote:
            if c == quoteChar { state = .startTag }
        case .endTag:
            if c == 0x3E {
                depth -= 1
                state = .content
            }
        case .bang, .bangDash, .cdataOpen: inDeclaration(c)
        case .comment, .cdata, .pi, .skipToGT: inSkipped(c)
        }
    }

    /// After `<`: an end tag, a declaration, a processing instruction, or a start tag (counted against the limits).
    @inline(__always)
    mutating func afterLessThan(_ c: UInt32) {
        switch c {
        case 0x2F: state = .endTag                                   // '/'
        case 0x21: state = .bang                                     // '!'
        case 0x3F: state = .pi; runCount = 0                         // '?'
        default:
            state = .startTag
            slashInTag = false
            attributes = 0
            sawElement = true
            depth += 1
            elements += 1
            if depth > limits.maxDepth {
                problem = .tooDeep(line: line, limit: limits.maxDepth)
            } else if elements > elementLimit {
                problem = .tooManyElements(line: line, limit: elementLimit)
            }
        }
    }

    /// Inside a start tag: attributes counted at their `=`, quoted values entered, `/>` closing the element.
    @inline(__always)
    mutating func inStartTag(_ c: UInt32) {
        switch c {
        case 0x22, 0x27:                                             // '"' or '\''
            quoteChar = c
            state = .quote
            slashInTag = false
        case 0x3D:                                                   // '='
            attributes += 1
            slashInTag = false
            if attributes > limits.maxAttributes {
                problem = .tooManyAttributes(line: line, limit: limits.maxAttributes)
            }
        case 0x2F: slashInTag = true
        case 0x3E:                                                   // '>'
            if slashInTag { depth -= 1 }
            state = .content
        default: slashInTag = false
        }
    }

    /// After `<!`: a comment, a CDATA section, or a document type declaration (refused: no DTD reaches the parser).
    @inline(__always)
    mutating func inDeclaration(_ c: UInt32) {
        switch state {
        case .bang:
            if c == 0x2D {                                               // "<!-"
                state = .bangDash
            } else if c == 0x5B {                                        // "<!["
                state = .cdataOpen
                runCount = 0
            } else if (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) {
                problem = .doctype(line: line)                           // <!DOCTYPE, <!ENTITY, <!ELEMENT …
            } else {
                state = .skipToGT
            }
        case .bangDash:
            if c == 0x2D { state = .comment; runCount = 0 } else { state = .skipToGT }
        case .cdataOpen:
            let expected: [UInt32] = [0x43, 0x44, 0x41, 0x54, 0x41, 0x5B]  // "CDATA["
            if c == expected[runCount] {
                runCount += 1
                if runCount == expected.count { state = .cdata; runCount = 0 }
            } else {
                state = .skipToGT
            }
        default: break
        }
    }

    /// Comments, CDATA sections (their text counted), processing instructions and skipped markup, to their end.
    @inline(__always)
    mutating func inSkipped(_ c: UInt32) {
        switch state {
        case .comment:
            if c == 0x2D {
                runCount += 1
            } else {
                if c == 0x3E && runCount >= 2 { state = .content }
                runCount = 0
            }
        case .cdata:
            if c == 0x5D {
                runCount += 1
            } else {
                if c == 0x3E && runCount >= 2 { state = .content } else { countText() }
                runCount = 0
            }
        case .pi:
            if c == 0x3E && runCount == 1 { state = .content }
            runCount = c == 0x3F ? 1 : 0
        case .skipToGT:
            if c == 0x3E { state = .content }
        
        default: break
        }
    }
}
