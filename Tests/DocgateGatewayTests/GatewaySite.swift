@testable import DocgateGateway
import DocgateTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// A gateway driven in-process over real directories and a real SQLite journal, with a clock the test moves and a
/// file system it can make fail.
final class GatewaySite {
    let dir: TemporaryDirectory
    let clock: ManualClock
    let fs: FileSystem
    let log = LogRecorder()
    var inbox: String { dir.path + "/in" }
    var outbox: String { dir.path + "/out" }
    var receipts: String { dir.path + "/receipts" }
    var errors: String { dir.path + "/errors" }
    var archive: String { dir.path + "/archive" }
    var journalPath: String { dir.path + "/journal.sqlite" }
    private(set) var gateway: Gateway!
    private(set) var journal: SQLiteJournal!

    /// - Parameter setUp: runs with the site's directory once its subdirectories exist, before the gateway opens them.
    init(route: String = "", extra: String = "", fs: FileSystem = FileSystem(), clock: ManualClock = ManualClock(),
         setUp: ((String) throws -> Void)? = nil) throws {
        dir = try TemporaryDirectory("gw-inprocess")
        self.clock = clock
        self.fs = fs
        for d in [inbox, outbox, receipts, errors, archive] {
            try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        }
        try setUp?(dir.path)
        let text = """
            gateway_id = "test-gw"
            journal = "journal.sqlite"
            schemas = "\(TestPaths.schemas)"
            batch_size = 8
            \(extra)
            [[route]]
            name = "r"
            inbox = "in"
            outbox = "out"
            receipts = "receipts"
            errors = "errors"
            archive = "archive"
            quiet_period = 1
            \(route)
            """
        let config = try GatewayConfig.parse(text, file: dir.path + "/gateway.toml")
        journal = try SQLiteJournal(path: journalPath)
        let recorder = log
        let logger = Logger(label: "test") { _ in RecordingHandler(recorder: recorder) }
        gateway = try Gateway(config: config, journal: journal, logger: logger, clock: clock, fileSystem: fs)
    }

    deinit { dir.remove() }

    /// Passes until nothing is left to do, moving the clock past quiet periods and back-offs (at most `limit`).
    @discardableResult
    func settle(limit: Int = 20) -> PassResult {
        var total = PassResult()
        for _ in 0..<limit {
            let r = gateway.pass()
            total.add(r)
            if r.finished == 0 && r.waiting == 0 && r.failures == 0 { break }
            clock.advance(31)
        }
        return total
    }

    /// Counts the files the gateway opens in the inbox from now on.
    func countOpens() -> Counter {
        let counter = Counter()
        fs.intercept(.open, in: inbox, times: .max) { counter.increment() }
        return counter
    }

    /// Writes a document in place (not by rename): it becomes ready after the quiet period.
    func put(_ name: String, _ bytes: [UInt8]) throws {
        try put(bytes: Array(name.utf8), bytes)
    }

    func put(bytes name: [UInt8], _ bytes: [UInt8]) throws {
        let path = Array(inbox.utf8) + [UInt8(ascii: "/")] + name
        let fd = path.withUnsafeBufferPointer { p in
            (p.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer { open($0.baseAddress!, O_WRONLY | O_CREAT | O_EXCL, 0o644) }
        }
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    func files(_ path: String, hidden: Bool = false) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { hidden || !$0.hasPrefix(".") }.sorted()
    }

    func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    func bytes(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path) ?? Data()) }

    /// Every `.xml` file below the archive.
    var archived: [String] {
        (FileManager.default.enumerator(atPath: archive)?.compactMap { $0 as? String } ?? []).filter { $0.hasSuffix(".xml") }
    }

    func entries() throws -> [JournalEntry] { try journal.list(limit: 1000, outcome: nil, unfinishedOnly: false) }

    /// The first receipt whose text contains `needle`.
    func receipt(containing needle: String) -> String? {
        files(receipts).map { text(receipts + "/" + $0) }.first { $0.contains(needle) }
    }

    /// A valid social order with a fresh id.
    static func order(_ n: Int) throws -> [UInt8] {
        let sample = try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix("SOCORDER") })
        let name = (sample as NSString).lastPathComponent
        let oldId = String(name.dropFirst(name.count - 40).prefix(36))
        let newId = String(format: "%08x-0000-4000-8000-%012x", n, n)
        return Array(try String(contentsOfFile: sample, encoding: .utf8).replacingOccurrences(of: oldId, with: newId).utf8)
    }

    static func invalid() throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestPaths.samples + "/invalid/agreement-amount.xml")))
    }
}

final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

/// Log lines kept for the test to read.
final class LogRecorder: Sendable {
    let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
}

struct RecordingHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let meta = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        recorder.lines.withLock { $0.append("\(event.level) \(event.message) \(meta)") }
    }
}

/// `stat` of a path without following a link.
func lstatOf(_ path: String) -> stat? {
    var st = stat()
    return lstat(path, &st) == 0 ? st : nil
}
