import Glibc

/// The one way docgate reads a whole file named by a path: only a regular file, never more than a limit, and never
/// waiting — a FIFO, socket or device is refused when opened (`O_NONBLOCK`), not read from. What it reads is what it
/// checked: the checks are made with `fstat` on the descriptor that is then read.
public enum BoundedFile {
    /// Why a file was not read.
    public enum Failure: Error, Sendable, Equatable {
        /// `open`, `fstat` or `read` failed with this errno; EISDIR for a directory, EINVAL for another special file.
        case unreadable(Int32)
        /// Larger than the limit (its size as `fstat` gave it, or what was read when it grew).
        case tooLarge(Int)
        /// Refused by the caller's check of the file's status (a secret file's mode).
        case refused(mode: UInt32)

        /// The system's words for it (a file too large says its size).
        public var reason: String {
            switch self {
            case .unreadable(EINVAL): "not a regular file (a pipe, socket or device)"
            case .unreadable(let code): String(cString: strerror(code))
            case .tooLarge(let size): String(cString: strerror(EFBIG)) + " (\(size) bytes)"
            case .refused(let mode): String(cString: strerror(EACCES)) + " (mode 0" + String(mode & 0o777, radix: 8) + ")"
            }
        }
    }

    /// Opens a regular file for reading, with its status; the caller closes the descriptor. A directory is EISDIR,
    /// any other special file EINVAL, refused without waiting for a writer. With `followLinks` false, a symbolic
    /// link as the path's last component is refused (ELOOP) instead of followed.
    public static func openRegular(_ path: String, followLinks: Bool = true) -> Result<(Int32, stat), Failure> {
        // A special file is refused before it is opened (opening a device can act: a tape rewinds, a watchdog arms);
        // the opened file is checked again below, in case the path changed in between.
        var before = stat()
        guard (followLinks ? stat(path, &before) : lstat(path, &before)) == 0 else { return .failure(.unreadable(errno)) }
        if !followLinks && (before.st_mode & S_IFMT) == S_IFLNK { return .failure(.unreadable(ELOOP)) }
        guard (before.st_mode & S_IFMT) == S_IFREG else {
            return .failure(.unreadable((before.st_mode & S_IFMT) == S_IFDIR ? EISDIR : EINVAL))
        }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY | (followLinks ? 0 : O_NOFOLLOW))
        guard fd >= 0 else { return .failure(.unreadable(errno)) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let code = errno
            close(fd)
            return .failure(.unreadable(code))
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            return .failure(.unreadable((st.st_mode & S_IFMT) == S_IFDIR ? EISDIR : EINVAL))
        }
        return .success((fd, st))
    }

    /// Reads the whole regular file at `path`, at most `limit` bytes.
    /// - Parameters:
    ///   - followLinks: false refuses a symbolic link as the path's last component (see ``openRegular(_:followLinks:)``).
    ///   - check: looks at the opened file's status before a byte is read; returning a mode refuses it.
    public static func read(_ path: String, limit: Int, followLinks: Bool = true, check: ((stat) -> UInt32?)? = nil) -> Result<[UInt8], Failure> {
        let fd: Int32, st: stat
        switch openRegular(path, followLinks: followLinks) {
        case .success(let opened): (fd, st) = opened
        case .failure(let failure): return .failure(failure)
        }
        defer { close(fd) }
        if let mode = check?(st) { return .failure(.refused(mode: mode)) }
        let expected = Int(st.st_size)
        if expected > limit { return .failure(.tooLarge(expected)) }
        var out = [UInt8](repeating: 0, count: expected)
        var filled = 0
        var failure: Int32 = 0
        out.withUnsafeMutableBytes { raw in
            while filled < expected {
                let n = Glibc.read(fd, raw.baseAddress! + filled, expected - filled)
                if n < 0 { if errno == EINTR { continue }; failure = errno; return }
                if n == 0 { break }
                filled += n
            }
        }
        if failure != 0 { return .failure(.unreadable(failure)) }
        // The file as it was when opened: one that grows meanwhile is not followed. Only a file whose size says
        // nothing (0, as /proc's files) is read to its end, within the limit.
        if filled < expected { out.removeLast(expected - filled) }
        if expected > 0 { return .success(out) }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return .failure(.unreadable(errno)) }
            if n == 0 { break }
            out += chunk[0..<n]
            if out.count > limit { return .failure(.tooLarge(out.count)) }
        }
        return .success(out)
    }
}
