import DocgateTestSupport
import Foundation
import Testing

/// Hostile input: each is answered with exit 1 and a DG1xxx code, within 5 seconds and 256 MB, and nothing it
/// points at is ever read or fetched.
@Suite(.serialized) struct HostileInputTests {
    static let dir = try! TemporaryDirectory("hostile")

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var code: String
        var make: @Sendable (TemporaryDirectory, Int) throws -> String
        var testDescription: String { name + " → " + code }
    }

    static let cases: [Case] = [
        Case(name: "billion laughs", code: "DG1005") { d, _ in
            var s = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n"
            for i in 1...9 { s += "<!ENTITY lol\(i) \"" + String(repeating: "&lol\(i == 1 ? "" : String(i - 1));", count: 10) + "\">\n" }
            return try d.write("laughs.xml", s + "]>\n<lolz>&lol9;</lolz>")
        },
        Case(name: "quadratic blow-up", code: "DG1005") { d, _ in
            let e = String(repeating: "a", count: 50_000)
            return try d.write("quadratic.xml", "<!DOCTYPE r [<!ENTITY e \"\(e)\">]><r>" + String(repeating: "&e;", count: 50_000) + "</r>")
        },
        Case(name: "external entity to /etc/passwd", code: "DG1005") { d, _ in
            try d.write("xxe.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<r>&x;</r>")
        },
        Case(name: "external DTD on 127.0.0.1", code: "DG1005") { d, port in
            try d.write("dtd.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE r SYSTEM \"http://127.0.0.1:\(port)/evil.dtd\">\n<r/>")
        },
        Case(name: "XInclude of /etc/passwd", code: "DG1007") { d, _ in
            try d.write("xinclude.xml", "<socialOrder xmlns=\"urn://docgate/social-order/1\" xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"file:///etc/passwd\" parse=\"text\"/></socialOrder>")
        },
        Case(name: "100 000 nested elements", code: "DG1008") { d, _ in
            try d.write("deep.xml", String(repeating: "<a>", count: 100_000) + String(repeating: "</a>", count: 100_000))
        },
        Case(name: "100 MB text node", code: "DG1010") { d, _ in
            let path = d.file("text.xml")
            _ = FileManager.default.createFile(atPath: path, contents: Data("<r>".utf8))
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            h.seekToEndOfFile()
            let block = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
            for _ in 0..<100 { h.write(block) }
            h.write(Data("</r>".utf8))
            try h.close()
            return path
        },
        Case(name: "100 000 attributes", code: "DG1009") { d, _ in
            try d.write("attrs.xml", "<r " + (0..<100_000).map { "a\($0)=\"1\"" }.joined(separator: " ") + "/>")
        },
        Case(name: "invalid UTF-8", code: "DG1011") { d, _ in
            try d.write("utf8.xml", Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<r>".utf8) + [0xC3, 0x28, 0xFF] + Array("</r>".utf8))
        },
        Case(name: "mislabelled encoding", code: "DG1012") { d, _ in
            try d.write("mislabelled.xml", "<?xml version=\"1.0\" encoding=\"windows-1251\"?>\n<r>Министерство</r>")
        },
        Case(name: "NUL bytes", code: "DG1013") { d, _ in
            try d.write("nul.xml", Array("<r>a".utf8) + [0, 0] + Array("b</r>".utf8))
        },
        Case(name: "UTF-16 of odd length", code: "DG1016") { d, _ in
            let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<socialOrder xmlns=\"urn://docgate/social-order/1\"/>"
            return try d.write("odd-utf16.xml", [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] } + [0x41])
        },
        Case(name: "empty file", code: "DG1001") { d, _ in try d.write("empty.xml", []) },
        Case(name: "truncated file", code: "DG1004") { d, _ in
            let sample = try Data(contentsOf: URL(fileURLWithPath: TestPaths.sampleFiles("valid")[0]))
            return try d.write("truncated.xml", Array(sample.prefix(sample.count / 2)))
        },
        Case(name: "a PDF", code: "DG1002") { d, _ in
            try d.write("document.xml", Array("%PDF-1.7\n%\u{E2}\u{E3}\u{CF}\u{D3}\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n".utf8))
        },
    ]

    @Test(arguments: cases)
    func hostileInputIsRefusedQuicklyAndCheaply(_ c: Case) throws {
        let listener = try LoopbackListener()
        defer { listener.close() }
        let file = try c.make(Self.dir, listener.port)
        defer { try? FileManager.default.removeItem(atPath: file) }   // the 100 MB text node among them
        var env = ProcessInfo.processInfo.environment
        env["LANG"] = "C.UTF-8"
        let r = try ProcessRunner.run(TestPaths.docgate, ["validate", "--format", "json", file], environment: env, timeout: 5,
                                      ownPeakMemory: true)
        #expect(!r.timedOut, "killed after 5 s")
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.maxRSSKilobytes < 256 * 1024, "peak \(r.maxRSSKilobytes) kB")
        let items = try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        let codes = ((items.first?["errors"] as? [[String: Any]]) ?? []).compactMap { $0["code"] as? String }
        #expect(codes == [c.code])
        // Nothing from /etc/passwd, and no connection to the listener.
        #expect(!r.stdout.contains("root:") && !r.stderr.contains("root:"))
        #expect(!listener.hadConnection)
        #expect(r.stderr.isEmpty)
    }
}

/// A TCP socket listening on 127.0.0.1 that reports whether anyone connected.
final class LoopbackListener {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        guard bound == 0, listen(fd, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        self.fd = fd
        self.port = Int(UInt16(bigEndian: addr.sin_port))
    }

    /// A pending connection would be accepted now; none means nobody tried.
    var hadConnection: Bool {
        let c = accept(fd, nil, nil)
        if c >= 0 { Glibc.close(c); return true }
        return false
    }

    func close() { Glibc.close(fd) }
}
