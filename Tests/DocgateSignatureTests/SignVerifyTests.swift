import DocgateCore
import DocgateCrypto
import DocgateDocuments
import DocgateProcessing
import DocgateSignature
import DocgateTestSupport
import Foundation
import Testing

@Suite struct SignVerifyTests {
    static let algorithms: [(String, SignatureAlgorithm)] = [("rsa", .rsaSHA256), ("ec", .ecdsaSHA256), ("gost", .gost2012_256),
                                                               ("gost512", .gost2012_512)]

    func keyPair(_ name: String) throws -> (String, String) {
        let pki = try Fixture.pki()
        switch name {
        case "rsa": return (pki.rsaKey, pki.rsaCert)
        case "ec": return (pki.ecKey, pki.ecCert)
        case "gost512": return (pki.gost512Key, pki.gost512Cert)
        default: return (pki.gostKey, pki.gostCert)
        }
    }

    @Test(arguments: ["rsa", "ec", "gost", "gost512"])
    func everyKindSignsVerifiesAndStillValidates(_ algorithm: String) throws {
        let (key, cert) = try keyPair(algorithm)
        let signer = try Fixture.signer(key, cert)
        let verifier = try Fixture.verifier()
        let validator = try DocumentValidator(schemaDirectory: TestPaths.schemas)
        for file in TestPaths.sampleFiles("valid") {
            let signed = try Fixture.sign(file, with: signer)
            let report = verifier.verify(bytes: signed, file: file)
            #expect(report.valid, "\(file): \(report.diagnostics.map { $0.code + " " + $0.message.en })")
            #expect(report.signatures.count == 1)
            #expect(report.signatures.first?.algorithm == Self.algorithms.first { $0.0 == algorithm }?.1)
            let validation = validator.validate(bytes: signed, file: file, retainRecords: false)
            #expect(validation.valid, "\(file): \(validation.diagnostics.map(\.code))")
        }
    }

    /// Signing inserts the signature and changes nothing else: the output is the input split at one point with
    /// the signature between (in UTF-8 and windows-1251 alike), for the first and the second signature.
    @Test func signingKeepsEveryByteOfTheInput() throws {
        let pki = try Fixture.pki()
        let signer = try Fixture.signer(pki.ecKey, pki.ecCert)
        for file in TestPaths.sampleFiles("valid") {
            let input = try Fixture.bytes(file)
            let signed = try Fixture.sign(input, with: signer)
            #expect(Self.isInsertion(of: signed, into: input), "\(file)")
            let name = (file as NSString).lastPathComponent
            if name.hasPrefix("AGREEMENT") || name.hasPrefix("CONTRACT_") {
                let twice = try Fixture.sign(signed, with: try Fixture.signer(pki.rsaKey, pki.rsaCert))
                #expect(Self.isInsertion(of: twice, into: signed), "\(file), second signature")
            }
        }
    }

    static func isInsertion(of output: [UInt8], into input: [UInt8]) -> Bool {
        guard output.count > input.count else { return false }
        var k = 0
        while k < input.count, output[k] == input[k] { k += 1 }
        return Array(output.suffix(input.count - k)) == Array(input[k...])
            && String(decoding: output[k..<(k + output.count - input.count)], as: UTF8.self).contains("<ds:Signature ")
    }

    /// Whatever the layout around the root's end tag — no whitespace before it, the whole document on one line,
    /// tabs, CRLF line ends, a comment — the signature verifies. (Before 2026-12-02 a document without whitespace before the root's end tag got a signature
    /// whose digest covered a line end the output did not have.)
    @Test(arguments: ["rsa", "ec", "gost", "gost512"])
    func everyLayoutAroundTheRootEndVerifies(_ algorithm: String) throws {
        let (key, cert) = try keyPair(algorithm)
        let signer = try Fixture.signer(key, cert)
        let text = Fixture.text(try Fixture.bytes(try Fixture.sample("EXECREPORT")))
        let end = try #require(text.range(of: "\n</", options: .backwards))
        let variants = [
            text.replacingCharacters(in: end, with: "</"),
            text.replacingOccurrences(of: "\n", with: ""),
            text.replacingOccurrences(of: "\n  ", with: "\n\t"),
            text.replacingOccurrences(of: "\n", with: "\r\n"),
            text.replacingCharacters(in: end, with: "\n<!-- end -->\n</"),
        ]
        let verifier = try Fixture.verifier()
        for (index, variant) in variants.enumerated() {
            let input = Array(variant.utf8)
            let signed = try signer.sign(bytes: input).get()
            let report = verifier.verify(bytes: signed, file: "variant \(index)")
            #expect(report.valid, "variant \(index): \(report.diagnostics.map(\.code))")
        }
    }

    @Test func singleSignerDocumentsUseEnvelopedAndTwoPartyDocumentsSubtract() throws {
        let pki = try Fixture.pki()
        let signer = try Fixture.signer(pki.rsaKey, pki.rsaCert)
        let order = Fixture.text(try Fixture.sign(try Fixture.sample("SOCORDER"), with: signer))
        #expect(order.contains(DSig.envelopedSignature))
        #expect(!order.contains(DSig.filter2))
        let agreement = Fixture.text(try Fixture.sign(try Fixture.sample("AGREEMENT"), with: signer))
        #expect(agreement.contains(DSig.filter2))
        #expect(agreement.contains(">//ds:Signature</dsig-xpath:XPath>"))
        #expect(!agreement.contains(DSig.envelopedSignature))
        for text in [order, agreement] {
            #expect(text.contains(DSig.exclusiveC14N))
            #expect(text.contains("<ds:Reference URI=\"\">"))
        }
    }

    @Test(arguments: ["AGREEMENT", "CONTRACT_"])
    func secondPartySignatureLeavesTheFirstValid(_ prefix: String) throws {
        let pki = try Fixture.pki()
        let first = try Fixture.sign(try Fixture.sample(prefix), with: try Fixture.signer(pki.gostKey, pki.gostCert))
        let verifier = try Fixture.verifier()
        #expect(verifier.verify(bytes: first, file: "first.xml").valid)
        let both = try Fixture.sign(first, with: try Fixture.signer(pki.ecKey, pki.ecCert))
        let report = verifier.verify(bytes: both, file: "both.xml")
        #expect(report.valid, "\(report.diagnostics.map { $0.code + " " + $0.message.en })")
        #expect(report.signatures.map(\.algorithm) == [.gost2012_256, .ecdsaSHA256])
        // A third signature is refused.
        let third = try Fixture.signer(pki.rsaKey, pki.rsaCert).sign(bytes: both)
        guard case .failure(let f) = third else { Issue.record("a third signature was accepted"); return }
        #expect(f.diagnostics.map(\.code) == ["DG4040"])
    }

    @Test func singleSignerDocumentRefusesASecondSignature() throws {
        let pki = try Fixture.pki()
        let once = try Fixture.sign(try Fixture.sample("EXECREPORT"), with: try Fixture.signer(pki.rsaKey, pki.rsaCert))
        guard case .failure(let f) = try Fixture.signer(pki.ecKey, pki.ecCert).sign(bytes: once) else {
            Issue.record("second signature accepted on a single-signer document")
            return
        }
        #expect(f.diagnostics.map(\.code) == ["DG4040"])
    }

    @Test func windows1251DocumentStaysWindows1251AndVerifies() throws {
        let pki = try Fixture.pki()
        let cp1251 = try #require(TestPaths.sampleFiles("valid").first { file in
            (try? Fixture.bytes(file)).map { String(decoding: $0.prefix(100), as: UTF8.self).contains("windows-1251") } ?? false
        })
        let signed = try Fixture.sign(cp1251, with: try Fixture.signer(pki.rsaKey, pki.rsaCert))
        #expect(String(decoding: signed.prefix(60), as: UTF8.self).contains("windows-1251"))
        // Cyrillic stays single-byte: no UTF-8 lead bytes for Cyrillic (0xD0/0xD1 followed by a continuation byte).
        let utf8Cyrillic = zip(signed, signed.dropFirst()).contains { ($0 == 0xD0 || $0 == 0xD1) && ($1 & 0xC0) == 0x80 && $1 >= 0x90 }
        #expect(!utf8Cyrillic)
        #expect(try Fixture.verifier().verify(bytes: signed, file: cp1251).valid)
    }

    @Test func encryptedKeysAndPKCS12Load() throws {
        let pki = try Fixture.pki()
        let pass = Array(TestPKI.passphrase.utf8)
        let cert = try Certificate.load(bytes: Fixture.bytes(pki.rsaCert), path: pki.rsaCert)[0]
        for path in [pki.encryptedKey, pki.encryptedDERKey] {
            let key = try Key.privateKey(bytes: Fixture.bytes(path), path: path, passphrase: pass)
            #expect(key.algorithm == .rsaSHA256)
            #expect(key.matches(try cert.publicKey()))
            #expect(throws: CryptoError.self) { try Key.privateKey(bytes: Fixture.bytes(path), path: path, passphrase: Array("wrong".utf8)) }
            do {
                _ = try Key.privateKey(bytes: Fixture.bytes(path), path: path, passphrase: nil)
                Issue.record("encrypted key loaded without a passphrase")
            } catch let error as CryptoError {
                #expect(error.code == "DG5011")
            }
        }
        let bundle = try SigningIdentity.load(pkcs12Path: pki.pkcs12, passphrase: pass)
        #expect(bundle.certificate.subject.contains("Иванова Анна Петровна"))
        #expect(bundle.chain.count == 1)
        let signed = try Fixture.sign(try Fixture.sample("SOCCERT"), with: DocumentSigner(identity: bundle, policy: .docgate))
        let report = try Fixture.verifier().verify(bytes: signed, file: "p12.xml")
        #expect(report.valid)
        // The CA certificate travelled beside the signer's, and the signer was still recognised.
        #expect(Fixture.text(signed).components(separatedBy: "<ds:X509Certificate>").count == 3)
        #expect(report.signatures.first?.signer?.subject.contains("Иванова") == true)
    }

    @Test func keyAndCertificateMustMatch() throws {
        let pki = try Fixture.pki()
        do {
            _ = try Fixture.identity(pki.ecKey, pki.rsaCert)
            Issue.record("mismatched key and certificate accepted")
        } catch let error as CryptoError {
            #expect(error.code == "DG5013")
        }
    }

    @Test func certificatesAreCheckedAtTheGivenTime() throws {
        let pki = try Fixture.pki()
        let signed = try Fixture.sign(try Fixture.sample("SOCORDER"), with: try Fixture.signer(pki.rsaKey, pki.rsaCert))
        let cert = try Certificate.load(bytes: Fixture.bytes(pki.rsaCert), path: pki.rsaCert)[0]
        #expect(try Fixture.verifier(at: cert.notBefore + 60).verify(bytes: signed, file: "x").valid)
        #expect(Fixture.codes(try Fixture.verifier(at: cert.notBefore - 86_400).verify(bytes: signed, file: "x")) == ["DG4022"])
        #expect(Fixture.codes(try Fixture.verifier(at: cert.notAfter + 86_400).verify(bytes: signed, file: "x")) == ["DG4021"])
    }

    @Test func withoutTrustStoreTheChainIsReportedUnchecked() throws {
        let pki = try Fixture.pki()
        let signed = try Fixture.sign(try Fixture.sample("SOCORDER"), with: try Fixture.signer(pki.ecKey, pki.ecCert))
        let report = SignatureVerifier(trust: nil, policy: .docgate).verify(bytes: signed, file: "x")
        #expect(report.signatures.first?.valid == true)
        #expect(report.diagnostics.map(\.code) == ["DG4025"])
        #expect(report.diagnostics.first?.severity == .warning)
    }
}

/// The profile knows no kinds: the caller's policy chooses the form and the number of signatures.
@Suite struct SignaturePolicyTests {
    @Test func theCallerChoosesTheForm() throws {
        let pki = try Fixture.pki()
        let agreement = try Fixture.bytes(try Fixture.sample("AGREEMENT"))
        let identity = try Fixture.identity(pki.ecKey, pki.ecCert)
        // docgate's kinds: an agreement takes two signatures, each subtracting the others.
        let docgate = DocumentSigner(identity: identity, policy: .docgate)
        let twice = try Fixture.sign(try Fixture.sign(agreement, with: docgate), with: docgate)
        let text = String(decoding: twice, as: UTF8.self)
        #expect(text.contains("xmldsig-filter2") && text.components(separatedBy: "SignatureValue>").count == 5)
        // Any XML: one enveloped signature, and no second.
        let generic = DocumentSigner(identity: identity, policy: .generic)
        let once = try Fixture.sign(agreement, with: generic)
        #expect(String(decoding: once, as: UTF8.self).contains("enveloped-signature"))
        guard case .failure(let f) = generic.sign(bytes: once) else { Issue.record("a second signature was added"); return }
        #expect(f.diagnostics.map(\.code) == ["DG4040"])
        // A policy without parties checks nobody: a signature by the executor's key on an order is then no one's business.
        let order = try Fixture.sign(try Fixture.sample("SOCORDER"), with: generic)
        let unbound = SignatureVerifier(trust: try TrustStore(path: pki.caCert), policy: .generic).verify(bytes: order, file: "o.xml")
        #expect(unbound.valid, "\(unbound.diagnostics.map(\.code))")
        let bound = SignatureVerifier(trust: try TrustStore(path: pki.caCert), policy: .docgate).verify(bytes: order, file: "o.xml")
        #expect(Fixture.codes(bound) == ["DG4028"])
    }
}
