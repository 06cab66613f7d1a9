@testable import DocgateConsoleWeb
import DocgateConsole
import DocgateCore
import DocgateDocuments
@testable import DocgateGateway
import DocgateTestSupport
import Dispatch
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// What the outside review of issue 19 found, each a test: a journal that fails, an upload without a session, requeue
/// with hostile journal names, the date filter in local time, a PDF being printed.
@Suite struct ConsoleRobustnessTests {
    /// A journal that answers like `base` until `down` is set, then fails every read the console makes.
    final class FlakyJournal: Journal, @unchecked Sendable {
        let base: SQLiteJournal
        let down = Atomic<Bool>(false)
        init(_ base: SQLiteJournal) { self.base = base }
        struct Down: Error, CustomStringConvertible { var description: String { "journal down (test)" } }
        func check() throws { if down.load(ordering: .relaxed) { throw Down() } }

        func claim(_ r: [ClaimRequest], owner: String, lease: Double, now: Double) throws -> [JournalEntry] { try base.claim(r, owner: owner, lease: lease, now: now) }
        func apply(_ t: [Transition], owner: String, lease: Double, now: Double) throws -> [Bool] { try base.apply(t, owner: owner, lease: lease, now: now) }
        func recover(owner: String, routes: [String], lease: Double, now: Double) throws -> [JournalEntry] { try base.recover(owner: owner, routes: routes, lease: lease, now: now) }
        func renew(owner: String, routes: [String], lease: Double, now: Double) throws -> Int { try base.renew(owner: owner, routes: routes, lease: lease, now: now) }
        func deliveredHashes(route: String, documentIds: [String]) throws -> [String: [String]] { try base.deliveredHashes(route: route, documentIds: documentIds) }
        func entry(_ id: Int64) throws -> JournalEntry? { try check(); return try base.entry(id) }
        func list(limit: Int, outcome: Outcome?, unfinishedOnly: Bool) throws -> [JournalEntry] { try check(); return try base.list(limit: limit, outcome: outcome, unfinishedOnly: unfinishedOnly) }
        func stats() throws -> JournalStats { try check(); return try base.stats() }
        func search(_ q: JournalQuery) throws -> [JournalEntry] { try check(); return try base.search(q) }
        func history(_ id: Int64) throws -> [JournalEvent] { try check(); return try base.history(id) }
        func recordAction(entryId: Int64?, actor: String, action: String, note: String, now: Double) throws { try check(); try base.recordAction(entryId: entryId, actor: actor, action: action, note: note, now: now) }
        func actions(limit: Int, before: Int64?) throws -> [JournalEvent] { try check(); return try base.actions(limit: limit, before: before) }
        func hourlyOutcomes(since: Double, until: Double) throws -> [HourlyCount] { try check(); return try base.hourlyOutcomes(since: since, until: until) }
        func topErrorCodes(since: Double, limit: Int) throws -> [(code: String, count: Int)] { try check(); return try base.topErrorCodes(since: since, limit: limit) }
        func instances() throws -> [InstanceClaims] { try check(); return try base.instances() }
        func registryAdd(_ entries: [(id: String, kind: String, json: [UInt8])], owner: String) throws { try base.registryAdd(entries, owner: owner) }
        func registryAll() throws -> [[UInt8]] { try base.registryAll() }
        func registryLiveEntries(cutoff: Double) throws -> [RegistryRow] { try base.registryLiveEntries(cutoff: cutoff) }
        func registryFind(keys: [String], cutoff: Double) throws -> [RegistryRow] { try base.registryFind(keys: keys, cutoff: cutoff) }
        func registryFillKeys() throws -> Int { try base.registryFillKeys() }
        func registryHighestSeq() throws -> Int64 { try base.registryHighestSeq() }
        func registrySeqs(after seq: Int64, owner: String) throws -> [(seq: Int64, mine: Bool)] { try base.registrySeqs(after: seq, owner: owner) }
        func registryBodies(_ seqs: [Int64]) throws -> [RegistryRow] { try base.registryBodies(seqs) }
        func pruneEntries(before cutoff: Double, limit: Int) throws -> [String: Int] { try base.pruneEntries(before: cutoff, limit: limit) }
        func prunableEntries(before cutoff: Double) throws -> [String: Int] { try base.prunableEntries(before: cutoff) }
        func pruneRegistry(before cutoff: Double, after: Int64, limit: Int, dryRun: Bool) throws -> RegistryPruneStep { try base.pruneRegistry(before: cutoff, after: after, limit: limit, dryRun: dryRun) }
        func vacuum(pages: Int) throws -> Int { try base.vacuum(pages: pages) }
        var isAvailable: Bool { !down.load(ordering: .relaxed) && base.isAvailable }
    }

    /// Finding: a journal error mid-request. The dashboard says «Журнал не ответил», but the journal, the quarantine
    /// and a document's page throw out of the handler: Hummingbird answers a bare 500 with an empty body (and
    /// without the console's security headers, since SecurityHeaders only catches 404).
    @Test func aJournalErrorIsToldOnEveryPageNotABare500() async throws {
        let site = try ConsoleWebTests.Site()
        defer { site.dir.remove() }
        let id = try site.rejected("EXECREPORT_X.xml")
        let flaky = FlakyJournal(site.journal)
        var deps = site.deps
        deps.journal = flaky
        let app = Application(router: ConsoleServer.router(deps))
        try await app.test(.live) { client in
            let op = try await ConsoleWebTests.login(client, "anna", "operator-password-1")
            flaky.down.store(true, ordering: .relaxed)
            for path in ["/", "/journal", "/quarantine", "/documents/\(id)"] {
                try await client.execute(uri: path, method: .get, headers: [.cookie: op.cookie]) { r in
                    let page = String(buffer: r.body)
                    #expect(r.status != .internalServerError, "\(path): \(r.status)")
                    #expect(page.contains("Журнал"), "\(path): the page does not say the journal failed: \(page.prefix(80))")
                    #expect(r.headers[HTTPField.Name("Content-Security-Policy")!] != nil, "\(path): no CSP on the error answer")
                }
            }
        }
    }

    /// Finding: the upload is read (up to 32 MB + 64 KiB) and parsed before the session is looked at, so anyone who
    /// can reach the console, without logging in, makes it buffer 32 MB per request. An unauthenticated POST should be
    /// sent to the login page before its body is read.
    @Test func anUploadWithoutASessionIsRefusedBeforeItsBodyIsRead() async throws {
        let site = try ConsoleWebTests.Site()
        defer { site.dir.remove() }
        try await withConsole(site) { client in
            let boundary = "x"
            var body = ByteBuffer(string: "--\(boundary)\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.xml\"\r\n\r\n")
            body.writeRepeatingByte(UInt8(ascii: "a"), count: ValidationRoutes.maxBytes + 100_000)
            body.writeString("\r\n--\(boundary)--\r\n")
            // A client of its own with room to send 32 MB on a loaded machine (the default read timeout is 15 s).
            let port = try #require(client.port)
            let upload = body
            try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(180))) { c in
                let r = try await c.post("/validate", headers: [.contentType: "multipart/form-data; boundary=\(boundary)"], body: upload)
                // Before the fix: 413 «Файлы больше 32 МБ вместе не принимаются» — the body was read first.
                #expect(r.status == .seeOther && r.headers[.location] == "/login", "\(r.status)")
            }
        }
    }

    /// Finding: Requeue.run takes the journal's output_name and file_name as they are, without the "one plain name"
    /// check DocumentFiles makes, and renames relative to the errors/ and inbox descriptors. A journal row naming
    /// `../out/NAME` as the file name moves a REJECTED document into the outbox (delivered to the receiving system
    /// without validation); `../arch/…` as output_name pulls an archived file into the inbox.
    @Test func requeueNeverMovesOutsideErrorsAndTheInbox() throws {
        let site = try ConsoleWebTests.Site()
        defer { site.dir.remove() }
        let now = Double(time(nil))
        _ = try site.dir.write("err/REJ.xml", "<rejected/>")
        let e = try #require(try site.journal.claim([ClaimRequest(route: "r", fileName: "../out/REJ.xml", sha256: String(repeating: "b", count: 64), size: 11)],
                                                    owner: "gw", lease: 60, now: now).first)
        var t = Transition(e, to: .done)
        t.outcome = .rejected
        t.outputName = "REJ.xml"
        t.archivePath = "errors/REJ.xml"
        _ = try site.journal.apply([t], owner: "gw", lease: 60, now: now)
        #expect(throws: RequeueError.self) {
            _ = try Requeue.run(entryId: e.id, config: site.deps.config, journal: site.journal, actor: "cli", now: now)
        }
        #expect(!FileManager.default.fileExists(atPath: site.dir.file("out/REJ.xml")), "a rejected document was moved into the outbox")
        #expect(FileManager.default.fileExists(atPath: site.dir.file("err/REJ.xml")))
    }

    /// Finding: the journal's «Получен с … по …» filter counts days in UTC (`value + "T00:00:00Z"`), while every time the
    /// console shows is the server's local time (ConsoleTime uses localtime_r). In Krasnoyarsk or Tomsk (UTC+7) a
    /// document shown as received «05.03.2025 03:00» is not found by a search for 05.03.2025. Passes under TZ=UTC;
    /// run with `TZ=Asia/Krasnoyarsk` to see it fail.
    @Test func theDateFilterCountsDaysInTheTimeTheConsoleShows() throws {
        let (q, mistakes) = JournalRoutes.query(["from": "2025-03-05", "to": "2025-03-05"])
        #expect(mistakes.isEmpty)
        var parts = tm()
        (parts.tm_year, parts.tm_mon, parts.tm_mday, parts.tm_isdst) = (125, 2, 5, -1)
        let localMidnight = Double(mktime(&parts))
        #expect(q.from == localMidnight, "from: \(q.from ?? 0) vs local midnight \(localMidnight)")
        #expect(q.to == localMidnight + 86_400)
    }

    /// A PDF being printed (Chromium takes seconds) leaves the console answering: the print runs on a thread of its
    /// own, and a second print meanwhile is told to wait (503) instead of taking the pages' threads too. The printer
    /// here holds until the test releases it, so nothing depends on timing.
    @Test func aPDFBeingPrintedDoesNotStallTheWholeConsole() async throws {
        let site = try ConsoleWebTests.Site()
        defer { site.dir.remove() }
        let sample = try #require(TestPaths.sampleFiles("valid").first { $0.contains("CONTRACT_") })
        _ = try site.dir.write("err/DOC.xml", Array(try Data(contentsOf: URL(fileURLWithPath: sample))))
        let now = Double(time(nil))
        let e = try #require(try site.journal.claim([ClaimRequest(route: "r", fileName: "DOC.xml", sha256: String(repeating: "c", count: 64), size: 1)],
                                                    owner: "gw", lease: 60, now: now).first)
        var t = Transition(e, to: .done)
        (t.outcome, t.outputName, t.archivePath) = (.rejected, "DOC.xml", "errors/DOC.xml")
        _ = try site.journal.apply([t], owner: "gw", lease: 60, now: now)
        let (started, signal) = AsyncStream<Void>.makeStream()
        let release = DispatchSemaphore(value: 0)
        var deps = site.deps
        deps.printPDF = { _ in
            signal.yield()
            release.wait()
            return Array("%PDF-1.4 test".utf8)
        }
        let app = Application(router: ConsoleServer.router(deps))
        try await app.test(.live) { client in
            let viewer = try await ConsoleWebTests.login(client, "ivan", "viewer-password-12")
            // The print on a connection of its own, as another browser tab would.
            let port = try #require(client.port)
            // It waits for its answer while the rest of the test runs: room for a loaded machine (the default is 15 s).
            async let first: HTTPResponse.Status = TestClient.withClient(host: "127.0.0.1", port: port,
                                                                         configuration: .init(timeout: .seconds(180))) { c in
                try await c.get("/documents/\(e.id)/form.pdf", headers: [.cookie: viewer.cookie]).status
            }
            for await _ in started { break }
            // The printer holds: the pages still answer, and another print is refused at once.
            try await client.execute(uri: "/journal", method: .get, headers: [.cookie: viewer.cookie]) { r in #expect(r.status == .ok) }
            try await client.execute(uri: "/documents/\(e.id)/form.pdf", method: .get, headers: [.cookie: viewer.cookie]) { r in
                #expect(r.status == .serviceUnavailable && r.headers[.retryAfter] != nil)
            }
            release.signal()
            #expect(try await first == .ok)
        }
    }

    func withConsole(_ site: ConsoleWebTests.Site, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(router: ConsoleServer.router(site.deps))
        try await app.test(.live) { client in try await body(client) }
    }
}
