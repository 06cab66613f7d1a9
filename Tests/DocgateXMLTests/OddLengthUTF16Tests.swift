import DocgateCore
import DocgateTestSupport
import Testing
@testable import DocgateXML

/// A UTF-16 input with an odd number of bytes cannot be UTF-16: an encoding error (with the last line), in the
/// tree path and in every streaming path (small bytes, small file, large file through the read-ahead).
@Suite struct OddLengthUTF16Tests {
    static func utf16(_ text: String, bigEndian: Bool) -> [UInt8] {
        text.utf16.flatMap { bigEndian ? [UInt8($0 >> 8), UInt8($0 & 0xFF)] : [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    }

    static let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<r>Ёлка</r>"

    /// Name, bytes; every one of them ends on line 2.
    static let inputs: [(String, [UInt8])] = [
        ("little-endian with BOM, one byte too many", [0xFF, 0xFE] + utf16(text, bigEndian: false) + [0x41]),
        ("big-endian with BOM, one byte too many", [0xFE, 0xFF] + utf16(text, bigEndian: true) + [0x0A]),
        ("little-endian without BOM, one byte too many", utf16(text, bigEndian: false) + [0x20]),
        ("big-endian without BOM, last byte missing", Array(utf16(text, bigEndian: true).dropLast())),
    ]

    static func first(_ failure: XMLParseFailure?) -> Diagnostic? {
        failure.flatMap { XMLDiagnostics.diagnostics(for: $0).first }
    }

    static func expectEncodingError(_ d: Diagnostic?, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(d?.code == "DG1016", "\(name): \(String(describing: d))", sourceLocation: sourceLocation)
        #expect(d?.line == 2, "\(name): \(String(describing: d))", sourceLocation: sourceLocation)
    }

    @Test func evenLengthUTF16IsStillAccepted() throws {
        for bigEndian in [false, true] {
            let bytes = Self.utf16(Self.text, bigEndian: bigEndian)
            let doc = try bytes.withUnsafeBytes { XMLDocument.parse($0) }.get()   // held: nodes do not retain it
            #expect(doc.root?.text == "Ёлка")
            #expect(bytes.withUnsafeBytes { XMLStream.validate(bytes: $0, schema: nil, consumer: nil) }.failure == nil)
        }
    }

    @Test func treePath() {
        for (name, bytes) in Self.inputs {
            guard case .failure(let f) = bytes.withUnsafeBytes({ XMLDocument.parse($0) }) else {
                Issue.record("\(name): parsed"); continue
            }
            Self.expectEncodingError(Self.first(f), name)
        }
    }

    @Test func streamingFromMemoryAndFromASmallFile() throws {
        let dir = try TemporaryDirectory("odd-utf16")
        defer { dir.remove() }
        for (name, bytes) in Self.inputs {
            let memory = bytes.withUnsafeBytes { XMLStream.validate(bytes: $0, schema: nil, consumer: nil) }
            Self.expectEncodingError(Self.first(memory.failure), name + " (memory)")
            let file = try XMLStream.validate(file: try dir.write("odd.xml", bytes), schema: nil, consumer: nil)
            Self.expectEncodingError(Self.first(file.failure), name + " (file)")
        }
    }

    @Test func streamingALargeFileThroughTheReadAhead() throws {
        let dir = try TemporaryDirectory("odd-utf16-large")
        defer { dir.remove() }
        let rows = String(repeating: "<a>Ёлка</a>\n", count: 200_000)   // 4.8 MB in UTF-16
        let text = "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n<r>\n" + rows + "</r>"
        let body = Self.utf16(text, bigEndian: false)
        let even = try XMLStream.validate(file: try dir.write("even.xml", [0xFF, 0xFE] + body), schema: nil, consumer: nil)
        #expect(even.failure == nil)
        let odd = try XMLStream.validate(file: try dir.write("odd.xml", [0xFF, 0xFE] + body + [0x41]), schema: nil,
                                         consumer: nil)
        let d = Self.first(odd.failure)
        #expect(d?.code == "DG1016", "\(String(describing: d))")
        #expect(d?.line == 200_003, "\(String(describing: d))")
    }
}
