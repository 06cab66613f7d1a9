import DocgateConsole
import DocgateCore
import Testing

/// Password rules and bcrypt: what bcrypt would silently cut is refused, when set and when checked.
@Suite struct PasswordTests {
    @Test(arguments: ["", "short", "eleven char", "line\nbreak in it", "tab\there and more", "nul\u{0}inside ok long", "del\u{7F}ete me please",
                      "c1\u{85}next line here", String(repeating: "x", count: 73), String(repeating: "я", count: 37)])
    func passwordsBreakingARuleAreRefused(_ password: String) {
        #expect(throws: ConsoleError(.DG5055, ru: "", en: "")) { try Password.check(password) }
    }

    @Test(arguments: ["twelve chars", String(repeating: "x", count: 72), String(repeating: "я", count: 36), "пароль из слов 2025"])
    func passwordsWithinTheRulesAreAccepted(_ password: String) throws {
        try Password.check(password)
        let hash = try Password.hash(password, cost: 4)
        #expect(hash.hasPrefix("$2b$04$") && Password.isWellFormed(hash))
        #expect(Password.verify(password, hash: hash))
        #expect(!Password.verify(password + "!", hash: hash))
        #expect(!Password.verify(String(password.dropLast()), hash: hash))
    }

    /// bcrypt reads 72 bytes: a login with a 72-byte password and anything after it would match. Refused.
    @Test func aLoginPasswordBcryptWouldCutNeverMatches() throws {
        let stored = String(repeating: "k", count: 72)
        let hash = try Password.hash(stored, cost: 4)
        #expect(Password.verify(stored, hash: hash))
        #expect(!Password.verify(stored + "anything", hash: hash))
        // bcrypt stops at NUL: "secret\0…" would be checked as "secret".
        let short = try Password.hash("twelve chars", cost: 4)
        #expect(!Password.verify("twelve chars\u{0}and more", hash: short))
    }

    @Test func malformedHashesNeverMatch() throws {
        let hash = try Password.hash("twelve chars", cost: 4)
        for bad in ["", "$2b$04$", String(hash.dropLast()), hash + "x", "$2b$40$" + hash.dropFirst(7), "$1$" + hash.dropFirst(3)] {
            #expect(!Password.isWellFormed(bad), "\(bad)")
            #expect(!Password.verify("twelve chars", hash: bad))
        }
    }

    /// The hash checked for an unknown name must cost what a real one costs, or the time of the answer tells the
    /// names apart; a malformed one would not be checked at all.
    @Test func theDummyHashIsAWellFormedHashAtTheDefaultCost() {
        #expect(Password.isWellFormed(Password.dummyHash))
        #expect(Password.cost(of: Password.dummyHash) == Int(Password.defaultCost))
    }
}
