/// A lexical pre-scan of the raw bytes, run on every input before or while libxml2 parses it.
///
/// It knows just enough XML to find tags, quotes, comments, CDATA and processing instructions, and uses that to
/// enforce ``XMLLimits`` (depth, attributes per element, text length), to refuse any DOCTYPE (so no DTD, entity
/// declaration or external subset ever reaches libxml2), NUL bytes and non-XML files, to check UTF-8, and to spot a
/// `windows-1251` label on UTF-8 bytes. It works on chunks, so the streaming reader feeds it from its read
/// callback and a violation stops the parse within one chunk.
struct InputGate {
    enum State: UInt8 {
        case content, lt, startTag, quote, endTag, bang, bangDash, cdataOpen, comment, cdata, pi, skipToGT
    }

    let limits: XMLLimits
    let prolog: Prolog
    var state: State = .content
    var quoteChar: UInt32 = 0
    var slashInTag = false
    var runCount = 0          // dashes in a comment, ']' in CDATA, '?' seen in a PI, progress in "CDATA["
    var depth = 0
    var attributes = 0
    var elements = 0
    /// Most start tags accepted: set for inputs parsed into a tree, `Int.max` for streaming.
    let elementLimit: Int
    var textRun = 0
    var line = 1
    var started = false
    var sawElement = false
    var firstBytes: [UInt8] = []
    var problem: GateProblem?

    // UTF-8 checking: continuation bytes still needed and the allowed range of the next one.
    var utf8Need = 0
    var utf8Low: UInt8 = 0x80
    var utf8High: UInt8 = 0xBF
    var utf8Broken = false
    var multibyteSeen = 0
    var pendingByte: UInt8? = nil   // half of a UTF-16 code unit split across chunks
    var bytesSeen = 0
    var bomToSkip: Int
    /// Only the prolog is scanned (DOCTYPE, start of the document); the parser enforces the rest.
    let prologOnly: Bool

    /// How much of the input the gate reads.
    enum Scope {
        /// Everything: for large inputs, where a single hostile tag could cost libxml2 seconds.
        case full
        /// Up to the first start tag: enough to refuse a DOCTYPE before libxml2 sees it. For small inputs the
        /// parser and the SAX handlers enforce depth, attributes, text and encoding themselves. Not for UTF-16:
        /// libxml2 drops a trailing odd byte without a word, so the gate reads UTF-16 to the end.
        case prolog
    }

    /// - Parameter countsElements: enforce ``XMLLimits/maxElements`` (for inputs that become a tree).
    init(prolog: Prolog, limits: XMLLimits, scope: Scope = .full, countsElements: Bool = false) {
        self.prolog = prolog
        self.limits = limits
        self.elementLimit = countsElements ? limits.maxElements : Int.max
        self.bomToSkip = prolog.bomLength
        self.prologOnly = scope == .prolog && !prolog.encoding.isSixteenBit
    }

    /// Scans the next chunk. Returns `false` once a problem was found.
    @discardableResult
    mutating func feed(_ chunk: UnsafeRawBufferPointer) -> Bool {
        guard problem == nil else { return false }
        if prologOnly && sawElement { return true }
        var bytes = chunk
        bytesSeen += chunk.count
        if bytesSeen > limits.maxInputBytes {
            problem = .tooLarge(size: bytesSeen, limit: limits.maxInputBytes)
            return false
        }
        if bomToSkip > 0 {
            let skip = min(bomToSkip, bytes.count)
            bytes = UnsafeRawBufferPointer(rebasing: bytes[skip...])
            bomToSkip -= skip
        }
        if prolog.encoding.isSixteenBit {
            scan16(bytes, bigEndian: prolog.encoding == .utf16BE)
        } else {
            scan8(bytes)
        }
        return problem == nil
    }

    /// Ends the input: reports what the last chunk left open.
    mutating func finish() -> GateProblem? {
        if problem != nil { return problem }
        if prologOnly && sawElement { return nil }
        if pendingByte != nil {
            // Half a UTF-16 code unit at the end: an odd number of bytes is never UTF-16, cut or not.
            problem = .oddLengthUTF16(line: line)
        } else if !started {
            problem = .empty
        } else if depth > 0 || state != .content || (utf8Need > 0 && prolog.encoding == .utf8) {
            // An unfinished character at the very end is a cut file, not an encoding error.
            problem = .truncated(line: line)
        } else if !sawElement {
            problem = .truncated(line: line)
        } else if prolog.encoding == .windows1251 && !utf8Broken && multibyteSeen > 0 {
            problem = .mislabelledEncoding(declared: prolog.declaredLabel ?? "windows-1251", actual: "UTF-8")
        }
        return problem
    }

    mutating func scan8(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        let p = base.assumingMemoryBound(to: UInt8.self)
        let n = bytes.count
        let checkUTF8 = prolog.encoding == .utf8
        let observeUTF8 = prolog.encoding == .windows1251
        var i = 0
        while i < n {
            if prologOnly && sawElement { return }
            // Fast runs through the states that cover most bytes: text, quoted values, names inside tags.
            if started && utf8Need == 0 {
                var j = i
                switch state {
                case .content: guard let end = contentRun(p, from: i, to: n, checkUTF8: checkUTF8, observeUTF8: observeUTF8) else { return }
                    j = end
                case .quote: guard let end = quotedRun(p, from: i, to: n, checkUTF8: checkUTF8, observeUTF8: observeUTF8) else { return }
                    j = end
                case .startTag, .endTag:
                    j = nameRun(p, from: i, to: n)
                default:
                    break
                }
                i = j
                if i == n { break }
            }
            let c = p[i]
            i += 1
            if !started && c >= 0x80 {
                noteStart(UInt32(c))
                return
            }
            if c >= 0x80 || utf8Need > 0 {
                if checkUTF8 {
                    if !utf8Step(c) { problem = .invalidUTF8(line: line); return }
                } else if observeUTF8 && !utf8Broken {
                    if !utf8Step(c) { utf8Broken = true; utf8Need = 0 }
                }
                if c >= 0x80 {
                    slashInTag = false
                    if state == .content || state == .cdata { countText(); if problem != nil { return } }
                    continue
                }
            }
            step(UInt32(c))
            if problem != nil { return }
        }
    }

    /// Text up to the next `<` (or a byte the state machine must see): lines counted, UTF-8 checked in place, the
    /// run's length held to the text limit. The end of the run, or nil when a problem was found.
    @inline(__always)
    mutating func contentRun(_ p: UnsafePointer<UInt8>, from i: Int, to n: Int, checkUTF8: Bool, observeUTF8: Bool) -> Int? {
        var j = i
        while j < n {
            let c = p[j]
            if c < 0x80 {
                if utf8Need > 0 || c == 0x3C || c == 0 { break }
                if c == 0x0A { line += 1 }
                j += 1
                continue
            }
            // Whole two- and three-byte sequences inside the chunk, checked in place (Cyrillic text).
            if c >= 0xC2 && c <= 0xDF && j + 1 < n && p[j + 1] & 0xC0 == 0x80 && utf8Need == 0 {
                multibyteSeen &+= 1
                j += 2
                continue
            }
            if checkUTF8 {
                if !utf8Step(c) { textRun += j - i; problem = .invalidUTF8(line: line); return nil }
            } else if observeUTF8 && !utf8Broken {
                if !utf8Step(c) { utf8Broken = true; utf8Need = 0 }
            }
            j += 1
        }
        textRun += j - i
        if textRun > limits.maxTextLength {
            problem = .textTooLong(line: line, limit: limits.maxTextLength)
            return nil
        }
        return j
    }

    /// A quoted attribute value up to its closing quote (or a line end), UTF-8 checked in place.
    @inline(__always)
    mutating func quotedRun(_ p: UnsafePointer<UInt8>, from i: Int, to n: Int, checkUTF8: Bool, observeUTF8: Bool) -> Int? {
        var j = i
        let q = UInt8(truncatingIfNeeded: quoteChar)
        while j < n {
            let c = p[j]
            if c < 0x80 {
                if utf8Need > 0 { break }
                if c == q || c == 0x0A || c == 0 { break }
            } else if checkUTF8 {
                if !utf8Step(c) { problem = .invalidUTF8(line: line); return nil }
            } else if observeUTF8 && !utf8Broken {
                if !utf8Step(c) { utf8Broken = true; utf8Need = 0 }
            }
            j += 1
        }
        return j
    }

    /// Name characters inside a tag, up to the next byte the state machine must see.
    @inline(__always)
    mutating func nameRun(_ p: UnsafePointer<UInt8>, from i: Int, to n: Int) -> Int {
        var j = i
        while j < n {
            let c = p[j]
            if c >= 0x80 || c == 0x3E || c == 0x22 || c == 0x27 || c == 0x3D || c == 0x2F || c == 0x0A
                || c == 0 { break }
            j += 1
        }
        if j > i { slashInTag = false }
        return j
    }

    mutating func scan16(_ bytes: UnsafeRawBufferPointer, bigEndian: Bool) {
        var i = 0
        let n = bytes.count
        if let first = pendingByte, n > 0 {
            let unit = bigEndian ? UInt32(first) << 8 | UInt32(bytes[0]) : UInt32(bytes[0]) << 8 | UInt32(first)
            pendingByte = nil
            i = 1
            step(unit)
            if problem != nil { return }
        }
        while i + 1 < n {
            if prologOnly && sawElement { return }
            let unit = bigEndian ? UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1])
                                 : UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i])
            step(unit)
            if problem != nil { return }
            i += 2
        }
        if i < n { pendingByte = bytes[i] }
    }

    /// One UTF-8 byte through the validator (RFC 3629 ranges: no overlongs, no surrogates, ≤ U+10FFFF).
    @inline(__always)
    mutating func utf8Step(_ c: UInt8) -> Bool {
        if utf8Need > 0 {
            guard c >= utf8Low && c <= utf8High else { return false }
            utf8Need -= 1
            utf8Low = 0x80
            utf8High = 0xBF
            return true
        }
        switch c {
        case 0x00...0x7F: return true
        case 0xC2...0xDF: utf8Need = 1
        case 0xE0: utf8Need = 2; utf8Low = 0xA0
        case 0xE1...0xEC, 0xEE, 0xEF: utf8Need = 2
        case 0xED: utf8Need = 2; utf8High = 0x9F
        case 0xF0: utf8Need = 3; utf8Low = 0x90
        case 0xF1...0xF3: utf8Need = 3
        case 0xF4: utf8Need = 3; utf8High = 0x8F
        default: return false
        }
        multibyteSeen += 1
        return true
    }

    mutating func noteStart(_ c: UInt32) {
        started = true
        if c != 0x3C {  // '<'
            problem = .notXML(start: describeStart(c))
        }
    }

    func describeStart(_ c: UInt32) -> String {
        if c >= 0x21 && c < 0x7F { return String(UnicodeScalar(UInt8(c))) }
        let hex = String(c, radix: 16, uppercase: true)
        return "0x" + (hex.count % 2 == 1 ? "0" + hex : hex)
    }
}
