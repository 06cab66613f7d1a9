import Foundation
import Testing

/// Large files (tens of megabytes) whose defect sits near the start, so the parse stops while the read-ahead
/// thread is still reading (it keeps at most a megabyte ahead of the parser). Shared by the library tests
/// (`XMLStream`) and the command-line tests (`docgate validate`).
public struct EarlyStopFile: Sendable, CustomTestStringConvertible {
    /// What follows the hostile start.
    public enum Filler: Sendable {
        /// `count` bytes of `x` (inside an attribute value or a text node).
        case letters(Int)
        /// Small elements, one per line, about `count` bytes in all (whole elements).
        case elements(Int)
    }

    public var name: String
    /// The code the first finding must carry.
    public var code: String
    /// The line the first finding must name.
    public var line: Int
    public var head: [UInt8]
    public var filler: Filler
    public var end: [UInt8]
    public var testDescription: String { name + " → " + code }

    public init(_ name: String, code: String, line: Int = 2, head: [UInt8], filler: Filler, end: [UInt8]) {
        self.name = name
        self.code = code
        self.line = line
        self.head = head
        self.filler = filler
        self.end = end
    }

    public init(_ name: String, code: String, line: Int = 2, head: String, filler: Filler, end: String) {
        self.init(name, code: code, line: line, head: Array(head.utf8), filler: filler, end: Array(end.utf8))
    }

    /// Writes the file; returns its size in bytes.
    @discardableResult
    public func write(to path: String) throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: Data(head)) else {
            throw CocoaError(.fileWriteUnknown)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        let block: Data
        let total: Int
        switch filler {
        case .letters(let n):
            block = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
            total = n
        case .elements(let n):
            let line = Array("<i>1</i>\n".utf8)
            block = Data((0..<((1 << 20) / line.count)).flatMap { _ in line })
            total = n / line.count * line.count   // whole elements only
        }
        var written = 0
        while written < total {
            let piece = block.prefix(total - written)
            try handle.write(contentsOf: piece)
            written += piece.count
        }
        try handle.write(contentsOf: Data(end))
        return head.count + written + end.count
    }

    static let declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    static let root = "<socialOrder xmlns=\"urn://docgate/social-order/1\""

    /// One file for each way the gate, the SAX handlers or libxml2 stop a parse early.
    public static let cases: [EarlyStopFile] = [
        // libxml2 gives up on an attribute value at 10 MB (its limit without XML_PARSE_HUGE).
        EarlyStopFile("40 MB attribute on the root", code: "DG1003",
                      head: declaration + root + " a=\"", filler: .letters(40 << 20), end: "\"/>"),
        EarlyStopFile("40 MB text node", code: "DG1010",
                      head: declaration + root + ">", filler: .letters(40 << 20), end: "</socialOrder>"),
        EarlyStopFile("1 000 attributes, then 32 MB", code: "DG1009",
                      head: declaration + root + " " + (0..<1000).map { "a\($0)=\"1\"" }.joined(separator: " ") + ">\n",
                      filler: .elements(32 << 20), end: "</socialOrder>"),
        EarlyStopFile("300 levels deep, then 32 MB", code: "DG1008",
                      head: declaration + root + ">" + String(repeating: "<a>", count: 300) + "\n",
                      filler: .elements(32 << 20), end: String(repeating: "</a>", count: 300) + "</socialOrder>"),
        EarlyStopFile("mismatched end tag, then 32 MB", code: "DG1003",
                      head: declaration + root + "><a></b>\n", filler: .elements(32 << 20), end: "</socialOrder>"),
        EarlyStopFile("unknown entity, then 32 MB", code: "DG1006",
                      head: declaration + root + "><a>&ent;</a>\n", filler: .elements(32 << 20), end: "</socialOrder>"),
        EarlyStopFile("character reference to U+0001, then 32 MB", code: "DG1013",
                      head: declaration + root + "><a>&#1;</a>\n", filler: .elements(32 << 20), end: "</socialOrder>"),
        EarlyStopFile("XInclude, then 32 MB", code: "DG1007",
                      head: declaration + root + " xmlns:xi=\"http://www.w3.org/2001/XInclude\"><xi:include href=\"/etc/passwd\"/>\n",
                      filler: .elements(32 << 20), end: "</socialOrder>"),
        EarlyStopFile("DOCTYPE, then 32 MB", code: "DG1005",
                      head: declaration + "<!DOCTYPE socialOrder [<!ENTITY e \"e\">]>" + root + ">\n",
                      filler: .elements(32 << 20), end: "</socialOrder>"),
        EarlyStopFile("invalid UTF-8, then 32 MB", code: "DG1011",
                      head: Array((declaration + root + "><a>").utf8) + [0xC3, 0x28] + Array("</a>\n".utf8),
                      filler: .elements(32 << 20), end: Array("</socialOrder>".utf8)),
        EarlyStopFile("NUL byte, then 32 MB", code: "DG1013",
                      head: Array((declaration + root + "><a>").utf8) + [0] + Array("</a>\n".utf8),
                      filler: .elements(32 << 20), end: Array("</socialOrder>".utf8)),
    ]
}
