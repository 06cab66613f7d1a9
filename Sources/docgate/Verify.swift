import ArgumentParser
import DocgateCommandLine
import DocgateCore
import DocgateCrypto
import DocgateProcessing
import DocgateSignature
import DocgateXML
import Glibc
import Synchronization

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Проверить подписи документов / Verify the signatures of documents.",
        discussion: """
        Strict: every signature must verify, cover the whole document with the profile's algorithms and \
        transforms, and carry a certificate that chains to --trust and is valid now (or at --at), not revoked \
        (--crl), from the party its place in the document names (ИНН/ОГРН/СНИЛС in the certificate, or --signers). \
        A directory means every *.xml below it. Exit 0 when every file verifies, 1 when any does not, 2 on a usage or I/O error.
        """
    )

    @OptionGroup var options: CommonOptions

    @OptionGroup var trustOptions: TrustOptions

    @Option(name: .long, help: "Files verified at once (default: one per CPU core).")
    var jobs: Int?

    @Argument(help: ArgumentHelp("Files or directories to verify.", valueName: "path"))
    var paths: [String]

    func validate() throws {
        if trustOptions.trust == nil { throw ValidationError("Missing expected argument '--trust <path>'") }
    }

    func run() throws {
        let language = options.language
        let verifier = try trustOptions.makeVerifier(language)
        let files = try InputFiles.require(paths, language: language)
        let renderer = VerifyRenderer(format: options.format, language: language)
        renderer.begin()
        for e in files.errors { renderer.emit(.unreadable(path: e.path, reason: e.reason)) }
        ParallelBatch.run(files.files, workers: jobs ?? ParallelBatch.defaultWorkers, job: { path in
            DocumentProcessor.verify(file: path, with: verifier)
        }, emit: { (_: Int, outcome: VerifyOutcome) in renderer.emit(outcome) })
        let totals = renderer.end()
        try Exit.check(failed: totals.unreadable, invalid: totals.invalid)
    }
}

