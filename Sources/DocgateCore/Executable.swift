import Glibc

/// This program's own executable (the schemas are looked for beside it).
public enum Executable {
    /// The path from /proc (argv[0] may be relative or a bare name); nil where /proc cannot tell.
    public static var path: String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        return n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
    }
}
