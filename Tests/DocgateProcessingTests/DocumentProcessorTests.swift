import DocgateCore
import DocgateDocuments
import DocgateProcessing
import DocgateSignature
import DocgateCrypto
import DocgateTestSupport
import Foundation
import Testing

/// One document's way through docgate: what is asked for is done, what is not is not.
@Suite struct DocumentProcessorTests {
    let validator: DocumentValidator
    let pki: TestPKI

    init() throws {
        validator = try DocumentValidator(schemaDirectory: TestPaths.schemas)
        pki = try TestPKI.shared()
    }

    func sample(_ prefix: String) throws -> [UInt8] {
        let path = try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix(prefix) })
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func signer() throws -> DocumentSigner {
        DocumentSigner(identity: try SigningIdentity.load(keyPath: pki.ecKey, certificatePath: pki.ecCert, passphrase: nil), policy: .docgate)
    }

    @Test func validationAloneGivesTheBytesBack() throws {
        let order = try sample("SOCORDER")
        let outcome = DocumentProcessor(validator: validator).process(order, file: "o.xml", steps: .init())
        #expect(outcome.output == order)
        #expect(outcome.report?.kind == .socialOrder)
        // A decision after validation (a route refusing the kind) stops the document.
        let refused = DocumentProcessor(validator: validator).process(order, file: "o.xml", steps: .init()) { _ in
            [Diagnostic(code: "DG5030", message: LocalizedText(ru: "не принимается", en: "not accepted"))]
        }
        #expect(refused.output == nil && refused.diagnostics.map(\.code) == ["DG5030"])
    }

    @Test func signingOnlyTheKindsAskedFor() throws {
        let order = try sample("SOCORDER")
        let processor = DocumentProcessor(validator: validator)
        let signed = processor.process(order, file: "o.xml", steps: .init(sign: try signer()))
        #expect(signed.output.map { String(decoding: $0, as: UTF8.self).contains("SignatureValue") } == true)
        let others = processor.process(order, file: "o.xml", steps: .init(sign: try signer(), signKinds: [.agreement]))
        #expect(others.output == order)
        // An invalid document is neither signed nor given back.
        let broken = Array(String(decoding: order, as: UTF8.self).replacingOccurrences(of: "<inn>2466012340</inn>", with: "<inn>2466012341</inn>").utf8)
        let refused = processor.process(broken, file: "o.xml", steps: .init(sign: try signer()))
        #expect(refused.output == nil && !refused.signingRefused && refused.diagnostics.contains { $0.code == "DG3001" })
    }

    /// A signature the processor is about to add is not demanded of the document on arrival; others are.
    @Test func theSignatureItAddsIsNotRequiredOnArrival() throws {
        let agreement = try sample("AGREEMENT")
        let verifier = SignatureVerifier(trust: try TrustStore(path: pki.caCert), policy: .docgate,
                                         signers: try SignerMapping(path: pki.everyPartySigners))
        let byGrantor = try signer().sign(bytes: agreement).get()
        let processor = DocumentProcessor(validator: validator)
        let strict = processor.process(byGrantor, file: "a.xml", steps: .init(verify: (verifier, nil, true)))
        #expect(strict.diagnostics.contains { $0.code == "DG4036" && $0.isError })
        let completing = processor.process(byGrantor, file: "a.xml", steps: .init(verify: (verifier, nil, true), sign: try signer()))
        #expect(!completing.diagnostics.contains { $0.code == "DG4036" && $0.isError }, "\(completing.diagnostics.map(\.code))")
    }

    @Test func aSpecialFileIsNotRead() throws {
        let dir = try TemporaryDirectory("processor")
        defer { dir.remove() }
        #expect(mkfifo(dir.file("p.xml"), 0o600) == 0)
        #expect(DocumentProcessor(validator: validator).read(dir.file("p.xml")) == .failure(.unreadable(EINVAL)))
    }
}
