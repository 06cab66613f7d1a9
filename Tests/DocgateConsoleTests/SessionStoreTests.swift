import DocgateConsole
import DocgateCore
import DocgateGateway
import Testing

/// Sessions: fresh random tokens, the idle and absolute timeouts, logout, the caps, and the users file's reload.
@Suite struct SessionStoreTests {
    static let hash = try! Password.hash("correct horse battery", cost: 4)
    static let alice = ConsoleUser(name: "alice", role: .operator, hash: hash)
    static let bob = ConsoleUser(name: "bob", role: .viewer, hash: hash)

    @Test func aLoginGetsFreshRandomTokens() {
        let store = SessionStore(clock: ManualClock())
        let sessions = (0..<200).map { _ in store.create(for: Self.alice) }
        let tokens = sessions.map(\.token) + sessions.map(\.csrfToken)
        #expect(Set(tokens).count == 400)
        #expect(tokens.allSatisfy { Token.isWellFormed($0) && $0.utf8.count == 43 })
        let s = sessions[199]
        #expect(store.session(for: s.token)?.name == "alice" && store.session(for: s.token)?.role == .operator)
        #expect(store.session(for: s.csrfToken) == nil)
        #expect(store.session(for: "") == nil && store.session(for: s.token + "x") == nil)
    }

    @Test func anIdleSessionEndsAndAUsedOneLastsUntilTheAbsoluteLimit() {
        let clock = ManualClock()
        let store = SessionStore(settings: SessionSettings(idle: 1800, absolute: 43_200), clock: clock)
        let idle = store.create(for: Self.bob)
        let busy = store.create(for: Self.alice)
        clock.advance(1799)
        #expect(store.session(for: busy.token) != nil)
        clock.advance(1)
        #expect(store.session(for: idle.token) == nil)
        // Used every 29 minutes: alive until 12 hours after its login, then gone.
        while clock.now() + 1740 < busy.created + 43_200 {
            clock.advance(1740)
            #expect(store.session(for: busy.token) != nil)
        }
        clock.advance(busy.created + 43_200 - clock.now())
        #expect(store.session(for: busy.token) == nil)
        #expect(store.count == 0)
    }

    /// The dashboard's own refresh is not a use: a session left open on it ends at the idle limit.
    @Test func aLookupThatDoesNotTouchLeavesTheIdleClockRunning() {
        let clock = ManualClock()
        let store = SessionStore(settings: SessionSettings(idle: 1800, absolute: 43_200), clock: clock)
        let s = store.create(for: Self.bob)
        for _ in 0..<59 {
            clock.advance(30)
            #expect(store.session(for: s.token, touching: false) != nil)
        }
        clock.advance(30)
        #expect(store.session(for: s.token, touching: false) == nil)
        #expect(store.count == 0)
    }

    @Test func logoutEndsTheSession() {
        let store = SessionStore(clock: ManualClock())
        let s = store.create(for: Self.alice)
        let other = store.create(for: Self.alice)
        store.end(s.token)
        #expect(store.session(for: s.token) == nil && store.session(for: other.token) != nil)
        #expect(SessionCookie.token(fromCookieHeader: SessionCookie.expiredCookie) == nil)
    }

    /// A reload ends the sessions of users removed, or whose role or password changed; the others stay.
    @Test func aReloadEndsTheSessionsOfChangedUsers() throws {
        let store = SessionStore(clock: ManualClock())
        let carol = ConsoleUser(name: "carol", role: .viewer, hash: Self.hash)
        let (a, b, c) = (store.create(for: Self.alice), store.create(for: Self.bob), store.create(for: carol))
        let text = "alice viewer \(Self.hash)\nbob viewer \(try Password.hash("a new password!", cost: 4))\ncarol viewer \(Self.hash)\n"
        #expect(store.retain(try UsersFile.parse(text)) == 2)
        #expect(store.session(for: a.token) == nil && store.session(for: b.token) == nil && store.session(for: c.token) != nil)
        #expect(store.retain(UsersFile()) == 1)
        #expect(store.count == 0)
    }

    @Test func sessionsAreCappedInAllAndPerUser() {
        let clock = ManualClock()
        var settings = SessionSettings()
        (settings.capacity, settings.perUser) = (10, 3)
        let store = SessionStore(settings: settings, clock: clock)
        let mine = (0..<5).map { _ in clock.advance(1); return store.create(for: Self.alice) }
        #expect(store.count == 3)
        #expect(mine.prefix(2).allSatisfy { store.session(for: $0.token) == nil } && mine.suffix(3).allSatisfy { store.session(for: $0.token) != nil })
        for i in 0..<30 { clock.advance(1); _ = store.create(for: ConsoleUser(name: "u\(i)", role: .viewer, hash: Self.hash)) }
        #expect(store.count == 10)
    }

    @Test func theCSRFTokenIsComparedExactly() {
        let s = SessionStore(clock: ManualClock()).create(for: Self.alice)
        #expect(s.csrfMatches(s.csrfToken))
        for wrong in ["", String(s.csrfToken.dropLast()), s.csrfToken + "A", String(s.csrfToken.dropLast()) + (s.csrfToken.hasSuffix("A") ? "B" : "A"),
                      s.token, s.csrfToken.uppercased() == s.csrfToken ? s.csrfToken.lowercased() : s.csrfToken.uppercased()] {
            #expect(!s.csrfMatches(wrong), "\(wrong)")
        }
        #expect(Token.equalInConstantTime("abc", "abc") && !Token.equalInConstantTime("abc\u{0}", "abc") && !Token.equalInConstantTime("ab", "abc"))
    }
}
