import DocgateConsole
import Testing

/// The session cookie: its attributes, and the token read back from hostile `Cookie` headers.
@Suite struct SessionCookieTests {
    static let token = Token.random()
    static let other = Token.random()

    @Test func theCookieIsHttpOnlySecureAndStrict() {
        #expect(SessionCookie.setCookie(token: Self.token) == "docgate_session=\(Self.token); Path=/; HttpOnly; Secure; SameSite=Strict")
        #expect(SessionCookie.expiredCookie == "docgate_session=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT")
    }

    @Test func theTokenIsFoundAmongOtherCookiesAndOddSpacing() {
        let t = Self.token
        for header in ["docgate_session=\(t)", "a=1; docgate_session=\(t)", "a=1;docgate_session=\(t);b=2", "  docgate_session = \(t)  ;",
                       "\tdocgate_session=\"\(t)\"", ";;; x ; docgate_session=\(t);;", "docgate_session=\(t); docgate_session=\(t)",
                       (0..<300).map { "c\($0)=v" }.joined(separator: "; ") + "; docgate_session=\(t)"] {
            #expect(SessionCookie.token(fromCookieHeader: header) == t, "\(header.prefix(60))")
        }
    }

    @Test func hostileHeadersGiveNoToken() {
        let t = Self.token
        let oversized = String(repeating: "x=y; ", count: 2000) + "docgate_session=\(t)"
        for header in ["", "docgate_session", "docgate_session=", "docgate_session=short", "docgate_session=\(t)x",
                       "Docgate_session=\(t)", "xdocgate_session=\(t)", "docgate_session=\(t.dropLast())=", "docgate_session=\(t.dropLast())\u{0}",
                       "docgate_session=\(Self.other); docgate_session=\(t)", "docgate_session=\(t); docgate_session=bad", oversized,
                       "docgate_session=\"\(t)", "docgate_session=\u{FEFF}\(t)"] {
            #expect(SessionCookie.token(fromCookieHeader: header) == nil, "\(header.prefix(80))")
        }
    }
}
