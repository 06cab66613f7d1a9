/// HTML written safely, for the printable forms and the console's pages. Element and attribute names are
/// `StaticString`s (docgate's own code, never a document's content); every text and attribute value is escaped, and
/// characters HTML forbids in text (C0 controls other than tab and line ends, DEL, the C1 controls, noncharacters) and
/// the bidirectional controls are written as U+FFFD. Whatever a document or a file name holds, it stays text.
public struct HTMLWriter: Sendable {
    /// The HTML written so far.
    public private(set) var html = ""

    /// An empty writer.
    public init() {}

    /// Escaped text.
    public mutating func text(_ s: String) {
        html += Self.escape(s)
    }

    /// `<name attributes>…</name>`, its content written by `body`.
    public mutating func element(_ name: StaticString, _ attributes: KeyValuePairs<StaticString, String> = [:],
                                 _ body: (inout HTMLWriter) -> Void) {
        open(name, attributes)
        body(&self)
        html += "</\(name)>"
    }

    /// `<name attributes>text</name>`.
    public mutating func element(_ name: StaticString, _ attributes: KeyValuePairs<StaticString, String> = [:], text: String) {
        element(name, attributes) { $0.text(text) }
    }

    /// An element without content or end tag (`meta`, `br`, `col`).
    public mutating func void(_ name: StaticString, _ attributes: KeyValuePairs<StaticString, String> = [:]) {
        open(name, attributes)
    }

    /// Markup docgate wrote itself (a style sheet): never a document's content.
    public mutating func trusted(_ markup: StaticString) {
        html += "\(markup)"
    }

    private mutating func open(_ name: StaticString, _ attributes: KeyValuePairs<StaticString, String>) {
        html += "<\(name)"
        for (key, value) in attributes {
            html += " \(key)=\"" + Self.escape(value) + "\""
        }
        html += ">"
    }

    /// `&`, `<`, `>`, `"` and `'` as character references; forbidden characters as U+FFFD.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(isAllowed(scalar) ? scalar : "\u{FFFD}")
            }
        }
        return out
    }

    private static func isAllowed(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        if v < 0x20 { return v == 0x09 || v == 0x0A || v == 0x0D }
        if (0x7F...0x9F).contains(v) { return false }
        // Bidirectional embeddings, overrides, isolates and marks: a name must not reorder what is shown around it.
        if (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) || v == 0x200E || v == 0x200F || v == 0x061C {
            return false
        }
        if (0xFDD0...0xFDEF).contains(v) || v & 0xFFFE == 0xFFFE { return false }
        return true
    }
}
