import DocgateCommandLine
import DocgateCore
import DocgateTestSupport
import Foundation
import Synchronization
import Testing

/// The batch runner and the files behind command-line paths.
@Suite struct BatchTests {
    @Test func resultsComeBackInInputOrderWhateverFinishesFirst() {
        let inputs = Array(0..<200)
        let seen = Mutex<[Int]>([])
        // Early inputs take longest: on several workers they finish last, and must still be emitted first.
        ParallelBatch.run(inputs, workers: 4, job: { i -> Int in
            var x = 0
            for k in 0..<((200 - i) * 2_000) { x &+= k }
            return i + (x == -1 ? 1 : 0)
        }, emit: { index, result in seen.withLock { $0.append(index * 1000 + result) } })
        #expect(seen.withLock { $0 } == inputs.map { $0 * 1000 + $0 })
    }

    @Test func directoriesGiveTheirXMLFilesSortedWithoutFollowingLinkedDirectories() throws {
        let dir = try TemporaryDirectory("inputs")
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.file("sub"), withIntermediateDirectories: true)
        let b = try dir.write("b.xml", "<b/>")
        let a = try dir.write("sub/a.XML", "<a/>")
        _ = try dir.write("notes.txt", "not a document")
        _ = try dir.write(".x", "")
        // A link to a directory (here, a loop back to the top) is not followed.
        try FileManager.default.createSymbolicLink(atPath: dir.file("loop"), withDestinationPath: dir.path)
        let found = InputFiles.collect([dir.path, dir.file("missing.xml")])
        #expect(found.files == [b, a].sorted())
        #expect(found.errors.map(\.path) == [dir.file("missing.xml")])
        #expect(found.errors.first?.reason == String(cString: strerror(ENOENT)))
    }

    @Test func aDiagnosticIsDescribedWithItsCodePlaceAndMessage() {
        let d = Diagnostic(code: "DG3030", line: 12, column: 4, path: "/agreement/amount",
                           message: LocalizedText(ru: "сумма не сходится", en: "the amount does not add up"))
        #expect(ReportRenderer.describe(d, .en) == "DG3030 error line 12:4 /agreement/amount: the amount does not add up")
        #expect(ReportRenderer.describe(d, .ru) == "DG3030 ошибка строка 12:4 /agreement/amount: сумма не сходится")
        let unreadable = ReportRenderer.unreadableDiagnostic("Permission denied")
        #expect(unreadable.code == "DG5001" && unreadable.message.en.hasSuffix("Permission denied"))
    }

    @Test func datesAndTimesOnTheCommandLine() {
        #expect(ParsedTime.parse("2026-11-23") == 1_795_392_000)
        let tenOClock: Int64 = 1_795_392_000 + 10 * 3600
        #expect(ParsedTime.parse("2026-11-23T10:00:00Z") == tenOClock)
        for bad in ["2026-13-01", "2026-11-23T25:00:00Z", "2026-11-23T10:00:00", "23.11.2026", "2026-1-23", ""] {
            #expect(ParsedTime.parse(bad) == nil, "\(bad)")
        }
    }
}
