import Synchronization

/// A route's directories, held open, and what the scanner knows about its inbox.
final class RouteRuntime: @unchecked Sendable {
    // Shared by the loop and the threads finishing batches: the directories and `route` never change; `sightings`
    // and `renamedIn` are touched by the loop thread only; `backoff` and `day` are behind locks.
    let route: Route
    let inbox: Directory
    let outbox: Directory
    let receipts: Directory
    let errors: Directory
    let archive: Directory
    /// Whether documents on this route are parsed into a tree (to verify, sign or convert them).
    let needsTree: Bool

    struct Sighting {
        var identity: FileIdentity
        /// When this identity (inode, size, mtime) was first seen: the quiet period counts from here.
        var since: Double
    }
    /// What each name looked like when last scanned. Loop thread only.
    var sightings: [FileName: Sighting] = [:]
    /// Names that arrived by rename (inotify IN_MOVED_TO): complete at once. Loop thread only.
    var renamedIn: Set<FileName> = []

    struct HeldOpen {
        /// The file (device and inode): another file under the name starts its own count.
        var device: UInt64
        var inode: UInt64
        /// When a read first found the file open for writing by another process (and every read since).
        var since: Double
        /// Whether DG5050 was logged for it.
        var warned = false
    }
    /// Files found open for writing at each read since `since`: a producer still writing, or one that never closes
    /// its file. Loop thread only.
    var heldOpen: [FileName: HeldOpen] = [:]

    struct Backoff {
        var until: Double
        var failures: Int
        /// Failures that retrying cannot cure (not `FileError.isTransient`), in a row.
        var permanent: Int
        var last: FileError?
        /// The file the failures were about, when known: another file under the name starts afresh.
        var identity: FileIdentity?
    }
    /// name → when to try again after a failed step. Both the loop and the finishing threads record failures.
    let backoff = Mutex<[FileName: Backoff]>([:])
    /// Whether a read lease was refused for a reason other than a writer (DG5051 said once). The reading threads'.
    let leasesMissing = Atomic<Bool>(false)
    /// The archive's directory of the day last used (the archiving thread's).
    private let day = Mutex<(key: String, dir: Directory)?>(nil)

    init(_ route: Route, fs: FileSystem, needsTree: Bool) throws(FileError) {
        self.route = route
        self.needsTree = needsTree
        inbox = try Directory(route.inbox, fs: fs)
        outbox = try Directory(route.outbox, fs: fs)
        receipts = try Directory(route.receipts, fs: fs)
        errors = try Directory(route.errors, fs: fs)
        archive = try Directory(route.archive, fs: fs)
    }

    /// The earliest retry time of a file in back-off, if it is in one.
    func retryTime(_ name: FileName) -> Double? { backoff.withLock { $0[name]?.until } }

    /// The failure that retrying did not cure, once it has failed that way three times in a row — for this very
    /// file (a new file under the name is not condemned by the old one's failures).
    func incurable(_ name: FileName, _ identity: FileIdentity) -> FileError? {
        backoff.withLock { b in
            guard let f = b[name], f.permanent >= 3 else { return nil }
            return f.identity == nil || f.identity == identity ? f.last : nil
        }
    }

    func archiveDay(_ parts: [String]) throws(FileError) -> Directory {
        let key = parts.joined(separator: "/")
        if let cached = day.withLock({ $0 }), cached.key == key { return cached.dir }
        let dir = try archive.subdirectory(parts)
        day.withLock { $0 = (key, dir) }
        return dir
    }

    /// Files being written by their producers (`.part`, `.tmp`), hidden files and docgate's own staging files are
    /// never taken.
    static func isCandidate(_ name: FileName) -> Bool {
        let b = name.bytes
        guard let first = b.first, first != UInt8(ascii: ".") else { return false }
        let lower = b.suffix(5).map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        return !lower.elementsEqual(".part".utf8) && !lower.suffix(4).elementsEqual(".tmp".utf8) && name.isPlain
    }
}
