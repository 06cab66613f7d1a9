import DocgateCore
import Glibc
import Synchronization

/// A failed file-system call: what, on which name, and errno.
public struct FileError: Error, Sendable, CustomStringConvertible {
    /// The call or step that failed (`open`, `create`, `write`, `rename`, `link`, `fsync`, `syncfs`, `mkdir`, …).
    public var operation: String
    /// The directory or file it was made on.
    public var path: String
    /// The errno.
    public var code: Int32

    /// A failure of `operation` on `path` with errno `code`.
    public init(operation: String, path: String, code: Int32) {
        self.operation = operation
        self.path = path
        self.code = code
    }

    /// `operation path: reason`, the path escaped for a log line.
    public var description: String { "\(operation) \(SafeText.escaped(path)): \(reason)" }
    /// The system's text for `code` (no path: receipts go back to the sender).
    public var reason: String { String(cString: strerror(code)) }
    /// Errors that time may cure (full disk, permissions being fixed, a busy or read-only file system). Anything
    /// else, retried, fails the same way again.
    public var isTransient: Bool { [ENOSPC, EDQUOT, EACCES, EPERM, EROFS, EIO, EAGAIN, EBUSY, EMFILE, ENFILE, ENOMEM, EINTR, ENOENT].contains(code) }
}

/// A name inside a directory as the file system holds it: any bytes but `/` and NUL, up to 255 of them. Names from
/// an inbox need not be UTF-8 (a cp1251 name from a Windows share); `display` shows such a name percent-escaped.
public struct FileName: Hashable, Sendable, CustomStringConvertible {
    /// The name's bytes, without a terminating NUL.
    public let bytes: [UInt8]

    /// The UTF-8 bytes of `name`.
    public init(_ name: String) { bytes = Array(name.utf8) }
    /// A name from raw bytes, as `readdir` gives them.
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Whether the bytes are UTF-8.
    public var isUTF8: Bool { String(validating: bytes, as: UTF8.self) != nil }

    /// The name as text: itself when it is UTF-8; otherwise every byte outside valid UTF-8, and every `%`, as `%XX`.
    public var display: String {
        if let s = String(validating: bytes, as: UTF8.self) { return s }
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let length = Self.sequenceLength(bytes, at: i)
            if length > 0 && bytes[i] != UInt8(ascii: "%") {
                out.append(contentsOf: bytes[i..<(i + length)])
                i += length
            } else {
                let hex = Array("0123456789ABCDEF".utf8)
                out.append(contentsOf: [UInt8(ascii: "%"), hex[Int(bytes[i] >> 4)], hex[Int(bytes[i] & 15)]])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The name as ``display`` shows it.
    public var description: String { display }

    /// The length of a well-formed UTF-8 sequence starting at `i`, or 0.
    static func sequenceLength(_ b: [UInt8], at i: Int) -> Int {
        let c = b[i]
        let n = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0
        guard n > 0, i + n <= b.count else { return 0 }
        return String(validating: b[i..<(i + n)], as: UTF8.self) != nil ? n : 0
    }

    /// A name usable inside a directory: not empty, no `/`, no NUL, not `.` or `..`, at most 255 bytes.
    public var isPlain: Bool {
        !bytes.isEmpty && bytes != [0x2E] && bytes != [0x2E, 0x2E] && !bytes.contains(0x2F) && !bytes.contains(0) && bytes.count <= 255
    }

    /// Calls `body` with the name as a C string.
    func withCString<R>(_ body: (UnsafePointer<CChar>) throws(FileError) -> R) throws(FileError) -> R {
        var c = bytes.map { CChar(bitPattern: $0) }
        c.append(0)
        let result: Result<R, FileError> = c.withUnsafeBufferPointer { p in
            do throws(FileError) { return .success(try body(p.baseAddress!)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}

/// The file-system calls the gateway makes, for injecting failures in tests.
public enum FileOperation: String, Sendable, Hashable, CaseIterable {
    /// One kind of call each; `sync` is an fsync of a directory, `syncfs` of the whole file system, `list` a `readdir`,
    /// `lease` the read lease that tells whether a file is open for writing.
    case open, read, create, write, rename, link, sync, syncfs, mkdir, list, lease
}

/// What the gateway's file operations share: the modes of what it creates, and failures a test asked for.
/// Every `Directory` operation asks `check` first, so a test can make any step fail as a full disk or a
/// permission error would, without a special file system.
public final class FileSystem: Sendable {
    /// Mode of the files the gateway creates (`file_mode`, 0640 by default), whatever the umask.
    public let fileMode: mode_t
    /// Mode of the directories the gateway creates (`dir_mode`, 0750 by default), whatever the umask.
    public let dirMode: mode_t

    private struct Fault {
        var operation: FileOperation
        var directory: String?
        /// An errno to fail with, or an action to run before the call goes ahead (another process's move).
        var code: Int32?
        var action: (@Sendable () -> Void)?
        var remaining: Int
    }
    private let faults = Mutex<[Fault]>([])

    /// A file system with these modes and no injected failures.
    public init(fileMode: UInt32 = 0o640, dirMode: UInt32 = 0o750) {
        self.fileMode = mode_t(fileMode)
        self.dirMode = mode_t(dirMode)
    }

    /// The default modes and no injected failures: what a ``Directory`` uses unless given another.
    public static let standard = FileSystem()

    /// Makes the next `times` calls of `operation` (in the directory at `directory`, or anywhere) fail with `code`.
    public func inject(_ operation: FileOperation, in directory: String? = nil, errno code: Int32, times: Int = 1) {
        faults.withLock { $0.append(Fault(operation: operation, directory: directory, code: code, action: nil, remaining: times)) }
    }

    /// Runs `action` just before the next `times` calls of `operation` in `directory` (or below it, or anywhere):
    /// what another process might do at that instant.
    public func intercept(_ operation: FileOperation, in directory: String? = nil, times: Int = 1, _ action: @escaping @Sendable () -> Void) {
        faults.withLock { $0.append(Fault(operation: operation, directory: directory, code: nil, action: action, remaining: times)) }
    }

    /// Forgets every injected failure.
    public func heal() { faults.withLock { $0.removeAll() } }

    func check(_ operation: FileOperation, _ directory: String, _ name: String = "") throws(FileError) {
        let fault: Fault? = faults.withLock { faults in
            guard let i = faults.firstIndex(where: { $0.operation == operation && ($0.directory.map { directory.hasPrefix($0) } ?? true) })
            else { return nil }
            faults[i].remaining -= 1
            let fault = faults[i]
            if faults[i].remaining <= 0 { faults.remove(at: i) }
            return fault
        }
        fault?.action?()
        if let code = fault?.code { throw FileError(operation: operation.rawValue, path: directory + (name.isEmpty ? "" : "/" + name), code: code) }
    }
}

extension FileIdentity {
    init(_ st: stat) {
        self.init(device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size),
                  mtime: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
                  ctime: Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec))
    }
}
