import Foundation

/// The console's cost to the gateway: sustained delivery of 15 000 documents by a daemon without the console, and by
/// one with the console open and refreshing — a client signed in that asks for the dashboard, the journal page and
/// the quarantine in turn every 200 ms (five page views a second, far more than an operator's browser does) — in the
/// same run, in alternating order. The ratio (with / without) is the figure; the pages' own answer times while the
/// daemon works are reported beside it.
///
/// Both daemons are first seen to deliver one document, and the client has logged in (one bcrypt check, about a
/// quarter of a second of a core, once a day in real use), before the clock starts: the documents then arrive all
/// at once, renamed into the inbox from a directory beside it, and the clock stops at the last receipt.
enum ConsoleBench {
    static let operatorName = "bench"
    static let password = "bench-password-1"
    static let documents = 15_000

    static func config(_ dir: String, schemas: String, port: Int?) -> String {
        let path = GatewayBench.config(dir, schemas: schemas)
        guard let port else { return path }
        var text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        text = text.replacingOccurrences(of: "[[route]]", with: "[console]\nlisten = \"127.0.0.1:\(port)\"\nusers = \"users\"\n\n[[route]]")
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func run(_ o: Options) throws {
        let work = o.work + "/console"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let stamp = o.work + "/.console-deleted-at"
        let earlier = ((try? FileManager.default.contentsOfDirectory(atPath: work)) ?? []).map { work + "/" + $0 }
        GatewayBench.clear(earlier, stamp: stamp)
        GatewayBench.waitOutDeletions(stamp: stamp)
        var rows: [String] = []
        var sites: [String] = []
        for run in 0..<max(1, o.runs) {
            var rates: [Bool: Double] = [:]
            var pages: [Double] = []
            for withConsole in run % 2 == 0 ? [false, true] : [true, false] {
                let site = work + "/site-\(run)-\(withConsole ? "console" : "plain")"
                sites.append(site)
                let measured = try measure(o, site: site, withConsole: withConsole, numbers: (run * 2 + (withConsole ? 1 : 0)) * 1_000_000)
                rates[withConsole] = measured.rate
                if withConsole { pages = measured.pages }
            }
            let without = rates[false]!, with = rates[true]!
            pages.sort()
            let p50 = pages.isEmpty ? 0 : pages[pages.count / 2] * 1000
            let p99 = pages.isEmpty ? 0 : pages[min(pages.count - 1, Int(Double(pages.count) * 0.99))] * 1000
            rows.append("| \(run + 1) | \(String(format: "%.0f", without)) | \(String(format: "%.0f", with)) | **\(String(format: "%.2f", with / without))×** | \(pages.count) | \(String(format: "%.1f / %.1f", p50, p99)) ms |")
        }
        GatewayBench.clear(sites, stamp: stamp)
        print("""
        ## console — \(Date()) — \(ProcessInfo.processInfo.activeProcessorCount) cores

        Sustained delivery of \(documents) documents arriving at once, the daemon alone and with the console open (a signed-in client asks for the dashboard, the journal page and the quarantine in turn every 200 ms), alternating which goes first:

        | run | without the console, documents/s | with the console refreshing, documents/s | ratio (target ≥ 0.95×) | pages served meanwhile | page answer p50 / p99 |
        | --- | --- | --- | --- | --- | --- |
        \(rows.joined(separator: "\n"))
        """)
    }

    /// One daemon on a fresh site: started, seen to deliver a first document, the client logged in when the console
    /// is on; then the documents renamed into its inbox and timed to their last receipt.
    static func measure(_ o: Options, site: String, withConsole: Bool, numbers base: Int) throws -> (rate: Double, pages: [Double]) {
        let (template, oldId) = try GatewayBench.template(o)
        let gatewayProgram = (o.docgate as NSString).deletingLastPathComponent + "/docgate-gateway"
        try GatewayBench.fresh(site)
        let stage = site + "/stage"
        try FileManager.default.createDirectory(atPath: stage, withIntermediateDirectories: true)
        let port = withConsole ? freePort() : nil
        let cfg = config(site, schemas: o.schemas, port: port)
        if withConsole { try addUser(gatewayProgram, cfg) }
        var names: [String] = []
        for i in 0..<documents {
            let (name, data) = GatewayBench.document(template, oldId, base + i)
            _ = FileManager.default.createFile(atPath: stage + "/" + name, contents: data)
            names.append(name)
        }
        let (first, firstData) = GatewayBench.document(template, oldId, base + documents)
        _ = FileManager.default.createFile(atPath: site + "/in/" + first, contents: firstData)
        sync()
        let watch = inotify_init1(0)
        inotify_add_watch(watch, site + "/receipts", UInt32(IN_MOVED_TO))
        defer { close(watch) }
        let pid = GatewayBench.spawn([o.docgate, "run", "--config", cfg], log: site + "/daemon.log")
        _ = GatewayBench.waitForArrivals(1, watch: watch, from: pid)
        let client = port.map { ConsoleClient(port: $0) }
        if let client { precondition(client.start(loginWithin: 30), "the console did not let the client in") }
        let start = Date()
        for name in names { precondition(rename(stage + "/" + name, site + "/in/" + name) == 0, "rename \(name)") }
        let end = GatewayBench.waitForArrivals(documents, watch: watch, from: pid)
        let pages = client?.stop() ?? []
        let status = GatewayBench.stop(pid)
        precondition(GatewayBench.count(site + "/out") == documents + 1 && status == 0, "not all delivered in \(site)")
        return (Double(documents) / end.timeIntervalSince(start), pages)
    }

    static func addUser(_ program: String, _ config: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = ["user", "add", operatorName, "--role", "operator", "--config", config, "--password-stdin"]
        let input = Pipe()
        p.standardInput = input
        try p.run()
        input.fileHandleForWriting.write(Data((password + "\n").utf8))
        try input.fileHandleForWriting.close()
        p.waitUntilExit()
        precondition(p.terminationStatus == 0, "user add failed")
    }

    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: a.sin_port))
    }
}

/// A browser's worth of requests on one keep-alive connection: log in, then a page every 200 ms.
final class ConsoleClient: @unchecked Sendable {
    let port: Int
    private let lock = NSLock()
    private var running = true
    private var times: [Double] = []
    private let done = DispatchSemaphore(value: 0)

    init(port: Int) { self.port = port }

    /// Logs in (``waitForLogin(seconds:)``), then asks for a page every 200 ms on a thread of its own until
    /// ``stop()``; false when it could not log in within `seconds`.
    func start(loginWithin seconds: Double) -> Bool {
        guard waitForLogin(seconds: seconds), let cookie else { return false }
        Thread.detachNewThread { [self] in
            defer { done.signal() }
            let paths = ["/", "/journal", "/quarantine"]
            var i = 0
            while lock.withLock({ running }) {
                if fd < 0 { fd = HostileBench.connect(port) }
                if fd >= 0 {
                    let t0 = Date()
                    let (head, _) = exchange(fd, "GET \(paths[i % 3]) HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: \(cookie)\r\n\r\n")
                    if head == nil { close(fd); fd = -1 } else { lock.withLock { times.append(Date().timeIntervalSince(t0)) } }
                    i += 1
                }
                usleep(200_000)
            }
            if fd >= 0 { close(fd) }
        }
        return true
    }

    /// Logs in (the console may still be starting); false when it did not answer in time.
    func waitForLogin(seconds: Double) -> Bool {
        let until = Date().addingTimeInterval(seconds)
        while Date() < until {
            if fd < 0 { fd = HostileBench.connect(port) }
            if fd >= 0 { cookie = login(fd); if cookie != nil { return true } else { close(fd); fd = -1 } }
            usleep(200_000)
        }
        return false
    }

    /// The answer times of `count` requests for `path`, one after another.
    func times(_ path: String, count: Int) -> [Double] {
        (0..<count).map { _ in
            let t0 = Date()
            let (head, _) = exchange(fd, "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: \(cookie ?? "")\r\n\r\n")
            precondition(head?.hasPrefix("HTTP/1.1 200") == true, "\(path): \(head ?? "no answer")")
            return Date().timeIntervalSince(t0)
        }
    }

    private var fd: Int32 = -1
    private var cookie: String?

    private func login(_ fd: Int32) -> String? {
        let body = "name=\(ConsoleBench.operatorName)&password=\(ConsoleBench.password)"
        let (head, _) = exchange(fd, "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
        return head?.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie:") }
            .map { String($0.dropFirst(11).split(separator: ";")[0]).trimmingCharacters(in: .whitespaces) }
    }

    /// Stops the client; the answer times of the pages it asked for.
    func stop() -> [Double] {
        lock.withLock { running = false }
        done.wait()
        return lock.withLock { times }
    }

    /// Sends a request and reads its answer (head and a Content-Length body).
    private func exchange(_ fd: Int32, _ request: String) -> (String?, Int) {
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == bytes.count else { return (nil, 0) }
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        var headEnd: Int?
        var length = 0
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return (nil, 0) }
            buffer += chunk[0..<n]
            if headEnd == nil, let r = find(buffer, [13, 10, 13, 10]) {
                headEnd = r + 4
                let head = String(decoding: buffer[0..<r], as: UTF8.self)
                length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) } ?? 0
            }
            if let h = headEnd, buffer.count >= h + length {
                return (String(decoding: buffer[0..<h], as: UTF8.self), length)
            }
        }
    }

    private func find(_ b: [UInt8], _ p: [UInt8]) -> Int? {
        guard b.count >= p.count else { return nil }
        for i in 0...(b.count - p.count) where b[i] == p[0] && Array(b[i..<(i + p.count)]) == p { return i }
        return nil
    }
}
