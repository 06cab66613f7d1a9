@testable import DocgateGateway
import DocgateTestSupport
import Foundation
import Synchronization
import Testing

/// Reproductions from the outside review of issue 14 (branch `review`). Each test states the promise; a failing
/// expectation is the finding.
@Suite(.serialized) struct ReviewTests {
    /// R1. Archive on another file system (a common set-up: a big archive volume). The copy has another inode, so
    /// the post-rename check takes it for "another file", tries to move it back across file systems (EXDEV) and fails.
    @Test func archiveOnAnotherFileSystem() throws {
        let shm = "/dev/shm/docgate-review-\(getpid())"
        try? FileManager.default.removeItem(atPath: shm)
        try FileManager.default.createDirectory(atPath: shm, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: shm) }
        let site = try GatewaySite { dir in
            try FileManager.default.removeItem(atPath: dir + "/archive")
            try FileManager.default.createSymbolicLink(atPath: dir + "/archive", withDestinationPath: shm)
        }
        try site.put("doc.xml", try GatewaySite.order(101))
        let r = site.settle()
        let entries = try site.entries()
        #expect(r.failures == 0)
        #expect(entries.first?.archivePath == "2026/01/01/doc.xml")
    }

    /// R2. batch_bytes is checked against the sizes seen at the scan; the reader reads whatever fstat says at open
    /// (up to max_size). Files that grow after the scan defeat the budget.
    @Test func growingAfterTheScanDefeatsBatchBytes() throws {
        let site = try GatewaySite(extra: "batch_bytes = \"1M\"")
        let n = 8
        for i in 0..<n { try site.put("f\(i).xml", Array("<x/>".utf8)) }
        _ = site.gateway.pass()          // first sighting
        site.clock.advance(2)
        let inbox = site.inbox
        site.fs.intercept(.open, in: inbox) {
            for i in 0..<n { _ = truncate(inbox + "/f\(i).xml", 48 << 20) }
        }
        var before = rusage(); getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &before)
        _ = site.gateway.pass()
        var after = rusage(); getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &after)
        #expect(after.ru_maxrss - before.ru_maxrss < 100 * 1024)
    }

    /// R3. Two inbox names that sanitise alike in one batch: both decided as `a_b.xml`; the second is placed as
    /// `a_b.2.xml` but its receipt still names `a_b.xml` (the other document).
    @Test func receiptNamesTheFileItWasDeliveredAs() throws {
        let site = try GatewaySite()
        try site.put("a b.xml", try GatewaySite.order(102))
        try site.put("a_b.xml", try GatewaySite.order(103))
        site.settle()
        var named: [String: String] = [:]   // delivered-as → the document id in the receipt
        for f in site.files(site.receipts) {
            let t = site.text(site.receipts + "/" + f)
            if let d = t.range(of: "<deliveredAs>"), let a = t.range(of: "<fileName>", range: d.upperBound..<t.endIndex),
               let b = t.range(of: "</fileName>", range: a.upperBound..<t.endIndex) {
                named[String(t[a.upperBound..<b.lowerBound]), default: ""] += "x"
            }
        }
        #expect(named.count == 2, "two receipts name the same delivered file: \(named)")
    }

    /// R4. A failure that retrying cannot cure after the outcome is decided (here: placing the output) cannot end
    /// in a rejection — the document is valid and its receipt is written. It stays safe in staging, an operator is
    /// told at critical level, and it is delivered once the cause is fixed (README: Failures).
    @Test func anIncurableFailureAfterTheDecisionWaitsSafelyAndIsReported() throws {
        let site = try GatewaySite()
        let bytes = try GatewaySite.order(104)
        try site.put("doc.xml", bytes)
        site.fs.inject(.rename, in: site.outbox, errno: ENOTDIR, times: 1000)
        let r = site.settle(limit: 8)
        #expect(r.finished == 0)
        #expect(try site.entries().map(\.stage) == [.staged])
        #expect(site.log.all.contains { $0.hasPrefix("critical") && $0.contains("operator") })
        site.fs.heal()
        site.settle()
        #expect(site.files(site.outbox) == ["doc.xml"] && site.bytes(site.outbox + "/doc.xml") == bytes)
        #expect(site.files(site.receipts).count == 1)
    }

    /// R5. Back-off and the incurable count are keyed by name: a new file under the name of one that failed
    /// (ESTALE on NFS is not "transient") is refused unread as DG5036.
    @Test func aNewFileInheritsTheIncurableVerdictOfItsName() throws {
        let site = try GatewaySite()
        try site.put("doc.xml", Array("<broken".utf8))
        site.clock.advance(2)
        site.fs.inject(.open, in: site.inbox, errno: ESTALE, times: 3)
        for _ in 0..<8 where (site.gateway.routes[0].backoff.withLock { $0[FileName("doc.xml")]?.permanent ?? 0 }) < 3 {
            _ = site.gateway.pass(); site.clock.advance(31)
        }
        #expect((site.gateway.routes[0].backoff.withLock { $0[FileName("doc.xml")]?.permanent ?? 0 }) >= 3)
        // The producer replaces the file with a good document.
        unlink(site.inbox + "/doc.xml")
        try site.put("doc.xml", try GatewaySite.order(105))
        site.settle()
        #expect(site.files(site.outbox) == ["doc.xml"])
    }

    /// R6. Identity is inode + size + mtime: content rewritten in place with the same size and the old mtime put
    /// back (utimensat) is archived as "the very file that was read", though it is not what was hashed and delivered.
    @Test func inPlaceRewriteWithRestoredMtimeIsArchived() throws {
        let site = try GatewaySite()
        let original = try GatewaySite.order(106)
        try site.put("doc.xml", original)
        let path = site.inbox + "/doc.xml"
        var forged = original
        forged[forged.count - 2] = UInt8(ascii: "X")   // same size, other bytes
        let forgedBytes = forged
        site.fs.intercept(.rename, in: site.receipts) {
            var st = stat(); stat(path, &st)
            let fd = open(path, O_WRONLY)
            _ = forgedBytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            var times = [st.st_atim, st.st_mtim]
            futimens(fd, &times)
            close(fd)
        }
        site.settle()
        let archived = site.archived.map { site.bytes(site.archive + "/" + $0) }
        let delivered = site.files(site.outbox).map { site.bytes(site.outbox + "/" + $0) }
        // The status-change time gives the rewrite away: it is not archived as the document that was read, but taken
        // as a new arrival with its own outcome and receipt.
        #expect(!archived.contains(forged), "the archive holds bytes that were never hashed or delivered")
        #expect(delivered == [original])
        #expect(site.files(site.receipts).count == 2)
        #expect(try site.entries().count == 2)
    }
}
