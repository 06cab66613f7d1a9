import DocgateCrypto
import DocgateSignature
import DocgateTestSupport
import DocgateXML
import Foundation
import Testing

/// Signing and verifying digest the canonical form written during the parse when they can; the result must be
/// what canonicalizing the tree gives, whatever the document's layout.
@Suite struct CapturedDigestTests {
    /// RSA PKCS#1 v1.5 is deterministic, so signing from the captured form and from the tree must give the same
    /// bytes — for every sample, indented or written on one line, with and without closing whitespace, and for the
    /// second signature of two-party documents.
    @Test func signingFromTheCaptureEqualsSigningFromTheTree() throws {
        let pki = try Fixture.pki()
        let signer = try Fixture.signer(pki.rsaKey, pki.rsaCert)
        func fromTree(_ bytes: [UInt8]) throws -> [UInt8] {
            let document = try bytes.withUnsafeBytes { XMLDocument.parse($0) }.get()
            return try signer.sign(document, parsedFrom: bytes).get()
        }
        var compared = 0
        for file in TestPaths.sampleFiles("valid") {
            let original = try Fixture.bytes(file)
            let text = Fixture.text(original)
            var variants = [original]
            if text.lowercased().contains("windows-1251") {
                // Compared as they are (the edits below work on UTF-8 text).
                let captured = try signer.sign(bytes: original).get()
                #expect(captured == (try fromTree(original)), "\(file)")
                continue
            }
            // No closing whitespace before the root's end tag, and the whole document on one line.
            if let end = text.range(of: "\n</", options: .backwards) {
                variants.append(Array(text.replacingCharacters(in: end, with: "</").utf8))
            }
            variants.append(Array(text.replacingOccurrences(of: "\n", with: "").utf8))
            for bytes in variants {
                let captured = try signer.sign(bytes: bytes).get()
                #expect(captured == (try fromTree(bytes)), "\(file)")
                if Fixture.text(captured).contains(DSig.filter2) {
                    // The second party signs what the first signed.
                    let second = try Fixture.signer(pki.otherKey, pki.otherCert)
                    let twice = try second.sign(bytes: captured).get()
                    let document = try captured.withUnsafeBytes { XMLDocument.parse($0) }.get()
                    #expect(twice == (try second.sign(document, parsedFrom: captured).get()), "\(file)")
                }
                compared += 1
            }
        }
        #expect(compared >= 30)
    }

    /// The verdict from the captured form equals the verdict from the tree, for documents that verify and for
    /// documents changed after signing (in the content, in the closing whitespace, by a nested signature).
    @Test func verifyingFromTheCaptureEqualsVerifyingFromTheTree() throws {
        let pki = try Fixture.pki()
        let verifier = try Fixture.verifier()
        let signed = try Fixture.sign(try Fixture.sample("EXECREPORT"), with: try Fixture.signer(pki.ecKey, pki.ecCert))
        let text = Fixture.text(signed)
        let endTag = try #require(text.range(of: "</", options: .backwards))
        let variants: [[UInt8]] = [
            signed,
            Array(text.replacingCharacters(in: endTag, with: "\n</").utf8),
            Array(text.replacingCharacters(in: endTag, with: "<ds:Signature xmlns:ds=\"\(DSig.namespace)\"/></").utf8),
            try Fixture.edit(signed, "<ds:Signature", "<extra><ds:Signature xmlns:ds=\"\(DSig.namespace)\"/></extra><ds:Signature"),
        ]
        var valid = 0
        for bytes in variants {
            let document = try bytes.withUnsafeBytes { XMLDocument.parse($0) }.get()
            let fromTree = verifier.verify(document, file: "x")
            let captured = verifier.verify(bytes: bytes, file: "x")
            #expect(Set(captured.diagnostics.map(\.code)) == Set(fromTree.diagnostics.map(\.code)))
            if captured.valid { valid += 1 }
        }
        #expect(valid == 1)
    }
}
