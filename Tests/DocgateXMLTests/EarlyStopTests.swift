import DocgateCore
import DocgateTestSupport
import Foundation
import Testing
@testable import DocgateXML

/// A parse that stops early on a large file (limit, parse error, XInclude) while the read-ahead thread is still
/// reading: the reader is stopped and joined, nothing of it outlives the call, and the finding has its code.
@Suite(.serialized) struct ReadAheadEarlyStopTests {
    /// libxml2's own depth limit (256) met first, when ours is set higher: the parser stops, not the gate.
    static let libxml2Depth = EarlyStopFile(
        "libxml2's depth limit under maxDepth 1 000, then 32 MB", code: "DG1008",
        head: "<?xml version=\"1.0\"?>\n<r>" + String(repeating: "<a>", count: 300) + "\n",
        filler: .elements(32 << 20), end: String(repeating: "</a>", count: 300) + "</r>")

    static let cases: [(EarlyStopFile, XMLLimits)] =
        EarlyStopFile.cases.map { ($0, XMLLimits.default) } + [(libxml2Depth, XMLLimits(maxDepth: 1000))]

    @Test(arguments: cases)
    func parseStoppedEarlyStopsTheReader(_ file: EarlyStopFile, _ limits: XMLLimits) throws {
        let dir = try TemporaryDirectory("early-stop")
        defer { dir.remove() }
        let path = dir.file("hostile.xml")
        let size = try file.write(to: path)
        var reader: ReadAhead?
        let result = try XMLStream.validate(file: path, schemaFor: { _ in nil }, limits: limits, consumer: nil,
                                            watch: { reader = $0 })
        let failure = try #require(result.failure)
        let first = try #require(XMLDiagnostics.diagnostics(for: failure).first)
        #expect(first.code == file.code, "\(first)")
        #expect(first.line == file.line, "\(first)")
        let ahead = try #require(reader, "a file of \(size) bytes goes through the read-ahead")
        // Stopped before the end of the file, and its thread has returned by the time validate does.
        #expect(ahead.bytesRead < size)
        #expect(ahead.readerExited)
        reader = nil   // the last reference: the reader is freed here
    }
}
