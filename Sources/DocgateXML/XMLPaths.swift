import Glibc

/// Small path helpers over `realpath(3)`, so the library needs no Foundation.
public enum XMLPaths {
    /// The absolute path with symlinks resolved, or `nil` when it does not exist.
    public static func canonical(_ path: String) -> String? {
        XMLLibrary.canonicalPath(path)
    }

    /// `/a/b/c.xml` → `/a/b`; `c.xml` → `.`.
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `/a/b/c.xml` → `c.xml`.
    public static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}
