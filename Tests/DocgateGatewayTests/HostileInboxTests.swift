@testable import DocgateGateway
import DocgateTestSupport
import Foundation
import Synchronization
import Testing

/// The gateway against a hostile inbox (issue 14), driven in-process: every complete file gets exactly one outcome
/// and one receipt, nothing is lost, nothing loops, nothing leaks.
@Suite struct HostileInboxTests {
    /// The file archived must be the very file that was read: another file renamed over the name before the archive
    /// step is a new arrival with its own outcome, never archived unprocessed in the first one's place.
    @Test func aFileRenamedOverTheNameBeforeArchivingIsANewArrival() throws {
        let site = try GatewaySite()
        let first = try GatewaySite.order(1), second = try GatewaySite.order(2)
        try site.put("doc.xml", first)
        let inbox = site.inbox, scratch = site.dir.path
        // Just before the receipts are placed (after the first file was read and decided), the producer renames a
        // second document over the same name.
        site.fs.intercept(.rename, in: site.receipts) {
            _ = FileManager.default.createFile(atPath: scratch + "/next.xml", contents: Data(second))
            rename(scratch + "/next.xml", inbox + "/doc.xml")
        }
        site.settle()
        // Both documents delivered (the second under a numbered name), two receipts, two journal rows, inbox empty.
        // The first file is gone (the rename over it unlinked it): the archive holds the second, which is the file
        // that was read for the second journal row.
        #expect(site.files(site.outbox).count == 2)
        let delivered = Set(site.files(site.outbox).map { site.bytes(site.outbox + "/" + $0) })
        #expect(delivered == [first, second], "outbox differs")
        #expect(site.files(site.receipts).count == 2)
        let entries = try site.entries()
        #expect(entries.filter { $0.outcome == .delivered }.count == 2)
        #expect(site.files(site.inbox, hidden: true).isEmpty)
        let archived = site.archived
        #expect(archived.count == 1)
        #expect(archived.map { site.bytes(site.archive + "/" + $0) } == [second], "archive differs")
        #expect(entries.filter { $0.archivePath?.hasSuffix(".xml") == true }.count == 1)
    }

    /// The same, when the other file takes the name at the very instant of the archive's rename: the file moved is
    /// checked again, and a newcomer goes back into the inbox.
    @Test func aFileRenamedOverTheNameDuringTheArchiveRenameGoesBack() throws {
        let site = try GatewaySite()
        let first = try GatewaySite.order(3), second = try GatewaySite.order(4)
        try site.put("doc.xml", first)
        let inbox = site.inbox, scratch = site.dir.path
        site.fs.intercept(.rename, in: site.archive) {
            _ = FileManager.default.createFile(atPath: scratch + "/next.xml", contents: Data(second))
            rename(scratch + "/next.xml", inbox + "/doc.xml")
        }
        site.settle()
        let delivered = Set(site.files(site.outbox).map { site.bytes(site.outbox + "/" + $0) })
        #expect(delivered == [first, second], "outbox differs")
        #expect(site.files(site.receipts).count == 2)
        #expect(site.files(site.inbox, hidden: true).isEmpty)
        #expect(site.archived.map { site.bytes(site.archive + "/" + $0) } == [second], "archive differs")
    }

    /// A rejected file written again in place afterwards (a producer that paused mid-file): the complete content is
    /// a new arrival, not archived silently as the rejected one.
    @Test func aRejectedFileWrittenAgainIsANewArrival() throws {
        let site = try GatewaySite()
        let whole = try GatewaySite.order(5)
        let half = Array(whole.prefix(whole.count / 2))
        try site.put("doc.xml", half)
        let path = site.inbox + "/doc.xml"
        site.fs.intercept(.rename, in: site.receipts) {
            let fd = open(path, O_WRONLY | O_APPEND)
            _ = whole.dropFirst(half.count).withContiguousStorageIfAvailable { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        site.settle()
        #expect(site.files(site.outbox) == ["doc.xml"])
        #expect(site.bytes(site.outbox + "/doc.xml") == whole, "delivered bytes differ")
        let outcomes = try site.entries().compactMap(\.outcome).map(\.rawValue).sorted()
        #expect(outcomes == ["delivered", "rejected"])
        #expect(site.files(site.inbox, hidden: true).isEmpty)
        #expect(site.files(site.receipts).count == 2)
    }

    /// A file still open for writing is not taken, however long its size stays the same; once closed it is.
    @Test func aFileOpenForWritingIsNotTaken() throws {
        let site = try GatewaySite()
        let bytes = try GatewaySite.order(6)
        let fd = open(site.inbox + "/slow.xml", O_WRONLY | O_CREAT, 0o644)
        #expect(fd >= 0)
        _ = bytes.prefix(100).withContiguousStorageIfAvailable { write(fd, $0.baseAddress, $0.count) }
        for _ in 0..<4 {
            let r = site.gateway.pass()
            #expect(r.finished == 0 && r.waiting + r.heldOpen == 1)
            site.clock.advance(5)
        }
        #expect(site.files(site.receipts).isEmpty && site.files(site.errors).isEmpty)
        _ = bytes.dropFirst(100).withContiguousStorageIfAvailable { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        site.settle()
        #expect(site.files(site.outbox) == ["slow.xml"])
        #expect(site.bytes(site.outbox + "/slow.xml") == bytes, "delivered bytes differ")
    }

    /// Every name the gateway derives fits NAME_MAX in bytes, however long the inbound name is in characters: a long
    /// Cyrillic name gets its receipt and its reason, and nothing is retried for ever.
    @Test func longCyrillicNamesGetReceiptsAndReasons() throws {
        let site = try GatewaySite()
        let stem = String(repeating: "Соглашение", count: 12) + "абвг"   // 124 letters, 248 bytes
        let valid = stem + "1.xml", invalid = stem + "2.xml"
        #expect(valid.utf8.count <= 255 && ("RECEIPT_" + valid).utf8.count > 255)
        try site.put(valid, try GatewaySite.order(7))
        try site.put(invalid, try GatewaySite.invalid())
        let r = site.settle()
        #expect(r.finished == 2)
        #expect(r.failures == 0, "\(site.log.all.filter { $0.contains("retry") })")
        #expect(site.files(site.outbox).count == 1)
        #expect(site.files(site.receipts).count == 2)
        let errors = site.files(site.errors)
        #expect(errors.count == 2 && errors.contains { $0.hasSuffix(".reason.txt") })
        for name in site.files(site.outbox) + site.files(site.receipts) + errors { #expect(name.utf8.count <= 255) }
        // Two long names that share their start stay apart.
        #expect(Set(site.files(site.receipts)).count == 2)
        #expect(site.files(site.inbox, hidden: true).isEmpty)
    }

    /// A step that keeps failing for a reason retrying cannot cure ends in an outcome with a receipt.
    @Test func aFailureRetryingCannotCureEndsInARejection() throws {
        let site = try GatewaySite()
        try site.put("doc.xml", try GatewaySite.order(8))
        site.fs.inject(.create, in: site.outbox, errno: EINVAL, times: 3)
        let r = site.settle()
        #expect(r.finished == 1)
        #expect(site.files(site.outbox).isEmpty)
        #expect(site.files(site.errors).sorted() == ["doc.xml", "doc.xml.reason.txt"])
        #expect(site.text(site.errors + "/doc.xml.reason.txt").contains("DG5036"))
        #expect(site.receipt(containing: "DG5036") != nil)
    }

    /// Transient failures (a full disk) are retried until they pass, and then the document is delivered.
    @Test func transientFailuresAreRetriedNotRejected() throws {
        let site = try GatewaySite()
        try site.put("doc.xml", try GatewaySite.order(9))
        site.fs.inject(.create, in: site.outbox, errno: ENOSPC, times: 5)
        site.settle()
        #expect(site.files(site.outbox) == ["doc.xml"])
        #expect(site.files(site.errors).isEmpty)
    }

    /// A name that is not UTF-8 (cp1251 from a Windows share) is processed under a safe name; the journal keeps the
    /// original bytes and shows them percent-escaped; the receipt and the queue depth count it.
    @Test func aNameThatIsNotUTF8IsProcessed() throws {
        let site = try GatewaySite()
        let name: [UInt8] = [0xCF, 0xF0, 0xE8, 0xEA, 0xE0, 0xE7] + Array("_1.xml".utf8)   // «Приказ_1.xml» in cp1251
        try site.put(bytes: name, try GatewaySite.order(10))
        _ = site.gateway.pass()
        #expect(site.gateway.metrics.render(journalBytes: nil).contains("docgate_queue_depth{route=\"r\"} 1"))
        site.settle()
        #expect(site.files(site.outbox).count == 1)
        #expect(site.files(site.receipts).count == 1)
        let entry = try #require(try site.entries().first)
        #expect(entry.nameBytes == name)
        #expect(entry.fileName == "%CF%F0%E8%EA%E0%E7_1.xml")
        #expect(entry.outcome == .delivered)
        #expect(site.files(site.inbox, hidden: true).isEmpty)
        #expect(site.archived.count == 1)
    }

    /// FIFOs, sockets and devices get an outcome and a receipt without being opened, and go to errors/ as they are.
    @Test func specialFilesAreRejectedUnopened() throws {
        let site = try GatewaySite()
        #expect(mkfifo(site.inbox + "/pipe.xml", 0o644) == 0)
        let socket = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let socketPath = site.inbox + "/socket.xml"
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in socketPath.utf8.prefix(raw.count - 1).enumerated() { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        defer { close(socket) }
        var devices = 1
        if mknod(site.inbox + "/null.xml", S_IFCHR | 0o600, dev_t(0x103)) != 0 { devices = 0 }
        let opens = site.countOpens()
        let r = site.settle()
        #expect(opens.value == 0, "special files are never opened")
        #expect(r.finished == 2 + devices)
        // Nobody holds the FIFO open for reading: a writer that does not wait is refused (ENXIO).
        let probe = open(site.errors + "/pipe.xml", O_WRONLY | O_NONBLOCK)
        let probeError = errno
        if probe >= 0 { close(probe) }
        #expect(probe < 0 && probeError == ENXIO)
        #expect(site.files(site.receipts).count == 2 + devices)
        #expect(site.receipt(containing: "DG5037") != nil)
        #expect(lstatOf(site.errors + "/pipe.xml").map { $0.st_mode & S_IFMT } == S_IFIFO)
        #expect(site.files(site.inbox, hidden: true).isEmpty)
    }

    /// A file larger than the route's max_size is refused from its size alone: moved (the same inode) into errors/,
    /// never read or copied, with a receipt; a valid document beside it is delivered.
    @Test func anOversizedFileIsMovedUnreadAndOthersAreDelivered() throws {
        let site = try GatewaySite(route: "max_size = \"1M\"")
        let big = site.inbox + "/big.xml"
        let fd = open(big, O_WRONLY | O_CREAT, 0o644)
        #expect(ftruncate(fd, 1 << 30) == 0)   // sparse: 1 GiB that takes no space
        close(fd)
        let inode = try #require(lstatOf(big)).st_ino
        try site.put("ok.xml", try GatewaySite.order(11))
        let opens = site.countOpens()
        site.settle()
        #expect(opens.value == 1, "only the valid document is opened")
        #expect(site.files(site.outbox) == ["ok.xml"])
        let moved = try #require(lstatOf(site.errors + "/big.xml"))
        #expect(moved.st_ino == inode, "renamed, not copied")
        #expect(moved.st_blocks == 0)
        #expect(site.text(site.errors + "/big.xml.reason.txt").contains("DG5039"))
        let receipt = try #require(site.receipt(containing: "DG5039"))
        #expect(!receipt.contains("<sha256>"), "the file was never read, so no hash is claimed")
        #expect(site.files(site.inbox, hidden: true).isEmpty)
    }

    /// On a route that parses a tree (here: one that writes another encoding), a document above max_tree_size is
    /// refused with its code instead of being parsed.
    @Test func aDocumentTooLargeForATreeIsRefused() throws {
        let site = try GatewaySite(route: "encoding = \"utf-8\"\nmax_tree_size = 4096")
        try site.put("order.xml", try GatewaySite.order(12))
        site.settle()
        #expect(site.files(site.outbox).isEmpty)
        #expect(site.text(site.errors + "/order.xml.reason.txt").contains("DG5040"))
    }

    /// A hard link to a file outside the inbox is refused and moved aside as a link: its content is never copied.
    @Test func aHardLinkIsRefusedAndNeverCopied() throws {
        let site = try GatewaySite()
        let secret = site.dir.path + "/secret.xml"
        _ = FileManager.default.createFile(atPath: secret, contents: Data(try GatewaySite.order(13)), attributes: [.posixPermissions: 0o600])
        #expect(link(secret, site.inbox + "/linked.xml") == 0)
        site.settle()
        #expect(site.files(site.outbox).isEmpty)
        #expect(site.receipt(containing: "DG5038") != nil)
        let moved = try #require(lstatOf(site.errors + "/linked.xml"))
        #expect(moved.st_ino == lstatOf(secret)!.st_ino && moved.st_mode & 0o777 == 0o600)
        #expect(site.files(site.inbox, hidden: true).isEmpty)
    }

    /// Staging files are created exclusively: a hard link planted at a staging name is never written through.
    @Test func aPlantedStagingLinkIsNeverWrittenThrough() throws {
        let site = try GatewaySite()
        let victim = site.dir.path + "/victim.txt"
        _ = FileManager.default.createFile(atPath: victim, contents: Data("precious".utf8))
        // The first journal entry gets id 1: its staging names are known in advance.
        for staging in [site.outbox + "/.docgate-1.out", site.receipts + "/.docgate-1.receipt"] {
            #expect(link(victim, staging) == 0)
        }
        try site.put("doc.xml", try GatewaySite.order(14))
        site.settle()
        #expect(site.text(victim) == "precious")
        #expect(site.files(site.outbox) == ["doc.xml"])
    }

    /// A symbolic link planted in the archive (a year directory pointing elsewhere) never redirects an original.
    @Test func aSymlinkPlantedInTheArchiveIsNotFollowed() throws {
        let site = try GatewaySite()
        let elsewhere = site.dir.path + "/elsewhere"
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        // ManualClock starts on 2026-01-01.
        try FileManager.default.createSymbolicLink(atPath: site.archive + "/2026", withDestinationPath: elsewhere)
        try site.put("doc.xml", try GatewaySite.order(15))
        site.settle(limit: 3)
        #expect(site.files(site.outbox) == ["doc.xml"])
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: elsewhere)) ?? []).isEmpty)
        // The original waits in the inbox, safe, and the failure is logged.
        #expect(site.files(site.inbox) == ["doc.xml"])
        #expect(site.log.all.contains { $0.contains("will retry") && $0.contains("2026") })
    }

    /// What the gateway writes is readable by its group only (0640 files, 0750 directories), whatever the umask.
    @Test func writtenFilesAndDirectoriesAreGroupOnly() throws {
        let old = umask(0o077)   // the configured modes hold whatever the umask
        defer { umask(old) }
        let site = try GatewaySite()
        try site.put("doc.xml", try GatewaySite.order(16))
        try site.put("bad.xml", try GatewaySite.invalid())
        site.settle()
        for path in [site.outbox + "/doc.xml", site.receipts + "/" + site.files(site.receipts)[0], site.errors + "/bad.xml.reason.txt"] {
            #expect(try #require(lstatOf(path)).st_mode & 0o777 == 0o640, "\(path)")
        }
        #expect(try #require(lstatOf(site.archive + "/2026")).st_mode & 0o777 == 0o750)
        #expect(try #require(lstatOf(site.archive + "/2026/01/01")).st_mode & 0o777 == 0o750)
    }

    /// A name with a newline and an escape sequence cannot forge a line of the reason file or reach a terminal.
    @Test func namesAreEscapedInReasonFiles() throws {
        let site = try GatewaySite()
        let name = "bad\ncritical outcome=delivered \u{1B}[2J.xml"
        try site.put(name, try GatewaySite.invalid())
        site.settle()
        let reasons = site.files(site.errors).filter { $0.hasSuffix(".reason.txt") }
        #expect(reasons.count == 1)
        let text = site.text(site.errors + "/" + reasons[0])
        let lines = text.split(separator: "\n")
        #expect(lines.first == "file: bad\\ncritical outcome=delivered \\u{1B}[2J.xml")
        #expect(!text.contains("\u{1B}"))
        #expect(lines.filter { $0.hasPrefix("outcome:") } == ["outcome: rejected"])
    }

    /// A file that has not changed for longer than the quiet period (found waiting at start-up) is taken at once —
    /// unless someone holds it open for writing.
    @Test func anOldFileIsTakenAtOnceUnlessBeingWritten() throws {
        let site = try GatewaySite(clock: ManualClock(Clock.now()))
        try site.put("old.xml", try GatewaySite.order(20))
        let fd = open(site.inbox + "/held.xml", O_WRONLY | O_CREAT, 0o644)
        _ = try GatewaySite.order(21).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        defer { close(fd) }
        let past = timespec(tv_sec: time(nil) - 60, tv_nsec: 0)
        for name in ["old.xml", "held.xml"] {
            #expect(utimensat(AT_FDCWD, site.inbox + "/" + name, [past, past], 0) == 0)
        }
        let r = site.gateway.pass()
        #expect(r.finished == 1 && r.heldOpen == 1 && r.waiting == 0)
        #expect(site.files(site.outbox) == ["old.xml"])
    }

    /// An archive step whose rename happened but whose commit did not (the directory fsync failed, as a crash would
    /// leave it): the next attempt finds the file where it went and records that path.
    @Test func anArchiveRedoneAfterItsRenameRecordsWhereTheFileWent() throws {
        let site = try GatewaySite()
        try site.put("doc.xml", try GatewaySite.order(22))
        try site.put("bad.xml", try GatewaySite.invalid())
        site.fs.inject(.sync, in: site.archive, errno: EIO)
        site.fs.inject(.sync, in: site.errors, errno: EIO, times: 2)
        site.settle()
        let entries = try site.entries()
        #expect(entries.count == 2 && entries.allSatisfy { $0.stage == .done })
        let delivered = try #require(entries.first { $0.outcome == .delivered })
        #expect(delivered.archivePath == "2026/01/01/doc.xml")
        let rejected = try #require(entries.first { $0.outcome == .rejected })
        #expect(rejected.archivePath == "errors/bad.xml" && rejected.outputName == "bad.xml")
        #expect(site.files(site.errors) == ["bad.xml", "bad.xml.reason.txt"])
    }

    /// With errors/ on another file system, an oversized file or a hard link is never copied there: it is set aside
    /// in the inbox under a hidden name (which the scanner ignores), and a normal rejected document is copied.
    @Test func acrossFileSystemsRefusedFilesAreSetAsideNotCopied() throws {
        guard getuid() == 0, let mount = ProcessRunner.which("mount") else {
            print("acrossFileSystemsRefusedFilesAreSetAsideNotCopied skipped: needs root to mount a tmpfs")
            return
        }
        var mounted = false
        let site = try GatewaySite(route: "max_size = \"1M\"") { dir in
            mounted = try ProcessRunner.run(mount, ["-t", "tmpfs", "-o", "size=4m", "tmpfs", dir + "/errors"]).status == 0
        }
        guard mounted else { print("skipped: cannot mount a tmpfs"); return }
        defer { _ = try? ProcessRunner.run(ProcessRunner.which("umount") ?? "/bin/umount", [site.errors]) }
        let fd = open(site.inbox + "/big.xml", O_WRONLY | O_CREAT, 0o644)
        #expect(ftruncate(fd, 1 << 30) == 0)
        close(fd)
        try site.put("bad.xml", try GatewaySite.invalid())
        let r = site.settle()
        #expect(r.finished == 2 && r.failures == 0)
        #expect(site.files(site.errors).sorted() == ["bad.xml", "bad.xml.reason.txt", "big.xml.reason.txt"])
        #expect(try site.entries().first { $0.fileName == "bad.xml" }?.archivePath == "errors/bad.xml")
        let aside = site.files(site.inbox, hidden: true)
        #expect(aside.count == 1 && aside[0].hasPrefix(".docgate-refused-") && aside[0].hasSuffix("big.xml"))
        #expect(try site.entries().first { $0.fileName == "big.xml" }?.archivePath == "inbox/" + aside[0])
    }

    /// A batch ends at `batch_size` files or `batch_bytes` bytes of what will be read, whichever comes first, and
    /// always takes at least one file.
    @Test func batchesAreBoundedByBytesAsWellAsCount() {
        let mb = 1 << 20
        #expect(BatchPipeline.batchEnd([10, 10, 10, 10], from: 0, count: 3, bytes: 64 * mb) == 3)
        #expect(BatchPipeline.batchEnd([40 * mb, 40 * mb, 1], from: 0, count: 64, bytes: 64 * mb) == 1)
        #expect(BatchPipeline.batchEnd([40 * mb, 40 * mb, 1], from: 1, count: 64, bytes: 64 * mb) == 3)
        #expect(BatchPipeline.batchEnd([100 * mb, 1], from: 0, count: 64, bytes: 64 * mb) == 1, "one file above the budget still goes")
        // Files refused unread count nothing.
        #expect(BatchPipeline.batchEnd([0, 0, 0, 60 * mb, 10 * mb], from: 0, count: 64, bytes: 64 * mb) == 4)
    }

    /// The same when the archive already held the name (producers reuse names like `export.xml` daily): the redo
    /// finds the numbered name the file got.
    @Test func aRedoneArchiveFindsTheNumberedName() throws {
        let site = try GatewaySite()
        try FileManager.default.createDirectory(atPath: site.archive + "/2026/01/01", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: site.archive + "/2026/01/01/doc.xml", contents: Data("earlier".utf8))
        try site.put("doc.xml", try GatewaySite.order(23))
        site.fs.inject(.sync, in: site.archive, errno: EIO)
        site.settle()
        let entry = try #require(try site.entries().first)
        #expect(entry.stage == .done && entry.archivePath == "2026/01/01/doc.2.xml")
    }
}
