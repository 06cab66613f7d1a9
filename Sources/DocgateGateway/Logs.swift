import DocgateCore
import Glibc
import Logging

/// The daemon's swift-log handlers: one text line or one JSON object per entry, on standard error. Names of files
/// come from outside (the planning system, anyone who can write to an inbox): the text form escapes the message
/// and every metadata value with `SafeText.escaped`, so a name with a newline cannot forge a log line and an
/// escape sequence cannot reach an operator's terminal; the JSON form escapes them as JSON (`JSONText`).
/// The handlers are docgate's own: swift-log ships none that writes JSON lines, and no mirrored package does.
public enum Logs {
    /// Where a finished line goes (standard error unless a test catches it).
    public typealias Sink = @Sendable (String) -> Void

    /// A logger labelled `docgate` writing one JSON object per entry when `format` is `json`, one text line otherwise;
    /// entries below `level` are dropped.
    public static func make(format: String, level: Logger.Level = .info, sink: @escaping Sink = standardError) -> Logger {
        let json = format == "json"
        var logger = Logger(label: "docgate") { label in
            LineLogHandler(label: label, json: json, sink: sink)
        }
        logger.logLevel = level
        return logger
    }

    /// One `write` per line, so that lines of several threads do not interleave.
    public static let standardError: Sink = { line in
        var line = line
        line.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 { if errno == EINTR { continue }; return }
                offset += n
            }
        }
    }

    static func time() -> String { Clock.iso(Clock.now()) }
}

/// One entry per line, as text or as JSON. Text: `time level message key=value …`, the message and the values
/// escaped with `SafeText.escaped`, and a value that is empty or holds a space, `"` or `=` quoted (`file="a b.xml"`),
/// so that a name cannot add a `key=value` of its own either. JSON: one object, time, level, message, then the
/// metadata by key.
struct LineLogHandler: LogHandler {
    let label: String
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info
    let json: Bool
    let sink: Logs.Sink

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }).sorted(by: { $0.key < $1.key })
        if json {
            var pairs: [(String, String)] = [("time", JSONText.string(Logs.time())), ("level", JSONText.string(event.level.rawValue)),
                                             ("message", JSONText.string("\(event.message)"))]
            for (k, v) in all { pairs.append((k, JSONText.string("\(v)"))) }
            sink(JSONText.object(pairs) + "\n")
        } else {
            var line = Logs.time() + " " + event.level.rawValue + " " + SafeText.escaped("\(event.message)")
            for (key, value) in all { line += " " + Self.field(key) + "=" + Self.field("\(value)") }
            sink(line + "\n")
        }
    }

    /// A key or value as it is printed: escaped, and quoted when it would not read as one word.
    static func field(_ s: String) -> String {
        let escaped = SafeText.escaped(s)
        guard escaped.isEmpty || escaped.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else { return escaped }
        var quoted = ""
        for c in escaped { if c == "\"" { quoted += "\\\"" } else { quoted.append(c) } }
        return "\"" + quoted + "\""
    }
}
