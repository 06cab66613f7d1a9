/// A calendar date from an `xs:date` (`2025-01-15`, optionally with a time-zone suffix, which is kept out of
/// comparisons: the acts count days, not instants).
public struct CalendarDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The year (four digits as written).
    public var year: Int
    /// The month, 1–12.
    public var month: Int
    /// The day of the month, 1–31.
    public var day: Int

    /// A date from its parts, not checked (use ``init(_:)`` for text).
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date at the start of `text` (`YYYY-MM-DD`, XML spaces trimmed, anything after the tenth character ignored);
    /// nil when it is not a real date (2025-02-29 is not).
    public init?(_ text: some StringProtocol) {
        let s = Array(text.trimmingXMLSpaceFast.utf8)
        guard s.count >= 10, s[4] == UInt8(ascii: "-"), s[7] == UInt8(ascii: "-"),
              let y = Self.number(s[0..<4]), let m = Self.number(s[5..<7]), let d = Self.number(s[8..<10]),
              (1...12).contains(m), d >= 1, d <= Self.daysIn(month: m, year: y) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        var v = 0
        for b in bytes {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            v = v * 10 + Int(b - 0x30)
        }
        return v
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (proleptic Gregorian).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The date `days` days later.
    public func adding(days: Int) -> CalendarDate {
        CalendarDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// The date `z0` days after 1970-01-01 (negative: before), proleptic Gregorian.
    public init(daysSinceEpoch z0: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    /// Earlier by year, then month, then day.
    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    /// `YYYY-MM-DD`, zero-padded.
    public var description: String {
        func pad(_ v: Int, _ n: Int) -> String { String(repeating: "0", count: max(0, n - String(v).count)) + String(v) }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Decodes a `YYYY-MM-DD` string; anything else is `DecodingError.dataCorrupted`.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let d = CalendarDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a date: \(text)"))
        }
        self = d
    }

    /// Encodes as its `YYYY-MM-DD` string.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// An instant from an `xs:dateTime` with offset, as seconds since the Unix epoch.
public enum Timestamp {
    /// Parses `2025-01-15T10:30:00(.fff)?(Z|±hh:mm)`; `nil` without an offset or when malformed.
    public static func secondsSinceEpoch(_ text: some StringProtocol) -> Int? {
        var copy = String(text.trimmingXMLSpaceFast)
        return copy.withUTF8 { parse($0) }
    }

    private static func parse(_ s: UnsafeBufferPointer<UInt8>) -> Int? {
        func number(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                guard s[i] >= 0x30 && s[i] <= 0x39 else { return nil }
                v = v * 10 + Int(s[i] - 0x30)
            }
            return v
        }
        guard s.count >= 20, s[4] == 0x2D, s[7] == 0x2D, s[10] == UInt8(ascii: "T"), s[13] == 0x3A, s[16] == 0x3A,
              let y = number(0..<4), let mo = number(5..<7), let d = number(8..<10), (1...12).contains(mo),
              d >= 1, d <= CalendarDate.daysIn(month: mo, year: y),
              let h = number(11..<13), let mi = number(14..<16), let se = number(17..<19) else { return nil }
        var i = 19
        if i < s.count, s[i] == UInt8(ascii: ".") {
            i += 1
            while i < s.count, s[i] >= 0x30 && s[i] <= 0x39 { i += 1 }
        }
        guard i < s.count else { return nil }
        var offset = 0
        if s[i] == UInt8(ascii: "Z") {
            guard i + 1 == s.count else { return nil }
        } else {
            guard i + 6 == s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-"),
                  let oh = number((i + 1)..<(i + 3)), s[i + 3] == 0x3A, let om = number((i + 4)..<(i + 6)) else { return nil }
            offset = (oh * 3600 + om * 60) * (s[i] == UInt8(ascii: "-") ? -1 : 1)
        }
        let date = CalendarDate(year: y, month: mo, day: d)
        return date.daysSinceEpoch * 86_400 + h * 3600 + mi * 60 + se - offset
    }
}
