import DocgateTestSupport
import DocgateXML
import Foundation
import Testing
import DocgateProcessing
@testable import DocgateSignature

@Suite struct SignatureTextTests {
    /// The signature written as text and the signature built in the tree give the same bytes. RSA PKCS#1 v1.5 is
    /// deterministic, so this covers the digest (with the indentation placed), the canonical SignedInfo and the
    /// written signature — over every sample, several layouts, both forms, certificate chains in X509Data.
    @Test func writingTheSignatureAsTextEqualsBuildingItInTheTree() throws {
        let pki = try Fixture.pki()
        let signers = [try Fixture.signer(pki.rsaKey, pki.rsaCert),
                       DocumentSigner(identity: try Fixture.identity(pki.rsaKey, pki.rsaCert), policy: .docgate, includeChain: false)]
        var asText = 0
        var compared = 0
        for file in TestPaths.sampleFiles("valid") {
            let original = try Fixture.bytes(file)
            let text = Fixture.text(original)
            var variants = [original]
            if !text.lowercased().contains("windows-1251") {
                if let end = text.range(of: "\n</", options: .backwards) {
                    variants.append(Array(text.replacingCharacters(in: end, with: "</").utf8))
                    variants.append(Array(text.replacingCharacters(in: end, with: "\n<!-- end -->\n</").utf8))
                }
                variants.append(Array(text.replacingOccurrences(of: "\n  ", with: "\n\t").utf8))
                variants.append(Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8))
                variants.append(Array(text.replacingOccurrences(of: "\n", with: "").utf8))
            }
            for bytes in variants {
                for signer in signers {
                    let a = try bytes.withUnsafeBytes { XMLDocument.parse($0) }.get()
                    let b = try bytes.withUnsafeBytes { XMLDocument.parse($0) }.get()
                    let fromTree = try signer.signByTree(b, parsedFrom: bytes).get()
                    if let written = signer.signAsText(a, parsedFrom: bytes) {
                        #expect(try written.get() == fromTree, "\(file)")
                        asText += 1
                    }
                    compared += 1
                }
            }
        }
        // Every indented variant takes the text path; the one-line ones fall back to the tree.
        #expect(compared >= 60)
        #expect(asText >= compared * 2 / 3)
    }

    /// The walk that digests the document for the text path also looks for earlier signatures and duplicated ids,
    /// anywhere below the root: a document with either is left to the tree path (which signs after the first
    /// signature, or refuses duplicated ids with DG4006); an element named Signature in another namespace and
    /// distinct ids change nothing.
    @Test func earlierSignaturesAndDuplicatedIdsAnywhereLeaveTheTextPath() throws {
        let pki = try Fixture.pki()
        let signer = try Fixture.signer(pki.rsaKey, pki.rsaCert)
        let ds = "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\""
        func textPathTaken(_ xml: String) throws -> Bool {
            let bytes = Array(xml.utf8)
            let document = try bytes.withUnsafeBytes { XMLDocument.parse($0) }.get()
            return signer.signAsText(document, parsedFrom: bytes) != nil
        }
        #expect(try textPathTaken("<r xmlns=\"urn:x\" id=\"a\">\n  <item Id=\"b\">1</item>\n  <item>2</item>\n</r>\n"))
        #expect(try textPathTaken("<r xmlns=\"urn:x\">\n  <item><Signature xmlns=\"urn:other\"/></item>\n  <item>2</item>\n</r>\n"))
        #expect(try !textPathTaken("<r xmlns=\"urn:x\">\n  <item><a><ds:Signature \(ds)/></a></item>\n  <item>2</item>\n</r>\n"))
        #expect(try !textPathTaken("<r xmlns=\"urn:x\">\n  <item>1</item>\n  <ds:Signature \(ds)/>\n</r>\n"))
        let duplicated = "<r xmlns=\"urn:x\" id=\"a\">\n  <item>1</item>\n  <item><b ID=\"a\"/></item>\n</r>\n"
        #expect(try !textPathTaken(duplicated))
        guard case .failure(let failure) = signer.sign(bytes: Array(duplicated.utf8)) else {
            Issue.record("a document with duplicated ids was signed")
            return
        }
        #expect(failure.diagnostics.map(\.code) == ["DG4006"])
    }
}
