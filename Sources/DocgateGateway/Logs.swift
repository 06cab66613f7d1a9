import DocgateCore
import Glibc
import Logging

/// The daemon's swift-log handlers: one text line or one JSON object per entry, on standard error. Names of files
/// come from outside (the planning system, anyone who can write to an inbox): the text form escapes the message
/// and every metadata value with `SafeText.escaped`, so a name with a newline cannot forge a log line and an
/// escape sequence cannot reach an operator's terminal; the JSON form escapes them as JSON (`JSONText`).
public enum Logs {
    /// Where a finished line goes (standard error unless a test catches it).
    public typealias Sink = @Sendable (String) -> Void

    public static func make(format: String, level: Logger.Level = .info, sink: @escaping Sink = standardError) -> Logger {
        let json = format == "json"
        var logger = Logger(label: "docgate") { label in
            json ? JSONLogHandler(label: label, sink: sink) as any LogHandler : TextLogHandler(label: label, sink: sink)
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

/// `time level message key=value …` on one line. The message and the values are escaped with `SafeText.escaped`;
/// a value that is empty or holds a space, `"` or `=` is quoted (`file="a b.xml"`), so that a name cannot add a
/// `key=value` of its own either.
public struct TextLogHandler: LogHandler {
    public let label: String
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let sink: Logs.Sink

    public init(label: String, sink: @escaping Logs.Sink = Logs.standardError) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = Logs.time() + " " + event.level.rawValue + " " + SafeText.escaped("\(event.message)")
        let all = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
        for (key, value) in all.sorted(by: { $0.key < $1.key }) {
            line += " " + Self.field(key) + "=" + Self.field("\(value)")
        }
        sink(line + "\n")
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

/// One JSON object per line: time, level, message, then the metadata by key.
public struct JSONLogHandler: LogHandler {
    public let label: String
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let sink: Logs.Sink

    public init(label: String, sink: @escaping Logs.Sink = Logs.standardError) {
        self.label = label
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var pairs: [(String, String)] = [("time", JSONText.string(Logs.time())), ("level", JSONText.string(event.level.rawValue)),
                                         ("message", JSONText.string("\(event.message)"))]
        for (k, v) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }).sorted(by: { $0.key < $1.key }) {
            pairs.append((k, JSONText.string("\(v)")))
        }
        sink(JSONText.object(pairs) + "\n")
    }
}
