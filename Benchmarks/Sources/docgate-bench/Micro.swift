import DocgateDocuments
import DocgateXML
import Foundation

/// In-process costs per document, without process start-up or output: where the time of `validate` goes.
enum Micro {
    static func profile(_ o: Options) throws {
        let validator = try DocumentValidator(schemaDirectory: o.schemas)
        let files = try FileManager.default.contentsOfDirectory(atPath: o.work + "/batch-1000").sorted().prefix(200)
            .map { o.work + "/batch-1000/" + $0 }
        let datas = try files.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0))) }
        for _ in 0..<20 { for d in datas { _ = validator.validate(bytes: d, file: "x.xml", retainRecords: false) } }
    }

    static func run(_ o: Options) throws {
        var t0 = DispatchTime.now().uptimeNanoseconds
        _ = try XMLSchema(path: o.schemas + "/docgate.xsd")
        print("compile docgate.xsd (first): \(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6) ms")
        t0 = DispatchTime.now().uptimeNanoseconds
        _ = try XMLSchema(path: o.schemas + "/docgate.xsd")
        print("compile docgate.xsd (again): \(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6) ms")
        t0 = DispatchTime.now().uptimeNanoseconds
        _ = try XMLSchema(path: o.schemas + "/execution-report.xsd")
        print("compile execution-report.xsd: \(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6) ms")
        let validator = try DocumentValidator(schemaDirectory: o.schemas)
        let files = try FileManager.default.contentsOfDirectory(atPath: o.work + "/batch-1000").sorted().prefix(200)
            .map { o.work + "/batch-1000/" + $0 }
        let datas = try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        func time(_ label: String, _ body: () -> Void) {
            var best = Double.infinity
            for _ in 0..<5 {
                let t0 = DispatchTime.now().uptimeNanoseconds
                body()
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e3 / Double(files.count))
            }
            print("\(label): \(String(format: "%.1f", best)) µs per document")
        }
        time("gate only") { gateOnly(datas) }
        time("parse only (SAX, no schema, no records)") {
            for d in datas { _ = d.withUnsafeBytes { XMLStream.validate(bytes: $0, schema: nil, consumer: nil) } }
        }
        time("parse + schema") {
            for d in datas { _ = d.withUnsafeBytes { XMLStream.validate(bytes: $0, schema: try! validator.schemas.schema(for: .executionReport), consumer: nil) } }
        }
        time("full validate (bytes)") {
            for d in datas { _ = validator.validate(bytes: [UInt8](d), file: "x.xml", retainRecords: false) }
        }
        time("full validate (file)") {
            for f in files { _ = try? validator.validate(file: f, retainRecords: false) }
        }
        time("DOM parse (xmlReadMemory path)") {
            for d in datas { _ = d.withUnsafeBytes { XMLDocument.parse($0) } }
        }
    }
}

extension Micro {
    static func gateOnly(_ datas: [Data]) {
        for d in datas {
            d.withUnsafeBytes { b in
                _ = XMLGateProbe.scan(b)
            }
        }
    }
}
