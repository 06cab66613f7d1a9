import DocgateCore
import DocgateCrypto
import DocgateDocuments
import DocgateProcessing
import DocgateSignature
import DocgateTestSupport
import Foundation
import Testing

/// Third parties as oracles: xmlsec1 (RSA, ECDSA) and the openssl command line with the GOST engine.
@Suite struct InteropTests {
    static let xmlsec1 = ProcessRunner.which("xmlsec1")

    func xmlsecVerify(_ bytes: [UInt8], node: Int? = nil) throws -> ProcessResult {
        let dir = try TemporaryDirectory("xmlsec")
        defer { dir.remove() }
        let file = try dir.write("doc.xml", bytes)
        var args = ["--verify", "--trusted-pem", try Fixture.pki().caCert]
        if let node { args += ["--node-xpath", "(//*[local-name()='Signature' and namespace-uri()='\(DSig.namespace)'])[\(node)]"] }
        return try ProcessRunner.run(try #require(Self.xmlsec1), args + [file])
    }

    /// xmlsec1 signs a copy of `document` into which `template` was inserted before the root's end tag.
    func xmlsecSign(_ document: [UInt8], template: String, before closing: String, key: String, cert: String,
                    node: Int? = nil) throws -> [UInt8] {
        let dir = try TemporaryDirectory("xmlsec")
        defer { dir.remove() }
        let text = Fixture.text(document)
        let end = try #require(text.range(of: closing, options: .backwards))
        let input = try dir.write("tmpl.xml", text.replacingCharacters(in: end, with: template + closing))
        var args = ["--sign", "--privkey-pem", "\(key),\(cert)", "--output", dir.file("out.xml")]
        if let node { args += ["--node-xpath", "(//*[local-name()='Signature' and namespace-uri()='\(DSig.namespace)'])[\(node)]"] }
        let r = try ProcessRunner.run(try #require(Self.xmlsec1), args + [input])
        #expect(r.status == 0, "xmlsec1: \(r.stderr)")
        return try Fixture.bytes(dir.file("out.xml"))
    }

    static func template(method: SignatureAlgorithm, prefix: String = "", form: SignatureForm, inclusive: Bool = false) -> String {
        let p = prefix.isEmpty ? "" : prefix + ":"
        let decl = prefix.isEmpty ? "xmlns=\"\(DSig.namespace)\"" : "xmlns:\(prefix)=\"\(DSig.namespace)\""
        let c14n = inclusive ? DSig.inclusiveC14N : DSig.exclusiveC14N
        let removal = form == .enveloped
            ? "<\(p)Transform Algorithm=\"\(DSig.envelopedSignature)\"/>"
            : "<\(p)Transform Algorithm=\"\(DSig.filter2)\"><f:XPath xmlns:f=\"\(DSig.filter2)\" xmlns:dsig=\"\(DSig.namespace)\" Filter=\"subtract\">//dsig:Signature</f:XPath></\(p)Transform>"
        return """
        <\(p)Signature \(decl)>
        <\(p)SignedInfo>
        <\(p)CanonicalizationMethod Algorithm="\(c14n)"/>
        <\(p)SignatureMethod Algorithm="\(method.uri)"/>
        <\(p)Reference URI="">
        <\(p)Transforms>\(removal)\(inclusive ? "" : "<\(p)Transform Algorithm=\"\(c14n)\"/>")</\(p)Transforms>
        <\(p)DigestMethod Algorithm="\(method.digest.uri)"/>
        <\(p)DigestValue></\(p)DigestValue>
        </\(p)Reference>
        </\(p)SignedInfo>
        <\(p)SignatureValue/>
        <\(p)KeyInfo><\(p)X509Data/></\(p)KeyInfo>
        </\(p)Signature>
        """
    }

    // MARK: xmlsec1 verifies docgate

    @Test(.enabled(if: xmlsec1 != nil), arguments: ["rsa", "ec"])
    func xmlsecVerifiesDocgateSingleSignerForm(_ algorithm: String) throws {
        let pki = try Fixture.pki()
        let (key, cert) = algorithm == "rsa" ? (pki.rsaKey, pki.rsaCert) : (pki.ecKey, pki.ecCert)
        for prefix in ["SOCORDER", "EXECREPORT", "SOCCERT", "SVCASSIGN"] {
            let signed = try Fixture.sign(try Fixture.sample(prefix), with: try Fixture.signer(key, cert))
            let r = try xmlsecVerify(signed)
            #expect(r.status == 0 && r.stderr.contains("OK"), "\(prefix): \(r.stdout) \(r.stderr)")
        }
        // Layouts around the root's end tag: none of its whitespace, everything on one line, CRLF line ends.
        let report = Fixture.text(try Fixture.bytes(try Fixture.sample("EXECREPORT")))
        let end = try #require(report.range(of: "\n</", options: .backwards))
        for variant in [report.replacingCharacters(in: end, with: "</"), report.replacingOccurrences(of: "\n", with: ""),
                        report.replacingOccurrences(of: "\n", with: "\r\n")] {
            let r = try xmlsecVerify(try Fixture.sign(Array(variant.utf8), with: try Fixture.signer(key, cert)))
            #expect(r.status == 0 && r.stderr.contains("OK"), "\(r.stdout) \(r.stderr)")
        }
        // The oracle does check: a changed amount fails in xmlsec1 too.
        let signed = try Fixture.sign(try Fixture.sample("SOCORDER"), with: try Fixture.signer(key, cert))
        let text = Fixture.text(signed)
        let number = try Fixture.between(text, "<number>", "</number>")
        let tampered = try Fixture.edit(signed, "<number>\(number)</number>", "<number>\(number)9</number>")
        #expect(try xmlsecVerify(tampered).status != 0)
    }

    @Test(.enabled(if: xmlsec1 != nil), arguments: ["AGREEMENT", "CONTRACT_"])
    func xmlsecVerifiesBothDocgateSignaturesOfATwoPartyDocument(_ prefix: String) throws {
        let pki = try Fixture.pki()
        let first = try Fixture.sign(try Fixture.sample(prefix), with: try Fixture.signer(pki.rsaKey, pki.rsaCert))
        let r1 = try xmlsecVerify(first)
        #expect(r1.status == 0, "\(r1.stderr)")
        let both = try Fixture.sign(first, with: try Fixture.signer(pki.ecKey, pki.ecCert))
        for node in [1, 2] {
            let r = try xmlsecVerify(both, node: node)
            #expect(r.status == 0 && r.stderr.contains("OK"), "signature \(node): \(r.stdout) \(r.stderr)")
        }
    }

    @Test(.enabled(if: xmlsec1 != nil))
    func xmlsecVerifiesADocgateSignedWindows1251Document() throws {
        let pki = try Fixture.pki()
        let cp1251 = try #require(TestPaths.sampleFiles("valid").first { file in
            (try? Fixture.bytes(file)).map { String(decoding: $0.prefix(100), as: UTF8.self).contains("windows-1251") } ?? false
        })
        let signed = try Fixture.sign(cp1251, with: try Fixture.signer(pki.ecKey, pki.ecCert))
        let r = try xmlsecVerify(signed)
        #expect(r.status == 0, "\(r.stderr)")
    }

    // MARK: docgate verifies xmlsec1

    @Test(.enabled(if: xmlsec1 != nil), arguments: [("rsa", ""), ("ec", ""), ("rsa", "dsig"), ("ec", "sig")])
    func docgateVerifiesXmlsecSingleSignerSignatures(_ algorithm: String, _ prefix: String) throws {
        let pki = try Fixture.pki()
        let (key, cert, method): (String, String, SignatureAlgorithm) =
            algorithm == "rsa" ? (pki.rsaKey, pki.rsaCert, .rsaSHA256) : (pki.ecKey, pki.ecCert, .ecdsaSHA256)
        let signed = try xmlsecSign(try Fixture.bytes(try Fixture.sample("SOCORDER")),
                                    template: Self.template(method: method, prefix: prefix, form: .enveloped),
                                    before: "</socialOrder>", key: key, cert: cert)
        let report = try Fixture.verifier().verify(bytes: signed, file: "xmlsec.xml")
        #expect(report.valid, "\(report.diagnostics.map { $0.code + " " + $0.message.en })")
        #expect(report.signatures.first?.algorithm == method)
    }

    @Test(.enabled(if: xmlsec1 != nil))
    func docgateVerifiesXmlsecInclusiveC14NSignature() throws {
        let pki = try Fixture.pki()
        let signed = try xmlsecSign(try Fixture.bytes(try Fixture.sample("RECEIPT")),
                                    template: Self.template(method: .rsaSHA256, form: .enveloped, inclusive: true),
                                    before: "</receipt>", key: pki.rsaKey, cert: pki.rsaCert)
        #expect(Fixture.text(signed).contains(DSig.inclusiveC14N))
        let report = try Fixture.verifier().verify(bytes: signed, file: "xmlsec.xml")
        #expect(report.valid, "\(report.diagnostics.map { $0.code + " " + $0.message.en })")
    }

    @Test(.enabled(if: xmlsec1 != nil))
    func docgateVerifiesTwoXmlsecSignaturesOfAnAgreement() throws {
        let pki = try Fixture.pki()
        let first = try xmlsecSign(try Fixture.bytes(try Fixture.sample("AGREEMENT")),
                                   template: Self.template(method: .rsaSHA256, prefix: "ds", form: .subtractAll),
                                   before: "</agreement>", key: pki.rsaKey, cert: pki.rsaCert)
        #expect(try Fixture.verifier().verify(bytes: first, file: "one.xml").valid)
        let both = try xmlsecSign(first, template: Self.template(method: .ecdsaSHA256, prefix: "ds", form: .subtractAll),
                                  before: "</agreement>", key: pki.ecKey, cert: pki.ecCert, node: 2)
        let report = try Fixture.verifier().verify(bytes: both, file: "two.xml")
        #expect(report.valid, "\(report.diagnostics.map { $0.code + " " + $0.message.en })")
        #expect(report.signatures.map(\.algorithm) == [.rsaSHA256, .ecdsaSHA256])
    }

    // MARK: GOST

    // No xmlsec1 interop for GOST, 256 or 512: xmlsec1 as installed here (1.2.37; Debian builds its openssl, gnutls,
    // gcrypt and nss backends without GOST) registers no GOST transform — `--list-transforms` names none, with or
    // without the GOST engine in OPENSSL_CONF — and `xmlsec1 --verify` of either vector below stops at
    // `xmlSecTransformIdListFindByHref … href=urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-512`
    // (resp. -256). GOST signatures are therefore checked against documents xmlsec signed with a GOST-capable build
    // (the vectors below) and against the openssl command line with the GOST engine, not against the xmlsec1 command.

    /// The xmlsec test vector of a key size: an enveloped signature made by another implementation.
    static func vector(_ bits: Int) -> String {
        TestPaths.vectors + "/xmlsec-gost2012-\(bits)/enveloped-gost2012-\(bits).xml"
    }

    /// The vector's root CA, taken from its own X509Data (the first certificate), as a trust anchor.
    func vectorRoot(_ bits: Int) throws -> String {
        let text = Fixture.text(try Fixture.bytes(Self.vector(bits)))
        let b64 = try Fixture.between(text, "<X509Certificate>", "</X509Certificate>")
        let dir = try TemporaryDirectory("vector")
        let der = try #require(Data(base64Encoded: b64, options: .ignoreUnknownCharacters))
        let cert = try #require(Certificate(der: [UInt8](der)))
        #expect(cert.isSelfIssued)
        return try dir.write("root.der", [UInt8](der))
    }

    @Test(arguments: [(256, SignatureAlgorithm.gost2012_256), (512, .gost2012_512)])
    func gostVectorFromAnotherImplementationVerifiesAsIs(_ bits: Int, _ algorithm: SignatureAlgorithm) throws {
        let verifier = SignatureVerifier(trust: try TrustStore(path: try vectorRoot(bits)), policy: .docgate)
        let report = try verifier.verify(file: Self.vector(bits))
        #expect(report.valid, "\(report.diagnostics.map { $0.code + " " + $0.message.en })")
        #expect(report.signatures.first?.algorithm == algorithm)
        #expect(report.signatures.first?.signer?.subject.contains("Test Key gost-2012-\(bits)") == true)
    }

    @Test(arguments: [256, 512])
    func gostVectorWithReversedOrChangedContentFails(_ bits: Int) throws {
        let verifier = SignatureVerifier(trust: try TrustStore(path: try vectorRoot(bits)), policy: .docgate)
        let original = try Fixture.bytes(Self.vector(bits))
        let text = Fixture.text(original)
        let value = try Fixture.between(text, "<SignatureValue>", "</SignatureValue>")
        let raw = try #require(Data(base64Encoded: value, options: .ignoreUnknownCharacters))
        #expect(raw.count == bits / 4)
        let reversed = Data(raw.reversed()).base64EncodedString()
        let swapped = try Fixture.edit(original, value, reversed)
        #expect(Fixture.codes(verifier.verify(bytes: swapped, file: "reversed.xml")) == ["DG4011"])
        let changed = try Fixture.edit(original, "Hello, World!", "Hello, World?")
        #expect(Fixture.codes(verifier.verify(bytes: changed, file: "changed.xml")) == ["DG4010"])
    }

    /// docgate's GOST signature checked by the openssl command line: the Streebog digest of the canonical
    /// document without its signature equals DigestValue, and the signature over the canonical SignedInfo
    /// verifies; then a signature openssl makes over the same SignedInfo is accepted by docgate. For both key sizes
    /// (Streebog-256 and -512 are the engine's md_gost12_256 and md_gost12_512).
    @Test(arguments: [256, 512])
    func gostSignatureAgreesWithTheOpensslCommandLine(_ bits: Int) throws {
        let pki = try Fixture.pki()
        let dir = try TemporaryDirectory("gost")
        defer { dir.remove() }
        let (key, cert) = bits == 512 ? (pki.gost512Key, pki.gost512Cert) : (pki.gostKey, pki.gostCert)
        let md = "-md_gost12_\(bits)"
        let signed = try Fixture.sign(try Fixture.sample("EXECREPORT"), with: try Fixture.signer(key, cert))
        let text = Fixture.text(signed)
        let sigStart = try #require(text.range(of: "<ds:Signature "))
        let sigEnd = try #require(text.range(of: "</ds:Signature>"))
        // Canonical document without the signature element (enveloped-signature + exclusive C14N), by xmllint.
        let unsigned = try dir.write("unsigned.xml", String(text[..<sigStart.lowerBound]) + String(text[sigEnd.upperBound...]))
        let c14n = try ProcessRunner.run("/usr/bin/xmllint", ["--exc-c14n", unsigned])
        #expect(c14n.status == 0)
        let canonical = try dir.write("unsigned.c14n", c14n.stdout)
        try pki.openssl(["dgst", md, "-binary", "-out", dir.file("digest.bin"), canonical], gost: true)
        let expected = try Fixture.between(text, "<ds:DigestValue>", "</ds:DigestValue>").filter { !$0.isWhitespace }
        #expect(try Fixture.bytes(dir.file("digest.bin")).count == bits / 8)
        #expect(Data(try Fixture.bytes(dir.file("digest.bin"))).base64EncodedString() == expected)
        // Canonical SignedInfo (its in-scope ds namespace declared on it), by xmllint.
        let signedInfo = "<ds:SignedInfo xmlns:ds=\"\(DSig.namespace)\">" + (try Fixture.between(text, "<ds:SignedInfo>", "</ds:SignedInfo>")) + "</ds:SignedInfo>"
        let siFile = try dir.write("si.xml", signedInfo)
        let siC14N = try ProcessRunner.run("/usr/bin/xmllint", ["--exc-c14n", siFile])
        let siCanonical = try dir.write("si.c14n", siC14N.stdout)
        let value = try #require(Data(base64Encoded: try Fixture.between(text, "<ds:SignatureValue>", "</ds:SignatureValue>"),
                                      options: .ignoreUnknownCharacters))
        #expect(value.count == bits / 4)
        _ = try dir.write("sig.bin", [UInt8](value))
        try pki.openssl(["x509", "-in", cert, "-pubkey", "-noout", "-out", dir.file("pub.pem")], gost: true)
        let verified = try pki.openssl(["dgst", md, "-verify", dir.file("pub.pem"), "-signature", dir.file("sig.bin"), siCanonical], gost: true)
        #expect(verified.stdout.contains("Verified OK"))
        // The other direction: openssl signs the same canonical SignedInfo; docgate accepts that value.
        try pki.openssl(["dgst", md, "-sign", key, "-out", dir.file("cli.bin"), siCanonical], gost: true)
        let cliValue = Data(try Fixture.bytes(dir.file("cli.bin"))).base64EncodedString()
        let oldValue = try Fixture.between(text, "<ds:SignatureValue>", "</ds:SignatureValue>")
        let replaced = try Fixture.edit(signed, oldValue, cliValue)
        #expect(cliValue != oldValue.filter { !$0.isWhitespace })
        let report = try Fixture.verifier().verify(bytes: replaced, file: "cli.xml")
        #expect(report.valid, "\(report.diagnostics.map { $0.code + " " + $0.message.en })")
    }
}
