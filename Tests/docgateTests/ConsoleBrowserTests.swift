@testable import DocgateGateway
import DocgateTestSupport
import Foundation
import Testing

/// The operator's console in a real browser: a gateway with `[console]` runs on a temporary site; an execution
/// report arrives before its social order and is rejected (DG3100), the order and other documents arrive and are
/// delivered; then Tests/Browser/console.py drives headless Chromium through WebDriver — log in, the dashboard's live
/// figures, a journal search, the document page with its form and findings, a viewer refused requeue, a requeue
/// without a CSRF token refused, the operator's requeue and the report delivered, an upload validated. Screenshots
/// of each page go to .build/console-screenshots (not committed; README shows copies from docs/console/).
@Suite(.serialized) struct ConsoleBrowserTests {
    static let operatorLogin = ("anna", "operator-password-1")
    static let viewerLogin = ("ivan", "viewer-password-12")

    static func sample(_ prefix: String) throws -> String {
        try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix(prefix) })
    }

    @Test func anOperatorAndAViewerUseTheConsole() throws {
        let python = "/usr/bin/python3"
        #expect(FileManager.default.fileExists(atPath: "/usr/bin/chromedriver"), "scripts/setup installs chromium-driver")
        let port = try TCP.freePort()
        let site = try GatewaySite(quiet: 0.5, tables: "[console]\nlisten = \"127.0.0.1:\(port)\"\nusers = \"users\"\n",
                                   route: "context_rules = true")
        defer { site.dir.remove() }
        for (name, role, password) in [(Self.operatorLogin.0, "operator", Self.operatorLogin.1), (Self.viewerLogin.0, "viewer", Self.viewerLogin.1)] {
            let r = try ProcessRunner.run(TestPaths.buildProducts + "/docgate-gateway",
                                          ["user", "add", name, "--role", role, "--config", site.config, "--password-stdin"], stdin: password + "\n")
            #expect(r.status == 0, "\(r.stderr)")
        }
        let gateway = try RunningGateway(site: site)
        defer { _ = gateway.terminate() }
        let report = try Self.sample("EXECREPORT_ACKFIN24_ACKPLAN24_20250714")
        let reportName = (report as NSString).lastPathComponent
        try site.drop(reportName, Array(try Data(contentsOf: URL(fileURLWithPath: report))))
        try gateway.waitFor("the report rejected") { site.files(site.errors).contains(reportName) }
        let others = try ["SOCORDER_ACKFIN24_ACKPLAN24_20241220", "AGREEMENT_ACKFIN24_ACKPLAN24_20250120", "AGREEMENT_ACKFIN24_ACKPLAN24_20250210",
                          "SOCCERT_ACKFIN24_GISSS24_20250203"].map(Self.sample)
        for f in others { try site.drop((f as NSString).lastPathComponent, Array(try Data(contentsOf: URL(fileURLWithPath: f)))) }
        try gateway.waitFor("the others delivered") { site.files(site.outbox).count == others.count }
        let rejected = try site.sql("SELECT id FROM documents WHERE file_name = '\(reportName)' AND outcome = 'rejected'")
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Int(rejected) != nil, "\(rejected)")
        try gateway.waitFor("the console answers") { TCP.answer("http://127.0.0.1:\(port)/login") != nil }

        let shots = TestPaths.root + "/.build/console-screenshots"
        let r = try ProcessRunner.run(python, [
            TestPaths.root + "/Tests/Browser/console.py", "--url", "http://localhost:\(port)", "--shots", shots,
            "--operator", "\(Self.operatorLogin.0):\(Self.operatorLogin.1)", "--viewer", "\(Self.viewerLogin.0):\(Self.viewerLogin.1)",
            "--rejected", rejected, "--report-file", reportName,
            "--valid-upload", try Self.sample("CONTRACT_ACKFIN24_RPGU24_20250207"),
            "--invalid-upload", TestPaths.root + "/Samples/invalid/contract-amounts.xml",
            "--delivered-at-least", String(others.count),
        ], timeout: 600)
        #expect(r.status == 0, "\(r.stdout)\n\(r.stderr.suffix(3000))\n\(gateway.diagnosis())")
        #expect(r.stdout.contains("browser: all steps passed"), "\(r.stdout)")
        // The requeue is in the journal with the operator's name.
        let history = try site.openJournal().history(try #require(Int64(rejected)))
        #expect(history.contains { $0.actor == Self.operatorLogin.0 }, "\(history)")
    }
}
