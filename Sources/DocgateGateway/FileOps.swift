import CSystemShims
import Glibc

/// A failed file-system call: what, on which name, and errno.
public struct FileError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var code: Int32

    public var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
    /// Errors that time may cure (full disk, permissions being fixed, a busy or read-only file system).
    public var isTransient: Bool { [ENOSPC, EDQUOT, EACCES, EPERM, EROFS, EIO, EAGAIN, EBUSY, EMFILE, ENFILE, ENOMEM].contains(code) }
}

/// A configured directory held open: every file operation is relative to it (`openat`, `renameat`), names are
/// checked to be plain names, and entries are never followed through symbolic links — so nothing is read or
/// written outside the configured directories.
public final class Directory: @unchecked Sendable {
    public let path: String
    let fd: Int32

    /// Opens (creating it and its parents when missing) a directory.
    public init(_ path: String, create: Bool = true) throws(FileError) {
        if create { try Self.makePath(path) }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(operation: "open", path: path, code: errno) }
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// Creates the directory a file will live in.
    public static func makeParent(of file: String) throws(FileError) {
        guard let slash = file.lastIndex(of: "/"), slash != file.startIndex else { return }
        try makePath(String(file[..<slash]))
    }

    static func makePath(_ path: String) throws(FileError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST { throw FileError(operation: "mkdir", path: current, code: errno) }
        }
    }

    /// A name usable inside a directory: not empty, no `/`, no NUL, not `.` or `..`.
    public static func isPlainName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.utf8.contains(0x2F) && !name.utf8.contains(0) && name.utf8.count <= 255
    }

    public struct Entry: Sendable {
        public var name: String
        public var isRegular: Bool
        public var isSymlink: Bool
        public var size: Int64
        public var mtime: Double
    }

    /// The directory's entries by `readdir` and `fstatat(AT_SYMLINK_NOFOLLOW)`, up to `limit` (a huge inbox is
    /// taken in bounded bites).
    public func entries(limit: Int = .max, where include: (String) -> Bool) throws(FileError) -> [Entry] {
        let dupfd = dup(fd)
        guard dupfd >= 0, let dir = fdopendir(dupfd) else { throw FileError(operation: "opendir", path: path, code: errno) }
        defer { closedir(dir) }
        rewinddir(dir)
        var out: [Entry] = []
        while out.count < limit, let e = readdir(dir) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
            guard name != ".", name != "..", include(name) else { continue }
            var st = stat()
            guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            let type = st.st_mode & S_IFMT
            out.append(Entry(name: name, isRegular: type == S_IFREG, isSymlink: type == S_IFLNK, size: Int64(st.st_size),
                             mtime: Double(st.st_mtim.tv_sec) + Double(st.st_mtim.tv_nsec) / 1e9))
        }
        return out
    }

    /// Reads a regular file without following a symbolic link.
    public func read(_ name: String, limit: Int) throws(FileError) -> [UInt8] {
        let file = openat(fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard file >= 0 else { throw FileError(operation: "open", path: path + "/" + name, code: errno) }
        defer { close(file) }
        var st = stat()
        guard fstat(file, &st) == 0 else { throw FileError(operation: "stat", path: path + "/" + name, code: errno) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw FileError(operation: "open", path: path + "/" + name, code: EINVAL) }
        guard Int(st.st_size) <= limit else { throw FileError(operation: "read", path: path + "/" + name, code: EFBIG) }
        var out = [UInt8](repeating: 0, count: Int(st.st_size))
        var offset = 0
        while true {
            if offset == out.count { out.append(contentsOf: [UInt8](repeating: 0, count: 65_536)) }
            let n = out.withUnsafeMutableBytes { Glibc.read(file, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 { if errno == EINTR { continue }; throw FileError(operation: "read", path: path + "/" + name, code: errno) }
            if n == 0 { break }
            offset += n
            if offset > limit { throw FileError(operation: "read", path: path + "/" + name, code: EFBIG) }
        }
        out.removeSubrange(offset...)
        return out
    }

    /// Writes a file (replacing a stale one of the same name) and, when asked, fsyncs it.
    public func write(_ name: String, _ bytes: [UInt8], sync: Bool) throws(FileError) {
        let file = openat(fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard file >= 0 else { throw FileError(operation: "create", path: path + "/" + name, code: errno) }
        var failure: Int32 = 0
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(file, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; failure = errno; return }
                offset += n
            }
        }
        if failure == 0, sync, fsync(file) != 0 { failure = errno }
        if close(file) != 0, failure == 0 { failure = errno }
        if failure != 0 {
            unlinkat(fd, name, 0)
            throw FileError(operation: "write", path: path + "/" + name, code: failure)
        }
    }

    public func exists(_ name: String) -> Bool {
        var st = stat()
        return fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0
    }

    /// Renames `name` here to `target` in `into`, never replacing an existing file (EEXIST instead).
    public func move(_ name: String, to target: String, in into: Directory) throws(FileError) {
        if docgate_rename_noreplace(fd, name, into.fd, target) == 0 { return }
        let code = errno
        if code == EINVAL || code == ENOSYS {
            // File systems without RENAME_NOREPLACE: link then unlink gives the same guarantee.
            if linkat(fd, name, into.fd, target, 0) == 0 {
                unlinkat(fd, name, 0)
                return
            }
            throw FileError(operation: "link", path: into.path + "/" + target, code: errno)
        }
        throw FileError(operation: "rename", path: into.path + "/" + target, code: code)
    }

    /// A subdirectory path below this one, created as needed.
    public func subdirectory(_ parts: [String]) throws(FileError) -> Directory {
        var dir = self
        for part in parts {
            if mkdirat(dir.fd, part, 0o755) != 0 && errno != EEXIST { throw FileError(operation: "mkdir", path: dir.path + "/" + part, code: errno) }
            dir = try Directory(dir.path + "/" + part, create: false)
        }
        return dir
    }

    /// Moves a file into `dir` under `target` (numbered when the name is taken), across file systems by copying
    /// when it must. Returns the name it got.
    public func archive(_ name: String, as target: String, into dir: Directory) throws(FileError) -> String {
        var finalName = target
        var n = 1
        while true {
            do {
                try move(name, to: finalName, in: dir)
                return finalName
            } catch where error.code == EEXIST {
                n += 1
                finalName = Self.numbered(target, n)
            } catch where error.code == EXDEV {
                let bytes = try read(name, limit: Int.max)
                try dir.write(finalName + ".part", bytes, sync: true)
                try dir.move(finalName + ".part", to: finalName, in: dir)
                unlinkat(fd, name, 0)
                return finalName
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

    public func remove(_ name: String) {
        unlinkat(fd, name, 0)
    }

    /// fsync of the directory itself: makes renames and creations in it durable.
    public func sync() throws(FileError) {
        if fsync(fd) != 0 { throw FileError(operation: "fsync", path: path, code: errno) }
    }

    /// syncfs(2) on the file system holding this directory: one call makes every file written there durable.
    public func syncFileSystem() throws(FileError) {
        if docgate_syncfs(fd) != 0 { throw FileError(operation: "syncfs", path: path, code: errno) }
    }
}
