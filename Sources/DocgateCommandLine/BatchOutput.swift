import Glibc

/// Standard output of a batch command: collected and written in blocks (one write per 64 KB, and after every
/// piece when stdout is a terminal, where someone is watching), with the framing of a streamed JSON array.
public final class BatchOutput: @unchecked Sendable {
    private var pending = ""
    private let interactive = isatty(1) == 1
    private var items = 0

    public init() {}

    public func write(_ text: String) {
        pending += text
        if interactive || pending.utf8.count >= 65_536 { flush() }
    }

    public func flush() {
        guard !pending.isEmpty else { return }
        Terminal.out(pending)
        pending = ""
    }

    public func beginArray() { write("[") }

    /// One element of the array opened by `beginArray`.
    public func arrayItem(_ json: String) {
        write((items == 0 ? "\n  " : ",\n  ") + json)
        items += 1
    }

    public func endArray() { write(items == 0 ? "]\n" : "\n]\n") }
}
