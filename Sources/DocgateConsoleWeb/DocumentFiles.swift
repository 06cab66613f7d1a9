import DocgateCore
import DocgateGateway
import Glibc

/// The files a journal entry left: the original (in the archive, or in errors/ when rejected), the delivered
/// copy in the outbox, the receipt, the reason of a rejection. Paths come from the journal, names from outside:
/// each is read only as a regular file directly inside the route's own directories, never through a link, and
/// never from a name with a path in it.
struct DocumentFiles {
    let route: Route
    let entry: JournalEntry

    /// The largest file the console reads.
    static let limit = 64 << 20

    enum Kind: String, CaseIterable {
        case original, delivered, receipt, reason
    }

    /// Where the file of `kind` is, when the journal names one and the name is safe.
    func path(_ kind: Kind) -> String? {
        switch kind {
        case .original:
            guard let a = entry.archivePath, !a.isEmpty else { return nil }
            if a.hasPrefix("errors/") { return Self.inside(route.errors, String(a.dropFirst(7))) }
            let parts = a.split(separator: "/", omittingEmptySubsequences: false)
            // YYYY/MM/DD/NAME, as the archiver writes it.
            guard parts.count == 4, parts[0..<3].allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) else { return nil }
            return Self.inside(route.archive + "/" + parts[0..<3].joined(separator: "/"), String(parts[3]))
        case .delivered:
            guard entry.outcome == .delivered, let name = entry.outputName else { return nil }
            return Self.inside(route.outbox, name)
        case .receipt:
            return entry.receiptName.flatMap { Self.inside(route.receipts, $0) }
        case .reason:
            guard let a = entry.archivePath, a.hasPrefix("errors/") else { return nil }
            return Self.inside(route.errors, String(a.dropFirst(7)) + ".reason.txt")
        }
    }

    /// The file's bytes, or nil when it is not there (taken by the receiving system, pruned) or not a plain file.
    func read(_ kind: Kind) -> [UInt8]? {
        path(kind).flatMap(Self.readPlain)
    }

    /// A regular file's bytes, opened without following a link in its last component (a link refused unread in
    /// the inbox lies in errors/ as the link itself), at most ``limit`` bytes.
    static func readPlain(_ path: String) -> [UInt8]? {
        try? BoundedFile.read(path, limit: limit, followLinks: false).get()
    }

    /// The name a download is offered under.
    func downloadName(_ kind: Kind) -> String {
        switch kind {
        case .original: entry.fileName
        case .delivered: entry.outputName ?? entry.fileName
        case .receipt: entry.receiptName ?? "receipt.xml"
        case .reason: entry.fileName + ".reason.txt"
        }
    }

    /// `dir/name` when `name` is one plain name (``Directory/isPlainName(_:)``).
    static func inside(_ dir: String, _ name: String) -> String? {
        Directory.isPlainName(name) ? dir + "/" + name : nil
    }

    /// Whether the path is a regular file (not followed through a link).
    static func exists(_ path: String?) -> Bool {
        guard let path else { return false }
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }
}
