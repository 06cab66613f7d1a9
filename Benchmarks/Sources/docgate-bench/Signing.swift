import DocgateCrypto
import DocgateProcessing
import DocgateSignature
import DocgateXML
import Foundation

/// Sign and verify: docgate against xmlsec1 (one process per file, as it is used) on the same files, and the
/// in-process cost per document against the raw signature operation (`openssl speed`) plus parsing.
enum SigningBench {
    struct Algorithm {
        var name: String
        var key: String
        var cert: String
        var method: SignatureAlgorithm
        var xmlsec: Bool
    }

    static func sh(_ command: String, env: [String: String] = [:]) -> Int32 {
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        p.environment = environment
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try? p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    static func output(_ command: String, env: [String: String] = [:]) -> String {
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        let p = Process()
        let pipe = Pipe()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        p.environment = environment
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try? p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Test-only keys for the benchmark, made with the openssl command line.
    static func makeKeys(_ dir: String) -> String {
        let gostConf = dir + "/gost.cnf"
        try? """
        openssl_conf = openssl_def
        [openssl_def]
        engines = engine_section
        [engine_section]
        gost = gost_section
        [gost_section]
        engine_id = gost
        dynamic_path = /usr/lib/x86_64-linux-gnu/engines-3/gost.so
        default_algorithms = ALL

        """.write(toFile: gostConf, atomically: true, encoding: .utf8)
        // Version 2: the signers name the authorised body of the generated reports (ИНН ЮЛ), as the signer policy needs.
        if FileManager.default.fileExists(atPath: dir + "/keys-v2") { return gostConf }
        let script = """
        set -e; cd '\(dir)'
        printf 'oid_section=oids\\n[oids]\\nINNLE=1.2.643.100.4\\n[req]\\ndistinguished_name=dn\\n[dn]\\n[ca]\\nbasicConstraints=critical,CA:TRUE\\nkeyUsage=critical,keyCertSign,cRLSign\\n[s]\\nkeyUsage=critical,digitalSignature\\n' > req.cnf
        openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 -subj /CN=bench-ca -config req.cnf -extensions ca
        openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key
        OPENSSL_CONF='\(gostConf)' openssl genpkey -algorithm gost2012_256 -pkeyopt paramset:A -out gost.key
        for k in rsa ec gost; do
          OPENSSL_CONF='\(gostConf)' openssl req -new -key $k.key -out $k.csr -subj /INNLE=2466012340/OGRN=1022401123458/CN=bench-$k -config req.cnf
          OPENSSL_CONF='\(gostConf)' openssl x509 -req -in $k.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $k.pem -days 365 -extfile req.cnf -extensions s
        done
        touch keys-v2
        """
        precondition(sh(script) == 0, "key generation failed")
        return gostConf
    }

    static func template(_ method: SignatureAlgorithm) -> String {
        """
        <Signature xmlns="\(DSig.namespace)"><SignedInfo><CanonicalizationMethod Algorithm="\(DSig.exclusiveC14N)"/>\
        <SignatureMethod Algorithm="\(method.uri)"/><Reference URI=""><Transforms><Transform Algorithm="\(DSig.envelopedSignature)"/>\
        <Transform Algorithm="\(DSig.exclusiveC14N)"/></Transforms><DigestMethod Algorithm="\(method.digest.uri)"/><DigestValue/>\
        </Reference></SignedInfo><SignatureValue/><KeyInfo><X509Data/></KeyInfo></Signature>
        """
    }

    /// Runs `command(file)` for every file, one process each, sequentially; total seconds, or nil when one failed.
    static func perFile(_ files: [String], _ command: (String) -> [String]) -> Double? {
        let start = DispatchTime.now().uptimeNanoseconds
        for f in files {
            let m = measureQuiet(command(f))
            if m != 0 { FileHandle.standardError.write(Data("failed: \(command(f).joined(separator: " "))\n".utf8)); return nil }
        }
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// posix_spawn without GNU time (per-file anchors are short; the wrapper's own cost would distort them).
    static func measureQuiet(_ argv: [String]) -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let cargs = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, argv[0], &actions, nil, cargs, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status >> 8) & 0xff
    }

    static func run(_ o: Options) throws {
        let fm = FileManager.default
        let dir = o.work + "/signing"
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = makeKeys(dir)
        let xmlsec = "/usr/bin/xmlsec1"
        let algorithms = Self.algorithms(dir)
        // Inputs: 1 000 reports of ≈ 10 KB (the validation batch) and 20 of ≈ 1 MB.
        let small = o.work + "/batch-1000"
        try fm.createDirectory(atPath: small, withIntermediateDirectories: true)
        for i in 0..<1000 {
            let path = small + String(format: "/report-%04d.xml", i)
            if !fm.fileExists(atPath: path) { try Generate.report(to: path, items: 5, seed: UInt64(i + 1)) }
        }
        let large = o.work + "/batch-20x1mb"
        try fm.createDirectory(atPath: large, withIntermediateDirectories: true)
        for i in 0..<20 {
            let path = large + String(format: "/report-%02d.xml", i)
            if !fm.fileExists(atPath: path) { try Generate.report(to: path, items: 720, seed: UInt64(9_000 + i)) }
        }
        let sets: [(String, String)] = [("1 000 × 10 KB", small), ("20 × 1 MB", large)]
        var rows: [String] = []
        let xmlsecRuns = max(1, o.runs / 3)
        for (label, input) in sets {
            let files = try fm.contentsOfDirectory(atPath: input).filter { $0.hasSuffix(".xml") }.sorted().map { input + "/" + $0 }
            let bytes = files.reduce(0) { $0 + ((try? fm.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }
            for a in algorithms {
                let out = dir + "/out-\(a.method)-\(files.count)"
                try? fm.removeItem(atPath: out)
                try fm.createDirectory(atPath: out, withIntermediateDirectories: true)
                let signCmd = [o.docgate, "sign", "--schemas", o.schemas, "--key", a.key, "--cert", a.cert, "--out-dir", out, "--overwrite", input]
                let verifyCmd = [o.docgate, "verify", "--trust", dir + "/ca.pem", out]
                var signTimes: [Double] = [], verifyTimes: [Double] = []
                for _ in 0..<o.runs {
                    let s = measure(signCmd)
                    precondition(s.status == 0, "docgate sign failed: \(s.status)")
                    signTimes.append(s.seconds)
                    let v = measure(verifyCmd)
                    precondition(v.status == 0, "docgate verify failed: \(v.status)")
                    verifyTimes.append(v.seconds)
                }
                var xsSign = "—", xsVerify = "—", ratioSign = "— (xmlsec1 has no GOST)", ratioVerify = "—"
                if a.xmlsec {
                    // Templates for xmlsec1: the same documents with an empty signature before the root's end tag.
                    let tdir = dir + "/tmpl-\(a.method)-\(files.count)"
                    try fm.createDirectory(atPath: tdir, withIntermediateDirectories: true)
                    var templates: [String] = []
                    for f in files {
                        let t = tdir + "/" + (f as NSString).lastPathComponent
                        if !fm.fileExists(atPath: t) {
                            let text = try String(contentsOfFile: f, encoding: .utf8)
                            try text.replacingOccurrences(of: "</executionReport>", with: template(a.method) + "</executionReport>")
                                .write(toFile: t, atomically: false, encoding: .utf8)
                        }
                        templates.append(t)
                    }
                    let xout = dir + "/xmlsec-out.xml"
                    var sTimes: [Double] = [], vTimes: [Double] = []
                    for _ in 0..<xmlsecRuns {
                        sTimes.append(perFile(templates) { [xmlsec, "--sign", "--privkey-pem", "\(a.key),\(a.cert)", "--output", xout, $0] } ?? .nan)
                        let signed = try fm.contentsOfDirectory(atPath: out).sorted().map { out + "/" + $0 }
                        vTimes.append(perFile(signed) { [xmlsec, "--verify", "--trusted-pem", dir + "/ca.pem", $0] } ?? .nan)
                    }
                    let xs = median(sTimes), xv = median(vTimes)
                    xsSign = fmt(xs, 2) + " s (\(fmt(xs / Double(files.count) * 1000, 1)) ms/file)"
                    xsVerify = fmt(xv, 2) + " s (\(fmt(xv / Double(files.count) * 1000, 1)) ms/file)"
                    ratioSign = "**\(fmt(xs / median(signTimes), 1))×**"
                    ratioVerify = "**\(fmt(xv / median(verifyTimes), 1))×**"
                }
                rows.append("| \(label) (\(bytes / 1_048_576) MB) | \(a.name) | \(fmt(median(signTimes), 2)) s | \(xsSign) | \(ratioSign) | \(fmt(median(verifyTimes), 2)) s | \(xsVerify) | \(ratioVerify) |")
            }
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        print("""
        ## sign and verify — \(Date()) — \(cores) cores; docgate \(o.runs) runs, xmlsec1 \(xmlsecRuns) (medians)

        | files | key | docgate sign (validates too) | xmlsec1 sign, a process per file | speed-up | docgate verify | xmlsec1 verify, a process per file | speed-up |
        | --- | --- | --- | --- | --- | --- | --- | --- |
        \(rows.joined(separator: "\n"))

        """)
        try inProcess(o, dir: dir, algorithms: algorithms, files: Array(try fm.contentsOfDirectory(atPath: small).sorted().prefix(200).map { small + "/" + $0 }))
    }

    static func algorithms(_ dir: String) -> [Algorithm] {
        [
            Algorithm(name: "RSA-2048", key: dir + "/rsa.key", cert: dir + "/rsa.pem", method: .rsaSHA256, xmlsec: true),
            Algorithm(name: "ECDSA P-256", key: dir + "/ec.key", cert: dir + "/ec.pem", method: .ecdsaSHA256, xmlsec: true),
            Algorithm(name: "GOST 2012-256", key: dir + "/gost.key", cert: dir + "/gost.pem", method: .gost2012_256, xmlsec: false),
        ]
    }

    /// 200 documents of the validation batch, a signer and the documents it signed: ECDSA, or the key that
    /// DOCGATE_PROFILE_KEY names (`rsa`, `ec`, `gost`).
    static func ecdsaFixture(_ o: Options) throws -> ([[UInt8]], DocumentSigner, [[UInt8]]) {
        let dir = o.work + "/signing"
        let small = o.work + "/batch-1000"
        let files = try FileManager.default.contentsOfDirectory(atPath: small).sorted().prefix(200).map { small + "/" + $0 }
        let datas = try files.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0))) }
        let key = ProcessInfo.processInfo.environment["DOCGATE_PROFILE_KEY"] ?? "ec"
        let identity = try SigningIdentity.load(keyPath: dir + "/\(key).key", certificatePath: dir + "/\(key).pem", passphrase: nil)
        let signer = DocumentSigner(identity: identity, policy: .docgate)
        let signed = datas.map { d -> [UInt8] in if case .success(let s) = signer.sign(bytes: d) { return s }; fatalError("sign") }
        return (datas, signer, signed)
    }

    /// A loop for perf: verify with the chain (or sign, with DOCGATE_PROFILE=sign) ECDSA-signed documents.
    static func profile(_ o: Options) throws {
        let (datas, signer, signed) = try ecdsaFixture(o)
        let verifier = SignatureVerifier(trust: try TrustStore(path: o.work + "/signing/ca.pem"), policy: .docgate)
        let mode = ProcessInfo.processInfo.environment["DOCGATE_PROFILE"] ?? "verify"
        for _ in 0..<30 {
            if mode == "sign" { for d in datas { _ = signer.sign(bytes: d) } } else { for s in signed { _ = verifier.verify(bytes: s, file: "x") } }
        }
    }

    /// Where a verification's time goes, piece by piece (ECDSA documents).
    static func parts(_ o: Options) throws {
        let (datas, _, signed) = try ecdsaFixture(o)
        let docs = signed.map { s -> XMLDocument in s.withUnsafeBytes { try! XMLDocument.parse($0).get() } }
        func perDoc(_ label: String, _ body: () -> Void) {
            var best = Double.infinity
            for _ in 0..<5 {
                let t0 = DispatchTime.now().uptimeNanoseconds
                body()
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e3 / Double(datas.count))
            }
            print("\(label): \(fmt(best, 1)) µs")
        }
        perDoc("parse signed") { for s in signed { _ = s.withUnsafeBytes { XMLDocument.parse($0) } } }
        perDoc("c14n whole document to SHA-256") {
            for d in docs {
                let c = XMLCanonicalizer(method: .exclusive(prefixes: []), scope: .document)
                let h = try! IncrementalDigest(.sha256)
                _ = c.run(d, restart: {}) { h.update($0) }
                _ = try! h.finish()
            }
        }
        perDoc("c14n whole document, no output") {
            for d in docs { _ = XMLCanonicalizer(method: .exclusive(prefixes: []), scope: .document).run(d, restart: {}) { _ in } }
        }
        perDoc("c14n of one document, warm (per walk)") {
            for _ in docs { _ = XMLCanonicalizer(method: .exclusive(prefixes: []), scope: .document).run(docs[0], restart: {}) { _ in } }
        }
        perDoc("serialize") { for d in docs { _ = d.serialized() } }
        let verifier = SignatureVerifier(trust: nil, policy: .docgate)
        perDoc("verify tree (no parse)") { for d in docs { _ = verifier.verify(d, file: "x") } }
    }

    /// Only the in-process table.
    static func micro(_ o: Options) throws {
        let dir = o.work + "/signing"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = makeKeys(dir)
        let small = o.work + "/batch-1000"
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        for i in 0..<200 {
            let path = small + String(format: "/report-%04d.xml", i)
            if !FileManager.default.fileExists(atPath: path) { try Generate.report(to: path, items: 5, seed: UInt64(i + 1)) }
        }
        let algorithms = Self.algorithms(dir)
        try inProcess(o, dir: dir, algorithms: algorithms,
                      files: Array(try FileManager.default.contentsOfDirectory(atPath: small).sorted().prefix(200).map { small + "/" + $0 }))
    }

    /// `openssl speed` sign and verify times in seconds for RSA-2048 and ECDSA P-256.
    static func opensslSpeed() -> [String: (sign: Double, verify: Double)] {
        let text = output("openssl speed -seconds 3 rsa2048 ecdsap256 2>/dev/null")
        var out: [String: (Double, Double)] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ").map(String.init)
            if line.hasPrefix("rsa 2048 bits"), parts.count >= 7, let s = Double(parts[5]), let v = Double(parts[6]) {
                out["RSA-2048"] = (1 / s, 1 / v)
            }
            if line.contains("ecdsa (nistp256)"), parts.count >= 7, let s = Double(parts[parts.count - 2]), let v = Double(parts[parts.count - 1]) {
                out["ECDSA P-256"] = (1 / s, 1 / v)
            }
        }
        return out
    }

    /// Single-thread in-process cost per 10 KB document. The VM's speed drifts by a factor of two within minutes,
    /// so every quantity is measured in turn over chunks of 10 documents — parse, then per key the raw signature
    /// (`EVP_DigestSign` on a SignedInfo-sized input, the call docgate makes), docgate's sign, the parse of the
    /// signed documents, the raw verification, docgate's verify with and without the chain — and each keeps its
    /// best of 10 rounds (after a warm-up round): the floor and docgate are timed milliseconds apart, in the same
    /// conditions. Each round's own ratio is kept too (median and range). `openssl speed` runs once beside, for
    /// reference.
    static func inProcess(_ o: Options, dir: String, algorithms: [Algorithm], files: [String]) throws {
        let datas = try files.map { [UInt8](try Data(contentsOf: URL(fileURLWithPath: $0))) }
        let speed = opensslSpeed()
        let trust = try TrustStore(path: dir + "/ca.pem")
        let input = [UInt8](repeating: 0x61, count: 900)
        final class Subject {
            let algorithm: Algorithm
            let identity: SigningIdentity
            let publicKey: Key
            let rawSignature: [UInt8]
            let signer: DocumentSigner
            let signed: [[UInt8]]
            /// Raw signatures over each signed document's own bytes (for the raw verification of a whole document).
            let documentSignatures: [[UInt8]]
            let verifier: SignatureVerifier
            let bare: SignatureVerifier
            var best: [String: Double] = [:]
            var round: [String: UInt64] = [:]
            /// Each round's docgate time over its own floor (the quantities of one round are timed side by side).
            var signRatios: [Double] = []
            var verifyRatios: [Double] = []
            init(_ a: Algorithm, trust: TrustStore, datas: [[UInt8]], input: [UInt8]) throws {
                algorithm = a
                let identity = try SigningIdentity.load(keyPath: a.key, certificatePath: a.cert, passphrase: nil)
                self.identity = identity
                publicKey = try identity.certificate.publicKey()
                rawSignature = try input.withUnsafeBytes { try identity.key.sign($0) }
                let signer = DocumentSigner(identity: identity, policy: .docgate)
                self.signer = signer
                signed = datas.map { d -> [UInt8] in if case .success(let s) = signer.sign(bytes: d) { return s }; fatalError("sign") }
                documentSignatures = try signed.map { d in try d.withUnsafeBytes { try identity.key.sign($0) } }
                verifier = SignatureVerifier(trust: trust, policy: .docgate)
                bare = SignatureVerifier(trust: nil, policy: .docgate)
            }
        }
        let subjects = try algorithms.map { try Subject($0, trust: trust, datas: datas, input: input) }
        var parseBest = Double.infinity
        func time(_ body: () -> Void) -> UInt64 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            return DispatchTime.now().uptimeNanoseconds - t0
        }
        let chunk = 10
        let rounds = 10
        for round in 0...rounds {
            var parseRound: UInt64 = 0
            for s in subjects { s.round = [:] }
            for start in stride(from: 0, to: datas.count, by: chunk) {
                let range = start..<min(start + chunk, datas.count)
                parseRound += time { for i in range { _ = datas[i].withUnsafeBytes { XMLDocument.parse($0) } } }
                for s in subjects {
                    s.round["rawSign", default: 0] += time { for _ in range { _ = try? input.withUnsafeBytes { try s.identity.key.sign($0) } } }
                    s.round["sign", default: 0] += time { for i in range { _ = s.signer.sign(bytes: datas[i]) } }
                    s.round["rawSignDocument", default: 0] += time { for i in range { _ = try? datas[i].withUnsafeBytes { try s.identity.key.sign($0) } } }
                    s.round["floorSign", default: 0] += time {
                        for i in range {
                            _ = datas[i].withUnsafeBytes { XMLDocument.parse($0) }
                            _ = try? input.withUnsafeBytes { try s.identity.key.sign($0) }
                        }
                    }
                    s.round["parseSigned", default: 0] += time { for i in range { _ = s.signed[i].withUnsafeBytes { XMLDocument.parse($0) } } }
                    s.round["rawVerify", default: 0] += time { for _ in range { _ = input.withUnsafeBytes { s.publicKey.verify($0, signature: s.rawSignature) } } }
                    s.round["verify", default: 0] += time { for i in range { precondition(s.verifier.verify(bytes: s.signed[i], file: "x").valid) } }
                    s.round["rawVerifyDocument", default: 0] += time {
                        for i in range { _ = s.signed[i].withUnsafeBytes { s.publicKey.verify($0, signature: s.documentSignatures[i]) } }
                    }
                    s.round["floorVerify", default: 0] += time {
                        for i in range {
                            _ = s.signed[i].withUnsafeBytes { XMLDocument.parse($0) }
                            _ = input.withUnsafeBytes { s.publicKey.verify($0, signature: s.rawSignature) }
                        }
                    }
                    s.round["verifyBare", default: 0] += time { for i in range { _ = s.bare.verify(bytes: s.signed[i], file: "x") } }
                }
            }
            guard round > 0 else { continue }
            parseBest = min(parseBest, Double(parseRound) / 1e9 / Double(datas.count))
            for s in subjects {
                for (k, v) in s.round { s.best[k] = min(s.best[k] ?? .infinity, Double(v) / 1e9 / Double(datas.count)) }
                let r = s.round.mapValues { Double($0) }
                s.signRatios.append(r["sign"]! / (r["rawSign"]! + Double(parseRound)))
                s.verifyRatios.append(r["verify"]! / (r["rawVerify"]! + r["parseSigned"]!))
            }
        }
        func spread(_ ratios: [Double]) -> String {
            let sorted = ratios.sorted()
            let median = (sorted[(sorted.count - 1) / 2] + sorted[sorted.count / 2]) / 2
            return "\(fmt(median, 2))× (\(fmt(sorted.first!, 2))–\(fmt(sorted.last!, 2)))"
        }
        var rows: [String] = []
        func us(_ x: Double) -> String { fmt(x * 1e6, 0) + " µs" }
        for s in subjects {
            let b = s.best
            let signFloor = b["rawSign"]! + parseBest
            let verifyFloor = b["rawVerify"]! + b["parseSigned"]!
            let reference = speed[s.algorithm.name].map { "\(us($0.sign)) / \(us($0.verify))" } ?? "—"
            rows.append("| \(s.algorithm.name) | \(us(b["rawSign"]!)) | \(us(parseBest)) | \(us(b["sign"]!)) | **\(fmt(b["sign"]! / signFloor, 2))×** | \(us(b["rawVerify"]!)) | \(us(b["parseSigned"]!)) | \(us(b["verify"]!)) | **\(fmt(b["verify"]! / verifyFloor, 2))×** | \(us(b["verifyBare"]!)) (\(fmt(b["verifyBare"]! / verifyFloor, 2))×) | \(spread(s.signRatios)) | \(spread(s.verifyRatios)) | \(fmt(b["sign"]! / b["floorSign"]!, 2))× / \(fmt(b["verify"]! / b["floorVerify"]!, 2))× | \(reference) |")
        }
        var documentRows: [String] = []
        for s in subjects {
            let b = s.best
            let signFloor = b["rawSignDocument"]! + parseBest
            let verifyFloor = b["rawVerifyDocument"]! + b["parseSigned"]!
            documentRows.append("| \(s.algorithm.name) | \(us(b["rawSignDocument"]!)) | \(us(b["sign"]!)) | **\(fmt(b["sign"]! / signFloor, 2))×** | \(us(b["rawVerifyDocument"]!)) | \(us(b["verify"]!)) | **\(fmt(b["verify"]! / verifyFloor, 2))×** |")
        }
        print("""
        ### In-process cost per 10 KB document (one thread, \(datas.count) documents in chunks of \(chunk), every quantity in turn, best of \(rounds) rounds)

        Raw: `EVP_DigestSign` / `EVP_DigestVerify` on 900 bytes (a SignedInfo's size) with the same key. Parse: the document before
        signing; parse signed: the signed document, before verifying. Per round: each round's sign (verify) time over
        the same round's floor, median and range over the rounds. In sequence: the floor timed as one loop that parses
        each document and then makes the raw operation (instead of the two timed apart), docgate over it.

        | key | raw sign | parse | docgate sign | sign ÷ (raw + parse) | raw verify | parse signed | docgate verify with chain | verify ÷ (raw + parse signed) | verify without chain | sign ratio per round | verify ratio per round | sign / verify over the floor in sequence | `openssl speed` sign / verify |
        | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
        \(rows.joined(separator: "\n"))

        The same run over the raw operation on the document's own bytes (`EVP_DigestSign` / `EVP_DigestVerify` over the
        whole 10 KB file, as `openssl dgst -sign` signs a file: its digest included) plus the same parse:

        | key | raw sign of the document | docgate sign | sign ÷ (raw + parse) | raw verify of the document | docgate verify with chain | verify ÷ (raw + parse signed) |
        | --- | --- | --- | --- | --- | --- | --- |
        \(documentRows.joined(separator: "\n"))

        """)
    }
}
