import CSystemShims
import Glibc

/// A configured directory held open: every file operation is relative to it (`openat`, `renameat2`, `mkdirat`),
/// entries are never followed through symbolic links (`O_NOFOLLOW`, `AT_SYMLINK_NOFOLLOW`), subdirectories are
/// opened from their parent with `O_NOFOLLOW | O_DIRECTORY`, and what is created gets the configured modes — so
/// nothing is read or written outside the configured directories, whatever is planted in them.
public final class Directory: @unchecked Sendable {
    // Safe to share: `path`, `fd` and `fs` never change after init; the descriptor is used only with *at calls.
    /// The configured path, as opened; used in messages and to name the files within.
    public let path: String
    let fd: Int32
    let fs: FileSystem

    /// Opens (creating it and its parents when missing) a configured directory. The configured path itself may
    /// go through symbolic links (it is the administrator's); nothing below it does.
    public init(_ path: String, create: Bool = true, fs: FileSystem = .standard) throws(FileError) {
        if create { try Self.makePath(path, mode: fs.dirMode) }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(operation: "open", path: path, code: errno) }
        self.path = path
        self.fd = fd
        self.fs = fs
    }

    private init(fd: Int32, path: String, fs: FileSystem) {
        self.fd = fd
        self.path = path
        self.fs = fs
    }

    deinit { close(fd) }

    /// Creates the directory a file will live in.
    public static func makeParent(of file: String, mode: UInt32 = 0o750) throws(FileError) {
        guard let slash = file.lastIndex(of: "/"), slash != file.startIndex else { return }
        try makePath(String(file[..<slash]), mode: mode_t(mode))
    }

    static func makePath(_ path: String, mode: mode_t) throws(FileError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, mode) == 0 {
                chmod(current, mode)   // the umask may have taken bits the configuration asked for
            } else if errno != EEXIST {
                throw FileError(operation: "mkdir", path: current, code: errno)
            }
        }
    }

    /// A name usable inside a directory: not empty, no `/`, no NUL, not `.` or `..`, at most 255 bytes.
    public static func isPlainName(_ name: String) -> Bool { FileName(name).isPlain }

    /// What an entry is, from `fstatat(AT_SYMLINK_NOFOLLOW)`.
    public enum Kind: Sendable, Equatable {
        /// The entry's file type; `device` stands for a character or block device and anything else not named.
        case regular, symlink, directory, fifo, socket, device

        init(_ mode: mode_t) {
            switch mode & S_IFMT {
            case S_IFREG: self = .regular
            case S_IFLNK: self = .symlink
            case S_IFDIR: self = .directory
            case S_IFIFO: self = .fifo
            case S_IFSOCK: self = .socket
            default: self = .device
            }
        }
    }

    /// One entry of ``entries(limit:where:)``, as `fstatat` saw it without following a link.
    public struct Entry: Sendable {
        /// The name as the file system holds it.
        public var name: FileName
        /// Its file type (a symbolic link is itself, not its target).
        public var kind: Kind
        /// Hard links to the file (`st_nlink`); more than one means it is reachable outside the directory.
        public var links: Int
        /// Device, inode, size and times, to tell whether the file changed or was replaced.
        public var identity: FileIdentity
        /// Size in bytes.
        public var size: Int64 { identity.size }
    }

    /// The directory's entries by `readdir` (names as raw bytes) and `fstatat(AT_SYMLINK_NOFOLLOW)`, up to
    /// `limit` (a huge inbox is taken in bounded bites).
    public func entries(limit: Int = .max, where include: (FileName) -> Bool) throws(FileError) -> [Entry] {
        try fs.check(.list, path)
        let dupfd = dup(fd)
        guard dupfd >= 0, let dir = fdopendir(dupfd) else {
            let code = errno
            if dupfd >= 0 { close(dupfd) }
            throw FileError(operation: "opendir", path: path, code: code)
        }
        defer { closedir(dir) }
        rewinddir(dir)
        var out: [Entry] = []
        while out.count < limit, let e = readdir(dir) {
            let raw = withUnsafeBytes(of: e.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            let name = FileName(bytes: raw)
            guard raw != [0x2E], raw != [0x2E, 0x2E], include(name) else { continue }
            var st = stat()
            guard (try? name.withCString({ fstatat(fd, $0, &st, AT_SYMLINK_NOFOLLOW) == 0 })) == true else { continue }
            out.append(Entry(name: name, kind: Kind(st.st_mode), links: Int(st.st_nlink), identity: FileIdentity(st)))
        }
        return out
    }

    /// What `name` is now, without following a link; nil when it does not exist.
    public func status(_ name: FileName) -> (kind: Kind, links: Int, identity: FileIdentity)? {
        var st = stat()
        let found = (try? name.withCString { fstatat(fd, $0, &st, AT_SYMLINK_NOFOLLOW) == 0 }) ?? false
        return found ? (Kind(st.st_mode), Int(st.st_nlink), FileIdentity(st)) : nil
    }

    /// Opens a regular file for reading without following a link and without blocking on a FIFO; the caller
    /// learns from the descriptor what it opened.
    public func openForReading(_ name: FileName) throws(FileError) -> OpenFile {
        try fs.check(.open, path, name.display)
        let file = try name.withCString { openat(fd, $0, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) }
        guard file >= 0 else { throw FileError(operation: "open", path: path + "/" + name.display, code: errno) }
        var st = stat()
        guard fstat(file, &st) == 0 else {
            let code = errno
            close(file)
            throw FileError(operation: "stat", path: path + "/" + name.display, code: code)
        }
        return OpenFile(fd: file, status: st, label: path + "/" + name.display, fs: fs, directory: path)
    }

    /// Reads a regular file whole (at most `limit` bytes) without following a link.
    public func read(_ name: FileName, limit: Int) throws(FileError) -> [UInt8] {
        let file = try openForReading(name)
        guard file.kind == .regular else { throw FileError(operation: "open", path: path + "/" + name.display, code: EINVAL) }
        return try file.readAll(limit: limit)
    }

    /// Writes a new file: a stale file or a planted link of the same name is removed first, then the file is
    /// created with `O_EXCL | O_NOFOLLOW` (never writing through anything already there) and the configured mode.
    public func write(_ name: FileName, _ bytes: [UInt8], sync: Bool) throws(FileError) {
        try fs.check(.create, path, name.display)
        _ = try? name.withCString { unlinkat(fd, $0, 0) }
        let file = try name.withCString { openat(fd, $0, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, fs.fileMode) }
        guard file >= 0 else { throw FileError(operation: "create", path: path + "/" + name.display, code: errno) }
        var failure: Int32 = 0
        if fchmod(file, fs.fileMode) != 0 { failure = errno }
        do { try fs.check(.write, path, name.display) } catch { failure = error.code }
        if failure == 0 {
            bytes.withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = Glibc.write(file, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 { if errno == EINTR { continue }; failure = errno; return }
                    offset += n
                }
            }
        }
        if failure == 0, sync, fsync(file) != 0 { failure = errno }
        if close(file) != 0, failure == 0 { failure = errno }
        if failure != 0 {
            _ = try? name.withCString { unlinkat(fd, $0, 0) }
            throw FileError(operation: "write", path: path + "/" + name.display, code: failure)
        }
    }

    /// ``write(_:_:sync:)`` with a UTF-8 name.
    public func write(_ name: String, _ bytes: [UInt8], sync: Bool) throws(FileError) { try write(FileName(name), bytes, sync: sync) }

    /// Whether an entry of that name exists (of any kind, a link not followed).
    public func exists(_ name: FileName) -> Bool { status(name) != nil }
    /// Whether an entry of that UTF-8 name exists.
    public func exists(_ name: String) -> Bool { exists(FileName(name)) }

    /// Renames `name` here to `target` in `into`, never replacing an existing file (EEXIST instead).
    public func move(_ name: FileName, to target: FileName, in into: Directory) throws(FileError) {
        try fs.check(.rename, into.path, target.display)
        let done = try name.withCString { from throws(FileError) in
            try target.withCString { to in docgate_rename_noreplace(fd, from, into.fd, to) == 0 }
        }
        if done { return }
        let code = errno
        if code == EINVAL || code == ENOSYS {
            // File systems without RENAME_NOREPLACE: link then unlink gives the same guarantee.
            let linked = try name.withCString { from throws(FileError) in
                try target.withCString { to in linkat(fd, from, into.fd, to, 0) == 0 }
            }
            if linked {
                _ = try? name.withCString { unlinkat(fd, $0, 0) }
                return
            }
            throw FileError(operation: "link", path: into.path + "/" + target.display, code: errno)
        }
        throw FileError(operation: "rename", path: into.path + "/" + target.display, code: code)
    }

    /// ``move(_:to:in:)`` with UTF-8 names.
    public func move(_ name: String, to target: String, in into: Directory) throws(FileError) {
        try move(FileName(name), to: FileName(target), in: into)
    }

    /// A subdirectory path below this one, created as needed with the configured mode. Each level is opened from
    /// its parent with `O_NOFOLLOW | O_DIRECTORY`: a symbolic link planted at any level fails (ELOOP or ENOTDIR)
    /// instead of redirecting what is written there.
    public func subdirectory(_ parts: [String]) throws(FileError) -> Directory {
        var current = self
        for part in parts {
            let name = FileName(part)
            guard name.isPlain else { throw FileError(operation: "mkdir", path: current.path + "/" + part, code: EINVAL) }
            try fs.check(.mkdir, current.path, part)
            let parent = current
            let made = try name.withCString { mkdirat(parent.fd, $0, fs.dirMode) == 0 }
            if !made && errno != EEXIST { throw FileError(operation: "mkdir", path: current.path + "/" + part, code: errno) }
            let child = try name.withCString { openat(parent.fd, $0, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) }
            guard child >= 0 else { throw FileError(operation: "open", path: current.path + "/" + part, code: errno) }
            if made { fchmod(child, fs.dirMode) }
            current = Directory(fd: child, path: current.path + "/" + part, fs: fs)
        }
        return current
    }

    /// Moves a regular file into `dir` under `target` (numbered when the name is taken). Across file systems it is
    /// copied through one descriptor — which must still be `expected` (inode, size, times), a regular file with one
    /// link and at most `limit` bytes — to a new file created exclusively, the copy fsynced and renamed into place
    /// and the directory fsynced, and only then is the original removed. Returns the name it got and whether it was
    /// copied.
    public func archive(_ name: FileName, as target: String, into dir: Directory, expected: FileIdentity?,
                        limit: Int) throws(FileError) -> (name: String, copied: Bool) {
        do {
            return (try rename(name, as: target, into: dir), false)
        } catch where error.code == EXDEV {
            let file = try openForReading(name)
            guard file.kind == .regular, file.links == 1, expected.map({ file.identity == $0 }) ?? true else {
                throw FileError(operation: "copy", path: path + "/" + name.display, code: ESTALE)
            }
            let bytes = try file.readAll(limit: limit)
            let part = FileName(".docgate-copy-" + target.prefix(200) + ".part")
            try dir.write(part, bytes, sync: true)
            let finalName: String
            do { finalName = try dir.rename(part, as: target, into: dir) } catch {
                dir.remove(part)
                throw error
            }
            try dir.sync()
            remove(name)
            return (finalName, true)
        }
    }

    /// Renames an entry into `dir` under `target`, numbered when the name is taken; never copies (EXDEV across
    /// file systems). Returns the name it got.
    public func rename(_ name: FileName, as target: String, into dir: Directory) throws(FileError) -> String {
        var finalName = target
        var n = 1
        while true {
            do {
                try move(name, to: FileName(finalName), in: dir)
                return finalName
            } catch where error.code == EEXIST {
                n += 1
                finalName = Self.numbered(target, n)
            }
        }
    }

    /// `name.xml` → `name.2.xml`.
    static func numbered(_ name: String, _ n: Int) -> String {
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            return String(name[..<dot]) + ".\(n)" + String(name[dot...])
        }
        return name + ".\(n)"
    }

    /// Unlinks `name` if it is there; a failure is ignored.
    public func remove(_ name: FileName) { _ = try? name.withCString { unlinkat(fd, $0, 0) } }
    /// Unlinks the UTF-8 `name` if it is there; a failure is ignored.
    public func remove(_ name: String) { remove(FileName(name)) }

    /// fsync of the directory itself: makes renames and creations in it durable.
    public func sync() throws(FileError) {
        try fs.check(.sync, path)
        if fsync(fd) != 0 { throw FileError(operation: "fsync", path: path, code: errno) }
    }

    /// syncfs(2) on the file system holding this directory: one call makes every file written there durable.
    public func syncFileSystem() throws(FileError) {
        try fs.check(.syncfs, path)
        if docgate_syncfs(fd) != 0 { throw FileError(operation: "syncfs", path: path, code: errno) }
    }

    /// The device this directory lives on.
    var device: UInt64 {
        var st = stat()
        fstat(fd, &st)
        return UInt64(st.st_dev)
    }
}

/// An inbox file opened for reading: what the descriptor is (kind, links, identity), and its content.
public final class OpenFile {
    let fd: Int32
    let status: stat
    let label: String
    let fs: FileSystem
    let directory: String

    init(fd: Int32, status: stat, label: String, fs: FileSystem, directory: String) {
        self.fd = fd
        self.status = status
        self.label = label
        self.fs = fs
        self.directory = directory
    }

    deinit { close(fd) }

    /// What the opened descriptor is (`fstat`).
    public var kind: Directory.Kind { Directory.Kind(status.st_mode) }
    /// Hard links to the opened file.
    public var links: Int { Int(status.st_nlink) }
    /// The opened file's device, inode, size and times, as `fstat` gave them when it was opened.
    public var identity: FileIdentity { FileIdentity(status) }

    /// Whether another process holds the file open for writing, as a read lease (`F_SETLEASE`) tells: `unknown`
    /// when no lease can be taken — EACCES on a file another user owns without `CAP_LEASE`, EINVAL where the file
    /// system has no leases (NFS).
    public func writers() -> Writers {
        do { try fs.check(.lease, directory) } catch { return .unknown(code: error.code) }
        if docgate_set_read_lease(fd) == 0 {
            docgate_release_lease(fd)
            return .none
        }
        let code = errno
        return code == EAGAIN || code == EWOULDBLOCK ? .writing : .unknown(code: code)
    }

    /// What ``writers()`` found.
    public enum Writers: Sendable, Equatable {
        /// No process holds it open for writing.
        case none
        /// Some process does.
        case writing
        /// No lease could be taken (the errno): whether anyone writes it cannot be told.
        case unknown(code: Int32)
    }

    /// The whole content, at most `limit` bytes (the size was checked before: a file that grew past it since is
    /// refused too). The buffer is sized from `fstat`, never from a hostile length field.
    public func readAll(limit: Int) throws(FileError) -> [UInt8] {
        try fs.check(.read, directory)
        guard Int(status.st_size) <= limit else { throw FileError(operation: "read", path: label, code: EFBIG) }
        var out = [UInt8](repeating: 0, count: Int(status.st_size))
        var offset = 0
        while true {
            if offset == out.count {
                if out.count >= limit { break }
                out.append(contentsOf: [UInt8](repeating: 0, count: min(65_536, limit - out.count + 1)))
            }
            let n = out.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 { if errno == EINTR { continue }; throw FileError(operation: "read", path: label, code: errno) }
            if n == 0 { break }
            offset += n
            if offset > limit { throw FileError(operation: "read", path: label, code: EFBIG) }
        }
        out.removeSubrange(offset...)
        return out
    }
}
