import DocgateCore
import Glibc
import Testing

/// The two file primitives of DocgateCore: the bounded reader and the atomic writer.
@Suite struct FileTests {
    static func directory() -> String {
        var template = Array("/tmp/docgate-core-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    static func entries(_ dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    @Test func theWriterReplacesWholeOrRefusesAndLeavesNoTemporaryFile() throws {
        let dir = Self.directory()
        defer { _ = system("rm -rf '\(dir)'") }
        let path = dir + "/out.xml"
        try AtomicFile.write(Array("first".utf8), to: path)
        try AtomicFile.write(Array("second".utf8), to: path)
        #expect(try BoundedFile.read(path, limit: 100).get() == Array("second".utf8))
        #expect(throws: WriteError.self) { try AtomicFile.write(Array("third".utf8), to: path, replace: false) }
        #expect(try BoundedFile.read(path, limit: 100).get() == Array("second".utf8))
        #expect(Self.entries(dir) == ["out.xml"])
        // Never renamed over anything but a regular file: a pipe, a directory or a link stays what it is.
        #expect(mkfifo(dir + "/pipe", 0o600) == 0)
        #expect(throws: WriteError.self) { try AtomicFile.write(Array("x".utf8), to: dir + "/pipe") }
        #expect(symlink(path, dir + "/link") == 0)
        #expect(throws: WriteError.self) { try AtomicFile.write(Array("x".utf8), to: dir + "/link") }
        var st = stat()
        #expect(lstat(dir + "/pipe", &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO)
        #expect(Self.entries(dir) == ["link", "out.xml", "pipe"])
    }

    @Test func theReaderTakesOnlyRegularFilesWithinTheLimit() throws {
        let dir = Self.directory()
        defer { _ = system("rm -rf '\(dir)'") }
        let path = dir + "/f"
        try AtomicFile.write([UInt8](repeating: 0x41, count: 1000), to: path)
        #expect(BoundedFile.read(path, limit: 999) == .failure(.tooLarge(1000)))
        #expect(try BoundedFile.read(path, limit: 1000).get().count == 1000)
        #expect(BoundedFile.read(dir, limit: 10) == .failure(.unreadable(EISDIR)))
        #expect(mkfifo(dir + "/p", 0o600) == 0)
        #expect(BoundedFile.read(dir + "/p", limit: 10) == .failure(.unreadable(EINVAL)))
        #expect(BoundedFile.read(dir + "/missing", limit: 10) == .failure(.unreadable(ENOENT)))
        // A file whose size says nothing is read to its end, within the limit.
        #expect(try BoundedFile.read("/proc/self/status", limit: 1 << 20).get().count > 0)
        if case .failure(.tooLarge) = BoundedFile.read("/proc/self/pagemap", limit: 1 << 20) {} else {
            Issue.record("an endless /proc file was not stopped at the limit")
        }
        // A caller's check sees the opened file's mode and may refuse it.
        chmod(path, 0o644)
        #expect(BoundedFile.read(path, limit: 2000) { st in UInt32(st.st_mode) & 0o044 != 0 ? UInt32(st.st_mode) & 0o777 : nil }
            == .failure(.refused(mode: 0o644)))
    }
}
