import DocgateCore
import DocgateCrypto
import DocgateProcessing
import DocgateSignature
import DocgateTestSupport
import Dispatch
import Foundation
import Testing

/// OCSP against a real `openssl ocsp` responder (and, for what it cannot do, a socket that never answers and a server
/// with canned answers): good, revoked (DG4026), unknown (DG4035), and every answer that cannot be relied on (DG4034).
@Suite(.timeLimit(.minutes(2))) struct OCSPTests {
    static func signed(_ key: String, _ cert: String) throws -> [UInt8] {
        try Fixture.sign(try Fixture.sample("SOCORDER"), with: try Fixture.signer(key, cert))
    }

    static func verifier(_ settings: OCSPSettings, trust: String? = nil) throws -> SignatureVerifier {
        SignatureVerifier(trust: try TrustStore(path: trust ?? Fixture.pki().caCert, ocsp: settings), policy: .docgate)
    }

    static func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

    static func message(_ report: VerificationReport) -> String { report.diagnostics.map { $0.code + " " + $0.message.en }.joined(separator: "; ") }

    @Test func goodRevokedAndUnknownAsTheResponderSays() throws {
        let material = try OCSPMaterial.shared()
        let pki = material.pki
        let responder = try material.responder()
        defer { responder.stop() }
        let verifier = try Self.verifier(OCSPSettings(responder: responder.url))
        let good = verifier.verify(bytes: try Self.signed(pki.rsaKey, pki.rsaCert), file: "good.xml")
        #expect(good.valid, "\(Self.message(good))")
        let revoked = verifier.verify(bytes: try Self.signed(pki.rsaKey, pki.revokedCert), file: "revoked.xml")
        #expect(Fixture.codes(revoked) == ["DG4026"])
        #expect(Self.message(revoked).contains("OCSP"), "\(Self.message(revoked))")
        #expect(Self.message(revoked).contains("2025-01-01T00:00:00Z"), "\(Self.message(revoked))")
        let unknown = verifier.verify(bytes: try Self.signed(pki.rsaKey, material.unlistedCert), file: "unknown.xml")
        #expect(Fixture.codes(unknown) == ["DG4035"], "\(Self.message(unknown))")
        #expect(responder.requests == 3, "\(responder.output)")
        // Without OCSP the revoked signer passes: the responder's answer is what refuses it.
        #expect(try Fixture.verifier().verify(bytes: try Self.signed(pki.rsaKey, pki.revokedCert), file: "r.xml").valid)
    }

    /// A closed port is refused at once; a responder that takes the connection and never answers is given up after
    /// the timeout. Both fail closed.
    @Test func unreachableAndSilentRespondersFailClosedInTime() throws {
        let pki = try Fixture.pki()
        let document = try Self.signed(pki.rsaKey, pki.rsaCert)
        let closed = try SilentListener.closedPort()
        var start = DispatchTime.now().uptimeNanoseconds
        let refused = try Self.verifier(OCSPSettings(responder: "http://127.0.0.1:\(closed)/", timeout: 5)).verify(bytes: document, file: "a.xml")
        #expect(Fixture.codes(refused) == ["DG4034"], "\(Self.message(refused))")
        #expect(Self.seconds(since: start) < 3)

        let silent = try SilentListener()
        defer { silent.close() }
        start = DispatchTime.now().uptimeNanoseconds
        let hung = try Self.verifier(OCSPSettings(responder: silent.url, timeout: 1)).verify(bytes: document, file: "b.xml")
        let waited = Self.seconds(since: start)
        #expect(Fixture.codes(hung) == ["DG4034"], "\(Self.message(hung))")
        #expect(waited >= 0.9 && waited < 4, "\(waited) s")
    }

    /// Answers signed by a responder of another CA, or by a certificate of the right CA that was not delegated to
    /// answer (no OCSPSigning), are refused (DG4034).
    @Test func answersFromAnUnauthorisedResponderAreRefused() throws {
        let material = try OCSPMaterial.shared()
        let pki = material.pki
        let document = try Self.signed(pki.rsaKey, pki.rsaCert)
        let rogue = try material.responder(signer: (material.rogueResponderCert, material.rogueResponderKey))
        defer { rogue.stop() }
        let fromRogue = try Self.verifier(OCSPSettings(responder: rogue.url)).verify(bytes: document, file: "a.xml")
        #expect(Fixture.codes(fromRogue) == ["DG4034"], "\(Self.message(fromRogue))")
        #expect(Self.message(fromRogue).contains("not trusted"), "\(Self.message(fromRogue))")
        #expect(rogue.requests == 1)

        let dir = try TemporaryDirectory("ocsp-undelegated")
        defer { dir.remove() }
        let undelegated = dir.file("undelegated.pem")
        try material.issue(cert: undelegated, newKey: dir.file("undelegated.key"), ca: (pki.caCert, pki.dir + "/ca.key"),
                           subject: "/CN=Не уполномоченный отвечать")
        let impostor = try material.responder(signer: (undelegated, dir.file("undelegated.key")))
        defer { impostor.stop() }
        let fromImpostor = try Self.verifier(OCSPSettings(responder: impostor.url)).verify(bytes: document, file: "b.xml")
        #expect(Fixture.codes(fromImpostor) == ["DG4034"], "\(Self.message(fromImpostor))")
    }

    /// A responder answering with an error status, and one answering with more than the limit, fail closed.
    @Test func errorStatusesAndOversizedAnswersFailClosed() throws {
        let pki = try Fixture.pki()
        let document = try Self.signed(pki.rsaKey, pki.rsaCert)
        // OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED tryLater(3) }
        let tryLater = try CannedHTTPServer(response: CannedHTTPServer.http([0x30, 0x03, 0x0A, 0x01, 0x03]))
        defer { tryLater.close() }
        let busy = try Self.verifier(OCSPSettings(responder: tryLater.url)).verify(bytes: document, file: "a.xml")
        #expect(Fixture.codes(busy) == ["DG4034"], "\(Self.message(busy))")
        #expect(Self.message(busy).lowercased().contains("trylater"), "\(Self.message(busy))")
        // Two megabytes claimed and sent (a DER SEQUENCE of that length).
        let size = 2 << 20
        let body: [UInt8] = [0x30, 0x83, UInt8(size >> 16 & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF)] + [UInt8](repeating: 0x04, count: size)
        let flood = try CannedHTTPServer(response: CannedHTTPServer.http(body))
        defer { flood.close() }
        let start = DispatchTime.now().uptimeNanoseconds
        let flooded = try Self.verifier(OCSPSettings(responder: flood.url)).verify(bytes: document, file: "b.xml")
        #expect(Fixture.codes(flooded) == ["DG4034"], "\(Self.message(flooded))")
        #expect(Self.seconds(since: start) < 4)
    }

    /// An answer with nextUpdate is reused until then, also by another verifier over the same trust store; one
    /// without nextUpdate is not, and neither is the chain verdict decided with it.
    @Test func answersAreKeptUntilNextUpdateOnly() throws {
        let material = try OCSPMaterial.shared()
        let pki = material.pki
        let document = try Self.signed(pki.rsaKey, pki.rsaCert)

        let lasting = try material.responder(nextUpdateMinutes: 5)
        let trust = try TrustStore(path: pki.caCert, ocsp: OCSPSettings(responder: lasting.url))
        #expect(SignatureVerifier(trust: trust, policy: .docgate).verify(bytes: document, file: "a.xml").valid)
        lasting.stop()
        let again = SignatureVerifier(trust: trust, policy: .docgate).verify(bytes: document, file: "a.xml")
        #expect(again.valid, "\(Self.message(again))")
        #expect(lasting.requests == 1)

        let momentary = try material.responder(nextUpdateMinutes: nil)
        let bare = try TrustStore(path: pki.caCert, ocsp: OCSPSettings(responder: momentary.url))
        let verifier = SignatureVerifier(trust: bare, policy: .docgate)
        let first = verifier.verify(bytes: document, file: "b.xml")
        #expect(first.valid, "\(Self.message(first))")
        momentary.stop()
        // The same verifier: its chain verdict must not have outlived the answer.
        #expect(Fixture.codes(verifier.verify(bytes: document, file: "b.xml")) == ["DG4034"])
        #expect(Fixture.codes(SignatureVerifier(trust: bare, policy: .docgate).verify(bytes: document, file: "b.xml")) == ["DG4034"])
    }

    /// The window in which a chain verdict is reused ends at the answer's nextUpdate, not at the certificate's notAfter.
    @Test func chainValidityEndsAtTheAnswersNextUpdate() throws {
        let material = try OCSPMaterial.shared()
        let pki = material.pki
        let responder = try material.responder(nextUpdateMinutes: 5)
        defer { responder.stop() }
        let trust = try TrustStore(path: pki.caCert, ocsp: OCSPSettings(responder: responder.url))
        let leaf = try #require(try Certificate.load(bytes: Fixture.bytes(pki.rsaCert), path: pki.rsaCert).first)
        let now = Int64(Date().timeIntervalSince1970)
        switch trust.check(leaf, intermediates: []) {
        case .failure(let problem): Issue.record("\(problem)")
        case .success(let validity):
            // By the clock, whatever time the chain is checked at (answersUntil), not within the certificates' window.
            let until = try #require(validity.answersUntil)
            #expect(until <= now + 5 * 60 + 5, "until \(until), now \(now), notAfter \(leaf.notAfter)")
            #expect(until >= now + 4 * 60)
            #expect(validity.holds(at: now, now: now) && !validity.holds(at: now, now: until + 1))
        }
    }

    /// Responder addresses from Authority Information Access, for the signer and for the intermediate CA that issued
    /// it, each at its own responder: a good path verifies; a path through a revoked intermediate is refused
    /// (DG4026, naming the intermediate), and the report shows each certificate's status.
    @Test func addressesFromTheCertificatesAndTheIntermediate() throws {
        let material = try OCSPMaterial.shared()
        let pki = material.pki
        let dir = try TemporaryDirectory("ocsp-aia")
        defer { dir.remove() }
        let root = (cert: pki.caCert, key: pki.dir + "/ca.key")
        // The root's responder knows the two intermediates: one good, one revoked (keyCompromise).
        let goodCA = OCSPMaterial.newSerial(), revokedCA = OCSPMaterial.newSerial()
        let rootIndex = try dir.write("root-index.txt", OCSPMaterial.indexLine(good: goodCA) + OCSPMaterial.indexLine(revoked: revokedCA, reason: "keyCompromise"))
        let rootResponder = try material.responder(index: rootIndex)
        defer { rootResponder.stop() }
        let intermediate = (cert: dir.file("int.pem"), key: dir.file("int.key"))
        try material.issue(cert: intermediate.cert, newKey: intermediate.key, ca: root, subject: "/CN=Промежуточный УЦ",
                           extensions: OCSPMaterial.caExtensions, aia: rootResponder.url, serial: goodCA)
        let revokedIntermediate = (cert: dir.file("int-revoked.pem"), key: dir.file("int-revoked.key"))
        try material.issue(cert: revokedIntermediate.cert, newKey: revokedIntermediate.key, ca: root, subject: "/CN=Отозванный промежуточный УЦ",
                           extensions: OCSPMaterial.caExtensions, aia: rootResponder.url, serial: revokedCA)
        // The intermediate answers for its own signers, signing with its own key.
        let leafSerial = OCSPMaterial.newSerial()
        let intIndex = try dir.write("int-index.txt", OCSPMaterial.indexLine(good: leafSerial))
        let intResponder = try OCSPResponder(index: intIndex, ca: intermediate.cert, signer: intermediate.cert, key: intermediate.key,
                                             logDirectory: dir.path)
        defer { intResponder.stop() }
        let leaf = dir.file("leaf.pem"), leafUnderRevoked = dir.file("leaf-revoked.pem")
        try material.issue(cert: leaf, key: pki.rsaKey, ca: intermediate, subject: "/C=RU/O=Минсоцполитики Красноярского края/INNLE=2466012340/OGRN=1022401123458/CN=Подписант промежуточного УЦ", aia: intResponder.url, serial: leafSerial)
        try material.issue(cert: leafUnderRevoked, key: pki.rsaKey, ca: revokedIntermediate, subject: "/C=RU/O=Минсоцполитики Красноярского края/INNLE=2466012340/OGRN=1022401123458/CN=Подписант отозванного УЦ",
                           aia: intResponder.url)
        // Certificate files with the intermediate after the signer's: KeyInfo carries both.
        let leafChain = try dir.write("leaf-chain.pem", try String(contentsOfFile: leaf, encoding: .utf8) + String(contentsOfFile: intermediate.cert, encoding: .utf8))
        let revokedChain = try dir.write("revoked-chain.pem", try String(contentsOfFile: leafUnderRevoked, encoding: .utf8)
                                            + String(contentsOfFile: revokedIntermediate.cert, encoding: .utf8))

        let trust = try TrustStore(path: pki.caCert, ocsp: OCSPSettings())
        let verifier = SignatureVerifier(trust: trust, policy: .docgate)
        let good = verifier.verify(bytes: try Self.signed(pki.rsaKey, leafChain), file: "good.xml")
        #expect(good.valid, "\(Self.message(good))")
        #expect(rootResponder.requests == 1 && intResponder.requests == 1, "\(rootResponder.output)\n\(intResponder.output)")
        let refused = verifier.verify(bytes: try Self.signed(pki.rsaKey, revokedChain), file: "revoked.xml")
        #expect(Fixture.codes(refused) == ["DG4026"], "\(Self.message(refused))")
        #expect(Self.message(refused).contains("Отозванный промежуточный УЦ") && Self.message(refused).contains("keyCompromise"),
                "\(Self.message(refused))")

        let certificates = try Certificate.load(bytes: Fixture.bytes(leafChain), path: leafChain)
        let path = trust.revocationReport(certificates[0], intermediates: Array(certificates.dropFirst()))
        #expect(path.map(\.isAnchor) == [false, false, true])
        #expect(path.map(\.ocsp) == [.good, .good, .notChecked])
        #expect(path.map(\.crl) == [.notChecked, .notChecked, .notChecked])
        let revokedCertificates = try Certificate.load(bytes: Fixture.bytes(revokedChain), path: revokedChain)
        let revokedPath = trust.revocationReport(revokedCertificates[0], intermediates: Array(revokedCertificates.dropFirst()))
        #expect(revokedPath.count == 3)
        #expect(revokedPath.dropFirst().first?.ocsp == .revoked(at: 1_735_689_600, reason: "keyCompromise"))
    }

    /// Responder addresses are http:// with a host; anything else is refused before a connection is tried.
    @Test(arguments: ["https://ocsp.example.ru/", "ftp://127.0.0.1/", "http://", "http:///ocsp", "http://a b/", "ldap://ca/x", "127.0.0.1:80",
                      "http://user:secret@ocsp.example.ru/"])
    func addressesOtherThanHTTPAreRefused(url: String) {
        #expect(OCSPSettings.problem(url: url) != nil)
    }

    @Test func plainHTTPAddressesAreAccepted() {
        #expect(OCSPSettings.problem(url: "http://127.0.0.1:8080/ocsp") == nil)
        #expect(OCSPSettings.problem(url: "HTTP://ocsp.example.ru") == nil)
    }
}

// MARK: - Hostile responders (answers crafted with OpenSSL's OCSP API and served by a canned server)

import CCryptoShims
import COpenSSL
import Glibc
import Synchronization

/// OCSP answers made by the test: any certificate id, any thisUpdate/nextUpdate, any nonce (or none), signed by any key.
enum CraftedOCSP {
    struct Failure: Error { var what: String }

    static func x509(_ path: String) throws -> OpaquePointer {
        let bytes = try Fixture.bytes(path)
        return try bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { throw Failure(what: "bio") }
            defer { BIO_free(bio) }
            guard let x = PEM_read_bio_X509(bio, nil, nil, nil) else { throw Failure(what: "certificate \(path)") }
            return x
        }
    }

    static func key(_ path: String) throws -> OpaquePointer {
        let bytes = try Fixture.bytes(path)
        return try bytes.withUnsafeBytes { raw in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { throw Failure(what: "bio") }
            defer { BIO_free(bio) }
            guard let k = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else { throw Failure(what: "key \(path)") }
            return k
        }
    }

    /// A successful OCSPResponse (DER) about `subject` issued by `issuer`, signed by `signer` (its certificate included).
    static func response(subject: String, issuer: String, signer: (cert: String, key: String), status: Int32 = V_OCSP_CERTSTATUS_GOOD,
                         thisUpdate: Int64, nextUpdate: Int64?, nonce: [UInt8]? = nil) throws -> [UInt8] {
        let s = try x509(subject), i = try x509(issuer), sc = try x509(signer.cert), k = try key(signer.key)
        defer { X509_free(s); X509_free(i); X509_free(sc); EVP_PKEY_free(k) }
        guard let id = OCSP_cert_to_id(EVP_sha1(), s, i), let basic = OCSP_BASICRESP_new() else { throw Failure(what: "id") }
        defer { OCSP_CERTID_free(id); OCSP_BASICRESP_free(basic) }
        let t0 = ASN1_TIME_set(nil, time_t(thisUpdate))
        let t1 = nextUpdate.map { ASN1_TIME_set(nil, time_t($0)) } ?? nil
        let revokedAt = status == V_OCSP_CERTSTATUS_REVOKED ? ASN1_TIME_set(nil, time_t(thisUpdate)) : nil
        defer { ASN1_TIME_free(t0); if let t1 { ASN1_TIME_free(t1) }; if let revokedAt { ASN1_TIME_free(revokedAt) } }
        guard OCSP_basic_add1_status(basic, id, status, status == V_OCSP_CERTSTATUS_REVOKED ? 1 : -1, revokedAt, t0, t1) != nil else {
            throw Failure(what: "status")
        }
        if var nonce { guard OCSP_basic_add1_nonce(basic, &nonce, Int32(nonce.count)) == 1 else { throw Failure(what: "nonce") } }
        guard OCSP_basic_sign(basic, sc, k, EVP_sha256(), nil, 0) == 1 else { throw Failure(what: "sign") }
        guard let response = OCSP_response_create(Int32(OCSP_RESPONSE_STATUS_SUCCESSFUL), basic) else { throw Failure(what: "response") }
        defer { OCSP_RESPONSE_free(response) }
        let length = i2d_OCSP_RESPONSE(response, nil)
        var out = [UInt8](repeating: 0, count: Int(length))
        out.withUnsafeMutableBufferPointer { b in
            var p: UnsafeMutablePointer<UInt8>? = b.baseAddress
            _ = i2d_OCSP_RESPONSE(response, &p)
        }
        return out
    }
}

/// A server on 127.0.0.1 that, after reading a request, sends `response` one byte every `interval` (a slowloris
/// responder). `close()` stops it and waits for its thread, so that its descriptor is not reused under it.
final class TricklingHTTPServer: @unchecked Sendable {
    let port: Int
    private let fd: Int32
    private let stopped = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)
    var url: String { "http://127.0.0.1:\(port)/" }

    init(response: [UInt8], interval: useconds_t) throws {
        let listener = try SilentListener()
        port = listener.port
        fd = try #require(Mirror(reflecting: listener).children.first { $0.label == "fd" }?.value as? Int32)
        let listening = fd
        Thread.detachNewThread { [self] in
            while !stopped.load(ordering: .relaxed) {
                let client = accept(listening, nil, nil)
                if client < 0 { if errno == EINTR { continue }; break }
                var request = [UInt8](repeating: 0, count: 65_536)
                _ = request.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                for byte in response where !stopped.load(ordering: .relaxed) {
                    var b = byte
                    if send(client, &b, 1, Int32(MSG_NOSIGNAL)) != 1 { break }
                    usleep(interval)
                }
                Glibc.close(client)
            }
            done.signal()
        }
    }

    func close() {
        stopped.store(true, ordering: .relaxed)
        shutdown(fd, Int32(SHUT_RDWR))
        done.wait()
        Glibc.close(fd)
    }
}

@Suite(.serialized, .timeLimit(.minutes(3))) struct OCSPHostileResponderTests {
    static let now = Int64(Glibc.time(nil))

    static func verdict(_ body: [UInt8], raw: Bool = false) throws -> VerificationReport {
        let pki = try Fixture.pki()
        let server = try CannedHTTPServer(response: raw ? body : CannedHTTPServer.http(body))
        defer { server.close() }
        return try OCSPTests.verifier(OCSPSettings(responder: server.url, timeout: 3))
            .verify(bytes: try OCSPTests.signed(pki.rsaKey, pki.rsaCert), file: "a.xml")
    }

    static func good(thisUpdate: Int64 = now - 60, nextUpdate: Int64? = now + 600, nonce: [UInt8]? = nil,
                     subject: String? = nil, signer: (cert: String, key: String)? = nil) throws -> [UInt8] {
        let material = try OCSPMaterial.shared()
        return try CraftedOCSP.response(subject: subject ?? material.pki.rsaCert, issuer: material.pki.caCert,
                                        signer: signer ?? (material.responderCert, material.responderKey),
                                        thisUpdate: thisUpdate, nextUpdate: nextUpdate, nonce: nonce)
    }

    /// Control: a crafted, current, nonce-less answer with nextUpdate is accepted (the harness works).
    @Test func aCurrentCraftedAnswerIsAccepted() throws {
        let r = try Self.verdict(try Self.good())
        #expect(r.valid, "\(OCSPTests.message(r))")
    }

    /// Found in review: an answer that carries neither the request's nonce nor a nextUpdate has nothing bounding its
    /// freshness but thisUpdate, and thisUpdate's age is not checked (OCSP_check_validity's maxsec is -1): a "good"
    /// captured a year ago (before the certificate was revoked) and replayed over plain http is accepted.
    @Test func aYearOldAnswerWithoutNonceOrNextUpdateIsRefused() throws {
        let r = try Self.verdict(try Self.good(thisUpdate: Self.now - 365 * 86_400, nextUpdate: nil))
        #expect(OCSPTests.message(r).contains("DG4034"), "a replayed year-old answer was accepted: \(OCSPTests.message(r))")
    }

    @Test func anAnswerAboutAnotherCertificateIsRefused() throws {
        let pki = try Fixture.pki()
        let r = try Self.verdict(try Self.good(subject: pki.ecCert))
        #expect(Fixture.codes(r) == ["DG4034"], "\(OCSPTests.message(r))")
    }

    @Test func thisUpdateInTheFutureAndNextUpdateInThePastAreRefused() throws {
        let future = try Self.verdict(try Self.good(thisUpdate: Self.now + 3600, nextUpdate: Self.now + 7200))
        #expect(Fixture.codes(future) == ["DG4034"], "\(OCSPTests.message(future))")
        let stale = try Self.verdict(try Self.good(thisUpdate: Self.now - 7200, nextUpdate: Self.now - 3600))
        #expect(Fixture.codes(stale) == ["DG4034"], "\(OCSPTests.message(stale))")
    }

    @Test func theNonceOfAnotherRequestIsRefused() throws {
        let r = try Self.verdict(try Self.good(nonce: [0x04, 0x10] + [UInt8](repeating: 0xAB, count: 16)))
        #expect(Fixture.codes(r) == ["DG4034"], "\(OCSPTests.message(r))")
        #expect(OCSPTests.message(r).contains("nonce"), "\(OCSPTests.message(r))")
    }

    /// A responder delegated (OCSPSigning) by another CA that is itself trusted, answering for our CA's certificate.
    @Test func aResponderDelegatedByAnotherTrustedCAIsRefused() throws {
        let material = try OCSPMaterial.shared()
        let pki = material.pki
        let dir = try TemporaryDirectory("ocsp-two-cas")
        defer { dir.remove() }
        let both = try dir.write("both.pem", try String(contentsOfFile: pki.caCert, encoding: .utf8) + String(contentsOfFile: pki.otherCACert, encoding: .utf8))
        let body = try Self.good(signer: (material.rogueResponderCert, material.rogueResponderKey))
        let server = try CannedHTTPServer(response: CannedHTTPServer.http(body))
        defer { server.close() }
        let r = try OCSPTests.verifier(OCSPSettings(responder: server.url), trust: both).verify(bytes: try OCSPTests.signed(pki.rsaKey, pki.rsaCert), file: "a.xml")
        #expect(Fixture.codes(r) == ["DG4034"], "\(OCSPTests.message(r))")
    }

    /// Transport oddities all fail closed, in time: a redirect, chunked encoding, HTTP/0.9-style garbage, DER that is
    /// not an OCSP response, a body shorter than its Content-Length.
    @Test(arguments: [
        Array("HTTP/1.0 302 Found\r\nLocation: http://127.0.0.1:1/\r\nContent-Length: 0\r\n\r\n".utf8),
        Array("HTTP/1.1 200 OK\r\nContent-Type: application/ocsp-response\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n0\u{3}\n\u{1}\u{3}\r\n0\r\n\r\n".utf8),
        Array("garbage without a status line\r\n\r\n0\u{3}\n\u{1}\u{0}".utf8),
        CannedHTTPServer.http([0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01]),
        Array("HTTP/1.0 200 OK\r\nContent-Length: 100\r\n\r\n0\u{3}\n\u{1}\u{0}".utf8),
    ])
    func transportOdditiesFailClosed(response: [UInt8]) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let r = try Self.verdict(response, raw: true)
        #expect(Fixture.codes(r) == ["DG4034"], "\(OCSPTests.message(r))")
        #expect(OCSPTests.seconds(since: start) < 4.5)
    }

    /// Slowloris: a valid answer sent one byte every 200 ms would take well over the 2 s limit.
    @Test func aTricklingResponderIsGivenUpAtTheTimeout() throws {
        let pki = try Fixture.pki()
        let slow = try TricklingHTTPServer(response: CannedHTTPServer.http(try Self.good()), interval: 200_000)
        defer { slow.close() }
        let start = DispatchTime.now().uptimeNanoseconds
        let r = try OCSPTests.verifier(OCSPSettings(responder: slow.url, timeout: 2)).verify(bytes: try OCSPTests.signed(pki.rsaKey, pki.rsaCert), file: "a.xml")
        let waited = OCSPTests.seconds(since: start)
        #expect(Fixture.codes(r) == ["DG4034"], "\(OCSPTests.message(r))")
        #expect(waited < 3.5, "\(waited) s")
    }

    /// Every failing exchange closes its socket.
    @Test func failingExchangesLeakNoDescriptors() throws {
        func open() -> Int { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1 }
        _ = try Self.verdict([0x30, 0x03, 0x0A, 0x01, 0x03])   // warm-up
        let before = open()
        for _ in 0..<20 {
            _ = try Self.verdict(Array("garbage\r\n\r\n".utf8), raw: true)
            _ = try Self.verdict([0x30, 0x03, 0x0A, 0x01, 0x03])
            _ = try Self.verdict(try Self.good(nonce: [0x04, 0x02, 1, 2]))
        }
        let closed = try SilentListener.closedPort()
        for _ in 0..<20 {
            _ = try OCSPTests.verifier(OCSPSettings(responder: "http://127.0.0.1:\(closed)/", timeout: 1))
                .verify(bytes: try OCSPTests.signed(Fixture.pki().rsaKey, Fixture.pki().rsaCert), file: "c.xml")
        }
        #expect(open() <= before + 2, "descriptors \(before) → \(open())")
    }

    /// Addresses: a non-default port with a path and query reaches the responder (a userinfo is refused beforehand).
    @Test func addressesWithAPortPathQueryOrUserinfo() throws {
        let material = try OCSPMaterial.shared()
        let pki = material.pki
        let responder = try material.responder()
        defer { responder.stop() }
        let document = try OCSPTests.signed(pki.rsaKey, pki.rsaCert)
        #expect(OCSPSettings.problem(url: "http://user:secret@127.0.0.1:\(responder.port)/") != nil)
        for url in ["http://127.0.0.1:\(responder.port)/ocsp/x?a=b&c=d"] {
            #expect(OCSPSettings.problem(url: url) == nil, "\(url)")
            let r = try OCSPTests.verifier(OCSPSettings(responder: url)).verify(bytes: document, file: "a.xml")
            #expect(r.valid, "\(url): \(OCSPTests.message(r))")
        }
    }

    /// An IPv6 literal is reached: OSSL_HTTP_parse_url leaves the brackets on the host ("[::1]"), which the resolver
    /// does not take (found in review: every such responder was "No route to host"). The responder listens on [::].
    @Test func anIPv6LiteralResponderIsReached() throws {
        let material = try OCSPMaterial.shared()
        let pki = material.pki
        let responder = try material.responder()
        defer { responder.stop() }
        let url = "http://[::1]:\(responder.port)/"
        #expect(OCSPSettings.problem(url: url) == nil)
        let r = try OCSPTests.verifier(OCSPSettings(responder: url)).verify(bytes: try OCSPTests.signed(pki.rsaKey, pki.rsaCert), file: "a.xml")
        #expect(r.valid, "\(OCSPTests.message(r))")
    }

    /// A responder the root delegated (OCSPSigning, issued by the root) answering for a certificate the
    /// intermediate issued: not authorised for that level of the path.
    @Test func aResponderOfAnotherLevelOfThePathIsRefused() throws {
        let material = try OCSPMaterial.shared()
        let pki = material.pki
        let dir = try TemporaryDirectory("ocsp-level")
        defer { dir.remove() }
        let intermediate = (cert: pki.intermediateCert, key: pki.dir + "/intermediate.key")
        let leaf = dir.file("leaf.pem")
        try material.issue(cert: leaf, key: pki.rsaKey, ca: intermediate,
                           subject: "/C=RU/O=Минсоцполитики Красноярского края/INNLE=2466012340/OGRN=1022401123458/CN=Подписант подчинённого УЦ")
        let chain = try dir.write("chain.pem", try String(contentsOfFile: leaf, encoding: .utf8) + String(contentsOfFile: intermediate.cert, encoding: .utf8))
        // Good for both the leaf (id under the intermediate) and the intermediate (id under the root): only the
        // second may be signed by the root's responder.
        let body = try CraftedOCSP.response(subject: leaf, issuer: intermediate.cert, signer: (material.responderCert, material.responderKey),
                                            thisUpdate: Self.now - 60, nextUpdate: Self.now + 600)
        let server = try CannedHTTPServer(response: CannedHTTPServer.http(body))
        defer { server.close() }
        let trust = try TrustStore(path: pki.caCert, ocsp: OCSPSettings(responder: server.url))
        let r = SignatureVerifier(trust: trust, policy: .docgate).verify(bytes: try OCSPTests.signed(pki.rsaKey, chain), file: "a.xml")
        #expect(Fixture.codes(r) == ["DG4034"], "\(OCSPTests.message(r))")
        // The leaf's own entry: the answer about it is refused for its signer, not merely absent.
        let certificates = try Certificate.load(bytes: Fixture.bytes(chain), path: chain)
        let path = trust.revocationReport(certificates[0], intermediates: Array(certificates.dropFirst()))
        guard case .unknown(let why)? = path.first?.ocsp else { Issue.record("\(path)"); return }
        #expect(why.en.contains("not trusted"), "\(why.en)")
    }

    /// Found in review: with a verification time (`verify --at`), the chain verdict's window is compared with that fixed
    /// moment, not with the clock: an answer without nextUpdate ("not kept") keeps the verdict alive for the whole
    /// batch after the responder is gone (and one with nextUpdate keeps it past the nextUpdate).
    @Test func aChainVerdictAtAGivenTimeDoesNotOutliveTheAnswer() throws {
        let material = try OCSPMaterial.shared()
        let pki = material.pki
        sleep(2)   // the test certificates' notBefore is their creation
        let document = try OCSPTests.signed(pki.rsaKey, pki.rsaCert)
        let momentary = try material.responder(nextUpdateMinutes: nil)
        let trust = try TrustStore(path: pki.caCert, ocsp: OCSPSettings(responder: momentary.url))
        let verifier = SignatureVerifier(trust: trust, policy: .docgate, time: Int64(Glibc.time(nil)) - 1)
        let first = verifier.verify(bytes: document, file: "a.xml")
        #expect(first.valid, "\(OCSPTests.message(first))")
        momentary.stop()
        sleep(1)
        let second = verifier.verify(bytes: document, file: "a.xml")
        #expect(Fixture.codes(second) == ["DG4034"], "the verdict outlived an answer without nextUpdate: \(OCSPTests.message(second))")
    }
}
