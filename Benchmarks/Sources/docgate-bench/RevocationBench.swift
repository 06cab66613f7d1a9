import DocgateCrypto
import DocgateProcessing
import DocgateSignature
import Foundation

/// Verification with revocation checking (issue 15), in one run:
/// - a batch of 1 000 signed reports, `docgate verify --trust CA --crl CRL DIR`, against xmlsec1 verifying each file
///   in its own process with the same CRL (xmlsec1 1.2.37 has no `--crl` option: it checks the CRLs a document
///   carries in `X509Data/X509CRL`, so its copies carry the CRL there);
/// - the same batch with a CRL of 100 000 revoked serials against no CRL, as whole runs of the command and per
///   document in-process (the CRL loaded once, as the daemon holds it).
enum RevocationBench {
    static func run(_ o: Options) throws {
        let fm = FileManager.default
        let dir = o.work + "/revocation"
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = SigningBench.makeKeys(dir)
        try makeCRLs(dir)
        let reports = o.work + "/batch-1000"
        try fm.createDirectory(atPath: reports, withIntermediateDirectories: true)
        for i in 0..<1000 {
            let path = reports + String(format: "/report-%04d.xml", i)
            if !fm.fileExists(atPath: path) { try Generate.report(to: path, items: 5, seed: UInt64(i + 1)) }
        }
        let signed = dir + "/signed"
        if (try? fm.contentsOfDirectory(atPath: signed).count) != 1000 {
            try? fm.removeItem(atPath: signed)
            try fm.createDirectory(atPath: signed, withIntermediateDirectories: true)
            let s = measure([o.docgate, "sign", "--schemas", o.schemas, "--key", dir + "/rsa.key", "--cert", dir + "/rsa.pem",
                             "--out-dir", signed, reports])
            precondition(s.status == 0, "docgate sign failed")
        }
        let files = try fm.contentsOfDirectory(atPath: signed).sorted().map { signed + "/" + $0 }
        // xmlsec1's copies: the small CRL in X509Data (outside the signed content).
        let crlText = try String(contentsOfFile: dir + "/small.crl", encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        let xdir = dir + "/xmlsec-with-crl"
        try fm.createDirectory(atPath: xdir, withIntermediateDirectories: true)
        var xfiles: [String] = []
        for f in files {
            let t = xdir + "/" + (f as NSString).lastPathComponent
            if !fm.fileExists(atPath: t) {
                let text = try String(contentsOfFile: f, encoding: .utf8)
                try text.replacingOccurrences(of: "</X509Data>", with: "<X509CRL>\(crlText)</X509CRL></X509Data>")
                    .write(toFile: t, atomically: false, encoding: .utf8)
            }
            xfiles.append(t)
        }

        let ca = dir + "/ca.pem"
        let none = [o.docgate, "verify", "--trust", ca, signed]
        let small = [o.docgate, "verify", "--trust", ca, "--crl", dir + "/small.crl", signed]
        let big = [o.docgate, "verify", "--trust", ca, "--crl", dir + "/big.crl", signed]
        var tNone: [Double] = [], tSmall: [Double] = [], tBig: [Double] = []
        for _ in 0..<o.runs {
            for (cmd, into) in [(none, 0), (small, 1), (big, 2)] {
                let m = measure(cmd)
                precondition(m.status == 0, "docgate verify failed: \(cmd.joined(separator: " "))")
                switch into {
                case 0: tNone.append(m.seconds)
                case 1: tSmall.append(m.seconds)
                default: tBig.append(m.seconds)
                }
            }
        }
        // xmlsec1 must refuse a revoked signer the same way for the anchor to mean anything: checked on one file.
        let xmlsec = "/usr/bin/xmlsec1"
        precondition(SigningBench.measureQuiet([xmlsec, "--verify", "--trusted-pem", ca, xfiles[0]]) == 0, "xmlsec1 verify failed")
        let xs = SigningBench.perFile(xfiles) { [xmlsec, "--verify", "--trusted-pem", ca, $0] } ?? .nan

        // In-process, per document: the same verifier over 200 documents, with and without the 100 000-serial CRL.
        let datas = try files.prefix(200).map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0))) }
        let plain = SignatureVerifier(trust: try TrustStore(path: ca), policy: .docgate)
        let withBig = SignatureVerifier(trust: try TrustStore(path: ca, crls: [dir + "/big.crl"]), policy: .docgate)
        var perPlain: [Double] = [], perBig: [Double] = [], ratios: [Double] = []
        func pass(_ v: SignatureVerifier) -> Double {
            let t0 = DispatchTime.now().uptimeNanoseconds
            for (i, d) in datas.enumerated() { precondition(v.verify(bytes: d, file: "\(i)").valid, "in-process verify failed") }
            return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9 / Double(datas.count)
        }
        _ = pass(plain); _ = pass(withBig)
        for round in 0..<max(5, o.runs * 3) {
            // Alternate the order so that neither side always runs second.
            let (a, b) = round % 2 == 0 ? (pass(plain), pass(withBig)) : { let y = pass(withBig); return (pass(plain), y) }()
            perPlain.append(a); perBig.append(b); ratios.append(b / a)
        }
        let bigSize = ((try? fm.attributesOfItem(atPath: dir + "/big.crl")[.size] as? Int) ?? 0) / 1024
        print("""
        ## revocation — \(Date()) — \(ProcessInfo.processInfo.activeProcessorCount) cores; docgate \(o.runs) runs (medians), xmlsec1 1 run

        | 1 000 × 10 KB, RSA-2048 | time | ratio |
        | --- | --- | --- |
        | docgate verify, no CRL | \(fmt(median(tNone), 2)) s | — |
        | docgate verify --crl (1 revoked serial) | \(fmt(median(tSmall), 2)) s | \(fmt(median(tSmall) / median(tNone), 2))× no CRL |
        | docgate verify --crl (100 000 revoked serials, \(bigSize) KB) | \(fmt(median(tBig), 2)) s | **\(fmt(median(tBig) / median(tNone), 2))× no CRL** (target ≤ 1.1×) |
        | xmlsec1 --verify, the CRL in X509Data, a process per file | \(fmt(xs, 2)) s (\(fmt(xs, 1)) ms/file) | **\(fmt(xs / median(tSmall), 1))× docgate with CRL** (target ≥ 20×) |
        | in-process per document, no CRL | \(fmt(median(perPlain) * 1e6, 0)) µs | — |
        | in-process per document, 100 000-serial CRL | \(fmt(median(perBig) * 1e6, 0)) µs | **\(fmt(median(ratios), 3))×** (rounds \(fmt(ratios.min() ?? 0, 3))–\(fmt(ratios.max() ?? 0, 3))) |

        """)
    }

    /// CRLs of the bench CA: one revoking a single serial (not the signer's), one revoking 100 000.
    static func makeCRLs(_ dir: String) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: dir + "/big.crl") && fm.fileExists(atPath: dir + "/small.crl") { return }
        var big = ""
        big.reserveCapacity(100_000 * 64)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<100_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            big += "R\t351231235959Z\t250101000000Z\t\(String(format: "%016llX", state | (1 << 62)))\tunknown\t/CN=x\n"
        }
        try big.write(toFile: dir + "/big-index.txt", atomically: true, encoding: .utf8)
        try "R\t351231235959Z\t250101000000Z\t0123456789ABCDEF\tunknown\t/CN=x\n".write(toFile: dir + "/small-index.txt", atomically: true, encoding: .utf8)
        for name in ["small", "big"] {
            try """
            [ca]
            default_ca = dg
            [dg]
            database = \(dir)/\(name)-index.txt
            crlnumber = \(dir)/crlnumber
            default_md = sha256
            default_crl_days = 30

            """.write(toFile: dir + "/\(name)-ca.cnf", atomically: true, encoding: .utf8)
            if !fm.fileExists(atPath: dir + "/crlnumber") { try "01\n".write(toFile: dir + "/crlnumber", atomically: true, encoding: .utf8) }
            let status = SigningBench.sh("cd '\(dir)' && openssl ca -gencrl -config \(name)-ca.cnf -keyfile ca.key -cert ca.pem -out \(name).crl")
            precondition(status == 0, "openssl ca -gencrl failed for \(name)")
        }
    }
}
