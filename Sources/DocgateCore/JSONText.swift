/// A minimal JSON writer: docgate's JSON keeps its keys in the documented order and streams large batches.
/// Everything `SafeText` escapes for printing is written as a `\u` escape, so a JSON line stays one line wherever
/// it is shown.
public enum JSONText {
    /// `s` as a JSON string literal, quotes included.
    public static func string(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                // Control characters, and also DEL, C1, U+2028/U+2029 and the bidi controls (valid in JSON, but they
                // break lines or mislead the eye where the text is shown): \u escapes, the same string once decoded.
                if SafeText.isUnsafe(scalar) {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A string literal, or `null` for nil.
    public static func optional(_ s: String?) -> String { s.map(string) ?? "null" }
    /// An integer, or `null` for nil.
    public static func optional(_ i: Int?) -> String { i.map(String.init) ?? "null" }

    /// `{"a": 1, "b": "x"}` from ordered pairs of already-encoded values.
    public static func object(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { string($0.0) + ": " + $0.1 }.joined(separator: ", ") + "}"
    }

    /// `[a, b]` from already-encoded values.
    public static func array(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }
}
