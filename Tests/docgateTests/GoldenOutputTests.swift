import DocgateTestSupport
import Foundation
import Testing

/// The command line's output, byte for byte, against reviewed copies in Tests/Golden/: help, text and JSON verdicts,
/// inspect, the code catalogue. A changed output is a reviewed change: run the tests with DOCGATE_UPDATE_GOLDEN=1 to
/// write the new copies, and read their diff before committing them.
@Suite struct GoldenOutputTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let arguments: [String]
        let status: Int32
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "help", arguments: ["--help"], status: 0),
        Case(name: "validate-help", arguments: ["validate", "--help"], status: 0),
        Case(name: "sign-help", arguments: ["sign", "--help"], status: 0),
        Case(name: "verify-help", arguments: ["verify", "--help"], status: 0),
        Case(name: "generate-help", arguments: ["generate", "--help"], status: 0),
        Case(name: "codes-help", arguments: ["codes", "--help"], status: 0),
        Case(name: "validate-invalid-en", arguments: ["validate", "--lang", "en", "Samples/invalid/contract-amounts.xml",
                                                      "Samples/invalid/contractnotice-before-its-contract.xml"], status: 1),
        Case(name: "validate-invalid-ru", arguments: ["validate", "--lang", "ru", "Samples/invalid/svcassign-q4-without-facts.xml"], status: 1),
        Case(name: "validate-json", arguments: ["validate", "--lang", "en", "--format", "json", "Samples/invalid/execreport-deviation-wrong.xml",
                                                "Samples/warnings/agreement-unit-cost-rounded.xml"], status: 1),
        Case(name: "inspect-notice-en", arguments: ["inspect", "--lang", "en", "Samples/valid/CONTRACTNOTICE_ACKFIN24_RPGU24_20250701_e4c64299-ca14-562b-949b-f240e176443e.xml"], status: 0),
        Case(name: "inspect-order-json", arguments: ["inspect", "--lang", "ru", "--format", "json", "Samples/valid/SOCORDER_ACKFIN24_ACKPLAN24_20241220_ac836344-de90-5310-b100-0b422b5be2e0.xml"], status: 0),
        Case(name: "codes-ru", arguments: ["codes", "--lang", "ru"], status: 0),
    ]

    static let directory = TestPaths.root + "/Tests/Golden"

    @Test(arguments: cases)
    func outputIsTheReviewedOne(_ c: Case) throws {
        // Paths relative to the checkout, whatever directory the tests run from; help wrapped at a fixed width.
        let arguments = c.arguments.map { $0.hasPrefix("Samples/") ? TestPaths.root + "/" + $0 : $0 } + ["--schemas", TestPaths.schemas]
        var env = ProcessInfo.processInfo.environment
        env["COLUMNS"] = "100"
        env["LANG"] = "C.UTF-8"
        env.removeValue(forKey: "LC_ALL")
        env.removeValue(forKey: "LC_MESSAGES")
        let r = try ProcessRunner.run(TestPaths.docgate, c.name.hasSuffix("help") || c.name == "help" ? c.arguments : arguments, environment: env)
        #expect(r.status == c.status, "\(r.stderr)")
        let output = r.stdout.replacingOccurrences(of: TestPaths.root + "/", with: "")
        let path = Self.directory + "/" + c.name + ".txt"
        if ProcessInfo.processInfo.environment["DOCGATE_UPDATE_GOLDEN"] == "1" {
            try output.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        let golden = try String(contentsOfFile: path, encoding: .utf8)
        if output != golden {
            let a = golden.split(separator: "\n", omittingEmptySubsequences: false)
            let b = output.split(separator: "\n", omittingEmptySubsequences: false)
            let line = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            Issue.record("""
                \(c.name): output differs from Tests/Golden/\(c.name).txt at line \(line + 1)
                  reviewed: \(line < a.count ? String(a[line]) : "(end)")
                  now:      \(line < b.count ? String(b[line]) : "(end)")
                """)
        }
    }
}
