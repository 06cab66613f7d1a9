/// An exact decimal number: an integer significand and a count of fraction digits.
///
/// Money and volumes are never binary floating point in docgate. `12.30` is `(1230, scale 2)`; arithmetic is
/// exact; rounding is explicit and by default half away from zero (to kopecks unless the acts say otherwise).
/// The significand is 128-bit, enough for the schema's largest products (20 × 18 digits) in practice; an overflow
/// is reported as `nil` by the arithmetic that can overflow, never wrapped.
public struct DecimalValue: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// The digits as an integer, with the sign: `-1250` for `-12.50`.
    public private(set) var significand: Int128
    /// How many of the significand's digits are fraction digits: 2 for `-12.50`.
    public private(set) var scale: Int

    /// 0, no fraction digits.
    public static let zero = DecimalValue(significand: 0, scale: 0)
    /// 1, no fraction digits.
    public static let one = DecimalValue(significand: 1, scale: 0)
    /// 100, no fraction digits (for percentages).
    public static let hundred = DecimalValue(significand: 100, scale: 0)

    /// The number `significand` × 10^(−`scale`), kept with that scale.
    public init(significand: Int128, scale: Int) {
        self.significand = significand
        self.scale = scale
    }

    /// An integer, with no fraction digits.
    public init(_ integer: Int) {
        self.init(significand: Int128(integer), scale: 0)
    }

    /// Parses the `xs:decimal` lexical form (`-12.50`, `+3`, `.5`, `7.`), surrounding whitespace allowed.
    public init?(_ text: some StringProtocol) {
        self.init(utf8: text.utf8)
    }

    /// Parses the lexical form from UTF-8 bytes.
    public init?<C: Sequence>(utf8 text: C) where C.Element == UInt8 {
        var sign: Int128 = 1
        var digits: Int128 = 0
        var scale = 0
        var seenDigit = false
        var seenPoint = false
        var first = true
        var trailingSpace = false
        for c in text {
            if c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D {
                if seenDigit || seenPoint || !first { trailingSpace = true }
                continue
            }
            if trailingSpace { return nil }
            defer { first = false }
            if first && (c == UInt8(ascii: "-") || c == UInt8(ascii: "+")) {
                if c == UInt8(ascii: "-") { sign = -1 }
            } else if c == UInt8(ascii: ".") {
                if seenPoint { return nil }
                seenPoint = true
            } else if c >= 0x30 && c <= 0x39 {
                let (m, o1) = digits.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int128(c - 0x30))
                if o1 || o2 { return nil }
                digits = a
                seenDigit = true
                if seenPoint { scale += 1 }
            } else {
                return nil
            }
        }
        guard seenDigit else { return nil }
        self.init(significand: sign * digits, scale: scale)
    }

    private static func pow10(_ n: Int) -> Int128? {
        var r: Int128 = 1
        for _ in 0..<n {
            let (m, o) = r.multipliedReportingOverflow(by: 10)
            if o { return nil }
            r = m
        }
        return r
    }

    /// The same value with `scale` fraction digits (only ever adds zeros).
    private func rescaled(to newScale: Int) -> Int128? {
        precondition(newScale >= scale)
        guard let f = Self.pow10(newScale - scale) else { return nil }
        let (m, o) = significand.multipliedReportingOverflow(by: f)
        return o ? nil : m
    }

    private static func aligned(_ a: DecimalValue, _ b: DecimalValue) -> (Int128, Int128, Int)? {
        let s = max(a.scale, b.scale)
        guard let x = a.rescaled(to: s), let y = b.rescaled(to: s) else { return nil }
        return (x, y, s)
    }

    /// Exact sum; `nil` on overflow.
    public func adding(_ other: DecimalValue) -> DecimalValue? {
        guard let (x, y, s) = Self.aligned(self, other) else { return nil }
        let (r, o) = x.addingReportingOverflow(y)
        return o ? nil : DecimalValue(significand: r, scale: s)
    }

    /// Exact difference; `nil` on overflow.
    public func subtracting(_ other: DecimalValue) -> DecimalValue? {
        adding(DecimalValue(significand: -other.significand, scale: other.scale))
    }

    /// Exact product; `nil` on overflow.
    public func multiplied(by other: DecimalValue) -> DecimalValue? {
        let (r, o) = significand.multipliedReportingOverflow(by: other.significand)
        return o ? nil : DecimalValue(significand: r, scale: scale + other.scale).normalizedScale()
    }

    /// Removes trailing fraction zeros beyond two places, to keep products of products small.
    private func normalizedScale() -> DecimalValue {
        var d = self
        while d.scale > 2 && d.significand % 10 == 0 {
            d.significand /= 10
            d.scale -= 1
        }
        return d
    }

    /// Rounded to `places` fraction digits, half away from zero.
    public func rounded(_ places: Int) -> DecimalValue {
        if places >= scale { return self }
        let drop = scale - places
        guard let f = Self.pow10(drop) else { return DecimalValue(significand: 0, scale: places) }
        let q = significand / f
        let r = significand % f
        var result = q
        if (r.magnitude * 2) >= f.magnitude { result += significand < 0 ? -1 : 1 }
        return DecimalValue(significand: result, scale: places)
    }

    /// `self / other` rounded half away from zero to `places` digits; `nil` when dividing by zero or on overflow.
    public func divided(by other: DecimalValue, places: Int) -> DecimalValue? {
        guard other.significand != 0 else { return nil }
        // self/other = (a·10^-sa)/(b·10^-sb); want q·10^-places: q = a·10^(places+sb-sa) / b.
        let shift = places + other.scale - scale
        var numerator = significand
        var denominator = other.significand
        if shift >= 0 {
            guard let f = Self.pow10(shift) else { return nil }
            let (m, o) = numerator.multipliedReportingOverflow(by: f)
            if o { return nil }
            numerator = m
        } else {
            guard let f = Self.pow10(-shift) else { return nil }
            let (m, o) = denominator.multipliedReportingOverflow(by: f)
            if o { return nil }
            denominator = m
        }
        var q = numerator / denominator
        let r = numerator % denominator
        if r.magnitude * 2 >= denominator.magnitude {
            q += (numerator < 0) != (denominator < 0) ? -1 : 1
        }
        return DecimalValue(significand: q, scale: places)
    }

    /// True for zero at any scale.
    public var isZero: Bool { significand == 0 }
    /// True below zero.
    public var isNegative: Bool { significand < 0 }
    /// The absolute value, same scale.
    public var magnitude: DecimalValue { DecimalValue(significand: significand < 0 ? -significand : significand, scale: scale) }

    /// Numeric order, whatever the scales (compared through `Double` only when aligning the scales would overflow).
    public static func < (lhs: DecimalValue, rhs: DecimalValue) -> Bool {
        guard let (x, y, _) = aligned(lhs, rhs) else {
            return Double(lhs.description) ?? 0 < Double(rhs.description) ?? 0
        }
        return x < y
    }

    /// Numeric equality: `1.50 == 1.5`.
    public static func == (lhs: DecimalValue, rhs: DecimalValue) -> Bool {
        guard let (x, y, _) = aligned(lhs, rhs) else { return false }
        return x == y
    }

    /// Hashes the value without trailing fraction zeros, so numerically equal values (`1.50`, `1.5`) hash alike.
    public func hash(into hasher: inout Hasher) {
        var d = self
        while d.scale > 0 && d.significand % 10 == 0 {
            d.significand /= 10
            d.scale -= 1
        }
        hasher.combine(d.significand)
        hasher.combine(d.scale)
    }

    /// Plain notation with exactly ``scale`` fraction digits: `-12.50`.
    public var description: String {
        let negative = significand < 0
        var digits = String(significand.magnitude)
        if scale > 0 {
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
        }
        return negative ? "-" + digits : digits
    }

    /// The value with `places` fraction digits when it has no more than that, e.g. money as `1234.50`.
    public func formatted(places: Int) -> String {
        if scale >= places { return description }
        guard let s = rescaled(to: places) else { return description }
        return DecimalValue(significand: s, scale: places).description
    }

    /// A string (`"1200.50"`, exact at any length) or a JSON number. A number is read as the shortest decimal that
    /// gives back the same binary value, which is the number as written up to 15 significant digits (an exponent
    /// included: 1e-5 is 0.00001); a longer one is refused (write it as a string).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let d = DecimalValue(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a decimal: \(text)"))
            }
            self = d
            return
        }
        let number = try container.decode(Double.self)
        let text = Self.plain(number)
        // Significant digits: leading zeros and the zeros after the last other digit do not count.
        let digits = text.filter(\.isNumber).drop { $0 == "0" }.reversed().drop { $0 == "0" }
        guard number.isFinite, digits.count <= 15, let d = DecimalValue(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription:
                "a number with more than 15 significant digits cannot be read exactly: write it as a string, \"123.45\""))
        }
        self = d
    }

    /// The shortest decimal that gives back `number`, without an exponent ("1e-05" is "0.00001", "1e+16" is
    /// "10000000000000000"), without a trailing ".0".
    static func plain(_ number: Double) -> String {
        var text = "\(number)"
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }), let exponent = Int(text[text.index(after: e)...]) {
            var mantissa = String(text[..<e])
            let negative = mantissa.hasPrefix("-")
            if negative { mantissa.removeFirst() }
            let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
            let whole = String(parts[0]), fraction = parts.count > 1 ? String(parts[1]) : ""
            var digits = whole + fraction
            var point = whole.count + exponent
            if point <= 0 { digits = String(repeating: "0", count: 1 - point) + digits; point = 1 }
            if point > digits.count { digits += String(repeating: "0", count: point - digits.count) }
            let head = digits.prefix(point), tail = digits.dropFirst(point)
            text = (negative ? "-" : "") + head + (tail.isEmpty ? "" : "." + tail)
        }
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }

    /// Encodes as a string in plain notation (``description``), so no digit is lost to a binary number.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

extension Sequence where Element == DecimalValue {
    /// Exact sum; `nil` on overflow.
    public func sum() -> DecimalValue? {
        var total = DecimalValue.zero
        for d in self {
            guard let t = total.adding(d) else { return nil }
            total = t
        }
        return total
    }
}

extension StringProtocol {
    /// The text without surrounding XML whitespace, found byte-wise (no grapheme breaking).
    var trimmingXMLSpaceFast: Substring {
        let s = Substring(self)
        let space: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }
        guard let a = s.utf8.firstIndex(where: { !space($0) }), let b = s.utf8.lastIndex(where: { !space($0) })
        else { return "" }
        return s[a...b]
    }
}
