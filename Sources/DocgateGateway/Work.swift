import DocgateCore
import DocgateDocuments

/// Why an inbox file is refused before (or instead of) being read: each ends in a rejection with a receipt, and the
/// file itself is moved (renamed, never copied) into errors/.
enum Refusal: Sendable {
    case symlink
    case special(Directory.Kind)
    case hardLink(links: Int)
    case tooLarge(size: Int64, limit: Int)
    case tooLargeForTree(size: Int64, limit: Int)
    /// A step failed three times for a reason that retrying cannot cure.
    case incurable(FileError)

    var diagnostic: Diagnostic {
        switch self {
        case .symlink:
            Diagnostic(code: "DG5031", message: LocalizedText(
                ru: "символическая ссылка во входящем каталоге не обрабатывается", en: "a symbolic link in the inbox is not followed"))
        case .special(let kind):
            Diagnostic(code: "DG5037", message: LocalizedText(
                ru: "во входящем каталоге не обычный файл (\(kind.ru)); он не открывается и не читается",
                en: "not a regular file in the inbox (\(kind.en)); it is neither opened nor read"))
        case .hardLink(let links):
            Diagnostic(code: "DG5038", message: LocalizedText(
                ru: "у файла \(links) жёстких ссылок: он доступен и вне входящего каталога и не обрабатывается",
                en: "the file has \(links) hard links: it is reachable outside the inbox and is not processed"))
        case .tooLarge(let size, let limit):
            Diagnostic(code: "DG5039", message: LocalizedText(
                ru: "файл размером \(size) байт больше предела маршрута max_size (\(limit) байт); не прочитан",
                en: "the file of \(size) bytes exceeds the route's max_size (\(limit) bytes); it was not read"))
        case .tooLargeForTree(let size, let limit):
            Diagnostic(code: "DG5040", message: LocalizedText(
                ru: "документ размером \(size) байт больше предела max_tree_size (\(limit) байт) для маршрута, который проверяет подписи, подписывает или перекодирует документы",
                en: "the document of \(size) bytes exceeds max_tree_size (\(limit) bytes) on a route that verifies, signs or converts documents"))
        case .incurable(let error):
            Diagnostic(code: "DG5036", message: LocalizedText(
                ru: "файл не удаётся обработать, повторные попытки не помогают: \(error.operation): \(error.reason)",
                en: "the file cannot be processed and retrying does not help: \(error.operation): \(error.reason)"))
        }
    }
}

extension Directory.Kind {
    var en: String {
        switch self {
        case .regular: "regular file"
        case .symlink: "symbolic link"
        case .directory: "directory"
        case .fifo: "FIFO"
        case .socket: "socket"
        case .device: "device"
        }
    }

    var ru: String {
        switch self {
        case .regular: "обычный файл"
        case .symlink: "символическая ссылка"
        case .directory: "каталог"
        case .fifo: "именованный канал"
        case .socket: "сокет"
        case .device: "устройство"
        }
    }
}

/// An inbox file as the read stage left it: who it is (inode, size, mtime through the descriptor read), its bytes
/// and hash, or why it was refused unread; and the analysis of its content.
struct Inbound: Sendable {
    var name: FileName
    var identity: FileIdentity
    var bytes: [UInt8]?
    /// SHA-256 of the bytes; empty when the file was refused unread.
    var sha256: String
    var refusal: Refusal?
    var started: Double
    var analysis: Analysis?
}

/// The verdict on a document's content, independent of other documents and of the journal.
struct Analysis: Sendable {
    var documentId: String?
    var kind: DocumentKind?
    var diagnostics: [Diagnostic] = []
    /// The bytes to deliver (converted, signed) when the document passed everything.
    var output: [UInt8]?
    /// What the registry keeps of it once delivered.
    var contextDocument: ContextDocument?
    /// The ИНН of the parties it names (the journal finds documents by them).
    var partyINNs: [String] = []
}

/// What happens to one claimed document, decided against the journal and the documents before it.
struct Decision: Sendable {
    var outcome: Outcome
    var documentId: String?
    var kind: DocumentKind?
    /// The document to deliver (outcome `delivered` only).
    var output: [UInt8]?
    var reason: [UInt8]?
    var receipt: ReceiptContent
    var outputName: String?
    var receiptName: String
    var errorsJSON: String
    /// The codes of its error findings, each once (the journal counts them for the console's dashboard).
    var errorCodes: [String] = []
    /// The ИНН of the parties it names.
    var partyINNs: [String] = []
    /// For a rejection: the name in errors/ the original is moved to (renamed when archived, never copied).
    var quarantineName: String?
}

/// One document on its way, in memory. Touched by one thread at a time: the loop, one worker of the parallel
/// analysis (which writes only its own item's `analysis`), then the finishing and archiving threads in turn, each
/// handing it on through a queue.
final class Work: @unchecked Sendable {
    var entry: JournalEntry
    let runtime: RouteRuntime
    let name: FileName
    var bytes: [UInt8]?
    var refusal: Refusal?
    var recovered = false
    /// Staging files this run wrote for the item (known to exist without asking the file system).
    var wroteOutput = false
    var wroteReason = false
    var analysis: Analysis?
    var started: Double

    init(entry: JournalEntry, runtime: RouteRuntime, bytes: [UInt8]?, started: Double) {
        self.entry = entry
        self.runtime = runtime
        self.name = entry.inboxName
        self.bytes = bytes
        self.started = started
    }

    var outputStaging: String { ".docgate-\(entry.id).out" }
    var reasonStaging: String { ".docgate-\(entry.id).reason" }
    var receiptStaging: String { ".docgate-\(entry.id).receipt" }
    /// Where a rejected original goes (set at staging as `errors/NAME` in the journal's archive path).
    var quarantineName: String? {
        guard let path = entry.archivePath, path.hasPrefix("errors/"), entry.stage != .done else { return nil }
        return String(path.dropFirst("errors/".count))
    }
}

/// What one pass did.
public struct PassResult: Sendable {
    /// Documents taken all the way to `done` (archived) in this pass.
    public var finished = 0
    /// The finished documents by outcome.
    public var byOutcome: [Outcome: Int] = [:]
    /// Steps that failed (a file, a batch or a scan) and are retried on a later pass.
    public var failures = 0
    /// Files not taken yet: still being written, in their quiet period, or waiting out a back-off.
    public var waiting = 0
    /// Files another process holds open for writing: not taken, and not a reason to look again sooner than
    /// `rescan_interval` (closing one wakes the loop through inotify's IN_CLOSE_WRITE). A producer that never closes
    /// its file would otherwise keep the loop rescanning four times a second.
    public var heldOpen = 0

    mutating func add(_ other: PassResult) {
        finished += other.finished
        byOutcome.merge(other.byOutcome, uniquingKeysWith: +)
        failures += other.failures
        waiting += other.waiting
        heldOpen += other.heldOpen
    }
}

extension JournalEntry {
    /// The inbox file's name: its bytes when they are not UTF-8, else the name as journalled.
    var inboxName: FileName { nameBytes.map(FileName.init(bytes:)) ?? FileName(fileName) }
}
