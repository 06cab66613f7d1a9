import DocgateCore
import DocgateCrypto
import DocgateDocuments
import DocgateProcessing
import DocgateSignature
import DocgateTestSupport
import Foundation
import Testing

/// GOST R 34.10-2012 with 512-bit keys (Streebog-512) beside the 256-bit ones: the key picks its method and digest,
/// verification accepts the 512 URIs and refuses a key of the other size.
@Suite struct Gost512Tests {
    static let method512 = "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-512"
    static let digest512 = "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-512"
    static let method256 = "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-256"
    static let digest256 = "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-256"

    func base64(_ text: String, between open: String, _ close: String) throws -> [UInt8] {
        let value = try Fixture.between(text, open, close)
        return [UInt8](try #require(Data(base64Encoded: value, options: .ignoreUnknownCharacters)))
    }

    /// The key alone decides: a 512-bit key signs with the 512 method and Streebog-512 (64-byte digest, 128-byte
    /// signature), never with the 256 URIs; the signature verifies and is reported as GOST R 34.10-2012 512.
    @Test func a512KeySignsWithThe512MethodAndDigest() throws {
        let pki = try Fixture.pki()
        let identity = try Fixture.identity(pki.gost512Key, pki.gost512Cert)
        #expect(identity.key.algorithm == .gost2012_512)
        #expect(identity.key.bits == 512)
        let signed = try Fixture.sign(try Fixture.sample("SOCORDER"), with: DocumentSigner(identity: identity, policy: .docgate))
        let text = Fixture.text(signed)
        #expect(text.contains("<ds:SignatureMethod Algorithm=\"\(Self.method512)\"/>"))
        #expect(text.contains("<ds:DigestMethod Algorithm=\"\(Self.digest512)\"/>"))
        #expect(!text.contains(Self.method256) && !text.contains(Self.digest256))
        #expect(try base64(text, between: "<ds:DigestValue>", "</ds:DigestValue>").count == 64)
        #expect(try base64(text, between: "<ds:SignatureValue>", "</ds:SignatureValue>").count == 128)
        let report = try Fixture.verifier().verify(bytes: signed, file: "gost512.xml")
        #expect(report.valid, "\(report.diagnostics.map { $0.code + " " + $0.message.en })")
        #expect(report.signatures.first?.algorithm == .gost2012_512)
        #expect(report.signatures.first?.algorithm?.title == "GOST R 34.10-2012 512")
        #expect(report.signatures.first?.algorithm?.digest.title == "GOST R 34.11-2012 512")
        #expect(report.signatures.first?.signer?.subject.contains("Кузнецова Мария") == true)
        // The 256 key still picks its own.
        #expect(try Fixture.identity(pki.gostKey, pki.gostCert).key.algorithm == .gost2012_256)
    }

    /// The URIs map both ways, and the 512 method signs with the 512 digest.
    @Test func urisOfThe512AlgorithmsRoundTrip() {
        #expect(SignatureAlgorithm(uri: Self.method512) == .gost2012_512)
        #expect(SignatureAlgorithm.gost2012_512.uri == Self.method512)
        #expect(SignatureAlgorithm.gost2012_512.digest == .streebog512)
        #expect(DigestAlgorithm(uri: Self.digest512) == .streebog512)
        #expect(DigestAlgorithm.streebog512.uri == Self.digest512)
        #expect(SignatureAlgorithm.gost2012_256.digest == .streebog256)
    }

    /// Streebog-512 is OpenSSL's md_gost12_512: the digest of "abc" equals the one the openssl command line gives.
    @Test func streebog512IsTheEngineDigest() throws {
        let pki = try Fixture.pki()
        let dir = try TemporaryDirectory("streebog")
        defer { dir.remove() }
        let file = try dir.write("abc.txt", "abc")
        let cli = try pki.openssl(["dgst", "-md_gost12_512", "-r", file], gost: true).stdout
        let ours = try #require(DigestAlgorithm.streebog512.hex(Array("abc".utf8)))
        #expect(ours.count == 128)
        #expect(cli.hasPrefix(ours + " "), "openssl: \(cli)")
    }

    /// Keys of every 512 parameter set (A, B, C) load as GOST R 34.10-2012 512 and sign and verify.
    @Test(arguments: ["A", "B", "C"])
    func everyParamsetSignsAndVerifies(_ paramset: String) throws {
        let pki = try Fixture.pki()
        let dir = try TemporaryDirectory("gost512-\(paramset)")
        defer { dir.remove() }
        let path = dir.file("key.pem")
        try pki.openssl(["genpkey", "-algorithm", "gost2012_512", "-pkeyopt", "paramset:\(paramset)", "-out", path], gost: true)
        let key = try Key.privateKey(bytes: Fixture.bytes(path), path: path, passphrase: nil)
        #expect(key.algorithm == .gost2012_512)
        let data = Array("<SignedInfo/>".utf8)
        let signature = try data.withUnsafeBytes { try key.sign($0) }
        #expect(signature.count == 128)
        #expect(data.withUnsafeBytes { key.verify($0, signature: signature) })
        let other = Array("<SignedInfo></SignedInfo>".utf8)
        #expect(!other.withUnsafeBytes { key.verify($0, signature: signature) })
        // A value of the 256 size is refused, not passed to OpenSSL.
        #expect(!data.withUnsafeBytes { key.verify($0, signature: Array(signature.prefix(64))) })
    }

    /// A change to the signed content after signing: DG4010 and nothing else.
    @Test func changedContentFailsWithDG4010() throws {
        let pki = try Fixture.pki()
        let signed = try Fixture.sign(try Fixture.sample("SOCORDER"), with: try Fixture.signer(pki.gost512Key, pki.gost512Cert))
        let number = try Fixture.between(Fixture.text(signed), "<number>", "</number>")
        let tampered = try Fixture.edit(signed, "<number>\(number)</number>", "<number>\(number)9</number>")
        #expect(Fixture.codes(try Fixture.verifier().verify(bytes: tampered, file: "tampered.xml")) == ["DG4010"])
        // A signature value cut to the 256 size: DG4011.
        let text = Fixture.text(signed)
        let value = try Fixture.between(text, "<ds:SignatureValue>", "</ds:SignatureValue>")
        let cut = Data(try base64(text, between: "<ds:SignatureValue>", "</ds:SignatureValue>").prefix(64)).base64EncodedString()
        let short = try Fixture.edit(signed, value, cut)
        #expect(Fixture.codes(try Fixture.verifier().verify(bytes: short, file: "short.xml")) == ["DG4011"])
    }

    /// A 256 key under the 512 method and a 512 key under the 256 method (URIs changed together, so the profile's
    /// method–digest pairing holds): DG4012, naming both algorithms. The 512 method with the 256 digest: DG4003.
    @Test func keyOfTheOtherSizeThanTheMethodIsDG4012() throws {
        let pki = try Fixture.pki()
        let verifier = try Fixture.verifier()
        let by256 = try Fixture.sign(try Fixture.sample("SOCORDER"), with: try Fixture.signer(pki.gostKey, pki.gostCert))
        let claims512 = try Fixture.edit(try Fixture.edit(by256, Self.method256, Self.method512), Self.digest256, Self.digest512)
        let r1 = verifier.verify(bytes: claims512, file: "claims512.xml")
        #expect(Fixture.codes(r1) == ["DG4012"])
        #expect(r1.signatures.first?.algorithm == .gost2012_512)
        let message = r1.diagnostics.first { $0.code == "DG4012" }?.message
        #expect(message?.en.contains("key GOST R 34.10-2012 256, signature method GOST R 34.10-2012 512") == true, "\(String(describing: message))")
        #expect(message?.ru.contains("ключ GOST R 34.10-2012 256, алгоритм подписи GOST R 34.10-2012 512") == true)

        let by512 = try Fixture.sign(try Fixture.sample("SOCORDER"), with: try Fixture.signer(pki.gost512Key, pki.gost512Cert))
        let claims256 = try Fixture.edit(try Fixture.edit(by512, Self.method512, Self.method256), Self.digest512, Self.digest256)
        let r2 = verifier.verify(bytes: claims256, file: "claims256.xml")
        #expect(Fixture.codes(r2) == ["DG4012"])
        #expect(r2.diagnostics.first { $0.code == "DG4012" }?.message.en.contains("key GOST R 34.10-2012 512") == true)

        let mixed = try Fixture.edit(by512, Self.digest512, Self.digest256)
        #expect(Fixture.codes(verifier.verify(bytes: mixed, file: "mixed.xml")) == ["DG4003"])
    }

    /// Two parties with keys of both sizes on one agreement: each signature verifies with its own algorithm.
    @Test func agreementSignedWith512Then256() throws {
        let pki = try Fixture.pki()
        let first = try Fixture.sign(try Fixture.sample("AGREEMENT"), with: try Fixture.signer(pki.gost512Key, pki.gost512Cert))
        let both = try Fixture.sign(first, with: try Fixture.signer(pki.gostKey, pki.gostCert))
        let report = try Fixture.verifier().verify(bytes: both, file: "both.xml")
        #expect(report.valid, "\(report.diagnostics.map { $0.code + " " + $0.message.en })")
        #expect(report.signatures.map(\.algorithm) == [.gost2012_512, .gost2012_256])
    }

    /// The refusal of an unsupported key names both GOST sizes among the allowed ones, in both languages.
    @Test func unsupportedKeyMessageListsBothGostSizes() throws {
        let pki = try Fixture.pki()
        let dir = try TemporaryDirectory("p384")
        defer { dir.remove() }
        let path = dir.file("p384.pem")
        try pki.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", path])
        do {
            _ = try Key.privateKey(bytes: Fixture.bytes(path), path: path, passphrase: nil)
            Issue.record("a P-384 key was accepted")
        } catch let error as CryptoError {
            #expect(error.code == "DG5014")
            #expect(error.message.en.contains("GOST R 34.10-2012 256 and 512"), "\(error.message.en)")
            #expect(error.message.ru.contains("ГОСТ Р 34.10-2012 256 и 512"), "\(error.message.ru)")
        }
    }
}
