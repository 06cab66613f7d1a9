import DocgateCrypto
import DocgateDocuments
import DocgateProcessing
import DocgateSignature
import DocgateTestSupport
import DocgateXML
import Foundation
import Testing

/// Every input a fuzzer found (Tests/FuzzRegressions/TARGET/) goes through its target's entry point again: the
/// process must come back with a verdict.
@Suite struct FuzzRegressionTests {
    static let root = TestPaths.root + "/Tests/FuzzRegressions"

    static func inputs(_ target: String) -> [String] {
        let dir = root + "/" + target
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted().map { dir + "/" + $0 }
    }

    @Test func theRegressionCorpusIsThere() {
        #expect(!Self.inputs("gate").isEmpty && !Self.inputs("tree").isEmpty && !Self.inputs("signature").isEmpty)
    }

    @Test(arguments: inputs("gate"))
    func gate(_ path: String) throws {
        let validator = try DocumentValidator(schemaDirectory: TestPaths.schemas)
        let report = validator.validate(bytes: try Fixture.bytes(path), file: "fuzz.xml")
        #expect(!report.valid)
    }

    @Test(arguments: inputs("tree"))
    func tree(_ path: String) throws {
        let bytes = try Fixture.bytes(path)
        if case .success(let doc) = bytes.withUnsafeBytes({ XMLDocument.parse($0) }) { _ = doc.canonicalData() }
    }

    @Test(arguments: inputs("signature"))
    func signature(_ path: String) throws {
        let trust = try TrustStore(path: TestPaths.vectors + "/xmlsec-gost2012-256/gost-2012-256-cert.pem")
        #expect(!SignatureVerifier(trust: trust, policy: .docgate).verify(bytes: try Fixture.bytes(path), file: "fuzz.xml").valid)
    }
}
