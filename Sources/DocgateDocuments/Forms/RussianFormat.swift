/// Numbers and dates as people write them in Russian documents and printed forms: digits grouped by three with a
/// narrow no-break space (U+202F, the thin space of Russian typography, which never lets a number break across
/// lines), a decimal comma, the minus sign (U+2212), money always with its kopecks, dates with the month's name in the
/// genitive. Exact: every figure is a ``DecimalValue``, never a binary floating-point number.
public enum RussianFormat {
    /// The digit-group separator: NARROW NO-BREAK SPACE.
    public static let groupSeparator: Character = "\u{202F}"
    /// The minus sign (not the hyphen).
    public static let minus: Character = "\u{2212}"

    /// Roubles and kopecks: `1 234 567,89` (rounded half away from zero to kopecks; `0,00` for zero).
    public static func money(_ value: DecimalValue) -> String {
        number(value.rounded(2), places: 2)
    }

    /// A volume or another figure as exact as it was given, at least `places` fraction digits: `12 500`, `12,5`,
    /// `1 000,125`.
    public static func number(_ value: DecimalValue, places: Int = 0) -> String {
        let plain = value.formatted(places: places)           // "-1234.50"
        let negative = plain.hasPrefix("-")
        let unsigned = negative ? plain.dropFirst() : Substring(plain)
        let parts = unsigned.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        var text = grouped(parts[0])
        if parts.count == 2 { text += "," + parts[1] }
        return negative && !value.isZero ? String(minus) + text : text
    }

    /// An integer grouped by three: `2 000`, `−15 000`.
    public static func integer(_ value: Int) -> String {
        let digits = grouped(Substring(String(value.magnitude)))
        return value < 0 ? String(minus) + digits : digits
    }

    /// A percentage with a decimal comma and the sign after a no-break space: `10 %`, `7,5 %`.
    public static func percent(_ value: DecimalValue) -> String {
        number(value) + "\u{00A0}%"
    }

    /// `20 декабря 2024 г.` (a date made from parts that are no date is written as `ДД.ММ.ГГГГ` would be).
    public static func date(_ d: CalendarDate) -> String {
        guard (1...12).contains(d.month) else { return shortDate(d) }
        return "\(d.day)\u{00A0}\(monthsGenitive[d.month - 1])\u{00A0}\(d.year)\u{00A0}г."
    }

    /// `2024-12-20T10:15:00+07:00` as «20 декабря 2024 г., 10:15 (UTC+07:00)»; a text that is no such date-time stays
    /// as it is.
    public static func dateTime(_ text: String) -> String {
        let chars = Array(text)
        guard chars.count >= 16, chars[10] == "T", chars[13] == ":", let d = CalendarDate(String(chars[0..<10])),
              chars[11..<13].allSatisfy(\.isASCII), chars[14..<16].allSatisfy(\.isASCII),
              let hour = Int(String(chars[11..<13])), let minute = Int(String(chars[14..<16])), hour < 24, minute < 60
        else { return text }
        var zone = ""
        if let sign = chars.lastIndex(where: { $0 == "+" || $0 == "-" }), sign > 16 {
            zone = " (UTC" + String(chars[sign...]) + ")"
        } else if chars.last == "Z" {
            zone = " (UTC)"
        }
        return date(d) + ", " + String(chars[11..<16]) + zone
    }

    /// `20.12.2024`, for tables.
    public static func shortDate(_ d: CalendarDate) -> String {
        twoDigits(d.day) + "." + twoDigits(d.month) + "." + String(d.year)
    }

    /// `I квартал` … `IV квартал`; nil outside 1…4.
    public static func quarter(_ q: Int) -> String? {
        (1...4).contains(q) ? ["I", "II", "III", "IV"][q - 1] + "\u{00A0}квартал" : nil
    }

    /// The months' names in the genitive, as a date is written.
    public static let monthsGenitive = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
                                        "сентября", "октября", "ноября", "декабря"]

    private static func grouped(_ digits: Substring) -> String {
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(groupSeparator) }
            out.append(c)
        }
        return out
    }

    private static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
