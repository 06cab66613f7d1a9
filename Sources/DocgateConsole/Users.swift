import DocgateCore

/// A user of the console as the users file lists them: a name, a role and the bcrypt hash of their password.
public struct ConsoleUser: Sendable, Hashable {
    /// The login name (``UserName/isValid(_:)``).
    public let name: String
    /// What the user may do.
    public let role: Role
    /// The bcrypt hash of the password (never shown).
    public let hash: String

    /// A user from checked parts: use ``UsersFile/adding(_:role:password:cost:)`` to make one from a password.
    public init(name: String, role: Role, hash: String) {
        (self.name, self.role, self.hash) = (name, role, hash)
    }
}

/// User names: 1 to 64 characters of `A–Z a–z 0–9 . _ @ -`, nothing else — no spaces, no controls, no letters
/// outside ASCII (no look-alikes), so a name is safe in a log line, a file line and a page.
public enum UserName {
    /// Longest name, in characters (all ASCII).
    public static let maximumLength = 64

    /// Whether `name` may be a user name.
    public static func isValid(_ name: String) -> Bool {
        let bytes = name.utf8
        guard (1...maximumLength).contains(bytes.count) else { return false }
        return bytes.allSatisfy { c in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || c == UInt8(ascii: ".") || c == UInt8(ascii: "_")
                || c == UInt8(ascii: "@") || c == UInt8(ascii: "-")
        }
    }

    /// Refuses a name that is not valid (DG5054); the name is not repeated, only its length, since it may hold
    /// anything a terminal would act on.
    public static func check(_ name: String) throws(ConsoleError) {
        guard isValid(name) else {
            throw ConsoleError(.DG5054, ru: "имя пользователя должно состоять из 1–64 знаков A–Z a–z 0–9 . _ @ - (дано знаков: \(name.count))",
                               en: "a user name is 1 to 64 of A–Z a–z 0–9 . _ @ - (\(name.count) characters given)")
        }
    }
}

extension Role {
    /// The role named `text`, or DG5054.
    public static func named(_ text: String) throws(ConsoleError) -> Role {
        guard let role = Role(rawValue: text) else {
            throw ConsoleError(.DG5054, ru: "роль — viewer или operator", en: "a role is viewer or operator")
        }
        return role
    }
}
