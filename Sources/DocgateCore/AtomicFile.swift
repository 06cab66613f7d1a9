import Glibc

/// A file could not be written: the system's reason.
public struct WriteError: Error, Sendable {
    /// The system's reason (`strerror` of the failing call), or "not a regular file: PATH".
    public var reason: String

    /// A failure with this reason.
    public init(reason: String) {
        self.reason = reason
    }
}

/// Writes a file so that readers see the old content or the whole new content, never a part: a temporary file
/// in the same directory, fsync, rename, fsync of the directory.
public enum AtomicFile {
    /// - Parameters:
    ///   - replace: false to fail (EEXIST) rather than replace a file already at `path`.
    ///   - syncDirectory: false when the caller fsyncs the directory once after writing many files into it.
    ///   - mode: the new file's permission bits (0600 for a file of secrets: the temporary file is never wider).
    public static func write(_ bytes: [UInt8], to path: String, replace: Bool = true, syncDirectory: Bool = true,
                             mode: mode_t = 0o644) throws(WriteError) {
        // Only a regular file is ever replaced: a device, a pipe, a socket, a directory or a symbolic link at the
        // path is refused (renaming over /dev/null would make it a file).
        var existing = stat()
        if lstat(path, &existing) == 0, (existing.st_mode & S_IFMT) != S_IFREG {
            throw WriteError(reason: "not a regular file: \(path)")
        }
        let dir = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let base = path.contains("/") ? String(path[path.index(after: path.lastIndex(of: "/")!)...]) : path
        let prefix: String = dir.isEmpty ? "/" : dir + "/"
        let pattern: String = prefix + "." + base + ".XXXXXX"
        var template = Array(pattern.utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw WriteError(reason: String(cString: strerror(errno))) }
        let tmp = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var failure: String?
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; failure = String(cString: strerror(errno)); return }
                offset += n
            }
        }
        if failure == nil, fchmod(fd, mode) != 0 || fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil {
            // link() never replaces: it fails with EEXIST, and the temporary name is removed either way.
            if replace ? rename(tmp, path) != 0 : link(tmp, path) != 0 { failure = String(cString: strerror(errno)) }
            if !replace { unlink(tmp) }
        }
        if let failure {
            unlink(tmp)
            throw WriteError(reason: failure)
        }
        if syncDirectory { Self.syncDirectory(dir) }
    }

    /// fsync of a directory, so that new names in it survive a crash.
    public static func syncDirectory(_ dir: String) {
        let dfd = open(dir.isEmpty ? "/" : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }
}
