import Glibc

/// inotify on the inboxes: files renamed into place (IN_MOVED_TO) are complete at once, and any event wakes the
/// loop early. Without inotify (or on network file systems, where it sees nothing) the periodic rescan still
/// finds everything.
final class InboxWatcher {
    private let fd: Int32
    private var watches: [Int32: String] = [:]
    var active: Bool { fd >= 0 && !watches.isEmpty }

    init(_ directories: [String]) {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return }
        for dir in directories {
            let wd = inotify_add_watch(fd, dir, UInt32(IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE))
            if wd >= 0 { watches[wd] = dir }
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    /// Waits up to `timeout` seconds (in slices, so that a stop request is seen quickly) and returns the names
    /// renamed into each directory.
    func wait(timeout: Double, stop: () -> Bool) -> [String: Set<FileName>] {
        var moved: [String: Set<FileName>] = [:]
        let deadline = Clock.monotonic() + timeout
        while !stop() {
            let left = deadline - Clock.monotonic()
            if left <= 0 { break }
            if fd < 0 {
                usleep(useconds_t(min(left, 0.1) * 1e6))
                continue
            }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let n = poll(&p, 1, Int32(min(left, 0.1) * 1000))
            if n > 0 {
                drain(into: &moved)
                // Let a burst of arrivals settle into one pass.
                usleep(2_000)
                drain(into: &moved)
                break
            }
        }
        return moved
    }

    private func drain(into moved: inout [String: Set<FileName>]) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= n {
                let (wd, mask, length) = buffer.withUnsafeBytes { raw -> (Int32, UInt32, Int) in
                    let e = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (e.wd, e.mask, Int(e.len))
                }
                let nameStart = offset + MemoryLayout<inotify_event>.size
                if mask & UInt32(IN_MOVED_TO) != 0, length > 0, let dir = watches[wd] {
                    let nameBytes = buffer[nameStart..<(nameStart + length)].prefix { $0 != 0 }
                    moved[dir, default: []].insert(FileName(bytes: Array(nameBytes)))
                }
                offset = nameStart + length
            }
        }
    }
}
