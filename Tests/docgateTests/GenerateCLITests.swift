import DocgateTestSupport
import DocgateXML
import Foundation
import Testing

/// `docgate export` and `docgate generate`: every sample goes to JSON and back unchanged, the JSON follows the
/// shipped JSON Schema (checked by an independent validator), tables fold into documents, and every refusal
/// names the place in the input.
@Suite struct GenerateCLITests {
    static let kinds: [String: String] = [
        "SOCORDER": "socialOrder", "AGREEMENT": "agreement", "CONTRACT": "contract", "CONTRACTNOTICE": "contractNotice", "SOCCERT": "socialCertificate",
        "EXECREPORT": "executionReport", "SVCASSIGN": "serviceAssignment", "RECEIPT": "receipt",
    ]
    static let schemaFiles: [String: String] = [
        "socialOrder": "social-order", "agreement": "agreement", "contract": "contract", "contractNotice": "contract-notice", "socialCertificate": "social-certificate",
        "executionReport": "execution-report", "serviceAssignment": "service-assignment", "receipt": "receipt",
    ]

    static func kind(of file: String) -> String {
        let name = (file as NSString).lastPathComponent
        return kinds[String(name.prefix { $0 != "_" })]!
    }

    func docgate(_ args: [String]) throws -> ProcessResult {
        try ProcessRunner.run(TestPaths.docgate, args + ["--schemas", TestPaths.schemas, "--lang", "en"])
    }

    static func canonical(_ path: String) throws -> [UInt8] {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let parsed = bytes.withUnsafeBytes { XMLDocument.parse($0) }
        guard case .success(let doc) = parsed, let c = doc.canonicalData() else { throw CocoaError(.fileReadCorruptFile) }
        return c
    }

    /// Validates JSON files against a JSON Schema with python3-jsonschema (draft 2020-12); returns the errors.
    static func jsonSchemaErrors(schema: String, instances: [String]) throws -> ProcessResult {
        let script = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        v = jsonschema.Draft202012Validator(schema)
        bad = 0
        for f in sys.argv[2:]:
            for e in v.iter_errors(json.load(open(f))):
                bad += 1
                print(f, "/".join(map(str, e.path)), e.message[:200])
        sys.exit(1 if bad else 0)
        """
        return try ProcessRunner.run("/usr/bin/python3", ["-c", script, schema] + instances)
    }

    @Test(arguments: TestPaths.sampleFiles("valid"))
    func everySampleGoesToJSONAndBackUnchanged(_ sample: String) throws {
        let dir = try TemporaryDirectory("generate")
        defer { dir.remove() }
        let kind = Self.kind(of: sample)
        let json = dir.file("doc.json"), xml = dir.file("doc.xml")
        let e = try docgate(["export", sample, "--out", json])
        #expect(e.status == 0, "\(e.stderr)")
        let check = try Self.jsonSchemaErrors(schema: TestPaths.schemas + "/json/\(Self.schemaFiles[kind]!).schema.json", instances: [json])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let g = try docgate(["generate", kind, "--from", json, "--out", xml])
        #expect(g.status == 0, "\(g.stderr)")
        #expect(try Self.canonical(xml) == (try Self.canonical(sample)))
    }

    @Test func theShippedJSONSchemasAreTheOnesTheXSDsGive() throws {
        let dir = try TemporaryDirectory("jsonschema")
        defer { dir.remove() }
        let r = try docgate(["schemas", "json", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        for name in Self.schemaFiles.values {
            let shipped = FileManager.default.contents(atPath: TestPaths.schemas + "/json/\(name).schema.json")
            let made = FileManager.default.contents(atPath: dir.file("\(name).schema.json"))
            #expect(shipped != nil && shipped == made, "Schemas/json/\(name).schema.json is stale: run docgate schemas json Schemas/json")
        }
    }

    @Test func theJSONSchemaRefusesWhatGenerateRefuses() throws {
        let dir = try TemporaryDirectory("jsonschema")
        defer { dir.remove() }
        let sample = TestPaths.sampleFiles("valid").first { $0.contains("SOCCERT_") }!
        let json = dir.file("c.json")
        #expect(try docgate(["export", sample, "--out", json]).status == 0)
        var text = try String(contentsOfFile: json, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"event\": \"issued\"", with: "\"event\": \"issued\", \"colour\": \"red\"")
        let bad = try dir.write("bad.json", text)
        let check = try Self.jsonSchemaErrors(schema: TestPaths.schemas + "/json/social-certificate.schema.json", instances: [bad])
        #expect(check.status == 1 && check.stdout.contains("colour"))
        let g = try docgate(["generate", "socialCertificate", "--from", bad])
        #expect(g.status == 1)
        #expect(g.stderr.contains("DG2107 error $.colour (line 4:32)"), "\(g.stderr)")
    }

    /// A document from its table and base comes out as the sample it was taken from: the order's nine lines (three
    /// services, three years) fold into three items with three yearly values each; the assignment's sixteen rows
    /// become its sixteen rows.
    @Test(arguments: [
        ("social-order", "order-volumes.csv", "order-base.json", "ac836344-de90-5310-b100-0b422b5be2e0"),
        ("serviceAssignment", "assignment-rows.csv", "assignment-base.json", "8c79b1ff-2e33-5dd0-9d9d-ac216c25b328"),
    ])
    func aDocumentFromItsTableIsTheSample(_ kind: String, _ table: String, _ base: String, _ sampleId: String) throws {
        let dir = try TemporaryDirectory("generate")
        defer { dir.remove() }
        let out = dir.file("doc.xml")
        let g = try docgate(["generate", kind, "--from", TestPaths.samples + "/generate/" + table,
                             "--base", TestPaths.samples + "/generate/" + base, "--out", out])
        #expect(g.status == 0, "\(g.stderr)")
        let sample = TestPaths.sampleFiles("valid").first { $0.contains(sampleId) }!
        #expect(try Self.canonical(out) == (try Self.canonical(sample)))
    }

    @Test func certificatesFromOneTableEachValidAndNamedByTheConvention() throws {
        let dir = try TemporaryDirectory("generate")
        defer { dir.remove() }
        let outDir = dir.file("out")
        let g = try docgate(["generate", "SOCCERT", "--from", TestPaths.samples + "/generate/certificates.csv",
                             "--base", TestPaths.samples + "/generate/certificate-base.json", "--out-dir", outDir,
                             "--receiver", "ACKFIN24", "--sender", "GISSS24"])
        #expect(g.status == 0, "\(g.stderr)")
        #expect(g.stderr.contains("3 of 3 documents generated"))
        let files = try FileManager.default.contentsOfDirectory(atPath: outDir).sorted()
        #expect(files.count == 3)
        #expect(files.allSatisfy { $0.hasPrefix("SOCCERT_ACKFIN24_GISSS24_") && $0.hasSuffix(".xml") && $0.count == "SOCCERT_ACKFIN24_GISSS24_20250101_".count + 40 })
        let v = try docgate(["validate"] + files.map { outDir + "/" + $0 })
        #expect(v.status == 0, "\(v.stdout)")
        // Ivanov's three lines: one service, two categories, two allowed executors.
        let ivanov = try files.map { try String(contentsOfFile: outDir + "/" + $0, encoding: .utf8) }.first { $0.contains("Иванов") }!
        let services = try #require(ivanov.components(separatedBy: "<services>").last)
        #expect(services.components(separatedBy: "<service>").count == 2)
        #expect(services.components(separatedBy: "<consumerCategory>").count == 3)
        #expect(services.components(separatedBy: "<allowedExecutor>").count == 3)
    }

    @Test func aBadCellIsTracedToItsLineAndColumnAndNothingIsWritten() throws {
        let dir = try TemporaryDirectory("generate")
        defer { dir.remove() }
        let text = try String(contentsOfFile: TestPaths.samples + "/generate/certificates.csv", encoding: .utf8)
        let bad = try dir.write("c.csv", text.replacingOccurrences(of: "2463012342", with: "2463012345"))
        let outDir = dir.file("out")
        let g = try docgate(["generate", "socialCertificate", "--from", bad, "--base", TestPaths.samples + "/generate/certificate-base.json", "--out-dir", outDir])
        #expect(g.status == 1)
        #expect(g.stderr.contains("[document C2]: document not generated"))
        #expect(g.stderr.contains("DG3001 error $.services.service[0].allowedExecutor[1].inn (line 5, column services.service.allowedExecutor.inn)"), "\(g.stderr)")
        #expect(g.stderr.contains("2 of 3 documents generated"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: outDir).count == 2)
        // A value that disagrees within one document, and a column that names nothing.
        let conflict = try dir.write("d.csv", text.replacingOccurrences(of: "C2,24-СС-0002002,Иванов,Пётр,Ильич,1951-11-02,123-456-789 64,880000О.99.0.АЭ23АА01000,Предоставление социального обслуживания в форме социального обслуживания на дому,Социальное обслуживание граждан,Инвалиды",
                                                                        with: "C2,24-СС-0002099,Иванов,Пётр,Ильич,1951-11-02,123-456-789 64,880000О.99.0.АЭ23АА01000,Предоставление социального обслуживания в форме социального обслуживания на дому,Социальное обслуживание граждан,Инвалиды"))
        let c = try docgate(["generate", "socialCertificate", "--from", conflict, "--base", TestPaths.samples + "/generate/certificate-base.json", "--out-dir", outDir])
        #expect(c.status == 1)
        #expect(c.stderr.contains("[document C2]: document not generated\n    DG2110 error (line 4, column header.number): value '24-СС-0002099' disagrees"), "\(c.stderr)")
        #expect(c.stderr.contains("2 of 3 documents generated"))
        let unknown = try dir.write("e.csv", "document,general.recipient.surname\n1,x\n")
        let u = try docgate(["generate", "socialCertificate", "--from", unknown, "--out-dir", outDir])
        #expect(u.status == 2 && u.stderr.contains("no member 'surname'") && u.stderr.contains("lastName"), "\(u.stderr)")
    }

    @Test func malformedJSONIsRefusedWithLineAndColumn() throws {
        let dir = try TemporaryDirectory("generate")
        defer { dir.remove() }
        let bad = try dir.write("r.json", "{\n  \"id\": \"x\",\n  \"createdAt\": 2025-01-01\n}\n")
        let g = try docgate(["generate", "receipt", "--from", bad])
        #expect(g.status == 2)
        #expect(g.stderr.contains("DG2100") && g.stderr.contains("line 3:16"), "\(g.stderr)")
        // An input beyond the limit is refused before it is read (a sparse file: no disk is used).
        let huge = dir.file("huge.csv")
        #expect(FileManager.default.createFile(atPath: huge, contents: nil))
        #expect(truncate(huge, 300 << 20) == 0)
        let h = try docgate(["generate", "receipt", "--from", huge])
        #expect(h.status == 2 && h.stderr.contains("DG1015") && h.stderr.contains("256 MB"), "\(h.stderr)")
        let many = try dir.write("m.json", "[{}, {}]")
        let m = try docgate(["generate", "receipt", "--from", many])
        #expect(m.status == 2 && m.stderr.contains("give --out-dir"))
    }

    @Test func windows1251OutputIsValidAndCyrillicIsOneBytePerLetter() throws {
        let dir = try TemporaryDirectory("generate")
        defer { dir.remove() }
        let sample = TestPaths.sampleFiles("valid").first { $0.contains("SOCCERT_") }!
        let json = dir.file("c.json"), xml = dir.file("c.xml")
        #expect(try docgate(["export", sample, "--out", json]).status == 0)
        let g = try docgate(["generate", "socialCertificate", "--from", json, "--out", xml, "--encoding", "windows-1251"])
        #expect(g.status == 0, "\(g.stderr)")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: xml)))
        #expect(bytes.starts(with: Array("<?xml version=\"1.0\" encoding=\"windows-1251\"?>".utf8)))
        let utf8 = dir.file("u.xml")
        #expect(try docgate(["generate", "socialCertificate", "--from", json, "--out", utf8]).status == 0)
        #expect(bytes.contains(0xCF))  // «П»
        #expect(bytes.count < (try Data(contentsOf: URL(fileURLWithPath: utf8))).count)
        #expect(try docgate(["validate", xml]).status == 0)
        #expect(try Self.canonical(xml) == (try Self.canonical(sample)))
    }
}
