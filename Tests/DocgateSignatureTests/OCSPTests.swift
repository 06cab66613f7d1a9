import DocgateCore
import DocgateCrypto
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
        SignatureVerifier(trust: try TrustStore(path: trust ?? Fixture.pki().caCert, ocsp: settings))
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
        #expect(SignatureVerifier(trust: trust).verify(bytes: document, file: "a.xml").valid)
        lasting.stop()
        let again = SignatureVerifier(trust: trust).verify(bytes: document, file: "a.xml")
        #expect(again.valid, "\(Self.message(again))")
        #expect(lasting.requests == 1)

        let momentary = try material.responder(nextUpdateMinutes: nil)
        let bare = try TrustStore(path: pki.caCert, ocsp: OCSPSettings(responder: momentary.url))
        let verifier = SignatureVerifier(trust: bare)
        let first = verifier.verify(bytes: document, file: "b.xml")
        #expect(first.valid, "\(Self.message(first))")
        momentary.stop()
        // The same verifier: its chain verdict must not have outlived the answer.
        #expect(Fixture.codes(verifier.verify(bytes: document, file: "b.xml")) == ["DG4034"])
        #expect(Fixture.codes(SignatureVerifier(trust: bare).verify(bytes: document, file: "b.xml")) == ["DG4034"])
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
            #expect(validity.until <= now + 5 * 60 + 5, "until \(validity.until), now \(now), notAfter \(leaf.notAfter)")
            #expect(validity.until >= now + 4 * 60)
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
        let verifier = SignatureVerifier(trust: trust)
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
    @Test(arguments: ["https://ocsp.example.ru/", "ftp://127.0.0.1/", "http://", "http:///ocsp", "http://a b/", "ldap://ca/x", "127.0.0.1:80"])
    func addressesOtherThanHTTPAreRefused(url: String) {
        #expect(OCSPSettings.problem(url: url) != nil)
    }

    @Test func plainHTTPAddressesAreAccepted() {
        #expect(OCSPSettings.problem(url: "http://127.0.0.1:8080/ocsp") == nil)
        #expect(OCSPSettings.problem(url: "HTTP://ocsp.example.ru") == nil)
    }
}
