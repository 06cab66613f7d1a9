import DocgateTestSupport
import Foundation
import Synchronization
import Testing

/// The daemon as an integration engineer runs it: the real binary, real directories, a real SQLite journal.
@Suite(.serialized) struct GatewayTests {
    typealias Site = GatewaySite

    func docgate(_ args: [String]) throws -> ProcessResult {
        var env = ProcessInfo.processInfo.environment
        env["LANG"] = "C.UTF-8"
        return try ProcessRunner.run(TestPaths.docgate, args, environment: env, timeout: 300)
    }

    /// A valid social order with a fresh id (root id and file name agree).
    static func order(_ n: Int) throws -> (String, [UInt8]) { try Site.order(n) }

    static func invalid(_ n: Int) throws -> (String, [UInt8]) {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestPaths.samples + "/invalid/agreement-amount.xml")))
        return ("bad-\(n).xml", bytes)
    }

    @Test(arguments: JournalKind.allCases) func deliversValidRejectsInvalidAndAnswersEach(_ kind: JournalKind) throws {
        let place = try kind.place()
        defer { place.cleanup() }
        let site = try Site(journal: place)
        defer { site.dir.remove() }
        var expected: [String: [UInt8]] = [:]
        for i in 0..<5 {
            let (name, bytes) = try Self.order(i)
            expected[name] = bytes
            try site.drop(name, bytes)
        }
        try site.drop("bad-1.xml", try Self.invalid(1).1)
        try site.drop("broken.xml", Array("<socialOrder".utf8))
        let r = try docgate(["run", "--once", "--config", site.config])
        #expect(r.status == 0, "\(r.stderr)")
        // Valid documents: in the outbox, byte for byte.
        #expect(site.files(site.outbox) == expected.keys.sorted())
        for (name, bytes) in expected {
            #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: site.outbox + "/" + name))) == bytes)
        }
        // Invalid ones in errors/, each with its reason.
        #expect(site.files(site.errors) == ["bad-1.xml", "bad-1.xml.reason.txt", "broken.xml", "broken.xml.reason.txt"])
        #expect(try String(contentsOfFile: site.errors + "/bad-1.xml.reason.txt", encoding: .utf8).contains("DG3030"))
        // One receipt each, valid against the receipt schema; the inbox is empty; the delivered originals archived
        // (the rejected ones are the files in errors/: moved there, not copied).
        #expect(site.files(site.receipts).count == 7)
        let v = try docgate(["validate", "--schemas", TestPaths.schemas, site.receipts])
        #expect(v.status == 0, "\(v.stdout)")
        let rejected = try String(contentsOfFile: site.receipts + "/RECEIPT_bad-1.xml", encoding: .utf8)
        #expect(rejected.contains("<status>rejected</status>") && rejected.contains("code=\"DG3030\""))
        #expect(site.files(site.inbox, hidden: true).isEmpty)
        let archived = FileManager.default.enumerator(atPath: site.archive)!.compactMap { $0 as? String }.filter { $0.hasSuffix(".xml") }
        #expect(archived.count == 5)
        // The journal says the same.
        let stats = try docgate(["journal", "stats", "--config", site.config, "--format", "json"])
        let object = try #require(JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        #expect(object["total"] as? Int == 7)
        #expect(object["inFlight"] as? Int == 0)
        #expect((object["byOutcome"] as? [String: Any])?["delivered"] as? Int == 5)
    }

    /// Many batches in one pass: while one batch is staged, the one before is made durable, delivered and
    /// receipted, and the one before that archived, each on its own thread. Every document goes through once, no
    /// step of any fails or is retried, and a copy is a duplicate whether its original is in its own batch, in the
    /// batch before (not yet committed) or further back.
    @Test(arguments: JournalKind.allCases) func batchesOverlappingInOnePassEachGoThroughOnce(_ kind: JournalKind) throws {
        let place = try kind.place()
        defer { place.cleanup() }
        let site = try Site(journal: place)
        defer { site.dir.remove() }
        var valid: [String] = []
        for i in 0..<150 {
            let (name, bytes) = try Self.order(1000 + i)
            valid.append(name)
            try site.drop(name, bytes)
            if i % 5 == 0 { try site.drop("copy-\(i).xml", bytes) }
        }
        for i in 0..<10 { try site.drop("bad-\(i).xml", try Self.invalid(i).1) }
        let r = try docgate(["run", "--once", "--config", site.config])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("will retry") && !r.stderr.contains(" error "), "\(r.stderr.prefix(2000))")
        // Each document once, under its own name or its copy's (whichever came first).
        let delivered = site.files(site.outbox, hidden: true)
        #expect(delivered.count == 150 && site.files(site.receipts, hidden: true).count == 190)
        for i in stride(from: 0, to: 150, by: 5) {
            #expect(delivered.contains(valid[i]) != delivered.contains("copy-\(i).xml"), "\(valid[i])")
        }
        #expect(Set(delivered).isSuperset(of: valid.enumerated().filter { $0.offset % 5 != 0 }.map(\.element)))
        #expect(site.files(site.errors).count == 20)
        #expect(site.files(site.inbox, hidden: true).isEmpty)
        let stats = try docgate(["journal", "stats", "--config", site.config, "--format", "json"])
        let object = try #require(JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        #expect(object["total"] as? Int == 190 && object["inFlight"] as? Int == 0)
        let outcomes = try #require(object["byOutcome"] as? [String: Any])
        #expect(outcomes["delivered"] as? Int == 150 && outcomes["duplicate"] as? Int == 30 && outcomes["rejected"] as? Int == 10)
    }

    @Test(arguments: JournalKind.allCases) func sameDocumentAgainIsADuplicateAndSameIdOtherBytesAConflict(_ kind: JournalKind) throws {
        let place = try kind.place()
        defer { place.cleanup() }
        let site = try Site(journal: place)
        defer { site.dir.remove() }
        let (name, bytes) = try Self.order(42)
        try site.drop(name, bytes)
        #expect(try docgate(["run", "--once", "--config", site.config]).status == 0)
        try site.drop(name, bytes)
        #expect(try docgate(["run", "--once", "--config", site.config]).status == 0)
        #expect(site.files(site.outbox) == [name])
        let receipts = site.files(site.receipts)
        #expect(receipts.count == 2)
        let statuses = try receipts.map { try String(contentsOfFile: site.receipts + "/" + $0, encoding: .utf8) }
            .compactMap { $0.range(of: "<status>[a-z]+</status>", options: .regularExpression).map { String($0.description) } }
        let texts = try receipts.map { try String(contentsOfFile: site.receipts + "/" + $0, encoding: .utf8) }
        #expect(texts.filter { $0.contains("<status>duplicate</status>") }.count == 1)
        #expect(texts.filter { $0.contains("<status>delivered</status>") }.count == 1)
        _ = statuses
        // Same id, other content (a changed number): a conflict, in errors/.
        let changed = Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "<number>", with: "<number>7").utf8)
        try site.drop(name, changed)
        #expect(try docgate(["run", "--once", "--config", site.config]).status == 0)
        #expect(site.files(site.outbox) == [name])
        #expect(site.files(site.errors).contains(name))
        #expect(try String(contentsOfFile: site.errors + "/" + name + ".reason.txt", encoding: .utf8).contains("conflict"))
        let list = try docgate(["journal", "list", "--config", site.config, "--format", "json"])
        let entries = try #require(JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(entries.compactMap { $0["outcome"] as? String }.sorted() == ["conflict", "delivered", "duplicate"])
    }

    @Test(arguments: JournalKind.allCases) func filesBeingWrittenAndSymlinksAreNeverTaken(_ kind: JournalKind) throws {
        let place = try kind.place()
        defer { place.cleanup() }
        let site = try Site(quiet: 1.0, journal: place)
        defer { site.dir.remove() }
        // A producer's temporary names are ignored, whatever their age.
        let (name, bytes) = try Self.order(7)
        _ = FileManager.default.createFile(atPath: site.inbox + "/" + name + ".part", contents: Data(bytes))
        _ = FileManager.default.createFile(atPath: site.inbox + "/.hidden.xml", contents: Data(bytes))
        // A symbolic link to a secret: never followed, moved aside into errors/ as a link.
        try FileManager.default.createSymbolicLink(atPath: site.inbox + "/passwd.xml", withDestinationPath: "/etc/passwd")
        let r = try docgate(["run", "--once", "--config", site.config])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(site.files(site.outbox).isEmpty)
        #expect(site.files(site.inbox, hidden: true).sorted() == [".hidden.xml", name + ".part"])
        let attrs = try FileManager.default.attributesOfItem(atPath: site.errors + "/passwd.xml")
        #expect(attrs[.type] as? FileAttributeType == .typeSymbolicLink)
        for file in site.files(site.errors) + site.files(site.receipts) {
            let path = (site.files(site.errors).contains(file) ? site.errors : site.receipts) + "/" + file
            if (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) != nil { continue }
            #expect(!(try String(contentsOfFile: path, encoding: .utf8)).contains("root:x:0:0"))
        }
        #expect(try String(contentsOfFile: site.receipts + "/RECEIPT_passwd.xml", encoding: .utf8).contains("DG5031"))
    }

    /// A file written slowly, in pieces, with pauses shorter than the quiet period: taken only when complete.
    @Test(arguments: JournalKind.allCases) func slowlyWrittenFileIsNotTakenEarly(_ kind: JournalKind) throws {
        let place = try kind.place()
        defer { place.cleanup() }
        let site = try Site(quiet: 2.5, journal: place)
        defer { site.dir.remove() }
        let daemon = try Daemon(site: site)
        defer { daemon.terminate() }
        let (name, bytes) = try Self.order(9)
        let path = site.inbox + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let pieces = stride(from: 0, to: bytes.count, by: bytes.count / 6 + 1).map { Array(bytes[$0..<min(bytes.count, $0 + bytes.count / 6 + 1)]) }
        for piece in pieces {
            try handle.write(contentsOf: Data(piece))
            usleep(400_000)
            #expect(site.files(site.outbox).isEmpty && site.files(site.errors).isEmpty, "taken while still being written")
        }
        try handle.close()
        try daemon.waitFor { site.files(site.receipts).count == 1 }
        #expect(site.files(site.outbox) == [name])
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: site.outbox + "/" + name))) == bytes)
        #expect(daemon.terminate() == 0)
    }

    @Test(arguments: JournalKind.allCases) func sigtermFinishesAndExitsZeroAndMetricsAreServed(_ kind: JournalKind) throws {
        let place = try kind.place()
        defer { place.cleanup() }
        let site = try Site(top: "listen = \"127.0.0.1:\(try SilentListener.closedPort())\"", journal: place)
        defer { site.dir.remove() }
        let daemon = try Daemon(site: site)
        for i in 0..<20 { let (n, b) = try Self.order(100 + i); try site.drop(n, b) }
        try daemon.waitFor { site.files(site.receipts).count == 20 && site.files(site.inbox, hidden: true).isEmpty }
        let text = try String(contentsOfFile: site.config, encoding: .utf8)
        let port = try #require(text.range(of: #"127\.0\.0\.1:(\d+)"#, options: .regularExpression).map { String(text[$0].split(separator: ":")[1]) })
        // The counter moves when a document's last step is recorded, just after its original leaves the inbox.
        let line = "docgate_documents_total{route=\"plan-to-fin\",kind=\"socialOrder\",outcome=\"delivered\"} 20"
        var metrics = try ProcessRunner.run("/usr/bin/curl", ["-sf", "http://127.0.0.1:\(port)/metrics"])
        try daemon.waitFor {
            metrics = (try? ProcessRunner.run("/usr/bin/curl", ["-sf", "http://127.0.0.1:\(port)/metrics"])) ?? metrics
            return metrics.stdout.contains(line)
        }
        #expect(metrics.stdout.contains(line))
        #expect(metrics.stdout.contains("docgate_processing_seconds_bucket"))
        let ready = try ProcessRunner.run("/usr/bin/curl", ["-sf", "http://127.0.0.1:\(port)/ready"])
        #expect(ready.status == 0)
        #expect(daemon.terminate() == 0)
    }

    /// A route that signs agreements before delivery and a gateway key that signs every receipt; verified by
    /// docgate's own verify against the test CA.
    @Test func signsConfiguredKindsAndReceipts() throws {
        let pki = try TestPKI.shared()
        let site = try Site(top: """
            log_format = "json"
            [signing]
            key = "\(pki.encryptedKey)"
            cert = "\(pki.rsaCert)"
            passphrase_file = "\(pki.passphraseFile)"
            """, route: "sign = [\"agreement\"]")
        defer { site.dir.remove() }
        let agreement = try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix("AGREEMENT") })
        let name = (agreement as NSString).lastPathComponent
        try site.drop(name, [UInt8](try Data(contentsOf: URL(fileURLWithPath: agreement))))
        let (orderName, orderBytes) = try Self.order(500)
        try site.drop(orderName, orderBytes)
        let r = try docgate(["run", "--once", "--config", site.config])
        #expect(r.status == 0, "\(r.stderr)")
        // JSON logs: one object per line.
        let lines = r.stderr.split(separator: "\n").filter { !$0.isEmpty }
        #expect(!lines.isEmpty && lines.allSatisfy { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) != nil }, "\(r.stderr)")
        // The agreement was signed on the way; the order (not in `sign`) is delivered as it came.
        let v = try docgate(["verify", "--trust", pki.caCert, "--signers", pki.everyPartySigners, site.outbox + "/" + name])
        #expect(v.status == 0, "\(v.stdout)")
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: site.outbox + "/" + orderName))) == orderBytes)
        // Receipts are signed and verify.
        let receipts = try docgate(["verify", "--trust", pki.caCert, "--signers", pki.everyPartySigners, site.receipts])
        #expect(receipts.status == 0, "\(receipts.stdout)")
        #expect(receipts.stdout.contains("2 files: 2 verified"))
    }

    /// A route that requires inbound signatures: a document signed by a trusted signer is delivered byte for byte
    /// (and, where the route signs too, with both signatures); an unsigned one, a tampered one and one signed under an
    /// untrusted CA are rejected with their DG4xxx reasons.
    @Test func requiredSignaturesAreVerifiedOnTheWayIn() throws {
        let pki = try TestPKI.shared()
        let site = try Site(top: """
            trust = "\(pki.caCert)"
            crl = "\(pki.crl)"
            [signing]
            key = "\(pki.ecKey)"
            cert = "\(pki.ecCert)"
            """, route: "require_signature = true\nsign = [\"agreement\"]")
        defer { site.dir.remove() }
        let work = try TemporaryDirectory("inbound")
        defer { work.remove() }
        func signed(_ bytes: [UInt8], _ name: String, key: String, cert: String) throws -> [UInt8] {
            let input = try work.write("plain-" + name, bytes)
            let r = try docgate(["sign", "--key", key, "--cert", cert, "--out", work.file(name), input])
            #expect(r.status == 0, "\(r.stderr)")
            return [UInt8](try Data(contentsOf: URL(fileURLWithPath: work.file(name))))
        }
        let (goodName, order) = try Self.order(610)
        let good = try signed(order, goodName, key: pki.rsaKey, cert: pki.rsaCert)
        let agreementPath = try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix("AGREEMENT") })
        let agreementName = (agreementPath as NSString).lastPathComponent
        let agreement = try signed([UInt8](try Data(contentsOf: URL(fileURLWithPath: agreementPath))), agreementName,
                                   key: pki.rsaKey, cert: pki.rsaCert)
        let (unsignedName, unsigned) = try Self.order(611)
        let (tamperedName, other) = try Self.order(612)
        let tampered = Array(String(decoding: try signed(other, tamperedName, key: pki.rsaKey, cert: pki.rsaCert), as: UTF8.self)
            .replacingOccurrences(of: "<number>", with: "<number>7").utf8)
        let (foreignName, third) = try Self.order(613)
        let foreign = try signed(third, foreignName, key: pki.otherKey, cert: pki.otherCert)
        // A comment slipped into signed text after signing (the digest does not see comments).
        let (splitName, fourth) = try Self.order(614)
        let splitText = String(decoding: try signed(fourth, splitName, key: pki.rsaKey, cert: pki.rsaCert), as: UTF8.self)
        let splitNumber = try #require(splitText.range(of: "<number>")).upperBound
        let split = Array((String(splitText[..<splitText.index(after: splitNumber)]) + "<!---->" + String(splitText[splitText.index(after: splitNumber)...])).utf8)
        // A signer the CA revoked (the route's `crl`).
        let (revokedName, fifth) = try Self.order(615)
        let revoked = try signed(fifth, revokedName, key: pki.rsaKey, cert: pki.revokedCert)
        for (name, bytes) in [(goodName, good), (agreementName, agreement), (unsignedName, unsigned), (tamperedName, tampered), (foreignName, foreign),
                              (splitName, split), (revokedName, revoked)] {
            try site.drop(name, bytes)
        }
        let r = try docgate(["run", "--once", "--config", site.config])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(site.files(site.outbox) == [agreementName, goodName].sorted())
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: site.outbox + "/" + goodName))) == good)
        // The agreement carries the sender's signature and the gateway's, and both verify.
        let v = try docgate(["verify", "--trust", pki.caCert, "--signers", pki.everyPartySigners, site.outbox + "/" + agreementName])
        #expect(v.status == 0, "\(v.stdout)")
        let delivered = try String(contentsOfFile: site.outbox + "/" + agreementName, encoding: .utf8)
        #expect(delivered.components(separatedBy: "SignatureValue>").count - 1 == 4, "two signatures expected")
        for (name, code) in [(unsignedName, "DG4001"), (tamperedName, "DG4010"), (foreignName, "DG4020"), (splitName, "DG4013"), (revokedName, "DG4026")] {
            let reason = try String(contentsOfFile: site.errors + "/" + name + ".reason.txt", encoding: .utf8)
            #expect(reason.contains(code), "\(name): \(reason)")
        }
        #expect(site.files(site.receipts).count == 7)
    }

    /// A route that delivers in windows-1251: UTF-8 documents arrive converted (declaration and bytes), still valid;
    /// where the route signs too, the signature is made over the converted document and verifies.
    @Test(arguments: [false, true]) func outputEncodingIsApplied(signing: Bool) throws {
        let pki = try TestPKI.shared()
        let site = try Site(top: signing ? """
            [signing]
            key = "\(pki.ecKey)"
            cert = "\(pki.ecCert)"
            """ : "", route: "encoding = \"windows-1251\"" + (signing ? "\nsign = [\"agreement\"]" : ""))
        defer { site.dir.remove() }
        let agreementPath = try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix("AGREEMENT") })
        let agreementName = (agreementPath as NSString).lastPathComponent
        let utf8 = [UInt8](try Data(contentsOf: URL(fileURLWithPath: agreementPath)))
        #expect(String(decoding: utf8, as: UTF8.self).contains("encoding=\"UTF-8\"") || !String(decoding: utf8, as: UTF8.self).contains("encoding="))
        try site.drop(agreementName, utf8)
        let r = try docgate(["run", "--once", "--config", site.config])
        #expect(r.status == 0, "\(r.stderr)")
        let out = [UInt8](try Data(contentsOf: URL(fileURLWithPath: site.outbox + "/" + agreementName)))
        #expect(String(decoding: out.prefix(60), as: UTF8.self).lowercased().contains("windows-1251"))
        // Cyrillic as single bytes (0xC0–0xFF), no UTF-8 lead bytes of Cyrillic (0xD0, 0xD1 followed by 0x80–0xBF).
        #expect(out.contains { $0 >= 0xC0 })
        #expect(!zip(out, out.dropFirst()).contains { ($0.0 == 0xD0 || $0.0 == 0xD1) && (0x80...0xBF).contains($0.1) })
        let v = try docgate(["validate", "--schemas", TestPaths.schemas, site.outbox + "/" + agreementName])
        #expect(v.status == 0, "\(v.stdout)")
        if signing {
            let verified = try docgate(["verify", "--trust", pki.caCert, "--signers", pki.everyPartySigners, site.outbox + "/" + agreementName])
            #expect(verified.status == 0, "\(verified.stdout)")
        }
    }

    /// With `context_rules`, what arrives is checked against what the gateway delivered before — kept in the
    /// journal, so across restarts.
    @Test(arguments: JournalKind.allCases) func rulesAcrossDocumentsAgainstWhatWasDelivered(_ kind: JournalKind) throws {
        let place = try kind.place()
        defer { place.cleanup() }
        let site = try Site(route: "context_rules = true", journal: place)
        defer { site.dir.remove() }
        let order = try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix("SOCORDER_ACKFIN24_ACKPLAN24_20241220") })
        let reports = TestPaths.sampleFiles("valid").filter { ($0 as NSString).lastPathComponent.hasPrefix("EXECREPORT") }
        // A report before its order arrived: rejected (DG3100).
        try site.drop((reports[0] as NSString).lastPathComponent, [UInt8](try Data(contentsOf: URL(fileURLWithPath: reports[0]))))
        #expect(try docgate(["run", "--once", "--config", site.config]).status == 0)
        #expect(site.files(site.errors).contains((reports[0] as NSString).lastPathComponent))
        #expect(try String(contentsOfFile: site.errors + "/" + (reports[0] as NSString).lastPathComponent + ".reason.txt", encoding: .utf8).contains("DG3100"))
        // The order, then (in a later run of the daemon) the other report: both delivered.
        try site.drop((order as NSString).lastPathComponent, [UInt8](try Data(contentsOf: URL(fileURLWithPath: order))))
        #expect(try docgate(["run", "--once", "--config", site.config]).status == 0)
        try site.drop((reports[1] as NSString).lastPathComponent, [UInt8](try Data(contentsOf: URL(fileURLWithPath: reports[1]))))
        #expect(try docgate(["run", "--once", "--config", site.config]).status == 0)
        #expect(Set(site.files(site.outbox)) == [(order as NSString).lastPathComponent, (reports[1] as NSString).lastPathComponent])
    }

    /// Issue 16, items 14 and 15: the daemon's registry holds each document's life. A notice is delivered once its
    /// contract is known; a later version of the contract that goes back to a draft is refused (DG3108), and so is a
    /// notice of a contract the gateway never delivered (DG3109).
    @Test(arguments: JournalKind.allCases) func documentsThroughTheirLivesAgainstWhatWasDelivered(_ kind: JournalKind) throws {
        let place = try kind.place()
        defer { place.cleanup() }
        let site = try Site(route: "context_rules = true", journal: place)
        defer { site.dir.remove() }
        func sample(_ prefix: String) throws -> (name: String, text: String) {
            let path = try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix(prefix) })
            return ((path as NSString).lastPathComponent, String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self))
        }
        func deliver(_ files: [(name: String, text: String)]) throws {
            for f in files { try site.drop(f.name, Array(f.text.utf8)) }
            #expect(try docgate(["run", "--once", "--config", site.config]).status == 0)
        }
        func reason(_ name: String) throws -> String {
            try String(contentsOfFile: site.errors + "/" + name + ".reason.txt", encoding: .utf8)
        }
        let notice = try sample("CONTRACTNOTICE_ACKFIN24_RPGU24_20250207")
        // The notice first: its contract is not known yet.
        try deliver([notice])
        #expect(try reason(notice.name).contains("DG3109"))
        try FileManager.default.removeItem(atPath: site.errors + "/" + notice.name)
        // The certificate and the executor's agreement, then the contract, then the notice again: all delivered.
        try deliver([try sample("AGREEMENT_ACKFIN24_ACKPLAN24_20250120"), try sample("SOCCERT_ACKFIN24_GISSS24_20250203")])
        let contract = try sample("CONTRACT_ACKFIN24_RPGU24_20250207")
        try deliver([contract])
        try deliver([notice])
        #expect(site.files(site.outbox).contains(notice.name), "\(site.files(site.errors))")
        #expect(site.files(site.outbox).contains(contract.name))
        // Version 2 of the concluded contract as a draft again.
        let id = String(format: "%08x-0000-4000-8000-%012x", 4242, 4242)
        let previous = try #require(contract.name.split(separator: "_").last?.dropLast(4))
        let draft = contract.text.replacingOccurrences(of: String(previous), with: id)
            .replacingOccurrences(of: "<version>1</version>", with: "<version>2</version>\n    <previousVersionId>\(previous)</previousVersionId>")
            .replacingOccurrences(of: #"event="concluded""#, with: #"event="draft""#)
            .replacingOccurrences(of: "<status>approved</status>", with: "<status>draft</status>")
        let draftName = contract.name.replacingOccurrences(of: String(previous), with: id)
        try deliver([(draftName, draft)])
        #expect(try reason(draftName).contains("DG3108"))
    }

    /// A crash after a document was archived but before the journal said so, and a new file of the same name in the
    /// inbox since: recovery must not archive the newcomer as the old document.
    @Test(arguments: JournalKind.allCases)
    func recoveryDoesNotTakeANewFileOfTheSameName(_ kind: JournalKind) throws {
        let place = try kind.place()
        defer { place.cleanup() }
        let site = try Site(journal: place)
        defer { site.dir.remove() }
        let (name, bytes) = try Self.order(700)
        try site.drop(name, bytes)
        #expect(try docgate(["run", "--once", "--config", site.config]).status == 0)
        // As if the last step had not been recorded.
        let sql = try site.sql("UPDATE documents SET stage = 'receipted', finished_at = NULL")
        #expect(sql.status == 0, "\(sql.stderr)")
        // The producer sends a corrected document under the same name.
        let changed = Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "<number>", with: "<number>9").utf8)
        try site.drop(name, changed)
        #expect(try docgate(["run", "--once", "--config", site.config]).status == 0)
        // The newcomer went through the pipeline (a conflict: same id, other content), it was not archived silently.
        #expect(site.files(site.errors).contains(name))
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: site.errors + "/" + name))) == changed)
        #expect(site.files(site.receipts).count == 2)
        #expect(site.files(site.inbox, hidden: true).isEmpty)
    }

    /// A document recorded as delivered whose receipt could not be placed (a receipts directory that failed after
    /// the outbox's rename): the next run places the receipt and archives the original, and delivers nothing again.
    @Test(arguments: JournalKind.allCases)
    func aDeliveredDocumentGetsItsReceiptLater(_ kind: JournalKind) throws {
        let place = try kind.place()
        defer { place.cleanup() }
        let site = try Site(journal: place)
        defer { site.dir.remove() }
        let (name, bytes) = try Self.order(750)
        try site.drop(name, bytes)
        #expect(try docgate(["run", "--once", "--config", site.config]).status == 0)
        // Undo the receipt and the archiving, and record the entry as the failed step leaves it (the status-change
        // time forgotten: moving the original back changed it, as the crash being imitated would not have).
        let receipt = try #require(site.files(site.receipts).first)
        let journalId = try site.sql("SELECT id FROM documents").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.moveItem(atPath: site.receipts + "/" + receipt, toPath: site.receipts + "/.docgate-\(journalId).receipt")
        let archived = try #require(FileManager.default.enumerator(atPath: site.archive)!.compactMap { $0 as? String }.first { $0.hasSuffix(".xml") })
        try FileManager.default.moveItem(atPath: site.archive + "/" + archived, toPath: site.inbox + "/" + name)
        let sql = try site.sql("""
            UPDATE documents SET stage = 'delivered', receipt_name = NULL, archive_path = NULL, finished_at = NULL,
                file_ctime_ns = NULL
            """)
        #expect(sql.status == 0, "\(sql.stderr)")
        #expect(try docgate(["run", "--once", "--config", site.config]).status == 0)
        #expect(site.files(site.receipts) == [receipt])
        #expect(site.files(site.receipts, hidden: true) == [receipt])
        #expect(site.files(site.outbox, hidden: true) == [name])
        #expect(site.files(site.inbox, hidden: true).isEmpty)
        let state = try site.sql("SELECT stage, outcome, receipt_name FROM documents")
        #expect(state.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "done|delivered|\(receipt)")
    }

    /// A claim left by a crash whose file was written again since: the old claim is closed and the file is taken as a
    /// new arrival with its own identity (the journal's hash is the delivered bytes').
    @Test(arguments: JournalKind.allCases)
    func aClaimWhoseFileChangedIsSuperseded(_ kind: JournalKind) throws {
        let place = try kind.place()
        defer { place.cleanup() }
        let site = try Site(journal: place)
        defer { site.dir.remove() }
        #expect(try docgate(["run", "--once", "--config", site.config]).status == 0)   // creates the journal
        let (name, bytes) = try Self.order(800)
        let sql = try site.sql("""
            INSERT INTO documents (route, file_name, sha256, size, stage, owner, lease_until, attempt, received_at, updated_at)
            VALUES ('plan-to-fin', '\(name)', 'deadbeef', 1, 'claimed', 'crashed-instance', 0, 1, 0, 0)
            """)
        #expect(sql.status == 0, "\(sql.stderr)")
        try site.drop(name, bytes)
        #expect(try docgate(["run", "--once", "--config", site.config]).status == 0)
        #expect(site.files(site.outbox) == [name])
        let stats = try docgate(["journal", "stats", "--config", site.config, "--format", "json"])
        let o = try #require(JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [String: Any])
        let by = try #require(o["byOutcome"] as? [String: Any])
        #expect(by["superseded"] as? Int == 1 && by["delivered"] as? Int == 1, "\(stats.stdout)")
        let list = try docgate(["journal", "list", "--config", site.config, "--outcome", "delivered", "--format", "json"])
        let entries = try #require(JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        #expect(entries.first?["sha256"] as? String != "deadbeef")
    }

    /// A small tmpfs over the outbox (root only: elsewhere the test says why it is skipped).
    static func mountTmpfs(_ path: String, size: String) -> String? {
        guard getuid() == 0 else { return "not running as root" }
        guard let mount = ProcessRunner.which("mount") else { return "no mount command" }
        let r = try? ProcessRunner.run(mount, ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path])
        return r?.status == 0 ? nil : "cannot mount a tmpfs here: \(r?.stderr ?? "")"
    }

    static func remount(_ path: String, _ options: String) -> Bool {
        (try? ProcessRunner.run(ProcessRunner.which("mount")!, ["-o", "remount,\(options)", path]))?.status == 0
    }

    static func unmount(_ path: String) {
        _ = try? ProcessRunner.run(ProcessRunner.which("umount") ?? "/bin/umount", [path])
    }

    /// A full disk under the outbox: nothing is lost, documents wait in the inbox (retried with back-off), and
    /// all are delivered exactly once when space returns.
    @Test(arguments: JournalKind.allCases) func fullDiskLosesNothingAndRecovers(_ kind: JournalKind) throws {
        let place = try kind.place()
        defer { place.cleanup() }
        let site = try Site(journal: place)
        defer { site.dir.remove() }
        if let reason = Self.mountTmpfs(site.outbox, size: "48k") {
            print("fullDiskLosesNothingAndRecovers skipped: \(reason)")
            return
        }
        defer { Self.unmount(site.outbox) }
        let daemon = try Daemon(site: site)
        defer { daemon.terminate() }
        var expected: [String: [UInt8]] = [:]
        for i in 0..<12 { let (n, b) = try Self.order(300 + i); expected[n] = b; try site.drop(n, b) }
        // Some fit, the rest hit ENOSPC and stay in the inbox.
        try daemon.waitFor { (try? String(contentsOfFile: site.dir.path + "/daemon.log", encoding: .utf8))?.contains("No space left on device") == true }
        // Nothing lost: every document is still in the inbox or already delivered (one in the middle of its
        // last steps may be in both for a moment).
        let seen = Set(site.files(site.inbox)).union(site.files(site.outbox))
        #expect(seen == Set(expected.keys))
        #expect(site.files(site.outbox).count < 12)
        #expect(Self.remount(site.outbox, "size=8m"))
        try daemon.waitFor(timeout: 90) { site.files(site.receipts).count == 12 && site.files(site.inbox, hidden: true).isEmpty }
        #expect(Set(site.files(site.outbox)) == Set(expected.keys))
        for (n, b) in expected { #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: site.outbox + "/" + n))) == b) }
        #expect(site.files(site.inbox, hidden: true).isEmpty)
        #expect(site.files(site.outbox, hidden: true).filter { $0.hasPrefix(".docgate-") }.isEmpty)
        #expect(daemon.terminate() == 0)
    }

    /// A read-only outbox: documents wait; when it is writable again they are delivered, once.
    @Test(arguments: JournalKind.allCases) func readOnlyOutboxWaitsAndRecovers(_ kind: JournalKind) throws {
        let place = try kind.place()
        defer { place.cleanup() }
        let site = try Site(journal: place)
        defer { site.dir.remove() }
        if let reason = Self.mountTmpfs(site.outbox, size: "8m") {
            print("readOnlyOutboxWaitsAndRecovers skipped: \(reason)")
            return
        }
        defer { Self.unmount(site.outbox) }
        #expect(Self.remount(site.outbox, "ro"))
        let daemon = try Daemon(site: site)
        defer { daemon.terminate() }
        for i in 0..<5 { let (n, b) = try Self.order(400 + i); try site.drop(n, b) }
        try daemon.waitFor { (try? String(contentsOfFile: site.dir.path + "/daemon.log", encoding: .utf8))?.contains("Read-only file system") == true }
        #expect(site.files(site.inbox).count == 5)
        #expect(site.files(site.receipts).isEmpty)
        #expect(Self.remount(site.outbox, "rw"))
        try daemon.waitFor(timeout: 90) { site.files(site.receipts).count == 5 && site.files(site.inbox, hidden: true).isEmpty }
        #expect(site.files(site.outbox).count == 5)
        #expect(site.files(site.inbox, hidden: true).isEmpty)
        #expect(daemon.terminate() == 0)
    }

    @Test func configCheckExplainsEveryMistakeWithKeyAndLine() throws {
        let dir = try TemporaryDirectory("config")
        defer { dir.remove() }
        let file = try dir.write("bad.toml", """
            gateway_id = "gw 1"
            journal = "j.sqlite"
            listen = "localhost"
            rescan_intervall = 3

            [[route]]
            name = "r"
            inbox = "in"
            outbox = "out"
            receipts = "rc"
            errors = "err"
            accept = ["socialOrder", "order"]
            sign = ["socialOrder"]
            quiet_period = -1
            """)
        let r = try docgate(["config", "check", "--lang", "en", file])
        #expect(r.status == 2)
        let e = r.stderr
        #expect(e.contains("line 1: gateway_id"))
        #expect(e.contains("line 3: listen"))
        #expect(e.contains("line 4: rescan_intervall: unknown key (did you mean rescan_interval?)"))
        #expect(e.contains("route[0].archive: required key is missing"))
        #expect(e.contains("line 12: route[0].accept: unknown document kind order"))
        #expect(e.contains("line 13: route[0].sign: signing asked for, but there is no [signing] key"))
        #expect(e.contains("line 14: route[0].quiet_period"))
        let syntax = try dir.write("syntax.toml", "gateway_id = \"x\"\n[[route]\nname = 1\n")
        let s = try docgate(["config", "check", syntax])
        #expect(s.status == 2)
        #expect(s.stderr.contains("line 2"))
        let good = try docgate(["config", "check", TestPaths.samples + "/gateway.toml"])
        #expect(good.status == 0, "\(good.stderr)")
    }

    /// The daemon's promise under SIGKILL: 1 000 documents (a tenth invalid), the daemon killed at random moments
    /// at least ten times while they arrive and are processed; at the end every valid document is in the outbox
    /// exactly once and byte-identical, every invalid one in errors/ with its reason, one receipt each, the inbox
    /// empty — and no reader ever saw a partial file in the outbox.
    @Test(.timeLimit(.minutes(10)), arguments: JournalKind.allCases) func exactlyOnceAcrossRepeatedSIGKILL(_ kind: JournalKind) throws {
        let place = try kind.place()
        defer { place.cleanup() }
        let site = try Site(journal: place)
        defer { site.dir.remove() }
        var valid: [String: [UInt8]] = [:]
        var invalid: [String] = []
        var documents: [(String, [UInt8])] = []
        for i in 0..<1000 {
            if i % 10 == 9 {
                let (n, b) = try Self.invalid(i)
                invalid.append(n)
                documents.append((n, b))
            } else {
                let (n, b) = try Self.order(i)
                valid[n] = b
                documents.append((n, b))
            }
        }
        // A reader of the outbox that checks every visible file is complete.
        let partial = Mutex<[String]>([])
        let stopReader = Atomic<Bool>(false)
        let expected = valid
        let reader = Thread {
            while !stopReader.load(ordering: .relaxed) {
                for name in site.files(site.outbox) {
                    guard let data = FileManager.default.contents(atPath: site.outbox + "/" + name) else { continue }
                    if let want = expected[name], [UInt8](data) != want { partial.withLock { $0.append(name) } }
                }
                usleep(20_000)
            }
        }
        reader.start()
        var kills = 0
        var next = 0
        var rng = SystemRandomNumberGenerator()
        while kills < 12 {
            let daemon = try Daemon(site: site)
            // Feed a slice of the documents while it runs.
            let slice = documents[next..<min(documents.count, next + 120)]
            for (n, b) in slice { try site.drop(n, b) }
            next += slice.count
            if kills % 2 == 0 {
                // At a random moment.
                usleep(UInt32.random(in: 20_000...400_000, using: &rng))
            } else {
                // In the middle of work: as soon as staging files show that a batch is being written.
                let deadline = Date().addingTimeInterval(3)
                while Date() < deadline,
                      !(site.files(site.outbox, hidden: true) + site.files(site.receipts, hidden: true)).contains(where: { $0.hasPrefix(".docgate-") }) {
                    usleep(500)
                }
                usleep(UInt32.random(in: 0...3_000, using: &rng))
            }
            daemon.kill()
            kills += 1
        }
        for (n, b) in documents[next...] { try site.drop(n, b) }
        let final = try docgate(["run", "--once", "--config", site.config])
        #expect(final.status == 0, "\(final.stderr.suffix(2000))")
        stopReader.store(true, ordering: .relaxed)
        while !reader.isFinished { usleep(10_000) }

        let out = site.files(site.outbox)
        #expect(out.count == valid.count, "outbox has \(out.count) of \(valid.count)")
        #expect(Set(out) == Set(valid.keys))
        for name in out { #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: site.outbox + "/" + name))) == valid[name]) }
        let errors = Set(site.files(site.errors))
        for name in invalid { #expect(errors.contains(name) && errors.contains(name + ".reason.txt"), "\(name)") }
        #expect(errors.count == invalid.count * 2)
        #expect(site.files(site.receipts).count == documents.count)
        #expect(site.files(site.inbox, hidden: true).isEmpty)
        #expect(site.files(site.outbox, hidden: true).filter { $0.hasPrefix(".docgate-") }.isEmpty)
        #expect(partial.withLock { $0 }.isEmpty, "partial files seen: \(partial.withLock { $0 })")
        let log = (try? String(contentsOfFile: site.dir.path + "/daemon.log", encoding: .utf8)) ?? ""
        let recoveries = log.components(separatedBy: "recovering unfinished documents").count - 1
        #expect(recoveries >= 2, "the kills should interrupt work in progress more than once")
        print("crash test: recoveries of interrupted work \(recoveries); \(documents.count) documents, \(kills) SIGKILLs, outbox \(out.count)/\(valid.count), errors \(errors.count / 2)/\(invalid.count), receipts \(site.files(site.receipts).count)")
    }
}

/// The daemon running in the background.
typealias Daemon = RunningGateway

/// Configurations as users write them from the README's key table.
@Suite struct GatewaySchemaLocationTests {
    /// Without a `schemas` key the daemon finds its schemas beside its executable (here: the development build's
    /// nearest `Schemas/` above it), whatever the working directory.
    @Test func theDaemonFindsItsSchemasWithoutTheKey() throws {
        let site = try GatewayTests.Site()
        defer { site.dir.remove() }
        let config = try String(contentsOfFile: site.config, encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("schemas") }.joined(separator: "\n")
        try config.write(toFile: site.config, atomically: true, encoding: .utf8)
        let (name, bytes) = try GatewayTests.order(77)
        try site.drop(name, bytes)
        var env = ProcessInfo.processInfo.environment
        env["LANG"] = "C.UTF-8"
        env["DOCGATE_SCHEMAS"] = nil
        // A working directory with no Schemas/ in it.
        let r = try ProcessRunner.run("/bin/sh", ["-c", "cd \"$1\" && exec \"$2\" run --once --config gateway.toml", "sh", site.dir.path, TestPaths.docgate],
                                      environment: env, timeout: 120)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("DG5021"))
        #expect(site.files(site.outbox) == [name])
    }
}
