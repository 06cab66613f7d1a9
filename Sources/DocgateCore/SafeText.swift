/// Text from outside (file names above all) made safe to print on one line: to a terminal, a text log, a reason
/// file. A name with a newline must not forge a log line, and an escape sequence must not reach an operator's
/// terminal.
public enum SafeText {
    /// Control characters (C0, DEL, C1), line and paragraph separators and the Unicode bidirectional controls
    /// become visible escapes (`\n`, `\t`, `\u{1B}`); a backslash is doubled so that an escape cannot be faked.
    /// Everything else, Cyrillic included, stays as it is.
    public static func escaped(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: needsEscape) else { return s }
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if isUnsafe(scalar) {
                    out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool { scalar == "\\" || isUnsafe(scalar) }

    /// C0 and C1 controls, DEL, U+2028/U+2029, and the bidi embeddings, overrides and isolates.
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029 || (0x202A...0x202E).contains(v)
            || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F || v == 0x061C
    }
}
