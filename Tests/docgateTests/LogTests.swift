import DocgateGateway
import DocgateTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// Names and other outside text cannot forge log lines or reach a terminal as escape sequences (issue 14).
@Suite struct LogTests {
    /// The lines a logger wrote.
    final class Lines: Sendable {
        private let lines = Mutex<[String]>([])
        func add(_ s: String) { lines.withLock { $0.append(s) } }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test func textLogEscapesTheMessageAndEveryValue() throws {
        let caught = Lines()
        let logger = Logs.make(format: "text", sink: { caught.add($0) })
        logger.info("document\nprocessed", metadata: ["file": "a\nb\u{1B}[31m.xml", "route": "r", "note": "x outcome=delivered",
                                                   "empty": "", "quote": "say \"hi\"", "nel": "a\u{85}b\u{2028}c\u{7F}"])
        let out = caught.all
        #expect(out.count == 1)
        let line = try #require(out.first)
        #expect(line.hasSuffix("\n") && line.dropLast().allSatisfy { $0 != "\n" && $0 != "\r" }, "\(line)")
        #expect(!line.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x85 || $0.value == 0x2028 || $0.value == 0x7F })
        #expect(line.contains(" info document\\nprocessed "), "\(line)")
        #expect(line.contains(" file=a\\nb\\u{1B}[31m.xml"), "\(line)")
        #expect(line.contains(" note=\"x outcome=delivered\""), "\(line)")
        #expect(line.contains(" empty=\"\""), "\(line)")
        #expect(line.contains(#" quote="say \"hi\"""#), "\(line)")
        #expect(line.contains(#" nel=a\u{85}b\u{2028}c\u{7F}"#), "\(line)")
        #expect(line.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ info "#, options: .regularExpression) != nil, "\(line)")
    }

    /// JSON lines escape controls as JSON does, and also DEL, C1 and the line separators U+2028/U+2029 (valid in
    /// JSON, but line breaks to many readers): the value decodes to the same string.
    @Test func jsonLogEscapesLineSeparatorsAndC1() throws {
        let caught = Lines()
        let logger = Logs.make(format: "json", sink: { caught.add($0) })
        let value = "a\nb\u{1B}c\u{7F}d\u{85}e\u{2028}f\u{2029}g\u{202E}h"
        logger.warning("m\u{2028}", metadata: ["file": "\(value)"])
        let line = try #require(caught.all.first)
        #expect(caught.all.count == 1)
        #expect(!line.unicodeScalars.dropLast().contains { SafeTextProbe.unsafe($0) }, "\(line)")
        for escape in [#"\n"#, #"\u001b"#, #"\u007f"#, #"\u0085"#, #"\u2028"#, #"\u2029"#, #"\u202e"#] {
            #expect(line.contains(escape), "\(escape) missing in \(line)")
        }
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["file"] as? String == value)
        #expect(object["message"] as? String == "m\u{2028}")
    }

    /// A file name carrying a newline, a forged log line and an escape sequence: in the text log it stays on the
    /// line of its own entry, escaped.
    @Test func aFileNameCannotForgeATextLogLine() throws {
        let site = try GatewaySite()
        defer { site.dir.remove() }
        let daemon = try RunningGateway(site: site)
        let forged = "2031-01-01T00:00:00+0000 critical docgate: file=x outcome=delivered"
        let (_, bytes) = try GatewaySite.order(31)
        try site.drop("evil\n\(forged)\u{1B}[2J.xml", bytes)
        try daemon.waitFor("the document processed") {
            site.files(site.receipts).count == 1 && site.files(site.inbox).isEmpty && site.logText.contains("document processed")
        }
        #expect(daemon.terminate() == 0)
        let log = site.logText
        #expect(!log.contains("\u{1B}"), "a raw escape character reached the log")
        let lines = log.split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix("2031-") }, "a forged line: \(log)")
        #expect(log.contains("evil\\n2031-01-01T00:00:00+0000 critical"), "\(log)")
        #expect(log.contains("\\u{1B}[2J"), "\(log)")
        // Every line is one of ours: it starts with the time.
        for line in lines {
            #expect(line.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"#, options: .regularExpression) != nil, "\(line)")
        }
    }
}

/// The characters no log line may carry raw.
enum SafeTextProbe {
    static func unsafe(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (0x7F...0x9F).contains(v) || v == 0x2028 || v == 0x2029 || (0x202A...0x202E).contains(v)
            || (0x2066...0x2069).contains(v)
    }
}
