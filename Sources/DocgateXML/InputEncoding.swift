/// The character encodings docgate reads.
public enum InputEncoding: String, Sendable, Hashable {
    case utf8 = "UTF-8"
    case utf16LE = "UTF-16LE"
    case utf16BE = "UTF-16BE"
    case windows1251 = "windows-1251"

    var isSixteenBit: Bool { self == .utf16LE || self == .utf16BE }
}

/// What the first bytes of an input say about its encoding: byte-order mark, code-unit width and the label in
/// the XML declaration.
struct Prolog: Sendable, Equatable {
    /// The encoding the bytes are actually in.
    var encoding: InputEncoding
    /// Bytes of byte-order mark to skip.
    var bomLength: Int
    /// The label as written in `<?xml … encoding="…"?>`, if any.
    var declaredLabel: String?

    /// Looks at the first bytes (a few hundred are enough) and decides.
    ///
    /// - Returns: the prolog, or a problem when the label names an encoding docgate does not accept or
    ///   contradicts the bytes.
    static func detect(_ head: UnsafeRawBufferPointer) -> Result<Prolog, GateProblem> {
        let b = head
        var bom = 0
        var width16: InputEncoding? = nil
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF {
            bom = 3
        } else if b.count >= 2, b[0] == 0xFF, b[1] == 0xFE {
            bom = 2; width16 = .utf16LE
        } else if b.count >= 2, b[0] == 0xFE, b[1] == 0xFF {
            bom = 2; width16 = .utf16BE
        } else if b.count >= 4, b[0] == 0x3C, b[1] == 0, b[2] == 0x3F, b[3] == 0 {
            width16 = .utf16LE
        } else if b.count >= 4, b[0] == 0, b[1] == 0x3C, b[2] == 0, b[3] == 0x3F {
            width16 = .utf16BE
        }
        let label = declaredEncoding(b, from: bom, sixteenBit: width16)
        let normalized = label.map(normalize)
        if let width16 {
            switch normalized {
            case nil, .some(.some(.utf16)):
                return .success(Prolog(encoding: width16, bomLength: bom, declaredLabel: label))
            case .some(nil):
                return .failure(.unsupportedEncoding(label: label ?? ""))
            default:
                return .failure(.mislabelledEncoding(declared: label ?? "", actual: "UTF-16"))
            }
        }
        switch normalized {
        case nil, .some(.some(.utf8)):
            return .success(Prolog(encoding: .utf8, bomLength: bom, declaredLabel: label))
        case .some(.some(.windows1251)):
            if bom == 3 { return .failure(.mislabelledEncoding(declared: label ?? "", actual: "UTF-8")) }
            return .success(Prolog(encoding: .windows1251, bomLength: 0, declaredLabel: label))
        case .some(.some(.utf16)):
            return .failure(.mislabelledEncoding(declared: label ?? "", actual: bom == 3 ? "UTF-8" : "8-bit"))
        case .some(nil):
            return .failure(.unsupportedEncoding(label: label ?? ""))
        }
    }

    private enum Family { case utf8, utf16, windows1251 }

    /// `nil` for labels docgate does not accept.
    private static func normalize(_ label: String) -> Family? {
        switch label.uppercased() {
        case "UTF-8", "UTF8", "US-ASCII", "ASCII": .utf8
        case "UTF-16", "UTF-16LE", "UTF-16BE", "UTF16": .utf16
        case "WINDOWS-1251", "CP1251", "X-CP1251", "CP-1251": .windows1251
        default: nil
        }
    }

    /// Reads the `encoding` pseudo-attribute of the XML declaration, if the input starts with one.
    private static func declaredEncoding(_ b: UnsafeRawBufferPointer, from start: Int,
                                         sixteenBit: InputEncoding?) -> String? {
        // Collect up to 256 characters of the declaration as ASCII.
        var chars: [UInt8] = []
        chars.reserveCapacity(256)
        var i = start
        let step = sixteenBit == nil ? 1 : 2
        while i + step - 1 < b.count, chars.count < 256 {
            let unit: UInt16
            switch sixteenBit {
            case .utf16LE?: unit = UInt16(b[i]) | UInt16(b[i + 1]) << 8
            case .utf16BE?: unit = UInt16(b[i]) << 8 | UInt16(b[i + 1])
            default: unit = UInt16(b[i])
            }
            if unit >= 0x80 { break }
            chars.append(UInt8(unit))
            if chars.count >= 2, chars[chars.count - 2] == UInt8(ascii: "?"), chars.last == UInt8(ascii: ">") { break }
            i += step
        }
        let key = Array("encoding".utf8)
        // A declaration cut short before it could name an encoding names none.
        guard chars.count >= 5 + key.count, chars.starts(with: Array("<?xml".utf8)) else { return nil }
        guard let at = (0...(chars.count - key.count)).first(where: { chars[$0..<($0 + key.count)].elementsEqual(key) })
        else { return nil }
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        var j = at + key.count
        while j < chars.count, isSpace(chars[j]) { j += 1 }
        guard j < chars.count, chars[j] == UInt8(ascii: "=") else { return nil }
        j += 1
        while j < chars.count, isSpace(chars[j]) { j += 1 }
        guard j < chars.count, chars[j] == UInt8(ascii: "\"") || chars[j] == UInt8(ascii: "'") else { return nil }
        let quote = chars[j]
        guard let close = chars[(j + 1)...].firstIndex(of: quote) else { return nil }
        return String(decoding: chars[(j + 1)..<close], as: UTF8.self)
    }
}
