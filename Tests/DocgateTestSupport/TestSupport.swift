import CSystemShims
import Dispatch
import Foundation
import Synchronization
import Testing

/// Paths and helpers shared by docgate's test targets.
public enum TestPaths {
    /// The package root, found from this source file's location.
    public static let root: String = {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) { return dir.path }
            dir = dir.deletingLastPathComponent()
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    public static var schemas: String { root + "/Schemas" }
    public static var samples: String { root + "/Samples" }
    /// Third-party test vectors, with their licences (Tests/Vectors/README.md).
    public static var vectors: String { root + "/Tests/Vectors" }

    /// The directory the test bundle runs from; SwiftPM puts the `docgate` executable there too.
    public static var buildProducts: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
        while dir.path != "/" {
            if FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("docgate").path) { return dir.path }
            dir = dir.deletingLastPathComponent()
        }
        return root + "/.build/debug"
    }

    public static var docgate: String { buildProducts + "/docgate" }

    /// Every `*.xml` in a samples folder, sorted.
    public static func sampleFiles(_ folder: String) -> [String] {
        let dir = samples + "/" + folder
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { $0.hasSuffix(".xml") }.sorted().map { dir + "/" + $0 }
    }

    /// `manifest.tsv` rows: file path, expected code, description.
    public static func manifest(_ folder: String) -> [SampleExpectation] {
        let path = samples + "/" + folder + "/manifest.tsv"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 3 else { return nil }
            return SampleExpectation(file: samples + "/" + folder + "/" + f[0], code: f[1], defect: f[2])
        }
    }
}

public struct SampleExpectation: Sendable, CustomTestStringConvertible {
    public var file: String
    public var code: String
    public var defect: String
    public var testDescription: String { (file as NSString).lastPathComponent + " → " + code }
}

/// A fresh directory under the system's temporary directory, removed by `remove()`.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(_ label: String = "docgate") throws {
        let base = NSTemporaryDirectory() + "/\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        path = base
    }

    public func file(_ name: String) -> String { path + "/" + name }

    public func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let p = file(name)
        try Data(bytes).write(to: URL(fileURLWithPath: p))
        return p
    }

    public func write(_ name: String, _ text: String) throws -> String {
        try write(name, Array(text.utf8))
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// The result of running a program to completion.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
    /// Peak resident set size of the child, in kilobytes (`ru_maxrss`).
    public var maxRSSKilobytes: Int
    public var seconds: Double
    /// True when the watchdog had to kill it.
    public var timedOut: Bool

    /// A result from its parts (a command run another way).
    public init(status: Int32, stdout: String, stderr: String, maxRSSKilobytes: Int = 0, seconds: Double = 0, timedOut: Bool = false) {
        (self.status, self.stdout, self.stderr) = (status, stdout, stderr)
        (self.maxRSSKilobytes, self.seconds, self.timedOut) = (maxRSSKilobytes, seconds, timedOut)
    }
}

/// Adds to `actions` the closing of every descriptor from 3 up in the child. Foundation opens the files it writes
/// without `O_CLOEXEC`: a child spawned while another test writes one would otherwise keep that file open for
/// writing as long as it lives (a gateway of another test, a PostgreSQL server), and a gateway never takes a file
/// open for writing.
public func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
    let rc = docgate_spawn_close_from(&actions, 3)
    precondition(rc == 0, "posix_spawn_file_actions_addclosefrom_np: \(rc)")
}

/// Runs programs with `posix_spawn`, capturing output, peak memory (from `wait4`) and wall time; a watchdog
/// kills a child that outlives its time limit.
public enum ProcessRunner {
    /// - Parameter ownPeakMemory: measure the program's own peak memory through GNU time. posix_spawn starts the
    ///   child sharing the test process's memory until it execs (CLONE_VM), and Linux counts that memory's high-water
    ///   mark into the child's `ru_maxrss`: from a test process grown past a limit, every child would seem to exceed
    ///   it. GNU time forks its child with a memory of its own.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           timeout: Double = 120, stdin: String? = nil, ownPeakMemory: Bool = false) throws -> ProcessResult {
        if ownPeakMemory, FileManager.default.isExecutableFile(atPath: "/usr/bin/time") {
            let dir = try TemporaryDirectory("peak")
            defer { dir.remove() }
            var r = try run("/usr/bin/time", ["-f", "%M", "-o", dir.file("rss"), executable] + arguments, environment: environment,
                            timeout: timeout, stdin: stdin)
            r.maxRSSKilobytes = Int((try? String(contentsOfFile: dir.file("rss"), encoding: .utf8))?
                .split(separator: "\n").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "") ?? r.maxRSSKilobytes
            return r
        }
        let dir = try TemporaryDirectory("proc")
        defer { dir.remove() }
        let outPath = dir.file("stdout"), errPath = dir.file("stderr"), inPath = dir.file("stdin")
        _ = FileManager.default.createFile(atPath: inPath, contents: Data((stdin ?? "").utf8))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inPath, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        closeInheritedDescriptors(&actions)
        var env = environment ?? ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
        let finished = Atomic<Bool>(false)
        let killed = Atomic<Bool>(false)
        let childPID = pid
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            if !finished.load(ordering: .acquiring) {
                killed.store(true, ordering: .releasing)
                kill(childPID, SIGKILL)
            }
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        finished.store(true, ordering: .releasing)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let exit: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let out = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? String(decoding: (FileManager.default.contents(atPath: outPath) ?? Data()), as: UTF8.self)
        let err = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        return ProcessResult(status: exit, stdout: out, stderr: err, maxRSSKilobytes: Int(usage.ru_maxrss),
                             seconds: seconds, timedOut: killed.load(ordering: .acquiring))
    }

    /// Whether a program is on the PATH.
    public static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let p = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
}

/// One route for a test's gateway configuration: `r`, over the directories in, out, rc, err and arch beside the
/// configuration file.
public enum TestRoute {
    /// The route's directories, relative to the configuration's.
    public static let directories = ["in", "out", "rc", "err", "arch"]
    /// Its `[[route]]` table.
    public static let toml = """
        [[route]]
        name = "r"
        inbox = "in"
        outbox = "out"
        receipts = "rc"
        errors = "err"
        archive = "arch"
        """
}
