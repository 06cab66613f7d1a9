import DocgateCore
import DocgateCrypto
import Glibc

/// The names the gateway writes, all derived from an inbound name it does not trust.
enum Names {
    /// Longest name `sanitize` gives, in bytes: room is left for `RECEIPT_`, `.reason.txt` and a number
    /// (`.12345`) within the 255 bytes of NAME_MAX.
    static let maxBytes = 200

    /// Control characters, separators and anything outside a conservative set become `_`; a name longer than
    /// `maxBytes` bytes is cut on a character boundary and given `~` and 8 hex digits of the original name's
    /// SHA-256 (so two long names that share their start stay apart), keeping its extension.
    static func sanitize(_ name: FileName) -> String {
        var out = ""
        for scalar in name.display.unicodeScalars {
            let ok = scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "." || scalar == "-" || scalar == "_"
            out.unicodeScalars.append(ok ? scalar : "_")
        }
        if out.isEmpty || out.hasPrefix(".") { out = "_" + out }
        return fit(out, bytes: maxBytes, original: name.bytes)
    }

    static func sanitize(_ name: String) -> String { sanitize(FileName(name)) }

    /// `name` cut to at most `limit` UTF-8 bytes on a character boundary, with a short hash of `original` when cut.
    static func fit(_ name: String, bytes limit: Int, original: [UInt8]) -> String {
        guard name.utf8.count > limit else { return name }
        var ext = ""
        if let dot = name.lastIndex(of: "."), dot != name.startIndex, name.utf8.distance(from: dot, to: name.endIndex) <= 16 {
            ext = String(name[dot...])
        }
        let tag = "~" + String((DigestAlgorithm.sha256.hex(original) ?? "").prefix(8))
        let budget = limit - tag.utf8.count - ext.utf8.count
        var stem = ""
        var used = 0
        for character in name.dropLast(ext.count) {
            let n = character.utf8.count
            if used + n > budget { break }
            stem.append(character)
            used += n
        }
        return stem + tag + ext
    }

    /// Renames the staging file `staging` in `dir` to `name`, or to the first free name after it if a file took
    /// `name` since it was chosen; returns the name it got.
    static func place(_ staging: String, as name: String, in dir: Directory) throws(FileError) -> String {
        try dir.rename(FileName(staging), as: name, into: dir)
    }

    /// Names chosen for documents decided but not placed yet (this batch's and the batch before's), by directory:
    /// two inbound names that sanitise alike never get the same output, reason or receipt name, so a receipt always
    /// names its own document.
    struct Book: Sendable {
        var reserved: [String: Set<String>] = [:]

        /// The first of `name`, `name.2.xml`, … free in `dir` and in both books (with its companion `name` +
        /// `suffix`, when given), reserved.
        mutating func take(_ name: String, in dir: Directory, also other: Book, suffix: String = "") -> String {
            let held = reserved[dir.path, default: []].union(other.reserved[dir.path, default: []])
            func isFree(_ n: String) -> Bool { !held.contains(n) && !dir.exists(n) }
            var chosen = name
            var n = 1
            while !isFree(chosen) || !suffix.isEmpty && !isFree(chosen + suffix) {
                n += 1
                chosen = Directory.numbered(name, n)
            }
            reserved[dir.path, default: []].insert(chosen)
            if !suffix.isEmpty { reserved[dir.path, default: []].insert(chosen + suffix) }
            return chosen
        }
    }

    /// The `.reason.txt` beside a rejected document: one finding per line, every outside text escaped so that a
    /// name or a message cannot add a line of its own.
    static func reasonText(name: FileName, outcome: Outcome, diagnostics: [Diagnostic], now: Double) -> String {
        var lines = ["file: \(SafeText.escaped(name.display))", "outcome: \(outcome.rawValue)", "time: \(Clock.iso(now))"]
        for d in diagnostics {
            var place = ""
            if let line = d.line { place += " line \(line)" }
            if let path = d.path { place += " \(SafeText.escaped(path))" }
            lines.append("\(d.code) \(d.severity.rawValue)\(place): \(SafeText.escaped(d.message.en)) / \(SafeText.escaped(d.message.ru))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The findings as the journal keeps them: `[{code, severity, line, path, ru, en}]`.
    static func json(_ diagnostics: [Diagnostic]) -> String {
        JSONText.array(diagnostics.map { d in
            JSONText.object([("code", JSONText.string(d.code)), ("severity", JSONText.string(d.severity.rawValue)),
                             ("line", JSONText.optional(d.line)), ("path", JSONText.optional(d.path)),
                             ("ru", JSONText.string(d.message.ru)), ("en", JSONText.string(d.message.en))])
        })
    }

    /// The codes of the error findings, each once, in the order first found.
    static func errorCodes(_ diagnostics: [Diagnostic]) -> [String] {
        var seen = Set<String>()
        return diagnostics.filter { $0.severity == .error }.map(\.code).filter { seen.insert($0).inserted }
    }
}
