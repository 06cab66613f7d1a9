import DocgateCore
import DocgateTestSupport
import Foundation
import Glibc
import Testing

@Suite struct ComputeCLITests {
    func docgate(_ args: [String]) throws -> ProcessResult {
        try ProcessRunner.run(TestPaths.docgate, args)
    }

    @Test func normativeFromTheSampleAsJSON() throws {
        let r = try docgate(["compute", "normative", "--format", "json", TestPaths.samples + "/compute/normative.json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(o["n"] as? String == "7572.03")
        // From the exact N 7572.0255: × 1.06 = 8026.34703 → 8026.35; × 1.05 = 8427.6643815 → 8427.66.
        #expect(o["forecast"] as? [String] == ["8026.35", "8427.66"])
    }

    @Test func recipientsTotalAndBadInput() throws {
        let r = try docgate(["compute", "recipients", TestPaths.samples + "/compute/recipients.json"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("СБ1 = 235"))
        let dir = try TemporaryDirectory("compute")
        defer { dir.remove() }
        let zero = try dir.write("zero.json", #"{"name": "x", "elements": [{"name": "e", "categories": [{"name": "c", "groups": [{"name": "g", "c0": "1", "p": "0", "c0Forecast": "0", "pForecast": "0"}]}]}]}"#)
        let z = try docgate(["compute", "recipients", zero])
        #expect(z.status == 1)
        #expect(z.stderr.contains("DG3093") && z.stderr.contains("division by zero") && z.stderr.contains("C'0 + П' of g"), "\(z.stderr)")
        let negative = try dir.write("negative.json", #"{"name": "x", "elements": [{"name": "e", "categories": [{"name": "c", "groups": [{"name": "g", "c0": "-2", "p": "0", "c0Forecast": "1", "pForecast": "0"}]}]}]}"#)
        let n = try docgate(["compute", "recipients", negative])
        #expect(n.status == 1 && n.stderr.contains("DG3094") && n.stderr.contains("C0 of g = -2"), "\(n.stderr)")
        let bad = try dir.write("bad.json", #"{"p": "abc"}"#)
        let b = try docgate(["compute", "normative", bad])
        #expect(b.status == 2 && b.stderr.contains("DG5026") && b.stderr.contains("the field p"), "\(b.stderr)")
        let missing = try dir.write("missing.json", #"{"name": "x", "elements": [{"name": "e", "categories": [{"name": "c", "groups": [{"name": "g", "p": "0", "c0Forecast": "1", "pForecast": "0"}]}]}]}"#)
        let m = try docgate(["compute", "recipients", missing])
        #expect(m.status == 2 && m.stderr.contains("elements[0].categories[0].groups[0].c0") && m.stderr.contains("missing"), "\(m.stderr)")
    }

    /// Found in review: a JSON number "exact up to 15 significant digits" is read — but Swift prints 123456789012345 as
    /// "123456789012345.0" and the ".0" is counted as a 16th digit, so every integer from 10^14 up (even 100000000000000,
    /// one significant digit) is refused with DG5026.
    @Test func aFifteenDigitJSONIntegerIsReadExactly() throws {
        let dir = try TemporaryDirectory("compute")
        defer { dir.remove() }
        let input = try dir.write("n.json", #"{"p": 123456789012345, "d": 1, "kpl": 0, "rtar": 0, "kot": 0, "rot": 0, "kvp": 0, "rvp": 0}"#)
        let r = try docgate(["compute", "normative", "--format", "json", input])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("123456789012345"), "\(r.stdout)")
    }

    /// Found in review: input the formula does not use is DG3095 — yet event costs with no one reached by events, and an
    /// unknown (misspelt) field such as "forecastDeflator", are dropped silently (the forecast years simply vanish).
    @Test func unusedInputIsRefusedNotDropped() throws {
        let dir = try TemporaryDirectory("compute")
        defer { dir.remove() }
        let events = try dir.write("a.json", #"{"byKEK": {"210": "1000.00"}, "recipients": "10", "eventCosts": "5000.00"}"#)
        let a = try docgate(["compute", "assignment", events])
        #expect(a.status == 1 && a.stderr.contains("DG3095"), "\(a.stdout) \(a.stderr)")
        let typo = try dir.write("n.json", #"{"p": "1200.00", "d": "1.085", "kpl": "350.40", "rtar": "1.12", "kot": "5400.00", "rot": "1.065", "kvp": "120.55", "rvp": "1.05", "forecastDeflator": ["1.06", "1.05"]}"#)
        let n = try docgate(["compute", "normative", typo])
        #expect(n.status != 0 && n.stderr.contains("forecastDeflator"), "\(n.stdout) \(n.stderr)")
    }

    /// Found in review: З-2.2 from event costs larger than all the costs (5 000 ₽ of mass events out of З-1 = 1 000 ₽), and
    /// З-1 counting article 210 and its own sub-articles 211 and 212 twice (1 000 + 600 + 400 = 2 000), are accepted.
    @Test func eventCostsWithinTheCostsAndNoArticleCountedTwice() throws {
        let dir = try TemporaryDirectory("compute")
        defer { dir.remove() }
        let exceed = try dir.write("e.json", #"{"byKEK": {"210": "1000.00"}, "recipients": "10", "reachedByEvents": "5", "eventCosts": "5000.00"}"#)
        let e = try docgate(["compute", "assignment", exceed])
        #expect(e.status == 1, "event costs above З-1 accepted: \(e.stdout)")
        let twice = try dir.write("t.json", #"{"byKEK": {"210": "1000.00", "211": "600.00", "212": "400.00"}, "recipients": "10"}"#)
        let t = try docgate(["compute", "assignment", twice])
        #expect(t.status == 1, "an article and its sub-articles summed together: \(t.stdout)")
    }
}

/// `docgate codes`: the catalogue in three forms and two languages.
@Suite struct CodesCLITests {
    @Test func theCatalogueIsPrinted() throws {
        let json = try ProcessRunner.run(TestPaths.docgate, ["codes", "--format", "json"])
        #expect(json.status == 0)
        let items = try #require(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: String]])
        #expect(items.count == Code.allCases.count)
        #expect(items.contains { $0["code"] == "DG4030" && $0["severity"] == "error" && $0["ru"]?.contains("хэша") == true })
        #expect(items.contains { $0["code"] == "DG3107" && $0["severity"] == "warning / error" })
        let ru = try ProcessRunner.run(TestPaths.docgate, ["codes", "--lang", "ru"])
        #expect(ru.stdout.split(separator: "\n").count == Code.allCases.count)
        #expect(ru.stdout.contains("DG1001  ошибка  пустой файл"))
        let markdown = try ProcessRunner.run(TestPaths.docgate, ["codes", "--format", "markdown", "--lang", "en"])
        #expect(markdown.stdout == CodeCatalogue.markdown(.en))
    }
}

/// Every message on standard error carries its code: a usage error too, and a file that cannot be written.
@Suite struct MessageCodeTests {
    @Test func usageAndOutputErrorsCarryTheirCodes() throws {
        let usage = try ProcessRunner.run(TestPaths.docgate, ["validate", "--no-such-option", "x.xml"])
        #expect(usage.status == 2)
        #expect(usage.stderr.hasPrefix("docgate: DG5003 "), "\(usage.stderr)")
        let sample = try #require(TestPaths.sampleFiles("valid").first)
        let unwritable = try ProcessRunner.run(TestPaths.docgate, ["generate", "socialOrder", "--from", "/nonexistent/data.json",
                                                                   "--schemas", TestPaths.schemas])
        #expect(unwritable.status == 2)
        #expect(unwritable.stderr.hasPrefix("docgate: DG5001 "), "\(unwritable.stderr)")
        let export = try ProcessRunner.run(TestPaths.docgate, ["schemas", "export", "--schemas", TestPaths.schemas, sample])
        #expect(export.status == 2)
        // A file that is not well-formed XML is an invalid document for export as for validate: 1.
        let dir = try TemporaryDirectory("malformed")
        defer { dir.remove() }
        let malformed = try dir.write("m.xml", "<a><b></a>")
        #expect(try ProcessRunner.run(TestPaths.docgate, ["export", malformed, "--schemas", TestPaths.schemas]).status == 1)
        #expect(try ProcessRunner.run(TestPaths.docgate, ["validate", malformed, "--schemas", TestPaths.schemas]).status == 1)
        #expect(export.stderr.hasPrefix("docgate: DG5002 "), "\(export.stderr)")
    }
}

/// A FIFO (or a device) named where a file is expected is refused at once: opening it must not wait for a writer.
@Suite struct SpecialFileTests {
    @Test(arguments: ["validate", "inspect", "export", "sign-key", "sign-cert", "sign-input", "verify-trust", "generate"])
    func aFIFOIsRefusedWithoutWaiting(_ command: String) throws {
        let dir = try TemporaryDirectory("fifo")
        defer { dir.remove() }
        let fifo = dir.file("pipe.xml")
        #expect(mkfifo(fifo, 0o600) == 0)
        let pki = try TestPKI.shared()
        let sample = try #require(TestPaths.sampleFiles("valid").first)
        let arguments: [String] = switch command {
        case "sign-key": ["sign", "--key", fifo, "--cert", pki.ecCert, sample]
        case "sign-cert": ["sign", "--key", pki.ecKey, "--cert", fifo, sample]
        case "sign-input": ["sign", "--key", pki.ecKey, "--cert", pki.ecCert, fifo]
        case "verify-trust": ["verify", "--trust", fifo, sample]
        case "generate": ["generate", "socialOrder", "--from", fifo]
        default: [command, fifo]
        }
        let r = try ProcessRunner.run(TestPaths.docgate, arguments + ["--schemas", TestPaths.schemas], timeout: 20)
        #expect(!r.timedOut, "\(command) waited on the FIFO")
        #expect(r.status == 2 || r.status == 1, "\(command): \(r.status) \(r.stderr)")
    }
}

/// Review of issue 17: what the operator names is used or refused, never quietly replaced or read without end.
@Suite struct NamedPathTests {
    @Test func namedPathsAreUsedOrRefused() throws {
        let dir = try TemporaryDirectory("named")
        defer { dir.remove() }
        let sample = try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix("SOCORDER") })
        // A schema directory named by --schemas is that one or none (DG5021), not the one beside the program.
        let schemas = try ProcessRunner.run(TestPaths.docgate, ["validate", "--schemas", dir.path + "/nowhere", sample])
        #expect(schemas.status == 2 && schemas.stderr.contains("DG5021"), "\(schemas.stderr)")
        // --out never turns a pipe (or /dev/null) into a regular file.
        let fifo = dir.file("out.pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        let export = try ProcessRunner.run(TestPaths.docgate, ["export", sample, "--out", fifo, "--schemas", TestPaths.schemas], timeout: 20)
        #expect(!export.timedOut && export.status == 2 && export.stderr.contains("DG5002"), "\(export.stderr)")
        var st = stat()
        #expect(lstat(fifo, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO)
        // An endless /proc file is stopped at the input's limit, at once.
        let endless = try ProcessRunner.run(TestPaths.docgate, ["compute", "normative", "/proc/self/pagemap"], timeout: 20)
        #expect(!endless.timedOut && endless.status == 2 && endless.stderr.contains("DG5001"), "\(endless.stderr)")
        // A context with a document that cannot be read (here: a sparse file beyond the input limit) is incomplete:
        // the run stops (exit 2).
        let context = try TemporaryDirectory("context")
        defer { context.remove() }
        _ = try context.write("order.xml", [UInt8](try Data(contentsOf: URL(fileURLWithPath: sample))))
        let huge = try context.write("huge.xml", "<a/>")
        #expect(truncate(huge, 5 << 30) == 0)
        let incomplete = try ProcessRunner.run(TestPaths.docgate, ["validate", "--context", context.path, sample, "--schemas", TestPaths.schemas], timeout: 20)
        #expect(!incomplete.timedOut && incomplete.status == 2 && incomplete.stderr.contains("DG5001"), "\(incomplete.stderr)")
    }
}

@Suite struct SchemasCLITests {
    @Test func listAndExportTheSchemaSet() throws {
        let list = try ProcessRunner.run(TestPaths.docgate, ["schemas", "list", "--format", "json", "--schemas", TestPaths.schemas])
        #expect(list.status == 0)
        let o = try #require(JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
        let kinds = try #require(o["kinds"] as? [[String: Any]])
        #expect(kinds.count == 8)
        #expect(kinds.contains { $0["namespace"] as? String == "urn://docgate/contract-notice/1" && $0["root"] as? String == "contractNotice" })
        #expect(kinds.contains { $0["namespace"] as? String == "urn://docgate/agreement/1" && $0["root"] as? String == "agreement" })
        let dir = try TemporaryDirectory("schemas")
        defer { dir.remove() }
        let target = dir.path + "/exported"
        let export = try ProcessRunner.run(TestPaths.docgate, ["schemas", "export", "--schemas", TestPaths.schemas, target])
        #expect(export.status == 0, "\(export.stderr)")
        // The exported set stands on its own: xmllint validates a sample against it.
        let sample = try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix("CONTRACT_") })
        let x = try ProcessRunner.run("/usr/bin/xmllint", ["--noout", "--schema", target + "/contract.xsd", sample])
        #expect(x.status == 0, "\(x.stderr)")
        // A second export does not overwrite without --force.
        #expect(try ProcessRunner.run(TestPaths.docgate, ["schemas", "export", "--schemas", TestPaths.schemas, target]).status == 2)
        #expect(try ProcessRunner.run(TestPaths.docgate, ["schemas", "export", "--force", "--schemas", TestPaths.schemas, target]).status == 0)
    }
}

@Suite struct ContextCLITests {
    @Test func validateAgainstAFolderOfKnownDocuments() throws {
        let dir = try TemporaryDirectory("context")
        defer { dir.remove() }
        let report = try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix("EXECREPORT") })
        // Against the samples (which hold its social order): valid.
        let ok = try ProcessRunner.run(TestPaths.docgate, ["validate", "--schemas", TestPaths.schemas, "--context", TestPaths.samples + "/valid", report])
        #expect(ok.status == 0, "\(ok.stdout)")
        // Against a folder without the order: DG3100, exit 1.
        _ = try dir.write("unrelated.xml", [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix("CONTRACT_") }!))))
        let bad = try ProcessRunner.run(TestPaths.docgate, ["validate", "--schemas", TestPaths.schemas, "--format", "json", "--context", dir.path, report])
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("\"DG3100\""))
    }
}

@Suite struct SummaryCLITests {
    /// The plan per method for 2025, computed independently from the orders' text (Section II, year 2025).
    func handComputedPlan() throws -> [String: Int] {
        var totals: [String: Int] = [:]
        for file in TestPaths.sampleFiles("valid") where (file as NSString).lastPathComponent.hasPrefix("SOCORDER") {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            let text = String(decoding: data.prefix(100), as: UTF8.self).contains("windows-1251")
                ? try #require(String(data: data, encoding: .windowsCP1251)) : String(decoding: data, as: UTF8.self)
            let marker = try #require(text.range(of: "<volumeInfo>"))
            let section = String(text[marker.lowerBound...])
            var rest = Substring(section)
            while let start = rest.range(of: "<yearValue year=\"2025\">") {
                let block = rest[start.upperBound...]
                guard let end = block.range(of: "</yearValue>") else { break }
                for method in ["stateTaskTreasury", "stateTaskBudgetAutonomous", "competition", "certificate"] {
                    if let m = block[..<end.lowerBound].range(of: "<\(method)>"), let e = block[m.upperBound...].range(of: "</\(method)>") {
                        totals[method, default: 0] += Int(block[m.upperBound..<e.lowerBound])!
                    }
                }
                rest = block[end.upperBound...]
            }
        }
        return totals.filter { $0.value > 0 }
    }

    @Test func planPerMethodMatchesAHandComputedTotal() throws {
        let r = try ProcessRunner.run(TestPaths.docgate, ["summary", "--by", "method", "--year", "2025", "--format", "json",
                                                          "--schemas", TestPaths.schemas, TestPaths.samples + "/valid"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let rows = try #require(o["rows"] as? [[String: Any]])
        var plan: [String: Int] = [:]
        for row in rows { plan[row["method"] as! String] = Int(row["plan"] as! String) }
        #expect(plan == (try handComputedPlan()))
        // One year and one unit here (persons, 792): one total line.
        let totals = try #require(o["totals"] as? [[String: Any]])
        #expect(totals.count == 1 && totals.first?["okei"] as? String == "792" && totals.first?["year"] as? String == "2025")
        #expect(Int(totals[0]["plan"] as! String) == (try handComputedPlan()).values.reduce(0, +))
        // CSV and the table carry the same lines.
        let csv = try ProcessRunner.run(TestPaths.docgate, ["summary", "--by", "method", "--year", "2025", "--format", "csv",
                                                            "--schemas", TestPaths.schemas, TestPaths.samples + "/valid"])
        #expect(csv.stdout.split(separator: "\n").count == rows.count + 1)
    }

    /// Issue 16, item 3: volumes of different units (ОКЕИ) or years are never added together. The social order and a
    /// copy of it (another id) measured in person-hours (539) instead of persons (792): every line and every total
    /// keeps the two apart — each unit's 2025 total is the order's own (3 450 = 460 by certificate + 260 by competition
    /// + 2 730 by state task in the sample), where adding them would give 6 900 persons.
    @Test func totalsArePerYearAndUnit() throws {
        let dir = try TemporaryDirectory("summary-units")
        defer { dir.remove() }
        let order = try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix("SOCORDER_ACKFIN24_ACKPLAN24_20241220") })
        let text = try String(contentsOfFile: order, encoding: .utf8)
        for sub in ["original", "mixed"] { try FileManager.default.createDirectory(atPath: dir.file(sub), withIntermediateDirectories: true) }
        _ = try dir.write("original/order.xml", text)
        _ = try dir.write("mixed/order.xml", text)
        let id = try #require(text.range(of: #"(?<= id=")[0-9a-f-]{36}"#, options: .regularExpression))
        var hours = text.replacingOccurrences(of: "okei=\"792\"", with: "okei=\"539\"")
            .replacingOccurrences(of: "<unitName>Человек</unitName>", with: "<unitName>Человеко-час</unitName>")
        hours.replaceSubrange(try #require(hours.range(of: String(text[id]))), with: "0d0d0d0d-0000-4000-8000-000000000539")
        _ = try dir.write("mixed/hours.xml", hours)
        func summary(_ path: String, by: String) throws -> (rows: [[String: Any]], totals: [String: Int]) {
            let r = try ProcessRunner.run(TestPaths.docgate, ["summary", "--by", by, "--year", "2025", "--format", "json", "--schemas", TestPaths.schemas, path])
            #expect(r.status == 0 && !r.stderr.contains("left out"), "\(r.stderr)")
            let o = try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            let list = try #require(o["totals"] as? [[String: Any]])
            return (try #require(o["rows"] as? [[String: Any]]),
                    Dictionary(uniqueKeysWithValues: list.map { ($0["okei"] as! String, Int($0["plan"] as! String)!) }))
        }
        let plan = try #require(try summary(dir.file("original"), by: "method").totals["792"])
        for by in ["method", "authority", "service", "all"] {
            let mixed = try summary(dir.file("mixed"), by: by)
            #expect(mixed.totals == ["792": plan, "539": plan], "--by \(by)")
            // Each line is of one unit: the person-hour lines mirror the person lines one for one.
            let units = mixed.rows.map { $0["okei"] as? String }
            #expect(units.filter { $0 == "539" }.count == units.filter { $0 == "792" }.count && !units.contains(nil), "--by \(by)")
        }
    }
}

/// Batches that find nothing to check, and documents a register leaves out, are not a success.
@Suite struct BatchStatusTests {
    @Test func anEmptyDirectoryIsNotAPassingBatch() throws {
        let dir = try TemporaryDirectory("empty-batch")
        defer { dir.remove() }
        _ = try dir.write("notes.txt", "not a document")
        let out = try TemporaryDirectory("empty-batch-out")
        defer { out.remove() }
        let pki = try TestPKI.shared()
        for args in [["validate", dir.path], ["verify", "--trust", pki.caCert, dir.path], ["summary", dir.path],
                     ["sign", "--key", pki.ecKey, "--cert", pki.ecCert, "--out-dir", out.path, dir.path]] {
            let r = try ProcessRunner.run(TestPaths.docgate, args + ["--schemas", TestPaths.schemas])
            #expect(r.status == 2 && r.stderr.contains("DG5047"), "\(args[0]): \(r.status) \(r.stderr)")
        }
        // One document is enough.
        let one = try dir.write("order.xml", [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestPaths.sampleFiles("valid")[0]))))
        let r = try ProcessRunner.run(TestPaths.docgate, ["validate", "--schemas", TestPaths.schemas, dir.path])
        #expect(r.status == 0, "\(one): \(r.stderr)")
    }

    @Test func summaryNamesWhatItLeavesOutAndSaysSoInItsStatus() throws {
        let dir = try TemporaryDirectory("summary-status")
        defer { dir.remove() }
        let order = try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix("SOCORDER") })
        let text = try String(contentsOfFile: order, encoding: .utf8)
        _ = try dir.write("a.xml", text)
        let good = try ProcessRunner.run(TestPaths.docgate, ["summary", "--schemas", TestPaths.schemas, "--format", "csv", dir.path])
        #expect(good.status == 0, "\(good.stderr)")
        let broken = try dir.write("b.xml", text.replacingOccurrences(of: "<inn>2466012340</inn>", with: "<inn>2466012341</inn>"))
        let r = try ProcessRunner.run(TestPaths.docgate, ["summary", "--schemas", TestPaths.schemas, "--format", "csv", dir.path])
        #expect(r.status == 1 && r.stderr.contains("DG5048") && r.stderr.contains(broken), "\(r.status) \(r.stderr)")
        // The register is still printed, from the valid documents.
        #expect(r.stdout == good.stdout)
        let missing = try ProcessRunner.run(TestPaths.docgate, ["summary", "--schemas", TestPaths.schemas, dir.path, dir.file("none.xml")])
        #expect(missing.status == 2 && missing.stderr.contains("DG5001"), "\(missing.stderr)")
    }

    @Test func aTablesOwnMistakeIsReportedBeforeItsBase() throws {
        let dir = try TemporaryDirectory("generate-order")
        defer { dir.remove() }
        let broken = try dir.write("broken.csv", "a,b\n\"x\n")
        let r = try ProcessRunner.run(TestPaths.docgate, ["generate", "socialOrder", "--schemas", TestPaths.schemas, "--from", broken,
                                                          "--base", dir.file("missing.json")])
        #expect(r.status == 2 && r.stderr.contains("DG2110") && !r.stderr.contains("missing.json"), "\(r.stderr)")
    }
}
