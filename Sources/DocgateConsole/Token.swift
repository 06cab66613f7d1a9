/// Random tokens for sessions and CSRF: 256 bits from the system's generator (`getrandom`), base64url without
/// padding (43 characters).
public enum Token {
    /// Characters of a token.
    public static let length = 43
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// A new token.
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<4).flatMap { _ in withUnsafeBytes(of: generator.next() as UInt64) { Array($0) } }
        return base64url(bytes)
    }

    /// Whether `text` has a token's shape (43 characters of base64url); anything else is not looked up.
    public static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == length && text.utf8.allSatisfy { alphabet.contains($0) }
    }

    /// Whether two strings are equal, looking at every byte of the expected one whatever the first difference, so
    /// that the time taken does not tell how much of a guess was right.
    public static func equalInConstantTime(_ presented: String, _ expected: String) -> Bool {
        let a = Array(presented.utf8), b = Array(expected.utf8)
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        difference |= a.count == b.count ? 0 : 1
        for i in 0..<b.count {
            difference |= b[i] ^ (i < a.count ? a[i] : 0)
        }
        return difference == 0
    }

    static func base64url(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let chunk = Array(bytes[i..<min(i + 3, bytes.count)])
            let n = (UInt32(chunk[0]) << 16) | (UInt32(chunk.count > 1 ? chunk[1] : 0) << 8) | UInt32(chunk.count > 2 ? chunk[2] : 0)
            for k in 0..<(chunk.count + 1) {
                out.append(alphabet[Int((n >> (18 - 6 * UInt32(k))) & 0x3F)])
            }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
