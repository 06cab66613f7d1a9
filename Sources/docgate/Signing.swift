import ArgumentParser
import DocgateCommandLine
import DocgateCore
import DocgateCrypto
import DocgateDocuments
import DocgateProcessing
import DocgateSignature
import DocgateXML
import FoundationEssentials
import Glibc
import Synchronization

struct Sign: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Подписать документ (XMLDSig) / Sign a document with XMLDSig.",
        discussion: """
        The algorithm follows the key: RSA (2048 bits or more) → rsa-sha256, ECDSA P-256 → ecdsa-sha256, \
        GOST R 34.10-2012 256 → gostr34102012-gostr34112012-256, GOST R 34.10-2012 512 → gostr34102012-gostr34112012-512 \
        (with Streebog-256 and Streebog-512 digests). Agreements and contracts get the two-party form \
        (a second signature can be added later); other documents the single-signer form. The document is validated \
        first and not signed when invalid. Writes to standard output unless --out is given; with --out-dir, signs any number of files (both cores) \
        into that directory. Never overwrites an input unless --overwrite is given. Exit 0 signed, 1 the document is invalid or cannot be signed, 2 usage, \
        key or I/O error.
        """
    )

    @OptionGroup var options: CommonOptions

    @Option(name: .long, help: ArgumentHelp("Private key (PEM or DER, PKCS#8; may be encrypted).", valueName: "file"))
    var key: String?

    @Option(name: .long, help: ArgumentHelp("Signer certificate (PEM or DER; CA certificates may follow it).", valueName: "file"))
    var cert: String?

    @Option(name: .long, help: ArgumentHelp("PKCS#12 bundle with key and certificate, instead of --key and --cert.", valueName: "file"))
    var pkcs12: String?

    @OptionGroup var passphrase: PassphraseOptions

    @Flag(name: .long, help: "Accept key, PKCS#12 and passphrase files that group or others can read (refused by default, DG5017).")
    var allowGroupReadableKey = false

    @Option(name: .long, help: ArgumentHelp("Write the signed document here (atomically).", valueName: "file"))
    var out: String?

    @Flag(name: .long, help: "Allow --out to name the input file itself.")
    var overwrite = false

    @Flag(name: .long, help: "Carry only the signer's certificate, not the CA certificates after it.")
    var noChain = false

    @Option(name: .long, help: ArgumentHelp("Sign every input into this directory, under the input's file name.", valueName: "dir"))
    var outDir: String?

    @Option(name: .long, help: "Documents signed at once with --out-dir (default: one per CPU core).")
    var jobs: Int?

    @Argument(help: ArgumentHelp("The document to sign; with --out-dir, any number of files or directories.", valueName: "file"))
    var files: [String]

    func validate() throws {
        if pkcs12 == nil && (key == nil || cert == nil) {
            throw ValidationError("give --key and --cert, or --pkcs12")
        }
        if pkcs12 != nil && (key != nil || cert != nil) {
            throw ValidationError("--pkcs12 excludes --key and --cert")
        }
        if outDir != nil && out != nil { throw ValidationError("--out and --out-dir exclude each other") }
        if outDir == nil && files.count != 1 { throw ValidationError("several inputs need --out-dir") }
    }

    func run() throws {
        let language = options.language
        let identity = try loadIdentity(language)
        let processor = DocumentProcessor(validator: try options.makeValidator())
        let steps = DocumentProcessor.Steps(sign: DocumentSigner(identity: identity, policy: .docgate, includeChain: !noChain))
        guard let outDir else {
            try signOne(files[0], processor: processor, steps: steps, language: language)
            return
        }
        let (inputs, inputErrors) = try InputFiles.require(files, language: language)
        for e in inputErrors { Terminal.error(.DG5001, "\(e.path): \(e.reason)") }
        var st = stat()
        guard stat(outDir, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            Terminal.error(.DG5002, language == .ru ? "нет каталога \(outDir)" : "no directory \(outDir)")
            throw Exit.failure
        }
        var targets: [String: String] = [:]
        for input in inputs {
            let target = Self.target(for: input, in: outDir)
            if let other = targets[target] {
                Terminal.error(.DG5003, language == .ru ? "\(input) и \(other) дали бы один файл \(target)"
                                               : "\(input) and \(other) would both be written to \(target)")
                throw Exit.failure
            }
            if !overwrite, FileIdentity.same(target, input) {
                Terminal.error(.DG5002, language == .ru ? "\(target) — это сам подписываемый файл; добавьте --overwrite"
                                               : "\(target) is the input itself; add --overwrite")
                throw Exit.failure
            }
            targets[target] = input
        }
        let failures = Counter()
        ParallelBatch.run(inputs, workers: jobs ?? ParallelBatch.defaultWorkers, job: { input in
            processor.process(file: input, steps: steps, writingTo: Self.target(for: input, in: outDir), syncDirectory: false)
        }, emit: { (_: Int, outcome: WriteOutcome) in
            switch outcome {
            case .written: break
            case .refused(let file, let diagnostics, _):
                failures.add(unreadable: false)
                var text = "\(file): " + (language == .ru ? "не подписан" : "not signed") + "\n"
                for d in diagnostics where d.isError { text += "    " + ReportRenderer.describe(d, language) + "\n" }
                Terminal.raw(fd: 2, text)
            case .failed(let file, let reason):
                failures.add(unreadable: true)
                Terminal.error(.DG5001, "\(file): \(reason)")
            }
        })
        AtomicFile.syncDirectory(outDir)
        let (refused, unreadable) = failures.totals
        let signed = inputs.count - refused - unreadable
        Terminal.raw(fd: 2, language == .ru ? "Подписано: \(signed) из \(inputs.count)\n" : "\(signed) of \(inputs.count) documents signed\n")
        try Exit.check(failed: unreadable + inputErrors.count, invalid: refused)
    }

    static func target(for input: String, in dir: String) -> String {
        dir + "/" + String(input.split(separator: "/").last ?? Substring(input))
    }

    private func signOne(_ file: String, processor: DocumentProcessor, steps: DocumentProcessor.Steps, language: Language) throws {
        if let out, !overwrite, FileIdentity.same(out, file) {
            Terminal.error(.DG5002, language == .ru ? "--out указывает на подписываемый файл; добавьте --overwrite, чтобы заменить его"
                                           : "--out names the input file; add --overwrite to replace it")
            throw Exit.failure
        }
        switch processor.output(file: file, steps: steps) {
        case .failure(.unreadable(let reason)):
            Terminal.error(.DG5001, ReportRenderer.unreadableDiagnostic("\(file): \(reason)").message[language])
            throw Exit.failure
        case .failure(.refused(let failure)) where failure.invalid:
            Terminal.raw(fd: 2, "\(file): " + (language == .ru ? "документ не соответствует требованиям и не подписан" : "the document is invalid and was not signed") + "\n")
            for d in failure.diagnostics where d.isError { Terminal.raw(fd: 2, "    " + ReportRenderer.describe(d, language) + "\n") }
            throw Exit.invalid
        case .failure(.refused(let failure)):
            Terminal.raw(fd: 2, "\(file): " + (language == .ru ? "документ не подписан" : "the document was not signed") + "\n")
            for d in failure.diagnostics { Terminal.raw(fd: 2, "    " + ReportRenderer.describe(d, language) + "\n") }
            throw Exit.invalid
        case .success(let signed):
            if let out {
                do {
                    try AtomicFile.write(signed, to: out)
                } catch {
                    Terminal.error(.DG5002, (language == .ru ? "не удалось записать \(out): " : "cannot write \(out): ") + error.reason)
                    throw Exit.failure
                }
            } else {
                Terminal.bytes(signed)
            }
        }
    }

    private func loadIdentity(_ language: Language) throws -> SigningIdentity {
        let allowance = "--allow-group-readable-key"
        let policy: SecretFilePolicy = allowGroupReadableKey ? .anyMode : .ownerOnly(allowance: allowance)
        let secret = try passphrase.passphrase(language, allowGroupReadable: allowGroupReadableKey, allowance: allowance)
        do throws(CryptoError) {
            if let pkcs12 { return try SigningIdentity.load(pkcs12Path: pkcs12, passphrase: secret, policy: policy) }
            return try SigningIdentity.load(keyPath: key!, certificatePath: cert!, passphrase: secret, policy: policy)
        } catch {
            Terminal.error(code: error.code, error.message[language] + (error.detail.map { " (\($0))" } ?? ""))
            throw Exit.failure
        }
    }
}

enum FileIdentity {
    /// Whether two paths name the same existing file (same device and inode).
    static func same(_ a: String, _ b: String) -> Bool {
        var sa = stat()
        var sb = stat()
        guard stat(a, &sa) == 0, stat(b, &sb) == 0 else { return false }
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino
    }
}

/// Failure counts from a batch's emit callback (called under the batch's lock).
final class Counter: Sendable {
    private let counts = Mutex((refused: 0, unreadable: 0))

    func add(unreadable isUnreadable: Bool) {
        counts.withLock { c in if isUnreadable { c.unreadable += 1 } else { c.refused += 1 } }
    }

    var totals: (refused: Int, unreadable: Int) { counts.withLock { $0 } }
}
