import Foundation

/// Generation: 10 000 social certificates from one CSV (one to three lines each, as a register of issued
/// certificates exported from a spreadsheet), into a directory, every document validated before it is written.
/// Two anchors, on the same output in the same run: `xmllint --noout --schema` over the 10 000 files (the schema
/// check alone), and writing the same 10 000 files durably the way any careful program would (a temporary file,
/// fsync, rename; one fsync of the directory at the end), on one thread. docgate does both and more: reads the
/// table, builds the documents, checks the business rules.
enum GenerateBench {
    /// СНИЛС with its check number.
    static func snils(_ n: Int) -> String {
        let digits = String(format: "%09d", 100_000_000 + n % 800_000_000).map { Int(String($0))! }
        var sum = 0
        for (i, d) in digits.enumerated() { sum += d * (9 - i) }
        let check = sum < 100 ? sum : (sum == 100 || sum == 101 ? 0 : (sum % 101 == 100 ? 0 : sum % 101))
        let s = digits.map(String.init).joined()
        return "\(s.prefix(3))-\(s.dropFirst(3).prefix(3))-\(s.dropFirst(6)) " + String(format: "%02d", check)
    }

    static func table(_ path: String, documents: Int, samples: String) throws -> Int {
        let template = try String(contentsOfFile: samples + "/generate/certificates.csv", encoding: .utf8)
        let lines = template.split(separator: "\n").map(String.init)
        let header = lines[0]
        let rows = lines.dropFirst().map { $0.components(separatedBy: ",") }
        let names = ["Петрова,Анна,Сергеевна", "Иванов,Пётр,Ильич", "Сидорова,Мария,Ивановна", "Кузнецов,Олег,Петрович"]
        var out = header + "\n"
        var count = 0
        for d in 0..<documents {
            let lineCount = d % 5 == 1 ? 3 : 1   // every fifth certificate: two categories, two executors
            for l in 0..<lineCount {
                var r = d % 5 == 1 ? rows[1 + l] : rows[0]
                r[0] = "C\(d)"
                r[1] = "24-СС-1\(String(format: "%06d", d))"
                let n = names[d % names.count].components(separatedBy: ",")
                r[2] = n[0]; r[3] = n[1]; r[4] = n[2]
                r[6] = snils(d * 7 + 13)
                let volume = 24 + d % 97
                r[16] = String(volume)
                let kopecks = volume * 19005
                r[18] = "\(kopecks / 100).\(String(format: "%02d", kopecks % 100))"
                out += r.joined(separator: ",") + "\n"
                count += 1
            }
        }
        try out.write(toFile: path, atomically: true, encoding: .utf8)
        return count
    }

    /// Anchor B: the files written again into a fresh directory, each through a temporary file, fsync and rename,
    /// then one fsync of the directory; one thread. Returns the seconds.
    static func durableWrite(_ files: [String], into dir: String) throws -> Double {
        let contents = try files.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let start = DispatchTime.now().uptimeNanoseconds
        for (i, data) in contents.enumerated() {
            let tmp = dir + "/.\(i).tmp", target = dir + "/\(i).xml"
            let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { fatalError("cannot create \(tmp)") }
            data.withUnsafeBytes { raw in _ = write(fd, raw.baseAddress!, raw.count) }
            fsync(fd)
            close(fd)
            rename(tmp, target)
        }
        let dfd = open(dir, O_RDONLY | O_DIRECTORY)
        fsync(dfd)
        close(dfd)
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    static func run(_ o: Options) throws {
        let samples = o.schemas + "/../Samples"
        let csv = o.work + "/certificates-10000.csv"
        let lines = try table(csv, documents: 10_000, samples: samples)
        let outDir = o.work + "/generated"
        let base = samples + "/generate/certificate-base.json"
        let xsd = o.schemas + "/social-certificate.xsd"
        var gen: [Measurement] = [], anchor: [Measurement] = [], writes: [Double] = []
        for i in 0..<max(1, o.runs) {
            try? FileManager.default.removeItem(atPath: outDir)
            let g = measure([o.docgate, "generate", "socialCertificate", "--schemas", o.schemas, "--from", csv, "--base", base, "--out-dir", outDir])
            let files = try FileManager.default.contentsOfDirectory(atPath: outDir).sorted().map { outDir + "/" + $0 }
            guard g.status == 0, files.count == 10_000 else { fatalError("generate: exit \(g.status), \(files.count) files") }
            let a = measure([o.xmllint, "--noout", "--schema", xsd] + files)
            guard a.status == 0 else { fatalError("xmllint refused the generated certificates: exit \(a.status)") }
            writes.append(try durableWrite(files, into: o.work + "/written"))
            // Alternate which one runs right after the file cache was warmed.
            if i % 2 == 0 { gen.append(g); anchor.append(a) } else { anchor.append(a); gen.append(g) }
        }
        let ratio = median(zip(gen, anchor).map { $0.seconds / $1.seconds })
        let combined = median(zip(gen, zip(anchor, writes)).map { $0.seconds / ($1.0.seconds + $1.1) })
        let size = (try FileManager.default.attributesOfItem(atPath: csv)[.size] as? Int) ?? 0
        print("""
        ## generate — \(Date()) — \(ProcessInfo.processInfo.activeProcessorCount) cores, \(o.runs) runs (medians)

        | scenario | docgate time (target < 60 s) | A: xmllint --schema on the output | B: writing the output durably | docgate / A | docgate / (A + B) | docgate peak RSS |
        | --- | --- | --- | --- | --- | --- | --- |
        | 10 000 certificates from one CSV (\(lines) lines, \(size / 1024) KB) | \(fmt(median(gen.map(\.seconds)), 2)) s | \(fmt(median(anchor.map(\.seconds)), 2)) s | \(fmt(median(writes), 2)) s | \(fmt(ratio, 2))× | \(fmt(combined, 2))× | \((gen.map(\.maxRSSKilobytes).max() ?? 0) / 1024) MB |
        """)
    }
}
