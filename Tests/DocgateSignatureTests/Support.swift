import DocgateCore
import DocgateCrypto
import DocgateDocuments
import DocgateProcessing
import DocgateSignature
import DocgateTestSupport
import Foundation
import Testing

/// Shared helpers: signers and verifiers over the test PKI, samples by kind, text edits on signed documents.
enum Fixture {
    static func pki() throws -> TestPKI { try TestPKI.shared() }

    static func identity(_ key: String, _ cert: String) throws -> SigningIdentity {
        try SigningIdentity.load(keyPath: key, certificatePath: cert, passphrase: nil)
    }

    static func signer(_ key: String, _ cert: String) throws -> DocumentSigner {
        DocumentSigner(identity: try identity(key, cert), policy: .docgate)
    }

    /// A verifier over the test CA; unless `strict`, every test signer may sign for every sample party
    /// (`TestPKI.everyPartySigners`), for the tests about something other than who signs.
    static func verifier(trust: String? = nil, at time: Int64? = nil, strict: Bool = false) throws -> SignatureVerifier {
        SignatureVerifier(trust: try TrustStore(path: trust ?? pki().caCert), policy: .docgate, time: time,
                          signers: strict ? SignerMapping() : try SignerMapping(path: pki().everyPartySigners))
    }

    /// The first valid sample whose file name starts with `prefix`.
    static func sample(_ prefix: String, index: Int = 0) throws -> String {
        let files = TestPaths.sampleFiles("valid").filter { ($0 as NSString).lastPathComponent.hasPrefix(prefix) }
        return try #require(files.dropFirst(index).first)
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try #require(FileManager.default.contents(atPath: path)))
    }

    static func sign(_ path: String, with signer: DocumentSigner) throws -> [UInt8] {
        try sign(bytes(path), with: signer)
    }

    static func sign(_ bytes: [UInt8], with signer: DocumentSigner) throws -> [UInt8] {
        switch signer.sign(bytes: bytes) {
        case .success(let out): return out
        case .failure(let f):
            Issue.record("signing failed: \(f.diagnostics.map { $0.code + " " + $0.message.en })")
            throw f
        }
    }

    static func codes(_ report: VerificationReport) -> Set<String> {
        Set(report.diagnostics.filter(\.isError).map(\.code))
    }

    /// Replaces the first occurrence of `target` (which must be there) in UTF-8 text.
    static func edit(_ bytes: [UInt8], _ target: String, _ replacement: String) throws -> [UInt8] {
        let text = String(decoding: bytes, as: UTF8.self)
        let range = try #require(text.range(of: target), "'\(target)' not found")
        return Array(text.replacingCharacters(in: range, with: replacement).utf8)
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// The text between `open` and `close` (exclusive) at their first occurrence.
    static func between(_ text: String, _ open: String, _ close: String) throws -> String {
        let a = try #require(text.range(of: open))
        let b = try #require(text.range(of: close, range: a.upperBound..<text.endIndex))
        return String(text[a.upperBound..<b.lowerBound])
    }
}
