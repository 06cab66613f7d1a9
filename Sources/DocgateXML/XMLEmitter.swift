/// Writes an indented XML document straight into bytes, knowing the line of everything it writes — so that a
/// finding on the generated document can be traced back to the input field it came from.
///
/// UTF-8 or windows-1251; a character windows-1251 cannot hold is written as a character reference
/// (`&#x20AC;`), which every XML reader turns back into the same character. Characters XML 1.0 forbids are
/// refused.
public struct XMLEmitter {
    /// The document written so far, in its encoding.
    public private(set) var bytes: [UInt8] = []
    /// The line the next start tag goes on (1-based).
    public private(set) var line = 1
    /// UTF-8 or windows-1251.
    public let encoding: XMLWriter.Encoding
    private var depth = 0
    /// Whether the innermost open element already has child elements (its end tag then goes on its own line).
    private var openHasChildren: [Bool] = []
    private var startTagOpen = false

    /// A character XML 1.0 cannot carry.
    public struct ForbiddenCharacter: Error, Sendable {
        /// The character, as a Unicode scalar value.
        public var scalar: UInt32
    }

    /// An emitter that has written the XML declaration.
    public init(encoding: XMLWriter.Encoding = .utf8) {
        self.encoding = encoding
        bytes.reserveCapacity(8192)
        append("<?xml version=\"1.0\" encoding=\"\(encoding.rawValue)\"?>")
    }

    private mutating func append(_ ascii: String) {
        bytes.append(contentsOf: ascii.utf8)
    }

    private mutating func newline() {
        bytes.append(0x0A)
        line += 1
        for _ in 0..<depth { bytes.append(0x20); bytes.append(0x20) }
    }

    private mutating func closeStartTag() {
        if startTagOpen { bytes.append(UInt8(ascii: ">")); startTagOpen = false }
    }

    /// Opens `<name`; attributes may follow until content is written. `namespace` declares the default namespace.
    /// Returns the line the element starts on.
    @discardableResult
    public mutating func start(_ name: String, namespace: String? = nil) -> Int {
        closeStartTag()
        if !openHasChildren.isEmpty { openHasChildren[openHasChildren.count - 1] = true }
        newline()
        let at = line
        bytes.append(UInt8(ascii: "<"))
        append(name)
        if let namespace {
            append(" xmlns=\"")
            try? escape(namespace, attribute: true)
            bytes.append(UInt8(ascii: "\""))
        }
        startTagOpen = true
        openHasChildren.append(false)
        depth += 1
        return at
    }

    /// An attribute of the start tag just written, its value escaped.
    public mutating func attribute(_ name: String, _ value: String) throws(ForbiddenCharacter) {
        bytes.append(0x20)
        append(name)
        append("=\"")
        try escape(value, attribute: true)
        bytes.append(UInt8(ascii: "\""))
    }

    /// Text content of the open element.
    public mutating func text(_ value: String) throws(ForbiddenCharacter) {
        closeStartTag()
        try escape(value, attribute: false)
    }

    /// A well-formed fragment, copied as it is (line breaks in it are counted).
    public mutating func raw(_ fragment: String) throws(ForbiddenCharacter) {
        closeStartTag()
        if !openHasChildren.isEmpty { openHasChildren[openHasChildren.count - 1] = true }
        newline()
        try escape(fragment, attribute: false, markup: true)
    }

    /// Closes the innermost element (`/>` when it is empty).
    public mutating func end(_ name: String) {
        depth -= 1
        let hadChildren = openHasChildren.removeLast()
        if startTagOpen {
            append("/>")
            startTagOpen = false
            return
        }
        if hadChildren { newline() }
        append("</")
        append(name)
        bytes.append(UInt8(ascii: ">"))
    }

    /// The finished document, ending with a line break.
    public mutating func finish() -> [UInt8] {
        bytes.append(0x0A)
        return bytes
    }

    private mutating func escape(_ s: String, attribute: Bool, markup: Bool = false) throws(ForbiddenCharacter) {
        for scalar in s.unicodeScalars {
            let v = scalar.value
            switch v {
            case 0x26 where !markup: append("&amp;")
            case 0x3C where !markup: append("&lt;")
            case 0x3E where !markup: append("&gt;")
            case 0x22 where attribute: append("&quot;")
            case 0x0D where !markup: append("&#xD;")
            case 0x0A where attribute: append("&#xA;")
            case 0x09 where attribute: append("&#x9;")
            case 0x0A: bytes.append(0x0A); line += 1
            case 0x09, 0x0D: bytes.append(UInt8(v))
            case 0..<0x20, 0xFFFE, 0xFFFF: throw ForbiddenCharacter(scalar: v)
            case 0x20..<0x80: bytes.append(UInt8(v))
            default:
                if encoding == .utf8 {
                    bytes.append(contentsOf: String(Character(scalar)).utf8)
                } else if let b = Windows1251.byte(for: v) {
                    bytes.append(b)
                } else {
                    append("&#x" + String(v, radix: 16, uppercase: true) + ";")
                }
            }
        }
    }
}

/// The windows-1251 code page (Cyrillic), upper half.
public enum Windows1251 {
    /// The characters of bytes 0x80–0xBF; 0x98 is unassigned. 0xC0–0xFF are А–я (U+0410–U+044F) in order.
    public static let upperHalf: [UInt32] = [
        0x0402, 0x0403, 0x201A, 0x0453, 0x201E, 0x2026, 0x2020, 0x2021, 0x20AC, 0x2030, 0x0409, 0x2039, 0x040A, 0x040C, 0x040B, 0x040F,
        0x0452, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0xFFFF, 0x2122, 0x0459, 0x203A, 0x045A, 0x045C, 0x045B, 0x045F,
        0x00A0, 0x040E, 0x045E, 0x0408, 0x00A4, 0x0490, 0x00A6, 0x00A7, 0x0401, 0x00A9, 0x0404, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x0407,
        0x00B0, 0x00B1, 0x0406, 0x0456, 0x0491, 0x00B5, 0x00B6, 0x00B7, 0x0451, 0x2116, 0x0454, 0x00BB, 0x0458, 0x0405, 0x0455, 0x0457,
    ]

    private static let reverse: [UInt32: UInt8] = {
        var map: [UInt32: UInt8] = [:]
        for (i, v) in upperHalf.enumerated() where v != 0xFFFF { map[v] = UInt8(0x80 + i) }
        return map
    }()

    /// The byte for a character, if the code page has it.
    public static func byte(for scalar: UInt32) -> UInt8? {
        if scalar < 0x80 { return UInt8(scalar) }
        if scalar >= 0x0410 && scalar <= 0x044F { return UInt8(scalar - 0x0410 + 0xC0) }
        return reverse[scalar]
    }
}
