import DocgateCore
@testable import DocgateGateway
@testable import DocgatePostgres
import DocgateTestSupport
import Foundation
import Synchronization
import Testing

/// The database gone in the middle of a pass (after its recovery, while its batches are read): the pass stops at the
/// first claim that fails. Each further claim would wait out its deadline in turn — with a large inbox and a server
/// that answers nothing, for hours — while the loop could already be backing off and asking again.
@Suite(.serialized) struct GoneMidPassTests {
    @Test(.timeLimit(.minutes(3))) func aPassStopsAtTheFirstClaimTheDatabaseCannotTake() throws {
        let server = try PostgresServer()
        defer { server.remove() }
        let location = try PostgresLocation.parse(server.url(try server.createDatabase())).get()
        let journal = try PostgresJournal(location: location, password: server.password, timeout: 5)
        let dir = try TemporaryDirectory("gone-mid-pass")
        defer { dir.remove() }
        for d in ["in", "out", "receipts", "errors", "archive"] {
            try FileManager.default.createDirectory(atPath: dir.file(d), withIntermediateDirectories: true)
        }
        for i in 0..<40 { _ = try dir.write("in/f\(i).xml", "<document n=\"\(i)\"/>") }
        let config = try GatewayConfig.parse("""
            gateway_id = "gone"
            journal = "postgresql://unused@localhost/unused"
            schemas = "\(TestPaths.schemas)"
            batch_size = 8
            [[route]]
            name = "r"
            inbox = "in"
            outbox = "out"
            receipts = "receipts"
            errors = "errors"
            archive = "archive"
            """, file: dir.file("gateway.toml"))
        let lines = Mutex<[String]>([])
        let logger = Logs.make(format: "text", sink: { line in lines.withLock { $0.append(line) } })
        let fs = FileSystem()
        // The files were written a minute before the gateway's clock: found waiting, taken without a quiet period.
        let gateway = try Gateway(config: config, journal: journal, logger: logger, clock: ManualClock(Clock.now() + 60), fileSystem: fs)
        // The server stops while the first batch is read.
        fs.intercept(.open, in: dir.file("in")) { try? server.stop("immediate") }
        _ = gateway.pass()
        let failedClaims = lines.withLock { $0 }.filter { $0.contains("journal claim failed") }
        #expect(failedClaims.count == 1, "\(failedClaims)")
        #expect(!journal.isAvailable)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("in")).count == 40)
        // Back: everything goes through, each file once.
        try server.start()
        for _ in 0..<5 {
            _ = gateway.pass()
            if try FileManager.default.contentsOfDirectory(atPath: dir.file("in")).isEmpty { break }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("in")).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("receipts")).count == 40)
        #expect(try journal.stats().total == 40)
    }
}
