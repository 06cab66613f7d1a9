import DocgateCore
import DocgateDocuments
import DocgateSignature
import DocgateXML

/// One document's way through docgate, the same for the command line and the gateway: read with limits → parse →
/// kind → schema → rules → verify → encode → sign. Each step past the rules is asked for; what is not asked for is
/// not done. Thread-safe: one processor serves a whole batch.
public struct DocumentProcessor: Sendable {
    /// Schemas, rules and the input limits the processor reads with.
    public let validator: DocumentValidator

    /// A processor over one validator (for the whole batch).
    public init(validator: DocumentValidator) {
        self.validator = validator
    }

    /// The steps past validation, and how.
    public struct Steps: Sendable {
        /// Verify the signatures: with which verifier, which certificate policies, whether every party must have signed.
        public var verify: (verifier: SignatureVerifier, policies: Set<String>?, requireAllParties: Bool)?
        /// Write the output in this encoding when the input is in another.
        public var encoding: XMLWriter.Encoding?
        /// Sign the output (after any conversion) — documents of `signKinds`, or of any kind when that is nil. A
        /// signature the processor adds is not required of the document on arrival.
        public var sign: DocumentSigner?
        /// The kinds `sign` applies to; nil for every kind.
        public var signKinds: Set<DocumentKind>?
        /// Keep the document's records for the rules across documents.
        public var retainRecords = false

        /// The steps asked for; none gives validation alone.
        public init(verify: (verifier: SignatureVerifier, policies: Set<String>?, requireAllParties: Bool)? = nil,
                    encoding: XMLWriter.Encoding? = nil, sign: DocumentSigner? = nil, signKinds: Set<DocumentKind>? = nil,
                    retainRecords: Bool = false) {
            self.verify = verify
            self.encoding = encoding
            self.sign = sign
            self.signKinds = signKinds
            self.retainRecords = retainRecords
        }

        /// Nothing past the rules: the document streamed through the validator, no tree.
        public var validationOnly: Bool { verify == nil && encoding == nil && sign == nil }
    }

    /// What became of a document.
    public struct Outcome: Sendable {
        /// The validator's report (nil when the bytes were not XML).
        public var report: ValidationReport?
        /// Every finding of every step.
        public var diagnostics: [Diagnostic] = []
        /// The bytes to deliver or write, when no step refused the document.
        public var output: [UInt8]?
        /// Whether the signer refused a valid document (rather than the document being invalid).
        public var signingRefused = false
    }

    /// Reads a file named by a path for processing: a regular file, at most the validator's input limit — or, when
    /// `steps` build a tree, at most its tree limit (a larger file is refused from its size, not read whole).
    public func read(_ path: String, for steps: Steps = Steps()) -> Result<[UInt8], BoundedFile.Failure> {
        BoundedFile.read(path, limit: readLimit(for: steps))
    }

    /// The most bytes read for `steps`: the input limit when they stream, the tree limit when they build a tree.
    public func readLimit(for steps: Steps) -> Int {
        steps.validationOnly ? validator.limits.maxInputBytes : validator.limits.maxTreeInputBytes
    }

    /// Runs the steps over a document held in memory. `decide` may add findings after validation and before the
    /// other steps (the gateway's route admits kinds); a finding that is an error stops the document there.
    public func process(_ bytes: [UInt8], file: String, steps: Steps,
                        decide: (ValidationReport) -> [Diagnostic] = { _ in [] }) -> Outcome {
        var outcome = Outcome()
        if steps.validationOnly {
            let report = validator.validate(bytes: bytes, file: file, retainRecords: steps.retainRecords)
            outcome.report = report
            outcome.diagnostics = report.diagnostics + decide(report)
            if outcome.diagnostics.allowsValidity { outcome.output = bytes }
            return outcome
        }
        let document: XMLDocument
        switch bytes.withUnsafeBytes({ XMLDocument.parse($0, limits: validator.limits) }) {
        case .failure(let failure):
            outcome.diagnostics = XMLDiagnostics.diagnostics(for: failure)
            return outcome
        case .success(let d):
            document = d
        }
        let report = validator.check(document, file: file)
        outcome.report = report
        outcome.diagnostics = report.diagnostics + decide(report)
        let signer = steps.sign.flatMap { signer in
            steps.signKinds.map { kinds in report.kind.map(kinds.contains) ?? false } ?? true ? signer : nil
        }
        if outcome.diagnostics.allowsValidity, let verify = steps.verify {
            outcome.diagnostics += verify.verifier.verify(document, file: file, policies: verify.policies,
                                                          requireAllParties: verify.requireAllParties && signer == nil).diagnostics
        }
        guard outcome.diagnostics.allowsValidity else { return outcome }
        // The output encoding, when it differs from the input's: the tree written in it (and signed from those bytes).
        var converted: [UInt8]?
        if let want = steps.encoding {
            let input = document.inputEncoding
            let already = (input == .windows1251) == (want == .windows1251) && input != .utf16LE && input != .utf16BE
            if !already { converted = document.serialized(encoding: want) }
        }
        var out = converted ?? bytes
        if let signer {
            switch converted == nil ? signer.sign(document, parsedFrom: bytes) : signer.sign(bytes: out) {
            case .success(let signed): out = signed
            case .failure(let f):
                outcome.diagnostics += f.diagnostics
                outcome.signingRefused = true
            }
        }
        if outcome.diagnostics.allowsValidity { outcome.output = out }
        return outcome
    }
}
