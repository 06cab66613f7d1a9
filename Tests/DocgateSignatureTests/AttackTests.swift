import DocgateCore
import DocgateCrypto
import DocgateProcessing
import DocgateSignature
import DocgateTestSupport
import Foundation
import Testing

/// Every attack of issue 3 is rejected with its own code; benign changes still verify.
@Suite struct AttackTests {
    /// A social order signed with RSA (single-signer form), as text.
    func signedOrder() throws -> [UInt8] {
        let pki = try Fixture.pki()
        return try Fixture.sign(try Fixture.sample("SOCORDER"), with: try Fixture.signer(pki.rsaKey, pki.rsaCert))
    }

    func verify(_ bytes: [UInt8]) throws -> VerificationReport {
        try Fixture.verifier().verify(bytes: bytes, file: "attack.xml")
    }

    func rootId(_ text: String) throws -> String {
        try Fixture.between(text, " id=\"", "\"")
    }

    @Test func unchangedDocumentVerifies() throws {
        #expect(try verify(try signedOrder()).valid)
    }

    @Test func contentChangedAfterSigning() throws {
        let signed = try signedOrder()
        let number = try Fixture.between(Fixture.text(signed), "<number>", "</number>")
        let changed = try Fixture.edit(signed, "<number>\(number)</number>", "<number>\(number)1</number>")
        #expect(Fixture.codes(try verify(changed)) == ["DG4010"])
    }

    /// A comment inserted into signed text after signing (outside exclusive C14N without comments, so the digest
    /// still matches): an importer reading the first text node would see a truncated value. Refused (DG4013), also
    /// when several comments and instructions are chained, and in CDATA-adjacent text.
    @Test(arguments: ["<!---->", "<!--a--><!--b-->", "<!--a--><?pi x?>"])
    func commentSplittingSignedText(_ insert: String) throws {
        let signed = try signedOrder()
        let number = try Fixture.between(Fixture.text(signed), "<number>", "</number>")
        let split = try Fixture.edit(signed, "<number>\(number)</number>",
                                     "<number>\(number.prefix(1))\(insert)\(number.dropFirst())</number>")
        let report = try verify(split)
        #expect(!report.valid)
        #expect(Fixture.codes(report).contains("DG4013"))
    }

    /// A comment between elements splits no text: the signature verifies, with a warning.
    @Test func commentBetweenElementsIsAWarning() throws {
        let signed = try signedOrder()
        let commented = try Fixture.edit(signed, "<number>", "<!-- note --><number>")
        let report = try verify(commented)
        #expect(report.valid)
        #expect(report.diagnostics.map(\.code) == ["DG4014"])
        #expect(report.diagnostics.first?.severity == .warning)
    }

    @Test func signatureValueChanged() throws {
        let signed = try signedOrder()
        let value = try Fixture.between(Fixture.text(signed), "<ds:SignatureValue>", "</ds:SignatureValue>")
        let flipped = (value.first == "A" ? "B" : "A") + value.dropFirst()
        #expect(Fixture.codes(try verify(try Fixture.edit(signed, value, flipped))) == ["DG4011"])
    }

    @Test func signedInfoChangedAfterSigning() throws {
        let signed = try signedOrder()
        let digest = try Fixture.between(Fixture.text(signed), "<ds:DigestValue>", "</ds:DigestValue>")
        // A DigestValue recomputed for forged content still breaks the signature over SignedInfo.
        let forged = Data(repeating: 7, count: 32).base64EncodedString()
        let codes = Fixture.codes(try verify(try Fixture.edit(signed, digest, forged)))
        #expect(codes == ["DG4010", "DG4011"])
    }

    /// The signed document moved under a wrapper inside a forged root that shows other content: the
    /// signature stays where the profile wants it, but it covers the whole (forged) document.
    @Test func signedContentWrappedUnderAForgedRoot() throws {
        let signed = try signedOrder()
        let text = Fixture.text(signed)
        let rootStart = try #require(text.range(of: "<socialOrder"))
        let rootOpenEnd = try #require(text.range(of: ">", range: rootStart.upperBound..<text.endIndex))
        let sigStart = try #require(text.range(of: "<ds:Signature "))
        let original = String(text[rootOpenEnd.upperBound..<sigStart.lowerBound])
        let number = try Fixture.between(text, "<number>", "</number>")
        let forged = original.replacingOccurrences(of: "<number>\(number)</number>", with: "<number>ПОДДЕЛКА</number>")
        let wrapped = String(text[..<rootOpenEnd.upperBound]) + forged + "<wrapper>" + original + "</wrapper>"
            + String(text[sigStart.lowerBound...])
        #expect(Fixture.codes(try verify(Array(wrapped.utf8))).contains("DG4010"))
        // The other wrapping: the untouched signed document with its signature inside a wrapper under a forged root.
        let body = String(text[text.range(of: "<socialOrder")!.lowerBound...])
        let outer = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + String(body[..<body.range(of: ">")!.upperBound])
            + forged + "<wrapper>" + body + "</wrapper></socialOrder>\n"
        #expect(Fixture.codes(try verify(Array(outer.utf8))).contains("DG4007"))
    }

    @Test func referenceToAnIdThatIsNotTheRoot() throws {
        let signed = try signedOrder()
        #expect(Fixture.codes(try verify(try Fixture.edit(signed, "URI=\"\"", "URI=\"#header\""))) == ["DG4004"])
        // Pointing at the root's own id is allowed by the profile (and then fails only on the changed SignedInfo).
        let id = try rootId(Fixture.text(signed))
        #expect(Fixture.codes(try verify(try Fixture.edit(signed, "URI=\"\"", "URI=\"#\(id)\""))) == ["DG4011"])
    }

    @Test func duplicatedIds() throws {
        let signed = try signedOrder()
        let id = try rootId(Fixture.text(signed))
        let dup = try Fixture.edit(signed, "<header>", "<header id=\"\(id)\">")
        #expect(Fixture.codes(try verify(dup)).contains("DG4006"))
    }

    /// With one signature in its place the walk that digests the document also looks for other signatures and
    /// ids; what it does not cover is still found: a second ds:Signature deep in the content, an id on the
    /// signature or inside it equal to the root's, a signature nested in the signature.
    @Test func signaturesAndIdsOutsideTheDigestedContent() throws {
        let signed = try signedOrder()
        let id = try rootId(Fixture.text(signed))
        let nested = try Fixture.edit(signed, "</header>", "<ds:Signature xmlns:ds=\"\(DSig.namespace)\"/></header>")
        #expect(Fixture.codes(try verify(nested)).contains("DG4007"))
        // Outside the signed content, so the duplicate is the only fault.
        let onSignature = try Fixture.edit(signed, "<ds:Signature ", "<ds:Signature Id=\"\(id)\" ")
        #expect(Fixture.codes(try verify(onSignature)) == ["DG4006"])
        let inKeyInfo = try Fixture.edit(signed, "<ds:KeyInfo>", "<ds:KeyInfo Id=\"\(id)\">")
        #expect(Fixture.codes(try verify(inKeyInfo)).contains("DG4006"))
        // KeyInfo may carry other elements than X509Data (they are not read).
        let inside = try Fixture.edit(signed, "<ds:KeyInfo>", "<ds:KeyInfo><ds:Signature/>")
        #expect(Fixture.codes(try verify(inside)).contains("DG4007"))
        // A signature whose check stops before the digest (SHA-1 refused) walks nothing: the ids are still scanned.
        let stopped = try Fixture.edit(try Fixture.edit(signed, "<header>", "<header id=\"\(id)\">"),
                                       "http://www.w3.org/2001/04/xmlenc#sha256", "http://www.w3.org/2000/09/xmldsig#sha1")
        #expect(Fixture.codes(try verify(stopped)).contains("DG4006"))
    }

    @Test func extraUnsignedSignature() throws {
        let signed = try signedOrder()
        let extra = try Fixture.edit(signed, "</socialOrder>",
            "<ds:Signature xmlns:ds=\"\(DSig.namespace)\"><ds:SignedInfo/><ds:SignatureValue/></ds:Signature></socialOrder>")
        let codes = Fixture.codes(try verify(extra))
        #expect(codes.contains("DG4007"))
        #expect(codes.contains("DG4002"))
    }

    @Test func extraForgedSignatureOnATwoPartyDocument() throws {
        let pki = try Fixture.pki()
        let first = try Fixture.sign(try Fixture.sample("AGREEMENT"), with: try Fixture.signer(pki.rsaKey, pki.rsaCert))
        // A signature by a key from a CA the gateway does not trust.
        let forged = try Fixture.sign(first, with: try Fixture.signer(pki.otherKey, pki.otherCert))
        let report = try verify(forged)
        #expect(report.signatures[0].valid)
        #expect(Fixture.codes(report) == ["DG4020"])
        // A copy of the first signature appended as the "second party".
        let text = Fixture.text(first)
        let sig = String(text[text.range(of: "<ds:Signature ")!.lowerBound..<text.range(of: "</ds:Signature>")!.upperBound])
        let copied = try Fixture.edit(first, "</ds:Signature>", "</ds:Signature>" + sig)
        #expect(Fixture.codes(try verify(copied)) == ["DG4007"])
    }

    @Test(arguments: ["http://example.org/order.xml", "file:///etc/passwd", "order.xml", "#xpointer(/)"])
    func externalReferenceURI(_ uri: String) throws {
        let signed = try signedOrder()
        #expect(Fixture.codes(try verify(try Fixture.edit(signed, "URI=\"\"", "URI=\"\(uri)\""))) == ["DG4004"])
    }

    @Test func xsltTransform() throws {
        let signed = try signedOrder()
        let xslt = "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xslt-19991116\"><xsl:stylesheet xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\" version=\"1.0\"/></ds:Transform>"
        let attacked = try Fixture.edit(signed, "<ds:Transforms>", "<ds:Transforms>" + xslt)
        #expect(Fixture.codes(try verify(attacked)) == ["DG4003"])
    }

    @Test(arguments: ["not(ancestor-or-self::ds:Signature) or self::node()", "self::text()", "//ds:Signature"])
    func xpathTransforms(_ expression: String) throws {
        let signed = try signedOrder()
        let xpath = "<ds:Transform Algorithm=\"\(DSig.xpath)\"><ds:XPath>\(expression)</ds:XPath></ds:Transform>"
        let attacked = try Fixture.edit(signed, "<ds:Transforms>", "<ds:Transforms>" + xpath)
        #expect(Fixture.codes(try verify(attacked)) == ["DG4003"])
    }

    @Test(arguments: [("http://www.w3.org/2001/04/xmlenc#sha256", "http://www.w3.org/2000/09/xmldsig#sha1"),
                      ("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "http://www.w3.org/2000/09/xmldsig#rsa-sha1")])
    func sha1Algorithms(_ from: String, _ to: String) throws {
        let signed = try signedOrder()
        #expect(Fixture.codes(try verify(try Fixture.edit(signed, from, to))) == ["DG4003"])
    }

    @Test func certificateFromAnUntrustedCA() throws {
        let pki = try Fixture.pki()
        let signed = try Fixture.sign(try Fixture.sample("SOCORDER"), with: try Fixture.signer(pki.otherKey, pki.otherCert))
        #expect(Fixture.codes(try verify(signed)) == ["DG4020"])
        // The same document verifies against a trust store that holds that CA.
        #expect(try Fixture.verifier(trust: pki.otherCACert).verify(bytes: signed, file: "x").valid)
    }

    @Test func expiredCertificate() throws {
        let pki = try Fixture.pki()
        let signed = try Fixture.sign(try Fixture.sample("SOCORDER"), with: try Fixture.signer(pki.rsaKey, pki.expiredCert))
        #expect(Fixture.codes(try verify(signed)) == ["DG4021"])
    }

    @Test func keyUsageWithoutSigning() throws {
        let pki = try Fixture.pki()
        let signed = try Fixture.sign(try Fixture.sample("SOCORDER"), with: try Fixture.signer(pki.rsaKey, pki.noSigningCert))
        #expect(Fixture.codes(try verify(signed)) == ["DG4023"])
    }

    /// A web server's certificate (CN=www.example.org, extended key usage serverAuth only) from the trusted CA is
    /// not a document signer's: refused (issue 15's first attack).
    @Test func tlsOnlyCertificateIsNotASigner() throws {
        let pki = try Fixture.pki()
        let signed = try Fixture.sign(try Fixture.sample("SOCORDER"), with: try Fixture.signer(pki.rsaKey, pki.tlsCert))
        let report = try verify(signed)
        #expect(Fixture.codes(report) == ["DG4023"])
        #expect(report.diagnostics.contains { $0.message.en.contains("TLS only") })
    }

    /// serverAuth beside another purpose is not "TLS only".
    @Test func tlsBesideAnotherPurposeIsAccepted() throws {
        let pki = try Fixture.pki()
        let signed = try Fixture.sign(try Fixture.sample("SOCORDER"), with: try Fixture.signer(pki.rsaKey, pki.tlsAndSigningCert))
        #expect(try verify(signed).valid)
    }

    /// A CRL in the trust file is used: a revoked signer is refused (DG4026), a signer not on it verifies, and a
    /// CRL past its nextUpdate fails closed (DG4027).
    @Test func revocationFromACRLInTheTrustFile() throws {
        let pki = try Fixture.pki()
        let fresh = SignatureVerifier(trust: try TrustStore(path: pki.caWithCRL), policy: .docgate)
        let stale = SignatureVerifier(trust: try TrustStore(path: pki.caWithStaleCRL), policy: .docgate)
        let revoked = try Fixture.sign(try Fixture.sample("SOCORDER"), with: try Fixture.signer(pki.rsaKey, pki.revokedCert))
        let good = try signedOrder()
        #expect(Fixture.codes(fresh.verify(bytes: revoked, file: "r.xml")) == ["DG4026"])
        #expect(fresh.verify(bytes: good, file: "g.xml").valid)
        #expect(Fixture.codes(stale.verify(bytes: good, file: "g.xml")) == ["DG4027"])
        // Without the CRL the revoked signer would pass: the CRL is what refuses it.
        #expect(try verify(revoked).valid)
    }

    @Test func noKeyInfo() throws {
        let signed = try signedOrder()
        let text = Fixture.text(signed)
        let keyInfo = String(text[text.range(of: "<ds:KeyInfo>")!.lowerBound..<text.range(of: "</ds:KeyInfo>")!.upperBound])
        #expect(Fixture.codes(try verify(try Fixture.edit(signed, keyInfo, ""))) == ["DG4005"])
    }

    @Test func unsignedDocument() throws {
        let report = try Fixture.verifier().verify(file: try Fixture.sample("SOCORDER"))
        #expect(Fixture.codes(report) == ["DG4001"])
    }

    @Test func keyOfAnotherAlgorithmThanTheSignatureMethod() throws {
        let pki = try Fixture.pki()
        let signed = try Fixture.sign(try Fixture.sample("SOCORDER"), with: try Fixture.signer(pki.ecKey, pki.ecCert))
        let attacked = try Fixture.edit(signed, SignatureAlgorithm.ecdsaSHA256.uri, SignatureAlgorithm.rsaSHA256.uri)
        #expect(Fixture.codes(try verify(attacked)) == ["DG4012"])
    }

    // MARK: benign

    @Test func reindentedSignatureElementStillVerifies() throws {
        let signed = try signedOrder()
        var text = Fixture.text(signed)
        // Re-wrap the base64 of SignatureValue and the certificate, re-indent KeyInfo: none of it is signed.
        let value = try Fixture.between(text, "<ds:SignatureValue>", "</ds:SignatureValue>")
        text = text.replacingOccurrences(of: value, with: "\n" + value.replacingOccurrences(of: "\n", with: "").chunked(64).joined(separator: "\n") + "\n")
        text = text.replacingOccurrences(of: "<ds:KeyInfo>\n      <ds:X509Data>", with: "<ds:KeyInfo>\n\t\t<ds:X509Data>")
        #expect(try verify(Array(text.utf8)).valid)
        // Whitespace inside the signed content is content: it must fail.
        let header = try Fixture.edit(signed, "<header>", "<header>\n   ")
        #expect(Fixture.codes(try verify(header)) == ["DG4010"])
    }

    @Test func namespacePrefixStyleOfTheDocumentDoesNotMatter() throws {
        // The business document written with a prefix instead of a default namespace, signed and verified.
        let pki = try Fixture.pki()
        let source = Fixture.text(try Fixture.bytes(try Fixture.sample("RECEIPT")))
        let ns = try Fixture.between(source, "<receipt xmlns=\"", "\"")
        var prefixed = source.replacingOccurrences(of: "<receipt xmlns=\"\(ns)\"", with: "<r:receipt xmlns:r=\"\(ns)\"")
        prefixed = prefixed.replacingOccurrences(of: "</receipt>", with: "</r:receipt>")
        prefixed = prefixed.replacingOccurrences(of: #"<(/?)([a-zA-Z][A-Za-z0-9]*)([ >/])"#, with: "<$1r:$2$3", options: .regularExpression)
            .replacingOccurrences(of: "<r:r:", with: "<r:").replacingOccurrences(of: "</r:r:", with: "</r:")
        let signed = try Fixture.sign(Array(prefixed.utf8), with: try Fixture.signer(pki.ecKey, pki.ecCert))
        #expect(Fixture.text(signed).contains("<r:receipt"))
        #expect(try verify(signed).valid)
    }
}

extension String {
    func chunked(_ size: Int) -> [String] {
        var out: [String] = []
        var current = ""
        for c in self {
            current.append(c)
            if current.count == size { out.append(current); current = "" }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}
