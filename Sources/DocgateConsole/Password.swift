import DocgateCore
import HummingbirdBcrypt

/// The rules a console password must keep, and its bcrypt hash.
///
/// bcrypt reads at most 72 bytes and stops at a NUL byte: a longer password, or one with a NUL, would be cut
/// silently, so both are refused instead — when a password is set and when one is checked.
public enum Password {
    /// Fewest characters of a password.
    public static let minimumCharacters = 12
    /// Most bytes (UTF-8) of a password: bcrypt's limit.
    public static let maximumBytes = 72
    /// The work factor of new hashes (log2 of the rounds): about a quarter of a second per check.
    public static let defaultCost: UInt8 = 12
    /// Costs accepted in a users file: bcrypt's lowest, up to one that still answers a login in seconds.
    public static let acceptedCosts: ClosedRange<Int> = 4...18

    /// Refuses a password that is too short, too long for bcrypt, or holds a control character (NUL, a line end,
    /// a tab, DEL, C1).
    /// - Throws: DG5055, saying which rule it breaks.
    public static func check(_ password: String) throws(ConsoleError) {
        if password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw ConsoleError(.DG5055, ru: "пароль содержит управляющий знак (перевод строки, табуляцию, NUL и т. п.)",
                               en: "the password holds a control character (a line end, a tab, NUL or the like)")
        }
        if password.count < minimumCharacters {
            throw ConsoleError(.DG5055, ru: "пароль короче \(minimumCharacters) знаков",
                               en: "the password is shorter than \(minimumCharacters) characters")
        }
        if password.utf8.count > maximumBytes {
            throw ConsoleError(.DG5055, ru: "пароль длиннее \(maximumBytes) байт (предел bcrypt; лишнее не учитывалось бы)",
                               en: "the password is longer than \(maximumBytes) bytes (bcrypt's limit; the rest would be ignored)")
        }
    }

    /// A new bcrypt hash (`$2b$`, random salt) of a password that passed ``check(_:)``.
    /// - Parameter cost: log2 of the rounds, within ``acceptedCosts``; lower only in tests.
    public static func hash(_ password: String, cost: UInt8 = defaultCost) throws(ConsoleError) -> String {
        try check(password)
        precondition(acceptedCosts.contains(Int(cost)), "bcrypt cost \(cost) outside \(acceptedCosts)")
        return Bcrypt.hash(password, cost: cost)
    }

    /// Whether `password` is the one `hash` was made from. A password bcrypt would cut (over 72 bytes, a NUL) never
    /// matches, nor does a malformed hash. Slow by design (the hash's cost): call it off the event loop.
    public static func verify(_ password: String, hash: String) -> Bool {
        guard password.utf8.count <= maximumBytes, !password.utf8.contains(0), isWellFormed(hash) else { return false }
        return Bcrypt.verify(password, hash: hash)
    }

    /// `$2a$`, `$2b$` or `$2y$`, two digits of cost within ``acceptedCosts``, `$`, then 53 characters of bcrypt's
    /// base64 (22 of salt, 31 of hash).
    public static func isWellFormed(_ hash: String) -> Bool {
        let b = Array(hash.utf8)
        guard b.count == 60, b[0] == UInt8(ascii: "$"), b[1] == UInt8(ascii: "2"), b[3] == UInt8(ascii: "$"),
              b[6] == UInt8(ascii: "$"), [UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "y")].contains(b[2]),
              let cost = cost(of: hash), acceptedCosts.contains(cost) else { return false }
        return b[7...].allSatisfy { c in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "/")
        }
    }

    /// The cost written in a hash (`$2b$12$…` → 12), or nil.
    public static func cost(of hash: String) -> Int? {
        let b = Array(hash.utf8.prefix(7))
        guard b.count == 7, (0x30...0x39).contains(b[4]), (0x30...0x39).contains(b[5]) else { return nil }
        return Int(b[4] - 0x30) * 10 + Int(b[5] - 0x30)
    }

    /// The hash checked when a login names no user, so that an unknown name costs the time a wrong password does: the
    /// hash, at ``defaultCost``, of a random password that was thrown away.
    public static let dummyHash = "$2b$12$oEAVk6ElS1EGZ4QQe67DFuhNyTjP4UjqXV3nUHsf0w.E8zcMLklwu"
}
