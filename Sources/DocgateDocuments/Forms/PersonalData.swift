/// People's data hidden from those who may not see it (the console's viewers).
public enum PersonalData {
    /// A text with every СНИЛС (11 digits) and personal ИНН (12 digits) — runs of digits with dashes or spaces
    /// between — written as asterisks; an organisation's ИНН (10 digits), ОГРН (13) and other figures stay.
    public static func masked(_ text: String) -> String {
        var out = ""
        var digits = ""
        func flush() {
            var tail = ""
            while let last = digits.last, !(last.isASCII && last.isNumber) { tail.insert(digits.removeLast(), at: tail.startIndex) }
            let count = digits.filter { $0.isASCII && $0.isNumber }.count
            out += (count == 11 || count == 12 ? String(repeating: "*", count: digits.count) : digits) + tail
            digits = ""
        }
        for c in text {
            if (c.isASCII && c.isNumber) || (!digits.isEmpty && (c == "-" || c == " ")) { digits.append(c) } else { flush(); out.append(c) }
        }
        flush()
        return out
    }
}
