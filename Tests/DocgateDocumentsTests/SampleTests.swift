import DocgateCore
import DocgateTestSupport
import DocgateXML
import Foundation
import Testing
@testable import DocgateDocuments

/// Every sample is a test case: valid ones have no finding, each invalid twin has exactly its one error code,
/// each warning twin stays valid with its warning. The streaming reader must reach the same verdicts.
@Suite struct SampleTests {
    static let validator = try! DocumentValidator(schemaDirectory: TestPaths.schemas)

    @Test(arguments: TestPaths.sampleFiles("valid"))
    func validSampleHasNoFinding(_ file: String) throws {
        let report = try Self.validator.validate(file: file)
        #expect(report.kind != nil)
        #expect(report.diagnostics.isEmpty, "\(report.diagnostics.map { $0.code + " " + $0.message.en })")
        #expect(report.summary != nil)
    }

    @Test(arguments: TestPaths.manifest("invalid"))
    func invalidTwinHasExactlyItsErrorCode(_ sample: SampleExpectation) throws {
        let report = try Self.validator.validate(file: sample.file)
        #expect(!report.valid)
        let codes = Set(report.diagnostics.filter(\.isError).map(\.code))
        #expect(codes == [sample.code], "\(sample.defect): \(report.diagnostics.map { $0.code + " " + $0.message.en })")
        for d in report.diagnostics {
            #expect(!d.message.ru.isEmpty && !d.message.en.isEmpty)
        }
    }

    @Test(arguments: TestPaths.manifest("warnings"))
    func warningTwinStaysValidWithItsWarning(_ sample: SampleExpectation) throws {
        let report = try Self.validator.validate(file: sample.file)
        #expect(report.valid)
        #expect(report.diagnostics.map(\.code) == [sample.code])
        #expect(report.diagnostics.allSatisfy { $0.severity == .warning })
    }

    @Test(arguments: TestPaths.sampleFiles("valid") + TestPaths.sampleFiles("invalid") + TestPaths.sampleFiles("warnings"))
    func treeAndStreamReachTheSameVerdict(_ file: String) throws {
        let stream = try Self.validator.validate(file: file)
        guard case .success(let document) = try XMLDocument.parse(file: file) else {
            #expect(!stream.valid)
            return
        }
        let tree = Self.validator.check(document, file: file)
        #expect(stream.valid == tree.valid)
        #expect(stream.kind == tree.kind)
        #expect(stream.diagnostics.map(\.code).sorted() == tree.diagnostics.map(\.code).sorted())
        // Schema findings point at the same element whether found by the SAX validator or on the tree.
        let streamPaths = stream.diagnostics.filter { $0.code.hasPrefix("DG2") }.map { $0.path ?? "" }.sorted()
        let treePaths = tree.diagnostics.filter { $0.code.hasPrefix("DG2") }.map { $0.path ?? "" }.sorted()
        #expect(streamPaths == treePaths)
        let streamLines: [Int] = stream.diagnostics.map { $0.line ?? 0 }.sorted()
        let treeLines: [Int] = tree.diagnostics.map { $0.line ?? 0 }.sorted()
        #expect(streamLines == treeLines)
    }

    @Test func rulesPointAtTheOffendingElement() throws {
        let file = TestPaths.samples + "/invalid/execreport-deviation-wrong.xml"
        let d = try #require(try Self.validator.validate(file: file).diagnostics.first)
        #expect(d.code == "DG3020")
        #expect(d.path == "/executionReport/volumeDetail/item[1]/actualDeviation")
        #expect(d.line == 97)
        #expect(d.message.ru.contains("-1.22"))
    }

    @Test func summariesCarryPartiesAndFigures() throws {
        let order = try #require(TestPaths.sampleFiles("valid").first { $0.contains("SOCORDER") && $0.contains("20241220") })
        let s = try #require(try Self.validator.validate(file: order).summary)
        #expect(s.kind == .socialOrder)
        #expect(s.parties.first?.inn == "2466012340")
        #expect(s.header?.number == "24-СЗ/2025-01")
        // Section I of 2025: 2730 + 260 + 460 people in total
        #expect(s.figures.contains { $0.value == "3450 / 260 / 460" })
    }

    @Test func windows1251AndBOMSamplesAreRead() throws {
        let cp1251 = try #require(TestPaths.sampleFiles("valid").first { $0.contains("SOCORDER") && $0.contains("20241223") })
        let report = try Self.validator.validate(file: cp1251)
        #expect(report.summary?.parties.first?.name == "Агентство труда и занятости населения Красноярского края")
    }

    @Test func unknownRootIsAnUnknownKind() {
        let report = Self.validator.validate(bytes: Array("<invoice xmlns=\"urn:example\"/>".utf8), file: "x.xml")
        #expect(report.diagnostics.map(\.code) == ["DG2001"])
        #expect(report.kind == nil)
    }

    @Test func fileNameRules() throws {
        let order = try #require(TestPaths.sampleFiles("valid").first { $0.contains("SOCORDER") })
        let bytes = try #require(FileManager_read(order))
        let renamed = Self.validator.validate(bytes: bytes, file: "AGREEMENT_X_Y_20250101_noid.xml")
        #expect(renamed.valid)
        #expect(renamed.diagnostics.map(\.code) == ["DG3091"])
        let future = Self.validator.validate(bytes: bytes, file: "doc.xml", now: 0)
        #expect(future.diagnostics.map(\.code) == ["DG3092"])
    }
}

private func FileManager_read(_ path: String) -> [UInt8]? {
    guard case .bytes(let b)? = try? FileBytes.read(path, limit: 1 << 24) else { return nil }
    return b
}

extension SampleTests {
    /// Issue 16, item 10: an amount from the unit cost rounded to kopecks is within volume × 0.005 ₽ (and its own
    /// half kopeck) of the exact product: 300 × 18 240.50 × 1.05 = 5 745 757.50; 300 × 19 152.53 = 5 745 759.00,
    /// 1.50 off, at most 300 × 0.005 + 0.005 = 1.505 — a warning (DG3034). 1.51 off is beyond it: DG3030.
    @Test func anAmountFromAUnitCostRoundedToKopecksIsAWarningNotAnError() throws {
        let file = TestPaths.samples + "/warnings/agreement-unit-cost-rounded.xml"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let within = Self.validator.validate(bytes: Array(text.utf8), file: "a.xml")
        #expect(within.valid && within.diagnostics.map(\.code) == ["DG3034"])
        #expect(within.diagnostics.first?.message.en.contains("by 1.50") == true)
        // One kopeck more, and the totals and the schedule moved with it so that only the amount is at stake.
        let beyond = text.replacingOccurrences(of: "<amount>5745759.00</amount>", with: "<amount>5745759.01</amount>")
            .replacingOccurrences(of: "<yearTotal year=\"2025\">6927759.00</yearTotal>", with: "<yearTotal year=\"2025\">6927759.01</yearTotal>")
            .replacingOccurrences(of: "<amount>1731940.86</amount>", with: "<amount>1731940.87</amount>")
        let refused = Self.validator.validate(bytes: Array(beyond.utf8), file: "b.xml")
        #expect(refused.diagnostics.filter(\.isError).map(\.code) == ["DG3030"], "\(refused.diagnostics.map { $0.code + " " + $0.message.en })")
    }

    /// Issue 16, item 9: whether a row's year is the sum of its quarters or a head count depends on what it counts.
    /// Р-2.3 counting patients (persons, ОКЕИ 792): quarters 120/130/125/125 and a year of 400 — between the largest
    /// quarter 130 and the sum 500 — is valid; counted in units (consultations, ОКЕИ 642) the year must be the sum.
    @Test func aRowsYearFollowsWhatItCounts() throws {
        let file = try #require(TestPaths.sampleFiles("valid").first { $0.contains("SVCASSIGN_DFTO70_DSZN70_20071224") })
        let text = try #require(String(data: try Data(contentsOf: URL(fileURLWithPath: file)), encoding: .windowsCP1251))
        let row = try #require(text.range(of: #"(?s)  <row code="Р-2\.3">.*?</row>\n"#, options: .regularExpression))
        func with(okei: String, unit: String) throws -> ValidationReport {
            let patients = """
              <row code="Р-2.3">
                <name>Пролеченные больные</name>
                <unit okei="\(okei)">
                  <name>\(unit)</name>
                </unit>
                <q1><plan>120</plan></q1>
                <q2><plan>130</plan></q2>
                <q3><plan>125</plan></q3>
                <q4><plan>125</plan></q4>
                <year><plan>400</plan></year>
              </row>

            """
            var crafted = text
            crafted.replaceSubrange(row, with: patients)
            let bytes = [UInt8](try #require(crafted.data(using: .windowsCP1251)))
            return Self.validator.validate(bytes: bytes, file: "svcassign.xml")
        }
        let persons = try with(okei: "792", unit: "Человек")
        #expect(persons.valid, "\(persons.diagnostics.map { $0.code + " " + $0.message.en })")
        let units = try with(okei: "642", unit: "Единица")
        #expect(units.diagnostics.filter(\.isError).map(\.code) == ["DG3061"])
    }

    /// Issue 16, item 7: an assignment's own calculations (DG3066) accept what `compute` gives — the exact sum rounded
    /// once — beside the sum of the printed components. Four components of 10.00 × 1.00050 = 10.005, printed 10.01:
    /// N = 40.02 (once) or 40.04 (printed) is right, 40.03 is not. C1 of 500 with C'0 460 and K written 1.0870:
    /// 500 × 1.0870 = 543.5 → 544 (printed K) or 500² / 460 = 543.48 → 543 (exact K); 545 is not.
    @Test func anAssignmentsCalculationsAcceptWhatComputeGives() throws {
        let file = try #require(TestPaths.sampleFiles("valid").first { $0.contains("SVCASSIGN_DFTO70_DSZN70_20071224") })
        let text = try #require(String(data: try Data(contentsOf: URL(fileURLWithPath: file)), encoding: .windowsCP1251))
        let normative = try #require(text.range(of: #"(?s)  <normativeCalculation>.*?</normativeCalculation>"#, options: .regularExpression))
        let group = try #require(text.range(of: #"(?s)    <group>\n      <name>Ветераны труда</name>.*?</group>"#, options: .regularExpression))
        func codes(n: String, c1: String) throws -> [String] {
            let component = "<base>10.00</base>\n      <factor>1.00050</factor>\n      <value>10.01</value>"
            let calc = "  <normativeCalculation>\n" + ["k1", "k2", "k3", "k4"].map { "    <\($0)>\n      \(component)\n    </\($0)>\n" }.joined()
                + "    <n>\(n)</n>\n  </normativeCalculation>"
            let g = "    <group>\n      <name>Ветераны труда</name>\n      <c0>500</c0>\n      <p>0</p>\n      <c0Forecast>460</c0Forecast>\n      <pForecast>0</pForecast>\n      <k>1.0870</k>\n      <c1>\(c1)</c1>\n    </group>"
            var crafted = text
            crafted.replaceSubrange(group, with: g)       // the later range first, so the earlier stays valid
            crafted.replaceSubrange(normative, with: calc)
            let report = Self.validator.validate(bytes: [UInt8](try #require(crafted.data(using: .windowsCP1251))), file: "a.xml")
            return report.diagnostics.filter(\.isError).map(\.code)
        }
        #expect(try codes(n: "40.02", c1: "543") == [])
        #expect(try codes(n: "40.04", c1: "544") == [])
        #expect(try codes(n: "40.03", c1: "543") == ["DG3066"])
        #expect(try codes(n: "40.02", c1: "545") == ["DG3066"])
    }
}
