import DocgateConsole
import DocgateCore
import DocgateGateway
import Dispatch
import Testing

/// Logins: the right answer, the same work for unknown names, throttling per name and per address, bounded memory.
@Suite struct AuthenticatorTests {
    static let password = "correct horse battery"
    static let users = try! UsersFile.parse("""
        alice operator \(try! Password.hash(password, cost: 4))
        bob viewer \(try! Password.hash(password, cost: 4))

        """)
    static let dummy = try! Password.hash("nobody knows this one", cost: 4)

    static func make(_ clock: ManualClock = ManualClock(), policy: ThrottlePolicy = ThrottlePolicy()) -> Authenticator {
        Authenticator(users: users, clock: clock, policy: policy, dummyHash: dummy)
    }

    @Test func theRightPasswordIsAcceptedAndAWrongOneRefused() {
        let auth = Self.make()
        #expect(auth.verify(name: "alice", password: Self.password, client: "10.0.0.1") == .accepted(Self.users["alice"]!))
        #expect(auth.verify(name: "alice", password: "wrong password here", client: "10.0.0.1") == .refused)
        #expect(auth.verify(name: "Alice", password: Self.password, client: "10.0.0.1") == .refused)
        #expect(LoginOutcome.refused.code == .DG5057 && LoginOutcome.throttled(retryAfter: 1).code == .DG5058)
    }

    /// An unknown name — valid or not — costs one bcrypt check, like a known one.
    @Test func anUnknownNameIsCheckedAgainstTheDummyHash() {
        let auth = Self.make()
        for name in ["mallory", "alice", "not a valid name", String(repeating: "x", count: 10_000)] {
            let before = auth.passwordChecks
            #expect(auth.verify(name: name, password: "wrong password here", client: "10.0.0.\(name.count % 200)") == .refused)
            #expect(auth.passwordChecks == before + 1, "\(name.prefix(20))")
        }
    }

    @Test func fiveFailuresLockTheNameAndEachFurtherFailureDoublesTheLock() {
        let clock = ManualClock()
        let auth = Self.make(clock)
        for i in 0..<5 { #expect(auth.verify(name: "alice", password: "wrong password here", client: "10.0.1.\(i)") == .refused) }
        let checks = auth.passwordChecks
        // Locked: refused without checking the password, even the right one.
        #expect(auth.verify(name: "alice", password: Self.password, client: "10.0.2.1") == .throttled(retryAfter: 60))
        #expect(auth.passwordChecks == checks)
        var expected: Double = 60
        for _ in 0..<9 {
            clock.advance(expected)
            #expect(auth.verify(name: "alice", password: "wrong password here", client: "10.0.3.1") == .refused)
            expected = min(expected * 2, 3600)
            #expect(auth.verify(name: "alice", password: Self.password, client: "10.0.4.1") == .throttled(retryAfter: expected))
        }
        #expect(expected == 3600)
        clock.advance(3600)
        #expect(auth.verify(name: "alice", password: Self.password, client: "10.0.5.1") == .accepted(Self.users["alice"]!))
        // The success ended the streak: four failures do not lock again.
        for _ in 0..<4 { #expect(auth.verify(name: "alice", password: "wrong password here", client: "10.0.6.1") == .refused) }
        #expect(auth.verify(name: "alice", password: Self.password, client: "10.0.7.1") == .accepted(Self.users["alice"]!))
    }

    @Test func failuresOutsideTheWindowDoNotCount() {
        let clock = ManualClock()
        let auth = Self.make(clock)
        for _ in 0..<4 { _ = auth.verify(name: "bob", password: "wrong password here", client: "10.1.0.1") }
        clock.advance(901)
        for _ in 0..<4 { #expect(auth.verify(name: "bob", password: "wrong password here", client: "10.1.0.2") == .refused) }
        #expect(auth.verify(name: "bob", password: Self.password, client: "10.1.0.3") == .accepted(Self.users["bob"]!))
    }

    /// One address trying many names is locked by its address; one name tried from many addresses by its name.
    @Test func addressesAndNamesAreThrottledIndependently() {
        let auth = Self.make()
        for i in 0..<5 { _ = auth.verify(name: "guess\(i)", password: "wrong password here", client: "192.0.2.7") }
        #expect(auth.verify(name: "bob", password: Self.password, client: "192.0.2.7") == .throttled(retryAfter: 60))
        #expect(auth.verify(name: "bob", password: Self.password, client: "192.0.2.8") == .accepted(Self.users["bob"]!))
        // An IPv6 host holds its whole /64: its addresses count together; an IPv4-mapped address as IPv4.
        for i in 0..<5 { _ = auth.verify(name: "v6guess\(i)", password: "wrong password here", client: "2001:db8:1:2::\(i + 1)") }
        #expect(auth.verify(name: "bob", password: Self.password, client: "2001:db8:1:2:ffff::9") == .throttled(retryAfter: 60))
        #expect(auth.verify(name: "bob", password: Self.password, client: "2001:db8:1:3::1") == .accepted(Self.users["bob"]!))
        #expect(auth.verify(name: "bob", password: Self.password, client: "::ffff:192.0.2.7") == .throttled(retryAfter: 60))
    }

    /// Parallel attempts cannot slip past the threshold while their hashes are being checked: however many arrive
    /// at once, five passwords are checked and the rest refused unchecked.
    @Test func parallelAttemptsCheckNoMoreThanTheThreshold() {
        let auth = Self.make()
        DispatchQueue.concurrentPerform(iterations: 40) { i in
            _ = auth.verify(name: "alice", password: "wrong password \(i)", client: "198.51.100.\(i)")
        }
        #expect(auth.passwordChecks == 5)
        #expect(auth.verify(name: "alice", password: Self.password, client: "198.51.100.200") == .throttled(retryAfter: 60))
    }

    /// Cycling names and addresses keeps memory bounded, and does not wash out a known user's lock.
    @Test func trackedEntriesAreBoundedAndAKnownUsersLockSurvives() {
        var policy = ThrottlePolicy()
        policy.capacity = 50
        let auth = Self.make(policy: policy)
        for i in 0..<5 { _ = auth.verify(name: "alice", password: "wrong password here", client: "10.9.0.\(i)") }
        for i in 0..<400 { _ = auth.verify(name: "n\(i)", password: "", client: "10.\(i / 250).\(i % 250).9") }
        let tracked = auth.trackedEntries
        #expect(tracked.names <= 50 && tracked.clients <= 50, "\(tracked)")
        #expect(auth.verify(name: "alice", password: Self.password, client: "10.99.0.1") == .throttled(retryAfter: 60))
    }
}
