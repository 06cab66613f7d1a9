@testable import DocgateGateway
import DocgateTestSupport
import Foundation
import Testing

/// A gateway set-up in a temporary directory, for the tests that run the real binary: a route `plan-to-fin` over
/// `in`, `out`, `receipts`, `errors` and `archive`, a journal, and any configuration text around them.
struct GatewaySite {
    let dir: TemporaryDirectory
    var inbox: String { dir.path + "/in" }
    var outbox: String { dir.path + "/out" }
    var receipts: String { dir.path + "/receipts" }
    var errors: String { dir.path + "/errors" }
    var archive: String { dir.path + "/archive" }
    var config: String { dir.path + "/gateway.toml" }
    var log: String { dir.path + "/daemon.log" }
    var journal: String { dir.path + "/journal.sqlite" }
    /// The journal when it is not the SQLite file `journal` (a PostgreSQL database).
    let place: JournalKind.Place?

    /// Runs SQL on the site's journal (sqlite3 on the file, or psql); the rows as `a|b` lines.
    func sql(_ text: String) throws -> ProcessResult {
        if let place { return try place.sql(text) }
        return try ProcessRunner.run(ProcessRunner.which("sqlite3") ?? "/usr/bin/sqlite3", [journal, text])
    }

    /// Another handle on the site's journal.
    func openJournal() throws -> any Journal {
        try place?.open() ?? SQLiteJournal(path: journal)
    }

    /// - Parameters:
    ///   - top: keys before the first table (listen, HTTP limits, log format).
    ///   - tables: tables after the top-level keys and before the route ([signing]).
    ///   - route: keys added to the route.
    ///   - quiet: the route's quiet period.
    ///   - journal: a PostgreSQL journal's place; nil: the SQLite file `journal.sqlite` in the site.
    init(quiet: Double = 0.5, top: String = "", tables: String = "", route: String = "", journal: JournalKind.Place? = nil) throws {
        dir = try TemporaryDirectory("gwsite")
        place = journal?.kind == .sqlite ? nil : journal
        for d in [inbox, outbox, receipts, errors, archive] {
            try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        }
        _ = try dir.write("gateway.toml", """
            gateway_id = "test-gw"
            \(place == nil ? "journal = \"journal.sqlite\"" : "")
            schemas = "\(TestPaths.schemas)"
            rescan_interval = 0.2
            batch_size = 32
            \(top)
            \(place?.configTable ?? "")
            \(tables)
            [[route]]
            name = "plan-to-fin"
            inbox = "in"
            outbox = "out"
            receipts = "receipts"
            errors = "errors"
            archive = "archive"
            quiet_period = \(quiet)
            \(route)
            """)
    }

    func files(_ path: String, hidden: Bool = false) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { hidden || !$0.hasPrefix(".") }.sorted()
    }

    /// Puts a document into the inbox the safe way: a hidden temporary name, then a rename.
    func drop(_ name: String, _ bytes: [UInt8]) throws {
        let tmp = inbox + "/.drop.tmp"
        _ = FileManager.default.createFile(atPath: tmp, contents: Data(bytes))
        guard rename(tmp, inbox + "/" + name) == 0 else { throw POSIXError(.EIO) }
    }

    /// The processes that hold `path` open, with each descriptor's flags (octal, from /proc/PID/fdinfo) and the
    /// process's command line: who keeps a file "open for writing". Found by device and inode (the link's text may
    /// spell the path otherwise, `/tmp//…`).
    static func holders(of path: String) -> [String] {
        var target = stat()
        guard stat(path, &target) == 0 else { return ["\(path): \(String(cString: strerror(errno)))"] }
        var found: [String] = []
        for pid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int(pid) != nil {
            for fd in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? [] {
                var st = stat()
                guard stat("/proc/\(pid)/fd/\(fd)", &st) == 0, st.st_dev == target.st_dev, st.st_ino == target.st_ino else { continue }
                let info = (try? String(contentsOfFile: "/proc/\(pid)/fdinfo/\(fd)", encoding: .utf8)) ?? ""
                let flags = info.split(separator: "\n").first { $0.hasPrefix("flags:") } ?? "flags: ?"
                let command = String(decoding: FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data(), as: UTF8.self)
                    .replacingOccurrences(of: "\0", with: " ")
                found.append("pid \(pid) fd \(fd) \(flags): \(command.prefix(200))")
            }
        }
        return found
    }

    var logText: String {
        String(decoding: FileManager.default.contents(atPath: log) ?? Data(), as: UTF8.self)
    }

    /// A valid social order with a fresh id (root id and file name agree).
    static func order(_ n: Int) throws -> (String, [UInt8]) {
        let sample = try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix("SOCORDER") })
        let name = (sample as NSString).lastPathComponent
        let oldId = String(name.dropFirst(name.count - 40).prefix(36))
        let newId = String(format: "%08x-0000-4000-8000-%012x", n, n)
        let text = try String(contentsOfFile: sample, encoding: .utf8).replacingOccurrences(of: oldId, with: newId)
        return (name.replacingOccurrences(of: oldId, with: newId), Array(text.utf8))
    }
}

/// `docgate …` to completion, in English.
func runDocgate(_ args: [String], timeout: Double = 120) throws -> ProcessResult {
    var env = ProcessInfo.processInfo.environment
    env["LANG"] = "C.UTF-8"
    return try ProcessRunner.run(TestPaths.docgate, args, environment: env, timeout: timeout)
}

/// `docgate run` in the background, its output in the site's daemon.log; optionally under a descriptor limit
/// (through `sh -c 'ulimit -n N; exec docgate run …'`).
final class RunningGateway {
    let pid: pid_t
    let site: GatewaySite
    private var reaped: Int32?

    /// - Parameter descriptorLimit: `ulimit` arguments for the daemon's open files, e.g. `-n 256` (soft and hard) or
    ///   `-S -n 200` (soft only).
    /// - Parameter config: another configuration than the site's (another instance on the same journal and routes).
    init(site: GatewaySite, descriptorLimit: String? = nil, config: String? = nil) throws {
        self.site = site
        var env = ProcessInfo.processInfo.environment
        env["LANG"] = "C.UTF-8"
        // No crash report (it takes seconds), unless DOCGATE_GATEWAY_BACKTRACE asks for one (`enable=yes,interactive=no`).
        env["SWIFT_BACKTRACE"] = env["DOCGATE_GATEWAY_BACKTRACE"] ?? "enable=no"
        let run = [TestPaths.docgate, "run", "--config", config ?? site.config]
        let args: [String] = descriptorLimit.map { ["/bin/sh", "-c", "ulimit \($0) && exec \"$@\"", "sh"] + run } ?? run
        let argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, site.log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, site.log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        closeInheritedDescriptors(&actions)
        var p: pid_t = 0
        guard posix_spawn(&p, args[0], &actions, nil, argv, envp) == 0 else { throw POSIXError(.EIO) }
        pid = p
    }

    /// SIGSTOP, then waits until every thread of the daemon has stopped (state `T` in /proc): a signal only
    /// queues the stop, and a thread running on another core could still commit after `kill` returns.
    func stop() {
        Glibc.kill(pid, SIGSTOP)
        let tasks = "/proc/\(pid)/task"
        for _ in 0..<5000 {
            let ids = (try? FileManager.default.contentsOfDirectory(atPath: tasks)) ?? []
            let running = ids.contains { id in
                guard let stat = try? String(contentsOfFile: "\(tasks)/\(id)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { return false }
                let state = stat[stat.index(close, offsetBy: 2)...].prefix(1)
                return state != "T" && state != "t" && state != "Z" && state != "X"
            }
            if ids.isEmpty || !running { return }
            usleep(200)
        }
    }

    /// Polls `condition` every 20 ms until it holds; records the daemon's log and throws at the deadline.
    func waitFor(_ what: String = "condition", timeout: Double = 60, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while !condition() {
            if Date() > deadline {
                Issue.record("timed out waiting for \(what); daemon log: \(site.logText.suffix(3000))")
                throw POSIXError(.ETIMEDOUT)
            }
            usleep(20_000)
        }
    }

    /// For a test that failed: the exit status when the daemon has ended, else every thread's stack (gdb).
    func diagnosis() -> String {
        if let status = exitStatus(within: 0) { return "pid \(pid) exited with status \(status)" }
        let r = try? ProcessRunner.run("/usr/bin/gdb", ["-p", "\(pid)", "-batch", "-ex", "thread apply all bt 25"], timeout: 60)
        return "pid \(pid) running; threads:\n" + (r.map { $0.stdout + $0.stderr } ?? "gdb did not run")
    }

    /// SIGKILL, then reap.
    func kill() {
        if reaped == nil { Glibc.kill(pid, SIGKILL) }
        _ = exitStatus(within: 30)
    }

    /// The exit status if the daemon ended within `timeout` seconds, nil if it is still running.
    func exitStatus(within timeout: Double) -> Int32? {
        if let reaped { return reaped }
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            var status: Int32 = 0
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid {
                reaped = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
                return reaped
            }
            usleep(20_000)
        } while Date() < deadline
        return nil
    }

    /// The daemon's open descriptors right now.
    var openDescriptors: Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).count
    }

    /// SIGTERM, then the exit status (SIGKILL after 60 s, reported as 137).
    @discardableResult
    func terminate() -> Int32 {
        if let reaped { return reaped }
        Glibc.kill(pid, SIGTERM)
        if let status = exitStatus(within: 60) { return status }
        Glibc.kill(pid, SIGKILL)
        return exitStatus(within: 60) ?? -1
    }

    deinit {
        if reaped == nil {
            Glibc.kill(pid, SIGKILL)
            _ = exitStatus(within: 30)
        }
    }
}

/// Plain TCP for the HTTP tests.
enum TCP {
    /// A port free on the loopback address now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A listening socket on 127.0.0.1 holding a port (closed by the caller).
    static func listener() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Whether the machine has an IPv6 loopback address one can bind to.
    static var hasIPv6Loopback: Bool {
        let fd = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_addr = in6addr_loopback
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        } == 0
    }

    /// A connected socket to 127.0.0.1:port, or nil when the connection is refused.
    static func connect(port: Int) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let r = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if r != 0 { close(fd); return nil }
        return fd
    }

    /// Whether the peer closed `fd` (end of file or reset) within `timeout` seconds; false while it stays open.
    static func closedByPeer(_ fd: Int32, within timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let left = deadline.timeIntervalSinceNow
            if left <= 0 { return false }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let r = poll(&p, 1, Int32(min(left, 1) * 1000))
            if r < 0 { if errno == EINTR { continue }; return false }
            if r == 0 { continue }
            var byte: UInt8 = 0
            let n = recv(fd, &byte, 1, Int32(MSG_DONTWAIT))
            if n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR) { return true }
        }
    }

    /// `GET /health` on an open connection, keeping it open; whether "ok" came back.
    static func keepAliveHealth(_ fd: Int32, timeout: Double = 10) -> Bool {
        let request = Array("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return false }
        var answer: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 200) >= 0 else { return false }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &chunk, chunk.count, Int32(MSG_DONTWAIT))
            if n == 0 { return false }
            if n > 0 { answer += chunk[0..<n] }
            let text = String(decoding: answer, as: UTF8.self)
            if text.hasPrefix("HTTP/1.1 200"), text.hasSuffix("\r\n\r\nok\n") { return true }
        }
        return false
    }

    /// `GET path` with curl; the body, or nil when there was no answer or its status was not 2xx.
    static func get(_ url: String, timeout: Double = 5) -> String? { curl(["-sf"], url, timeout) }

    /// The body of a GET whatever its status (nil when nothing answered).
    static func answer(_ url: String, timeout: Double = 5) -> String? { curl(["-s"], url, timeout) }

    private static func curl(_ flags: [String], _ url: String, _ timeout: Double) -> String? {
        guard let r = try? ProcessRunner.run("/usr/bin/curl", flags + ["-g", "--max-time", "\(Int(timeout))", url], timeout: timeout + 10),
              r.status == 0 else { return nil }
        return r.stdout
    }
}
