import DocgateDocuments
import Foundation

/// Rules across documents: 10 000 documents checked against registries of 10 000 and 100 000, in process, on
/// every core. The registry holds copies of the samples' orders, agreements, certificates and contracts with
/// their own ids; the checked documents are the samples' reports, contracts, agreements and certificates.
enum ContextBench {
    static func run(_ o: Options) throws {
        let validator = try DocumentValidator(schemaDirectory: o.schemas)
        let samples = o.schemas + "/../Samples/valid"
        let files = try FileManager.default.contentsOfDirectory(atPath: samples).filter { $0.hasSuffix(".xml") }.sorted()
        var base: [ContextDocument] = []
        for f in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: samples + "/" + f))
            let report = validator.validate(bytes: [UInt8](data), file: f, retainRecords: true)
            if let d = ContextDocument(report: report, sha256: String(f.hashValue)) { base.append(d) }
        }
        let registered = base.filter { [.socialOrder, .agreement, .socialCertificate, .contract].contains($0.kind) }
        let checked = base.filter { [.executionReport, .contract, .agreement, .socialCertificate].contains($0.kind) }
        // Copies come in families, as real registries do: each family is a set of the samples' documents with its
        // own ids, its agreements and certificates on its own order, its contracts on its own certificates.
        func family(_ f: Int, _ d: ContextDocument) -> ContextDocument {
            func id(_ old: String?) -> String? { old.map { String($0.prefix(24)) + String(format: "%012x", f) } }
            var d = d
            d.id = id(d.id)!
            d.file = "f\(f)-" + d.file
            if var h = d.header { h.previousVersionId = id(h.previousVersionId); h.number += "-\(f)"; d.header = h }
            switch d.model {
            case .agreement(var a):
                let o = id(a.socialOrderRef?.id)
                a.socialOrderRef?.id = o
                if let inn = a.executor?.inn { a.executor?.inn = inn + "-\(f)" }
                d.model = .agreement(a)
            case .socialCertificate(var c): let o = id(c.socialOrderRef?.id); c.socialOrderRef?.id = o; d.model = .socialCertificate(c)
            case .contract(var c):
                c.certificateId = id(c.certificateId)
                c.certificateNumber += "-\(f)"
                if let inn = c.executor?.inn { c.executor?.inn = inn + "-\(f)" }
                d.model = .contract(c)
            default: break
            }
            return d
        }
        func registry(_ n: Int) -> [ContextDocument] {
            var out = base   // the real documents, so that the checks find what they refer to
            var f = 1
            while out.count < n {
                for d in registered where out.count < n { out.append(family(f, d)) }
                f += 1
            }
            return out
        }
        var rows: [String] = []
        for size in [10_000, 100_000] {
            let docs = registry(size)
            var t0 = Date()
            let context = DocumentContext(docs)
            let build = Date().timeIntervalSince(t0)
            let n = 10_000
            let findings = Atomic(0)
            t0 = Date()
            DispatchQueue.concurrentPerform(iterations: n) { i in
                let found = context.check(checked[i % checked.count])
                findings.add(found.count)
            }
            let seconds = Date().timeIntervalSince(t0)
            rows.append("| \(size) | \(String(format: "%.2f", build)) s | \(n) | \(String(format: "%.3f", seconds)) s | \(String(format: "%.1f", seconds / Double(n) * 1e6)) µs | \(findings.value) |")
        }
        print("""
        ## rules across documents — \(Date()) — \(ProcessInfo.processInfo.activeProcessorCount) cores

        | registry | building it | documents checked | time (target < 60 s) | per document | findings |
        | --- | --- | --- | --- | --- | --- |
        \(rows.joined(separator: "\n"))
        """)
    }
}

/// A tiny lock-protected counter.
final class Atomic<T: AdditiveArithmetic>: @unchecked Sendable {
    private var v: T
    private let lock = NSLock()
    init(_ v: T) { self.v = v }
    func add(_ d: T) { lock.lock(); v += d; lock.unlock() }
    var value: T { lock.lock(); defer { lock.unlock() }; return v }
}
