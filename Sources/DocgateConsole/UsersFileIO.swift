import DocgateCore
import Glibc

extension UsersFile {
    /// Largest users file read: 1 MiB.
    public static let maximumSize = 1 << 20

    /// Mode bits a users file must not have: writable by its group or others (they could add themselves as
    /// operators), readable by others (the hashes could be attacked offline).
    public static let forbiddenModeBits: UInt32 = 0o026

    /// Reads and parses the users file at `path`. Refused: a symbolic link, anything but a regular file, a file over
    /// ``maximumSize``, one with ``forbiddenModeBits``, one owned by neither this process's user nor root, one not in
    /// UTF-8. The checks are made on the descriptor then read (a link swapped in between is caught).
    /// - Throws: DG5053 with the path and the reason.
    public static func load(_ path: String) throws(ConsoleError) -> UsersFile {
        var link = stat()
        guard lstat(path, &link) == 0 else { throw unusable(path, reason: String(cString: strerror(errno))) }
        if (link.st_mode & S_IFMT) == S_IFLNK {
            throw unusable(path, ru: "это символьная ссылка; укажите сам файл", en: "it is a symbolic link; name the file itself")
        }
        var refusal: ConsoleError?
        let check: (stat) -> UInt32? = { st in
            refusal = refused(path, st, expected: link)
            return refusal == nil ? nil : UInt32(st.st_mode)
        }
        switch BoundedFile.read(path, limit: maximumSize, check: check) {
        case .success(let bytes):
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw unusable(path, ru: "файл не в кодировке UTF-8", en: "the file is not UTF-8")
            }
            return try parse(text)
        case .failure(.refused): throw refusal!
        case .failure(.tooLarge(let size)):
            throw unusable(path, ru: "файл больше 1 МиБ (\(size) байт)", en: "the file is larger than 1 MiB (\(size) bytes)")
        case .failure(let failure): throw unusable(path, reason: failure.reason)
        }
    }

    /// Why the opened file's status refuses it, or nil.
    private static func refused(_ path: String, _ st: stat, expected: stat) -> ConsoleError? {
        if st.st_dev != expected.st_dev || st.st_ino != expected.st_ino {
            return unusable(path, ru: "файл подменили во время чтения", en: "the file was replaced while it was read")
        }
        let mode = UInt32(st.st_mode) & 0o7777
        if mode & forbiddenModeBits != 0 {
            let m = "0" + String(mode & 0o777, radix: 8)
            return unusable(path, ru: "права \(m): файл доступен на запись группе или другим либо на чтение другим; выполните chmod 600 \(path)",
                            en: "mode \(m): the file is writable by its group or others, or readable by others; run chmod 600 \(path)")
        }
        if st.st_uid != geteuid() && st.st_uid != 0 {
            return unusable(path, ru: "файл принадлежит другому пользователю (uid \(st.st_uid)); его владелец — пользователь шлюза или root",
                            en: "the file belongs to another user (uid \(st.st_uid)); it must be owned by the gateway's user or root")
        }
        return nil
    }

    static func unusable(_ path: String, ru: String, en: String) -> ConsoleError {
        let shown = SafeText.escaped(path)
        return ConsoleError(.DG5053, ru: "файл пользователей \(shown): \(ru)", en: "users file \(shown): \(en)")
    }

    static func unusable(_ path: String, reason: String) -> ConsoleError {
        unusable(path, ru: "не читается: \(reason)", en: "cannot be read: \(reason)")
    }

    /// Writes the file atomically (a temporary file beside it, fsync, rename, fsync of the directory), mode 0600.
    /// A symbolic link or a special file at `path` is refused, not followed.
    /// - Throws: DG5002 with the system's reason.
    public func write(to path: String) throws(ConsoleError) {
        do {
            try AtomicFile.write(Array(text.utf8), to: path, mode: 0o600)
        } catch {
            let shown = SafeText.escaped(path)
            throw ConsoleError(.DG5002, ru: "файл пользователей \(shown) не записан: \(error.reason)",
                               en: "users file \(shown) not written: \(error.reason)")
        }
    }

    /// Reads the file at `path` (none yet: no users, when `creating`), applies `change` and writes the result,
    /// holding an exclusive lock on the file's directory so that two commands run at once do not lose a change.
    /// - Returns: the file as written.
    @discardableResult
    public static func update(_ path: String, creating: Bool = false,
                              change: (UsersFile) throws(ConsoleError) -> UsersFile) throws(ConsoleError) -> UsersFile {
        let dir = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let fd = open(dir.isEmpty ? "/" : dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw unusable(path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw unusable(path, reason: String(cString: strerror(errno))) }
        }
        var existing = stat()
        let current = creating && lstat(path, &existing) != 0 && errno == ENOENT ? UsersFile() : try load(path)
        let changed = try change(current)
        try changed.write(to: path)
        return changed
    }
}
