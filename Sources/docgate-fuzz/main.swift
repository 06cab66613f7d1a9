// libFuzzer harnesses for every entry point that takes outside bytes (scripts/fuzz builds and runs them).
//
// Built only with `-sanitize=fuzzer,address -DFUZZING` (scripts/fuzz, in .build-fuzz); a plain `swift build` makes a
// program that says so and exits 2. The target is chosen by DOCGATE_FUZZ_TARGET; DOCGATE_FUZZ_ROOT is the checkout
// (Schemas/, Samples/, Tests/Vectors/).
#if FUZZING
import DocgateCore
import DocgateDocuments
import DocgateGateway
import DocgateProcessing
import DocgateSignature
import DocgateCrypto
import DocgateXML
import FoundationEssentials
import Glibc

enum FuzzTarget: String, CaseIterable {
    /// The input gate and streaming validation with every rule, then the rules across documents against the samples.
    case gate
    /// The tree parser and the canonical form.
    case tree
    /// Signature parsing and verification (the GOST vector's certificate as the trust store).
    case signature
    /// The daemon's TOML configuration.
    case config
    /// The JSON reader and `generate` of a social order from it.
    case json
    /// The CSV reader.
    case csv
    /// `compute`'s inputs (JSON decoded exactly) and the regulation's formulas over them.
    case compute
    /// Certificates as PEM bundles or DER.
    case pem
    /// The document processor twice over each input: validation and verification; then validation, conversion to
    /// windows-1251 and signing with the vectors' GOST key (no verification, which no seed passes, before it).
    case process
    /// The signer mapping (ИНН/СНИЛС to certificate fingerprints).
    case signers
}

struct Fixtures: Sendable {
    let target: FuzzTarget
    let validator: DocumentValidator
    let context: DocumentContext
    let verifier: SignatureVerifier
    let orderShape: DocumentShape
    let processSteps: [DocumentProcessor.Steps]

    static func load() -> Fixtures {
        let env = ProcessInfo.processInfo.environment
        guard let name = env["DOCGATE_FUZZ_TARGET"], let target = FuzzTarget(rawValue: name) else {
            say("DOCGATE_FUZZ_TARGET must be one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
            exit(2)
        }
        let root = env["DOCGATE_FUZZ_ROOT"] ?? FileManager.default.currentDirectoryPath
        do {
            let validator = try DocumentValidator(schemaDirectory: root + "/Schemas")
            let samples = (try FileManager.default.contentsOfDirectory(atPath: root + "/Samples/valid")).sorted()
            let known = try samples.compactMap { name in
                ContextDocument(report: try validator.validate(file: root + "/Samples/valid/" + name), sha256: name)
            }
            let vectors = root + "/Tests/Vectors/xmlsec-gost2012-256/"
            let trust = try TrustStore(path: vectors + "gost-2012-256-cert.pem")
            let verifier = SignatureVerifier(trust: trust, policy: .docgate)
            let identity = try? SigningIdentity.load(keyPath: vectors + "gost-2012-256-key.pem", certificatePath: vectors + "gost-2012-256-cert.pem",
                                                     passphrase: nil)
            if identity == nil { say("the GOST vector key cannot be loaded: the process target runs without signing") }
            let steps = [DocumentProcessor.Steps(verify: (verifier: verifier, policies: nil, requireAllParties: false)),
                         DocumentProcessor.Steps(encoding: .windows1251, sign: identity.map { DocumentSigner(identity: $0, policy: .docgate) })]
            return Fixtures(target: target, validator: validator, context: DocumentContext(known), verifier: verifier,
                            orderShape: try ShapeLibrary(schemaDirectory: root + "/Schemas").shape(.socialOrder), processSteps: steps)
        } catch {
            say("fixtures cannot be loaded from \(root): \(error)")
            exit(2)
        }
    }
}

func say(_ text: String) {
    let line = text + "\n"
    _ = write(2, line, line.utf8.count)
}

let fixtures = Fixtures.load()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    switch fixtures.target {
    case .gate:
        let report = fixtures.validator.validate(bytes: bytes, file: "fuzz.xml")
        if let d = ContextDocument(report: report, sha256: nil) { _ = fixtures.context.check(d) }
    case .tree:
        let parsed = bytes.withUnsafeBytes { XMLDocument.parse($0) }
        if case .success(let doc) = parsed { _ = doc.canonicalData() }
    case .signature:
        _ = fixtures.verifier.verify(bytes: bytes, file: "fuzz.xml")
    case .config:
        _ = try? GatewayConfig.parse(String(decoding: bytes, as: UTF8.self), file: "/nonexistent/fuzz/gateway.toml")
    case .json:
        var reader = JSONReader()
        if let value = try? reader.read(bytes) {
            _ = try? DocumentGenerator(shape: fixtures.orderShape).generate(value, newID: "00000000-0000-4000-8000-000000000000",
                                                                              now: "2025-01-01T00:00:00+07:00")
        }
    case .csv:
        if let table = try? CSVTable.parse(bytes) { _ = table.rows.count }
    case .compute:
        if let input = try? Computations.decode(Computations.NormativeInput.self, from: bytes) { _ = try? Computations.normative(input) }
        if let input = try? Computations.decode(Computations.ServiceInput.self, from: bytes) { _ = try? Computations.recipients(input) }
        if let input = try? Computations.decode([Computations.SegmentInput].self, from: bytes) { _ = try? Computations.segments(input) }
        if let input = try? Computations.decode(Computations.AssignmentCosts.self, from: bytes) { _ = try? Computations.assignment(input) }
    case .process:
        for steps in fixtures.processSteps {
            _ = DocumentProcessor(validator: fixtures.validator).process(bytes, file: "fuzz.xml", steps: steps)
        }
    case .signers:
        var mapping = SignerMapping()
        _ = try? mapping.read(bytes, file: "fuzz.signers")
    case .pem:
        if let certificates = try? Certificate.load(bytes: bytes, path: "fuzz.pem") {
            for c in certificates { _ = c.isSelfIssued }
        }
    }
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
               _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

_ = fixtures
var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runDriver(&argc, &argv, fuzzOne))
#else
import Glibc

let notice = "docgate-fuzz is built by scripts/fuzz (with -sanitize=fuzzer,address -DFUZZING); this build has no harness.\n"
_ = write(2, notice, notice.utf8.count)
exit(2)
#endif
