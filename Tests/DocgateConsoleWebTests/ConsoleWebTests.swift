@testable import DocgateConsoleWeb
import DocgateConsole
import DocgateCore
import DocgateDocuments
@testable import DocgateGateway
import DocgateTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing

/// The console served for real (Hummingbird on a loopback port) over a real SQLite journal and users file: who may
/// see and do what, the refusals a browser or an attacker meets, and what every answer carries.
@Suite struct ConsoleWebTests {
    /// A console on a temporary site: a route, a journal with entries, an operator and a viewer.
    struct Site {
        let dir: TemporaryDirectory
        let deps: ConsoleDependencies
        let journal: SQLiteJournal

        init(clock: any GatewayClock = SystemClock()) throws {
            dir = try TemporaryDirectory("console-web")
            for d in TestRoute.directories { try FileManager.default.createDirectory(atPath: dir.file(d), withIntermediateDirectories: true) }
            let config = try GatewayConfig.parse("""
                gateway_id = "gw"
                journal = "j.sqlite"
                [console]
                listen = "127.0.0.1:8090"
                users = "users"
                \(TestRoute.toml)
                """, file: dir.file("gateway.toml"))
            let users = try UsersFile.parse("").adding("anna", role: .operator, password: "operator-password-1", cost: 4)
                .adding("ivan", role: .viewer, password: "viewer-password-12", cost: 4)
            try users.write(to: dir.file("users"))
            journal = try SQLiteJournal(path: dir.file("j.sqlite"))
            let access = try ConsoleAccess(usersPath: dir.file("users"), settings: SessionSettings(idle: 1800, absolute: 43_200), clock: clock,
                                           dummyHash: try Password.hash("dummy-password-000", cost: 4))
            deps = ConsoleDependencies(access: access, journal: journal, config: config,
                                       validator: try DocumentValidator(schemaDirectory: TestPaths.schemas), verifier: { _ in nil },
                                       status: { ConsoleStatus(instance: "gw@test", running: true, stalled: false, journalUp: true, inboxes: [:]) },
                                       now: { Double(time(nil)) }, logger: Logger(label: "console-test"))
        }

        /// A finished rejected entry for `name`.
        func rejected(_ name: String) throws -> Int64 {
            let now = Double(time(nil))
            let e = try #require(try journal.claim([ClaimRequest(route: "r", fileName: name, sha256: String(repeating: "a", count: 64), size: 10)],
                                                  owner: "gw", lease: 60, now: now).first)
            var t = Transition(e, to: .done)
            t.outcome = .rejected
            t.errors = #"[{"code":"DG3100","severity":"error","line":12,"path":"/executionReport/socialOrderRef","ru":"Социальный заказ неизвестен","en":"The social order is not known"}]"#
            _ = try journal.apply([t], owner: "gw", lease: 60, now: now)
            return e.id
        }
    }

    func withConsole(_ site: Site, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = Application(router: ConsoleServer.router(site.deps))
        try await app.test(.live) { client in try await body(client) }
    }

    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    /// Logs in; the session's cookie and CSRF token.
    static func login(_ client: any TestClientProtocol, _ name: String, _ password: String) async throws -> (cookie: String, csrf: String) {
        let cookie = try await client.execute(uri: "/login", method: .post, headers: form,
                                              body: ByteBuffer(string: "name=\(name)&password=\(password)")) { r in
            #expect(r.status == .seeOther)
            return try #require(r.headers[.setCookie]).split(separator: ";")[0].description
        }
        let csrf = try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]) { r in
            let page = String(buffer: r.body)
            let marker = try #require(page.range(of: #"name="csrf" value=""#))
            return String(page[marker.upperBound...].prefix { $0 != "\"" })
        }
        return (cookie, csrf)
    }

    @Test func everyPageAsksForALoginAndCarriesItsHeaders() async throws {
        let site = try Site()
        defer { site.dir.remove() }
        try await withConsole(site) { client in
            for path in ["/", "/journal", "/quarantine", "/documents/1", "/validate"] {
                try await client.execute(uri: path, method: .get) { r in
                    #expect(r.status == .seeOther && r.headers[.location] == "/login", "\(path)")
                    #expect(r.headers[HTTPField.Name("Content-Security-Policy")!]?.hasPrefix("default-src 'none'") == true)
                    #expect(r.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                }
            }
            try await client.execute(uri: "/login", method: .get) { r in
                #expect(r.status == .ok)
                #expect(!String(buffer: r.body).contains("<script"))
                #expect(r.headers[.cacheControl] == "no-store")
            }
        }
    }

    @Test func aWrongPasswordIsRefusedAndThenThrottled() async throws {
        let site = try Site()
        defer { site.dir.remove() }
        try await withConsole(site) { client in
            for _ in 0..<5 {
                try await client.execute(uri: "/login", method: .post, headers: Self.form, body: ByteBuffer(string: "name=anna&password=wrong-password-000")) { r in
                    #expect(r.status == .unauthorized && r.headers[.setCookie] == nil)
                    #expect(String(buffer: r.body).contains("DG5057"))
                }
            }
            // Locked now: even the right password is not checked.
            try await client.execute(uri: "/login", method: .post, headers: Self.form, body: ByteBuffer(string: "name=anna&password=operator-password-1")) { r in
                #expect(r.status == .tooManyRequests && r.headers[.setCookie] == nil)
                #expect(Int(r.headers[.retryAfter] ?? "") ?? 0 > 0)
            }
        }
    }

    @Test func aLoginFromAnotherSiteIsRefused() async throws {
        let site = try Site()
        defer { site.dir.remove() }
        try await withConsole(site) { client in
            var headers = Self.form
            headers[HTTPField.Name("Sec-Fetch-Site")!] = "cross-site"
            try await client.execute(uri: "/login", method: .post, headers: headers, body: ByteBuffer(string: "name=anna&password=operator-password-1")) { r in
                #expect(r.status == .forbidden && r.headers[.setCookie] == nil)
            }
        }
    }

    /// The dashboard counts the last 24 hours and the work in flight, never the whole journal (a count of a
    /// million entries took 0.6 s a refresh): what was delivered two days ago is not in its figures.
    @Test func theDashboardCountsTheLastDayAndTheWorkInFlight() async throws {
        let site = try Site()
        defer { site.dir.remove() }
        let now = Double(time(nil))
        for (name, at, finish) in [("OLD.xml", now - 172_800, true), ("NEW.xml", now - 600, true), ("WIP.xml", now - 900, false)] {
            let e = try #require(try site.journal.claim([ClaimRequest(route: "r", fileName: name, sha256: name, size: 1)],
                                                       owner: "gw", lease: 60, now: at).first)
            guard finish else { continue }
            var t = Transition(e, to: .done)
            t.outcome = .delivered
            _ = try site.journal.apply([t], owner: "gw", lease: 60, now: at + 1)
        }
        _ = try site.rejected("EXECREPORT_X.xml")
        try await withConsole(site) { client in
            let op = try await Self.login(client, "anna", "operator-password-1")
            try await client.execute(uri: "/", method: .get, headers: [.cookie: op.cookie]) { r in
                let page = String(buffer: r.body)
                func figure(_ id: String) -> String? {
                    guard let at = page.range(of: #"id="figure-\#(id)"><span class="value">"#) else { return nil }
                    return String(page[at.upperBound...].prefix { $0 != "<" })
                }
                #expect(figure("delivered") == "1" && figure("rejected") == "1" && figure("in-flight") == "1", "\(page)")
                #expect(page.contains("за сутки"))
            }
        }
    }

    /// A dashboard left open refreshes itself every 30 s; those refreshes do not keep the session alive, so an
    /// unattended screen is signed out at the idle limit, as it would be on any other page.
    @Test func theDashboardsOwnRefreshDoesNotKeepASessionAlive() async throws {
        let clock = ManualClock()
        let site = try Site(clock: clock)
        defer { site.dir.remove() }
        try await withConsole(site) { client in
            let op = try await Self.login(client, "anna", "operator-password-1")
            let refreshURL = try await client.execute(uri: "/", method: .get, headers: [.cookie: op.cookie]) { r in
                let page = String(buffer: r.body)
                let marker = try #require(page.range(of: #"http-equiv="refresh" content="30;url="#))
                return String(page[marker.upperBound...].prefix { $0 != "\"" })
            }
            for _ in 0..<59 {
                clock.advance(30)
                try await client.execute(uri: refreshURL, method: .get, headers: [.cookie: op.cookie]) { r in #expect(r.status == .ok) }
            }
            clock.advance(30)
            try await client.execute(uri: refreshURL, method: .get, headers: [.cookie: op.cookie]) { r in
                #expect(r.status == .seeOther && r.headers[.location] == "/login")
            }
        }
    }

    /// Requeue: refused without the CSRF token, with another's token, from another site, and to a viewer.
    @Test func aStateChangeNeedsTheTokenTheSiteAndTheRole() async throws {
        let site = try Site()
        defer { site.dir.remove() }
        let id = try site.rejected("EXECREPORT_X.xml")
        try await withConsole(site) { client in
            let op = try await Self.login(client, "anna", "operator-password-1")
            let viewer = try await Self.login(client, "ivan", "viewer-password-12")
            var headers = Self.form
            headers[.cookie] = op.cookie
            for body in ["", "csrf=", "csrf=" + viewer.csrf, "csrf=" + String(op.csrf.dropLast()) + (op.csrf.hasSuffix("A") ? "B" : "A")] {
                try await client.execute(uri: "/documents/\(id)/requeue", method: .post, headers: headers, body: ByteBuffer(string: body)) { r in
                    #expect(r.status == .forbidden && String(buffer: r.body).contains("DG5059"), "\(body)")
                }
            }
            var crossSite = headers
            crossSite[HTTPField.Name("Sec-Fetch-Site")!] = "cross-site"
            try await client.execute(uri: "/documents/\(id)/requeue", method: .post, headers: crossSite, body: ByteBuffer(string: "csrf=" + op.csrf)) { r in
                #expect(r.status == .forbidden)
            }
            var asViewer = Self.form
            asViewer[.cookie] = viewer.cookie
            try await client.execute(uri: "/documents/\(id)/requeue", method: .post, headers: asViewer, body: ByteBuffer(string: "csrf=" + viewer.csrf)) { r in
                #expect(r.status == .forbidden && String(buffer: r.body).contains("Недостаточно прав"))
            }
        }
        // Nothing was done: no requeue in the entry's history.
        #expect(try site.journal.history(id).allSatisfy { $0.action != "requeue" })
    }

    /// A file name built to run a script is shown as text in the journal and the quarantine.
    @Test func hostileFileNamesStayText() async throws {
        let site = try Site()
        defer { site.dir.remove() }
        _ = try site.rejected("<script>alert(1)</script>\u{202E}lmx.exe")
        try await withConsole(site) { client in
            let op = try await Self.login(client, "anna", "operator-password-1")
            for path in ["/journal", "/quarantine"] {
                try await client.execute(uri: path, method: .get, headers: [.cookie: op.cookie]) { r in
                    let page = String(buffer: r.body)
                    #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;\u{FFFD}lmx.exe"), "\(path)")
                    #expect(!page.contains("<script>"))
                }
            }
        }
    }

    @Test func theJournalSearchTellsWhatItCannotRead() async throws {
        let site = try Site()
        defer { site.dir.remove() }
        try await withConsole(site) { client in
            let op = try await Self.login(client, "anna", "operator-password-1")
            try await client.execute(uri: "/journal?inn=12345&from=2025-13-01&outcome=lost", method: .get, headers: [.cookie: op.cookie]) { r in
                let page = String(buffer: r.body)
                #expect(r.status == .ok)
                #expect(page.contains("ИНН — 10 или 12 цифр") && page.contains("дата «с» — ГГГГ-ММ-ДД") && page.contains("неизвестный итог"))
            }
            try await client.execute(uri: "/journal?file=%ZZ", method: .get, headers: [.cookie: op.cookie]) { r in
                #expect(r.status == .badRequest)
            }
        }
    }

    @Test func theValidationPageIsAnOperatorsAndStoresNothing() async throws {
        let site = try Site()
        defer { site.dir.remove() }
        let sample = try #require(TestPaths.sampleFiles("valid").first { $0.contains("CONTRACT_") })
        let xml = try String(contentsOfFile: sample, encoding: .utf8)
        try await withConsole(site) { client in
            let viewer = try await Self.login(client, "ivan", "viewer-password-12")
            try await client.execute(uri: "/validate", method: .get, headers: [.cookie: viewer.cookie]) { r in
                #expect(r.status == .forbidden)
            }
            let op = try await Self.login(client, "anna", "operator-password-1")
            let boundary = "----docgate-test"
            let body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(op.csrf)\r\n"
                + "--\(boundary)\r\nContent-Disposition: form-data; name=\"files\"; filename=\"C:\\\\docs\\\\contract.xml\"\r\nContent-Type: text/xml\r\n\r\n\(xml)\r\n"
                + "--\(boundary)--\r\n"
            try await client.execute(uri: "/validate", method: .post,
                                     headers: [.cookie: op.cookie, .contentType: "multipart/form-data; boundary=\(boundary)"],
                                     body: ByteBuffer(string: body)) { r in
                let page = String(buffer: r.body)
                #expect(r.status == .ok)
                #expect(page.contains("<h2>contract.xml</h2>") && page.contains("соответствует схеме и правилам"))
                #expect(page.contains("srcdoc=\"&lt;!DOCTYPE html&gt;"))
            }
        }
        let left = try FileManager.default.subpathsOfDirectory(atPath: site.dir.path).filter { $0.hasSuffix(".xml") }
        #expect(left.isEmpty, "\(left)")
    }
}

/// The pieces the routes are made of.
@Suite struct ConsolePieceTests {
    @Test func formsDecodeAsBrowsersEncodeThem() {
        #expect(FormDecoding.decode("name=anna&password=a+b%2Bc%26d%3D") == ["name": "anna", "password": "a b+c&d="])
        #expect(FormDecoding.decode("a=%D0%90%D0%BD%D0%BD%D0%B0") == ["a": "Анна"])
        #expect(FormDecoding.decode("a=%ZZ") == nil)
        #expect(FormDecoding.decode("a=%E2%82") == nil)
        #expect(FormDecoding.decode("a=1&a=2") == ["a": "1"])
        #expect(PercentEncoding.encoded("Анна & co/1") == "%D0%90%D0%BD%D0%BD%D0%B0%20%26%20co%2F1")
    }

    @Test func aViewerSeesNoSNILSNorAPersonsINN() {
        #expect(PersonalData.masked("СНИЛС 112-233-445 95 неверен") == "СНИЛС ************** неверен")
        #expect(PersonalData.masked("ИНН ФЛ 500100732259, ИНН ЮЛ 2466012340") == "ИНН ФЛ ************, ИНН ЮЛ 2466012340")
        #expect(PersonalData.masked("строка 78, сумма 5745757.50") == "строка 78, сумма 5745757.50")
    }

    @Test func downloadsNeverLeaveTheRoutesDirectoriesNorFollowALink() throws {
        let dir = try TemporaryDirectory("console-files")
        defer { dir.remove() }
        for d in ["in", "out", "rc", "err", "arch/2025/01/20"] { try FileManager.default.createDirectory(atPath: dir.file(d), withIntermediateDirectories: true) }
        let secret = try dir.write("secret.txt", "not for the console")
        try FileManager.default.createSymbolicLink(atPath: dir.file("err/LINK.xml"), withDestinationPath: secret)
        _ = try dir.write("err/REAL.xml", "<x/>")
        _ = try dir.write("arch/2025/01/20/A.xml", "<a/>")
        let route = Route(name: "r", inbox: dir.file("in"), outbox: dir.file("out"), receipts: dir.file("rc"), errors: dir.file("err"),
                          archive: dir.file("arch"), accept: [], sign: [], requireSignature: false, encoding: .asIs, quietPeriod: 1, contextRules: false)
        func entry(_ archivePath: String?) -> JournalEntry {
            JournalEntry(id: 1, route: "r", fileName: "f.xml", sha256: "", size: 0, documentId: nil, kind: nil, stage: .done, outcome: .rejected,
                         owner: "gw", leaseUntil: 0, attempt: 1, outputName: nil, receiptName: nil, archivePath: archivePath, errors: nil,
                         receivedAt: 0, updatedAt: 0, finishedAt: 0)
        }
        #expect(DocumentFiles(route: route, entry: entry("errors/REAL.xml")).read(.original) == Array("<x/>".utf8))
        #expect(DocumentFiles(route: route, entry: entry("2025/01/20/A.xml")).read(.original) == Array("<a/>".utf8))
        #expect(DocumentFiles(route: route, entry: entry("errors/LINK.xml")).read(.original) == nil)
        for hostile in ["errors/../secret.txt", "errors/..", "../secret.txt", "2025/01/../../../secret.txt", "/etc/passwd", "2025/01/20/../../x"] {
            #expect(DocumentFiles(route: route, entry: entry(hostile)).read(.original) == nil, "\(hostile)")
        }
    }
}
