import DocgateTestSupport
import Foundation
import Testing

extension HostileInputTests {
    /// Large hostile files that stop the parse while the reader thread is still reading: `docgate validate`
    /// answers with exit 1 and the code, never a signal or a hang.
    @Suite(.serialized) struct EarlyStop {
        @Test(arguments: EarlyStopFile.cases)
        func validateExitsWithTheCode(_ file: EarlyStopFile) throws {
            let dir = try TemporaryDirectory("hostile-early-stop")
            defer { dir.remove() }
            let path = dir.file("hostile.xml")
            try file.write(to: path)
            var env = ProcessInfo.processInfo.environment
            env["LANG"] = "C.UTF-8"
            let r = try ProcessRunner.run(TestPaths.docgate, ["validate", "--format", "json", path], environment: env,
                                          timeout: 30)
            #expect(!r.timedOut, "killed after 30 s")
            #expect(r.status == 1, "exit \(r.status): \(r.stderr.prefix(2000))")
            #expect(r.stderr.isEmpty, "\(r.stderr.prefix(2000))")
            let items = try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
            let errors = (items.first?["errors"] as? [[String: Any]]) ?? []
            #expect(errors.compactMap { $0["code"] as? String } == [file.code])
            #expect(errors.first?["line"] as? Int == file.line)
        }
    }
}
