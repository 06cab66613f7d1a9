import Glibc
import Synchronization

/// Standard output of a batch command: collected and written in blocks (one write per 64 KB, and after every
/// piece when stdout is a terminal, where someone is watching), with the framing of a streamed JSON array. Safe
/// from any thread: what is pending is behind a lock.
public final class BatchOutput: Sendable {
    private struct State {
        var pending = ""
        var items = 0
    }

    private let state = Mutex(State())
    private let interactive = isatty(1) == 1

    /// An empty output; whether stdout is a terminal is decided here, once.
    public init() {}

    /// Appends `text`; writes what is pending when it reaches 64 KB, or at once on a terminal.
    public func write(_ text: String) {
        let ready: String? = state.withLock { s in
            s.pending += text
            guard interactive || s.pending.utf8.count >= 65_536 else { return nil }
            defer { s.pending = "" }
            return s.pending
        }
        if let ready { Terminal.out(ready) }
    }

    /// Writes whatever is pending; call it before the process exits.
    public func flush() {
        let ready = state.withLock { s in
            defer { s.pending = "" }
            return s.pending
        }
        if !ready.isEmpty { Terminal.out(ready) }
    }

    /// Opens the JSON array that ``arrayItem(_:)`` fills and ``endArray()`` closes.
    public func beginArray() { write("[") }

    /// One element of the array opened by `beginArray`.
    public func arrayItem(_ json: String) {
        let first = state.withLock { s in
            defer { s.items += 1 }
            return s.items == 0
        }
        write((first ? "\n  " : ",\n  ") + json)
    }

    /// Closes the array: `[]` when it had no items, each item on its own line otherwise.
    public func endArray() { write(state.withLock { $0.items } == 0 ? "]\n" : "\n]\n") }
}
