/// The session cookie: `docgate_session`, sent only over HTTPS (`Secure`; browsers make an exception for
/// localhost), never to scripts (`HttpOnly`), never with a request another site starts (`SameSite=Strict`).
public enum SessionCookie {
    /// The cookie's name.
    public static let name = "docgate_session"
    /// Longest `Cookie` header looked at; a longer one is refused whole rather than cut.
    public static let maximumHeaderBytes = 8192

    private static let attributes = "; Path=/; HttpOnly; Secure; SameSite=Strict"

    /// The `Set-Cookie` value that sets a session's cookie (a browser session cookie: no expiry of its own, the
    /// server's timeouts end it).
    public static func setCookie(token: String) -> String {
        name + "=" + token + attributes
    }

    /// The `Set-Cookie` value of a logout: the cookie emptied and expired at once.
    public static var expiredCookie: String {
        name + "=" + attributes + "; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
    }

    /// The session token in a `Cookie` header, or nil. Several `Cookie` headers (HTTP/2) are joined with `; `
    /// first. Refused (nil): a header over ``maximumHeaderBytes``, no `docgate_session`, a value that is not a
    /// token's shape, and two `docgate_session` cookies with different values — one of them was planted (a cookie
    /// set by a sibling domain or for a narrower path comes first), and neither is trusted.
    public static func token(fromCookieHeader header: String) -> String? {
        guard header.utf8.count <= maximumHeaderBytes else { return nil }
        var found: String?
        for pair in header.utf8.split(separator: UInt8(ascii: ";"), omittingEmptySubsequences: true) {
            guard let eq = pair.firstIndex(of: UInt8(ascii: "=")) else { continue }
            guard trimmed(pair[..<eq]).elementsEqual(name.utf8) else { continue }
            var value = trimmed(pair[pair.index(after: eq)...])
            if value.count >= 2, value.first == UInt8(ascii: "\""), value.last == UInt8(ascii: "\"") {
                value = value.dropFirst().dropLast()
            }
            let text = String(decoding: value, as: UTF8.self)
            guard Token.isWellFormed(text), found == nil || found == text else { return nil }
            found = text
        }
        return found
    }

    private static func trimmed(_ s: Substring.UTF8View.SubSequence) -> Substring.UTF8View.SubSequence {
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let a = s.firstIndex(where: { !blank($0) }), let b = s.lastIndex(where: { !blank($0) }) else { return s[s.endIndex...] }
        return s[a...b]
    }
}
