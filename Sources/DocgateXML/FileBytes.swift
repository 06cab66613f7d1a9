import DocgateCore
import Glibc

/// A file could not be read (missing, a directory, permission denied, an I/O error).
public struct XMLFileError: Error, Sendable, Hashable {
    /// The file.
    public var path: String
    /// The `errno` value behind it.
    public var errorNumber: Int32

    /// An error for a file and the errno behind it.
    public init(path: String, errorNumber: Int32) {
        self.path = path
        self.errorNumber = errorNumber
    }

    /// The system's text for ``errorNumber``.
    public var reason: String { String(cString: strerror(errorNumber)) }
}

/// Whole-file reads with `open`/`fstat`/`read`, bounded by a size limit.
public enum FileBytes {
    /// A file's bytes, or its size when over the limit (not read).
    public enum Contents {
        case bytes([UInt8])
        case tooLarge(Int)
    }

    /// The size of a regular file, or the error that prevents reading it.
    public static func size(of path: String) throws(XMLFileError) -> Int {
        var st = stat()
        guard stat(path, &st) == 0 else { throw XMLFileError(path: path, errorNumber: errno) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw XMLFileError(path: path, errorNumber: EISDIR) }
        return Int(st.st_size)
    }

    /// The whole file, at most `limit` bytes: a regular file only (BoundedFile), errors thrown.
    public static func read(_ path: String, limit: Int) throws(XMLFileError) -> Contents {
        switch BoundedFile.read(path, limit: limit) {
        case .success(let bytes): return .bytes(bytes)
        case .failure(.tooLarge(let size)): return .tooLarge(size)
        case .failure(.unreadable(let code)): throw XMLFileError(path: path, errorNumber: code)
        case .failure(.refused): throw XMLFileError(path: path, errorNumber: EACCES)
        }
    }
}
