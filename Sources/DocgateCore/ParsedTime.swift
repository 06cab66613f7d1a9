import Glibc

/// Times given on the command line: `2026-11-23` (midnight UTC) or `2026-11-23T10:00:00Z`.
public enum ParsedTime {
    /// Seconds since 1970 (UTC), or nil for any other form or an impossible date.
    public static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int32? {
            guard range.upperBound <= bytes.count else { return nil }
            var v: Int32 = 0
            for b in bytes[range] { guard b >= 48 && b <= 57 else { return nil }; v = v * 10 + Int32(b - 48) }
            return v
        }
        guard bytes.count == 10 || (bytes.count == 20 && bytes[10] == UInt8(ascii: "T") && bytes[19] == UInt8(ascii: "Z")),
              bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let y = number(0..<4), let m = number(5..<7), let d = number(8..<10), (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        var parts = tm()
        parts.tm_year = y - 1900
        parts.tm_mon = m - 1
        parts.tm_mday = d
        if bytes.count == 20 {
            guard let h = number(11..<13), let mi = number(14..<16), let s = number(17..<19), h < 24, mi < 60, s < 61 else { return nil }
            parts.tm_hour = h
            parts.tm_min = mi
            parts.tm_sec = s
        }
        return Int64(timegm(&parts))
    }
}
