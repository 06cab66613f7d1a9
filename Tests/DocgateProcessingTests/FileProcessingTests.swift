import DocgateCore
import DocgateCrypto
import DocgateDocuments
import DocgateProcessing
import DocgateSignature
import DocgateTestSupport
import DocgateXML
import Foundation
import Testing

/// The processor over files: read with limits, process, write atomically — what `sign --out-dir`, `validate` and
/// `generate` run on.
@Suite struct FileProcessingTests {
    let validator: DocumentValidator

    init() throws {
        validator = try DocumentValidator(schemaDirectory: TestPaths.schemas)
    }

    func sample(_ prefix: String) throws -> String {
        try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix(prefix) })
    }

    @Test func aSignedDocumentIsWrittenAndAnInvalidOneIsNot() throws {
        let dir = try TemporaryDirectory("process-file")
        defer { dir.remove() }
        let pki = try TestPKI.shared()
        let steps = DocumentProcessor.Steps(sign: DocumentSigner(identity: try SigningIdentity.load(keyPath: pki.ecKey, certificatePath: pki.ecCert,
                                                                                                      passphrase: nil), policy: .docgate))
        let processor = DocumentProcessor(validator: validator)
        let target = dir.path + "/signed.xml"
        guard case .written(let output) = processor.process(file: try sample("SOCORDER"), steps: steps, writingTo: target) else {
            Issue.record("the valid order was not written")
            return
        }
        #expect(output == target)
        #expect(try String(contentsOfFile: target, encoding: .utf8).contains("SignatureValue"))
        let broken = try dir.write("broken.xml", try String(contentsOfFile: try sample("SOCORDER"), encoding: .utf8)
            .replacingOccurrences(of: "<inn>2466012340</inn>", with: "<inn>2466012341</inn>"))
        let refusedTarget = dir.path + "/refused.xml"
        guard case .refused(_, let diagnostics, let invalid) = processor.process(file: broken, steps: steps, writingTo: refusedTarget) else {
            Issue.record("the invalid order was not refused")
            return
        }
        #expect(invalid && diagnostics.contains { $0.isError })
        #expect(!FileManager.default.fileExists(atPath: refusedTarget))
        // A directory where a document was expected is a failure to read, not a document.
        guard case .failed(let file, _) = processor.process(file: dir.path, steps: steps, writingTo: dir.path + "/x.xml") else {
            Issue.record("a directory was processed")
            return
        }
        #expect(file == dir.path)
    }

    @Test func validationAgainstAContextSeesTheOtherDocuments() throws {
        let processor = DocumentProcessor(validator: validator)
        let order = try sample("SOCORDER")
        guard case .success(let known??) = Result(catching: { try processor.contextDocument(file: order).get() }) else {
            Issue.record("the order is not a context document")
            return
        }
        // Checked against a context that holds it, the order is not its own duplicate (the context knows it by its
        // real path); a copy elsewhere is the same document again (DG3107).
        let dir = try TemporaryDirectory("context-file")
        defer { dir.remove() }
        let copy = try dir.write("copy.xml", [UInt8](try Data(contentsOf: URL(fileURLWithPath: order))))
        let context = DocumentContext([known])
        let link = dir.file("link.xml")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: order)
        guard case .checked(let itself) = processor.validate(file: link, context: context),
              case .checked(let again) = processor.validate(file: copy, context: context) else {
            Issue.record("the order was not checked")
            return
        }
        #expect(!itself.diagnostics.contains { $0.code == "DG3107" }, "\(itself.diagnostics.map(\.code))")
        #expect(again.diagnostics.contains { $0.code == "DG3107" }, "\(again.diagnostics.map(\.code))")
        guard case .unreadable = processor.validate(file: "/nonexistent/order.xml") else {
            Issue.record("a missing file was not unreadable")
            return
        }
    }
}

/// Steps that build a tree read no more than a tree may hold: a file over the tree cap is refused from its size,
/// before it is read whole (a signing batch of large files would otherwise hold each of them in memory).
@Suite struct TreeCapReadTests {
    @Test func aFileOverTheTreeCapIsNotReadForSigningButIsForValidation() throws {
        let dir = try TemporaryDirectory("tree-cap-read")
        defer { dir.remove() }
        let order = try #require(TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix("SOCORDER") })
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: order)))
        let path = try dir.write("order.xml", bytes)
        let validator = try DocumentValidator(schemaDirectory: TestPaths.schemas, limits: XMLLimits(maxTreeBytes: bytes.count - 1))
        let processor = DocumentProcessor(validator: validator)
        let pki = try TestPKI.shared()
        let signing = DocumentProcessor.Steps(sign: DocumentSigner(identity: try SigningIdentity.load(keyPath: pki.ecKey, certificatePath: pki.ecCert,
                                                                                                        passphrase: nil), policy: .docgate))
        let forSigning = processor.read(path, for: signing)
        #expect(forSigning.map(\.count) == .failure(.tooLarge(bytes.count)))
        // Validation streams: the tree cap does not apply to it.
        #expect(processor.read(path, for: .init()).map(\.count) == .success(bytes.count))
        // The refusal is the document's (DG1015, exit 1), as verify reports a file over the cap.
        guard case .refused(_, let diagnostics, let invalid) = processor.process(file: path, steps: signing, writingTo: dir.file("out.xml")) else {
            Issue.record("a file over the tree cap was signed or failed to read")
            return
        }
        #expect(invalid && diagnostics.map(\.code) == ["DG1015"], "\(diagnostics)")
    }
}
