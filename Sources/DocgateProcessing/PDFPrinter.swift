import CSystemShims
import DocgateCore
import Glibc

/// Why a form could not be printed to PDF.
public enum PDFError: Error, Sendable, Equatable {
    /// No Chromium program was found: DG5060.
    case chromiumMissing(searched: [String])
    /// Chromium ran but gave no PDF (its exit status and the end of what it said), or ran out of time: DG5061.
    case failed(String)

    /// The code for the operator.
    public var code: Code {
        switch self {
        case .chromiumMissing: .DG5060
        case .failed: .DG5061
        }
    }

    /// What went wrong, in both languages.
    public var message: LocalizedText {
        switch self {
        case .chromiumMissing(let searched):
            LocalizedText(ru: "Chromium не найден (искали: \(searched.joined(separator: ", "))); установите пакет chromium или укажите программу в DOCGATE_CHROMIUM",
                          en: "Chromium not found (looked for: \(searched.joined(separator: ", "))); install the chromium package or name the program in DOCGATE_CHROMIUM")
        case .failed(let reason):
            LocalizedText(ru: "Печать в PDF не удалась: \(reason)", en: "Printing to PDF failed: \(reason)")
        }
    }
}

/// Prints an HTML page to PDF with headless Chromium, as Debian ships it. The page is docgate's own (no scripts,
/// nothing fetched: its Content-Security-Policy forbids it); Chromium runs in a private temporary directory with a
/// profile of its own, in its own process group, and is killed with everything it started if it runs out of time.
public struct PDFPrinter: Sendable {
    /// The Chromium program.
    public let program: String
    /// How long printing may take, seconds.
    public let timeout: Int

    /// The names looked for on the PATH when `DOCGATE_CHROMIUM` is not set.
    public static let programNames = ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome"]

    /// A printer with `DOCGATE_CHROMIUM`, else the first of ``programNames`` on the PATH.
    public init(timeout: Int = 120) throws(PDFError) {
        if let named = getenv("DOCGATE_CHROMIUM").map({ String(cString: $0) }), !named.isEmpty {
            guard access(named, X_OK) == 0 else { throw .chromiumMissing(searched: [named]) }
            self.init(program: named, timeout: timeout)
            return
        }
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/bin:/bin"
        for name in Self.programNames {
            for dir in path.split(separator: ":") where access("\(dir)/\(name)", X_OK) == 0 {
                self.init(program: "\(dir)/\(name)", timeout: timeout)
                return
            }
        }
        throw .chromiumMissing(searched: Self.programNames)
    }

    /// A printer with the given program.
    public init(program: String, timeout: Int) {
        self.program = program
        self.timeout = timeout
    }

    /// The PDF of `html`.
    public func pdf(html: String) throws(PDFError) -> [UInt8] {
        guard let dir = Self.makeTemporaryDirectory() else { throw .failed("no temporary directory (\(String(cString: strerror(errno))))") }
        defer { Self.removeTree(dir) }
        let page = dir + "/form.html", output = dir + "/form.pdf", log = dir + "/chromium.log"
        do { try AtomicFile.write(Array(html.utf8), to: page, syncDirectory: false) } catch {
            throw .failed(error.reason)
        }
        var arguments = ["--headless", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                         "--disable-extensions", "--disable-background-networking", "--disable-sync",
                         "--disable-component-update", "--no-pdf-header-footer", "--user-data-dir=\(dir)/profile",
                         "--print-to-pdf=\(output)", "file://\(page)"]
        // Chromium refuses to run as root with its sandbox on; the page is docgate's own and runs no script.
        if geteuid() == 0 { arguments.insert("--no-sandbox", at: 1) }
        let status = try run(arguments, log: log, home: dir)
        let bytes: [UInt8]
        switch BoundedFile.read(output, limit: 256 << 20) {
        case .success(let b): bytes = b
        case .failure:
            throw .failed("no PDF (exit status \(status))" + Self.tail(of: log))
        }
        guard bytes.starts(with: Array("%PDF-".utf8)) else { throw .failed("the output is not a PDF" + Self.tail(of: log)) }
        return bytes
    }

    /// Runs Chromium in a process group of its own; returns its exit status.
    private func run(_ arguments: [String], log: String, home: String) throws(PDFError) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        _ = docgate_spawn_close_from(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        let environment = ["HOME=\(home)", "PATH=/usr/bin:/bin", "LANG=C.UTF-8"]
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, program, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw .failed("\(program): \(String(cString: strerror(rc)))") }
        return try wait(pid, log: log)
    }

    /// Waits for Chromium; past the timeout its whole group is killed.
    private func wait(_ pid: pid_t, log: String) throws(PDFError) -> Int32 {
        var status: Int32 = 0
        var waited = 0
        let step = 50_000_000
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { throw .failed("waitpid: \(String(cString: strerror(errno)))") }
            if waited >= timeout * 1_000_000_000 {
                kill(-pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                throw .failed("Chromium did not finish in \(timeout) s" + Self.tail(of: log))
            }
            var pause = timespec(tv_sec: 0, tv_nsec: step)
            nanosleep(&pause, nil)
            waited += step
        }
        // What the browser left running in its group (a zygote, a GPU process) goes with it.
        kill(-pid, SIGKILL)
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    private static func tail(of log: String) -> String {
        guard case .success(let bytes) = BoundedFile.read(log, limit: 1 << 20) else { return "" }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").suffix(3)
        return lines.isEmpty ? "" : ": " + SafeText.escaped(lines.joined(separator: " | "))
    }

    private static func makeTemporaryDirectory() -> String? {
        let base = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((base + "/docgate-pdf-XXXXXX").utf8CString)
        return template.withUnsafeMutableBufferPointer { buffer in
            mkdtemp(buffer.baseAddress!).map { String(cString: $0) }
        }
    }

    /// Removes a directory tree that docgate made (no links are followed: entries are removed, never entered
    /// through a symbolic link).
    static func removeTree(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in directoryEntries(path) ?? [] { removeTree(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
