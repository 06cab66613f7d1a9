import DocgateCore
import DocgateCrypto
import DocgateDocuments
import DocgateSignature
import DocgateXML
import Glibc

/// What validation made of one input file.
public enum FileOutcome: Sendable {
    /// The file was read and validated; the report says whether it is valid and why not.
    case checked(ValidationReport)
    /// The file could not be read at all (`reason` is the system's text): DG5001.
    case unreadable(path: String, reason: String)

    /// True for a checked file whose report has no error.
    public var isValid: Bool {
        if case .checked(let r) = self { return r.valid }
        return false
    }
}

/// What signature verification made of one input file.
public enum VerifyOutcome: Sendable {
    /// The file was read and its signatures checked.
    case checked(VerificationReport)
    /// The file could not be read at all: DG5001.
    case unreadable(path: String, reason: String)
}

/// What became of one file the processor was asked to process and write.
public enum WriteOutcome: Sendable {
    /// The output was written, atomically, to `output`.
    case written(output: String)
    /// A step refused the document: `invalid` when validation did, otherwise the signer refused a valid document.
    case refused(file: String, diagnostics: [Diagnostic], invalid: Bool)
    /// The input could not be read or the output not written (`file` names which).
    case failed(file: String, reason: String)
}

/// Why a file produced no output.
public enum FileRefusal: Error, Sendable {
    /// The file could not be read (the system's reason): DG5001.
    case unreadable(String)
    /// A step refused the document.
    case refused(Refusal)
}

/// Why a document held in memory produced no output.
public struct Refusal: Error, Sendable {
    /// Every finding of every step that ran.
    public var diagnostics: [Diagnostic]
    /// Validation refused it (as opposed to the signer refusing a valid document).
    public var invalid: Bool
}

extension DocumentProcessor {
    /// Validates one file, streaming it with the validator's limits. With `context`, the document is read whole (its
    /// SHA-256 identifies it) and also checked against the known documents by the rules across documents
    /// (DG3100–DG3109). `retainRecords` keeps the document's model and records in the report (always so with a context).
    public func validate(file path: String, context: DocumentContext? = nil, retainRecords: Bool = false) -> FileOutcome {
        guard let context else {
            do throws(XMLFileError) {
                return .checked(try validator.validate(file: path, retainRecords: retainRecords))
            } catch {
                return .unreadable(path: path, reason: error.reason)
            }
        }
        let bytes: [UInt8]
        switch read(path) {
        case .success(let b): bytes = b
        case .failure(let failure): return .unreadable(path: path, reason: failure.reason)
        }
        var report = validator.validate(bytes: bytes, file: path, retainRecords: true)
        var probe = report
        probe.file = Self.canonicalPath(path)
        if let d = ContextDocument(report: probe, sha256: DigestAlgorithm.sha256.hex(bytes)) {
            report.diagnostics += context.check(d)
        }
        return .checked(report)
    }

    /// Reads and validates one document of a context folder: what the rules across documents need of it (nil when
    /// the document carries nothing they use), or the reason it could not be read.
    public func contextDocument(file path: String) -> Result<ContextDocument?, BoundedFile.Failure> {
        read(path).map { bytes in
            let report = validator.validate(bytes: bytes, file: Self.canonicalPath(path), retainRecords: true)
            return ContextDocument(report: report, sha256: DigestAlgorithm.sha256.hex(bytes))
        }
    }

    /// Verifies the signatures of one file, read with the verifier's limits (no schema or rules; a file over the
    /// size limit is a finding of the report, as the input gate's).
    public static func verify(file path: String, with verifier: SignatureVerifier) -> VerifyOutcome {
        do throws(XMLFileError) {
            return .checked(try verifier.verify(file: path))
        } catch {
            return .unreadable(path: path, reason: error.reason)
        }
    }

    /// Runs the steps over a document in memory: the output bytes, or the findings that refused it.
    public func output(_ bytes: [UInt8], file: String, steps: Steps) -> Result<[UInt8], Refusal> {
        let outcome = process(bytes, file: file, steps: steps)
        if let output = outcome.output { return .success(output) }
        return .failure(Refusal(diagnostics: outcome.diagnostics, invalid: !outcome.signingRefused))
    }

    /// Reads `input` with the limits the steps need and runs them: the output, or why there is none — the file
    /// cannot be read (exit 2), or a step refused the document (one over the tree cap included: DG1015, exit 1).
    public func output(file input: String, steps: Steps) -> Result<[UInt8], FileRefusal> {
        switch read(input, for: steps) {
        case .success(let bytes): return output(bytes, file: input, steps: steps).mapError { .refused($0) }
        case .failure(.tooLarge(let size)):
            let tooLarge = XMLParseFailure.gate(.tooLarge(size: size, limit: readLimit(for: steps)))
            return .failure(.refused(Refusal(diagnostics: XMLDiagnostics.diagnostics(for: tooLarge), invalid: true)))
        case .failure(let failure): return .failure(.unreadable(failure.reason))
        }
    }

    /// Reads `input` with limits, runs the steps and writes the output to `target` atomically (the file made
    /// durable; its directory too unless `syncDirectory` is false, when the caller syncs it once for a batch).
    /// Never throws: every failure is in the outcome.
    public func process(file input: String, steps: Steps, writingTo target: String, syncDirectory: Bool = true) -> WriteOutcome {
        switch output(file: input, steps: steps) {
        case .failure(.unreadable(let reason)): return .failed(file: input, reason: reason)
        case .failure(.refused(let refusal)): return .refused(file: input, diagnostics: refusal.diagnostics, invalid: refusal.invalid)
        case .success(let out):
            do {
                try AtomicFile.write(out, to: target, syncDirectory: syncDirectory)
                return .written(output: target)
            } catch {
                return .failed(file: target, reason: error.reason)
            }
        }
    }

    /// The absolute path without links, as the context registry keys documents; the path itself when that fails.
    public static func canonicalPath(_ path: String) -> String {
        guard let r = realpath(path, nil) else { return path }
        defer { free(r) }
        return String(cString: r)
    }
}
