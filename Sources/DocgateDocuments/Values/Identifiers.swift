/// Russian identifiers and their check digits (ФНС, ПФР rules), as in `shared/domain.md` §4.
public enum Identifiers {
    private static func digits(_ s: String) -> [Int]? {
        var out: [Int] = []
        out.reserveCapacity(s.utf8.count)
        for c in s.utf8 {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            out.append(Int(c - 0x30))
        }
        return out
    }

    private static func weighted(_ d: [Int], _ w: [Int]) -> Int {
        zip(d, w).reduce(0) { $0 + $1.0 * $1.1 } % 11 % 10
    }

    /// ИНН: 10 digits (organisation) or 12 (person, entrepreneur) with valid check digits.
    public static func isValidINN(_ inn: String) -> Bool {
        var s = inn
        return s.withUTF8 { isValidINN(bytes: $0) }
    }

    /// ИНН check on raw UTF-8 bytes.
    public static func isValidINN(bytes b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count == 10 || b.count == 12, b.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        func w(_ weights: [Int]) -> Int {
            var sum = 0
            for (i, x) in weights.enumerated() { sum += Int(b[i] - 0x30) * x }
            return sum % 11 % 10
        }
        if b.count == 10 { return w([2, 4, 10, 3, 5, 9, 4, 6, 8]) == Int(b[9] - 0x30) }
        return w([7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == Int(b[10] - 0x30) && w([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) == Int(b[11] - 0x30)
    }

    /// ОГРН (13 digits, first 12 mod 11 mod 10) or ОГРНИП (15 digits, first 14 mod 13 mod 10).
    public static func isValidOGRN(_ ogrn: String) -> Bool {
        var s = ogrn
        return s.withUTF8 { isValidOGRN(bytes: $0) }
    }

    /// ОГРН/ОГРНИП check on raw UTF-8 bytes.
    public static func isValidOGRN(bytes b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count == 13 || b.count == 15, b.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        let modulus = b.count == 13 ? 11 : 13
        var remainder = 0
        for digit in b.dropLast() { remainder = (remainder * 10 + Int(digit - 0x30)) % modulus }
        return remainder % 10 == Int(b[b.count - 1] - 0x30)
    }

    /// СНИЛС written `ddd-ddd-ddd cc`; numbers up to 001-001-998 carry no checksum.
    public static func isValidSNILS(_ snils: String) -> Bool {
        let bare = snils.filter { $0 != "-" && $0 != " " }
        guard let d = digits(bare), d.count == 11 else { return false }
        let number = d[0..<9].reduce(0) { $0 * 10 + $1 }
        if number <= 1_001_998 { return true }
        var s = 0
        for i in 0..<9 { s += d[i] * (9 - i) }
        var check: Int
        if s < 100 { check = s } else if s <= 101 { check = 0 } else { check = s % 101; if check == 100 { check = 0 } }
        return check == d[9] * 10 + d[10]
    }

    /// An expense КБК: ГРБС (3) + раздел/подраздел (4) + целевая статья (10: программа 2, тип 1, элемент 2 of
    /// digits or capital letters, направление 5 starting with a digit or capital letter) + вид расходов (3).
    public static func isExpenseKBK(_ kbk: String) -> Bool {
        let c = Array(kbk.unicodeScalars)
        guard c.count == 20 else { return false }
        let isDigit: (Unicode.Scalar) -> Bool = { $0.value >= 0x30 && $0.value <= 0x39 }
        let isLetter: (Unicode.Scalar) -> Bool = {
            ($0.value >= 0x41 && $0.value <= 0x5A) || ($0.value >= 0x410 && $0.value <= 0x42F)
        }
        for i in 0..<10 where !isDigit(c[i]) { return false }        // ГРБС, РзПр, программа, тип
        for i in 10..<13 where !(isDigit(c[i]) || isLetter(c[i])) { return false }
        for i in 13..<20 where !isDigit(c[i]) { return false }
        return true
    }

    /// Latin capitals that look like Cyrillic ones, mapped to the Cyrillic letter.
    static let confusables: [Unicode.Scalar: Unicode.Scalar] = [
        "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "K": "К", "M": "М", "O": "О", "P": "Р", "T": "Т",
        "X": "Х", "Y": "У",
    ]

    /// The verdict on a service's уникальный номер реестровой записи.
    public enum RegNumCheck: Equatable, Sendable {
        /// In the standard form (DG3004 and DG3005 stay silent).
        case standard
        /// Matches the standard form only once Latin look-alikes are read as Cyrillic letters.
        case confusable(corrected: String)
        /// Not in the standard form, even with look-alikes read as Cyrillic (DG3005, a warning).
        case nonStandard
    }

    /// Checks a service registry number against `\d{6}[ОР]\.\d{2}\.\d\.[А-Я]{2}\d{2}[А-Я]{2}\d{5}` (Cyrillic letters).
    public static func checkServiceRegNum(_ value: String) -> RegNumCheck {
        let scalars = Array(value.unicodeScalars)
        if isStandardRegNum(scalars) { return .standard }
        let corrected = scalars.map { confusables[$0] ?? $0 }
        if corrected != scalars && isStandardRegNum(corrected) {
            var s = String.UnicodeScalarView()
            s.append(contentsOf: corrected)
            return .confusable(corrected: String(s))
        }
        return .nonStandard
    }

    /// The standard layout checked on UTF-8 bytes directly (the common case, no string needed).
    public static func isStandardRegNum(bytes b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard b.count == 29 else { return false }
        func digit(_ i: Int) -> Bool { b[i] >= 0x30 && b[i] <= 0x39 }
        func cyr(_ i: Int) -> Bool { b[i] == 0xD0 && ((b[i + 1] >= 0x90 && b[i + 1] <= 0xAF) || b[i + 1] == 0x81) }
        for i in 0..<6 where !digit(i) { return false }
        guard b[6] == 0xD0, b[7] == 0x9E || b[7] == 0xA0, b[8] == 0x2E, digit(9), digit(10), b[11] == 0x2E, digit(12),
              b[13] == 0x2E, cyr(14), cyr(16), digit(18), digit(19), cyr(20), cyr(22) else { return false }
        for i in 24..<29 where !digit(i) { return false }
        return true
    }

    /// Layout of the 24 characters: digits, «О»/«Р», dots and capital Cyrillic letters.
    private static func isStandardRegNum(_ c: [Unicode.Scalar]) -> Bool {
        guard c.count == 24 else { return false }
        func digit(_ x: Unicode.Scalar) -> Bool { x.value >= 0x30 && x.value <= 0x39 }
        func cyr(_ x: Unicode.Scalar) -> Bool { (x.value >= 0x410 && x.value <= 0x42F) || x.value == 0x401 }
        for i in 0..<6 where !digit(c[i]) { return false }
        guard c[6] == "О" || c[6] == "Р", c[7] == ".", digit(c[8]), digit(c[9]), c[10] == ".", digit(c[11]),
              c[12] == ".", cyr(c[13]), cyr(c[14]), digit(c[15]), digit(c[16]), cyr(c[17]), cyr(c[18]) else { return false }
        for i in 19..<24 where !digit(c[i]) { return false }
        return true
    }
}
