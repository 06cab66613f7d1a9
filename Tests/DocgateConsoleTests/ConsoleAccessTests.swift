import DocgateConsole
import DocgateCore
import DocgateGateway
import DocgateTestSupport
import Glibc
import Testing

/// The access layer over a real users file: login opens a session, a reload ends the sessions it must and keeps
/// the users in force when the new file cannot be used.
@Suite struct ConsoleAccessTests {
    static let dummy = try! Password.hash("nobody knows this one", cost: 4)

    @Test func aLoginOpensASessionAndAReloadEndsIt() throws {
        let dir = try TemporaryDirectory("console-access")
        defer { dir.remove() }
        let path = dir.file("users")
        try UsersFile.update(path, creating: true) { f throws(ConsoleError) in
            try f.adding("alice", role: .operator, password: "correct horse battery", cost: 4)
                .adding("bob", role: .viewer, password: "battery staple horse", cost: 4)
        }
        let access = try ConsoleAccess(usersPath: path, clock: ManualClock(), dummyHash: Self.dummy)
        #expect(throws: LoginFailure(outcome: .refused)) { try access.login(name: "alice", password: "nope nope nope", client: "127.0.0.1").get() }
        let alice = try access.login(name: "alice", password: "correct horse battery", client: "127.0.0.1").get()
        let bob = try access.login(name: "bob", password: "battery staple horse", client: "127.0.0.1").get()
        #expect(access.sessions.session(for: alice.token)?.role == .operator)
        try UsersFile.update(path) { f throws(ConsoleError) in try f.removing("alice") }
        #expect(try access.reload() == 1)
        #expect(access.sessions.session(for: alice.token) == nil && access.sessions.session(for: bob.token) != nil)
        #expect(throws: LoginFailure(outcome: .refused)) { try access.login(name: "alice", password: "correct horse battery", client: "127.0.0.1").get() }
    }

    @Test func aReloadOfAnUnusableFileKeepsTheUsersInForce() throws {
        let dir = try TemporaryDirectory("console-access")
        defer { dir.remove() }
        let path = dir.file("users")
        try UsersFile.update(path, creating: true) { f throws(ConsoleError) in try f.adding("alice", role: .viewer, password: "correct horse battery", cost: 4) }
        let access = try ConsoleAccess(usersPath: path, clock: ManualClock(), dummyHash: Self.dummy)
        let session = try access.login(name: "alice", password: "correct horse battery", client: "::1").get()
        chmod(path, 0o666)
        #expect(throws: ConsoleError(.DG5053, ru: "", en: "")) { try access.reload() }
        #expect(access.currentUsers["alice"] != nil && access.sessions.session(for: session.token) != nil)
        #expect(throws: Never.self) { try access.login(name: "alice", password: "correct horse battery", client: "::1").get() }
    }
}
