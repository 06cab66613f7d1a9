import ArgumentParser
import DocgateCommandLine
import DocgateCore
import DocgateDocuments
import DocgateProcessing

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Проверить документы по схемам и правилам / Validate documents against the schemas and rules.",
        discussion: """
        A directory means every *.xml below it. Exit 0 when every document is valid, 1 when any is invalid,
        2 on a usage or I/O error. JSON: an array of {file, kind, valid, errors: [{code, severity, line, column,
        path, message}]}.
        """
    )

    @OptionGroup var options: CommonOptions

    @Option(name: .long, help: "Documents validated at once (default: one per CPU core).")
    var jobs: Int?

    @Option(name: .long, help: ArgumentHelp("A folder of known documents (orders, agreements, certificates …) to apply the rules across documents against (DG3100–DG3109).", valueName: "dir"))
    var context: String?

    @Argument(help: ArgumentHelp("Files or directories to validate.", valueName: "path"))
    var paths: [String]

    func run() throws {
        let processor = DocumentProcessor(validator: try options.makeValidator())
        let language = options.language
        let files = try InputFiles.require(paths, language: language)
        let renderer = ReportRenderer(format: options.format, language: language)
        let counters = Counters()
        renderer.begin()
        for e in files.errors {
            let outcome = FileOutcome.unreadable(path: e.path, reason: e.reason)
            counters.add(outcome)
            renderer.emit(outcome)
        }
        let known = try context.map { try ContextFolder.load($0, processor: processor, workers: jobs, language: language) }
        ParallelBatch.run(files.files, workers: jobs ?? ParallelBatch.defaultWorkers, job: { path in
            processor.validate(file: path, context: known)
        }, emit: { (_: Int, outcome: FileOutcome) in
            counters.add(outcome)
            renderer.emit(outcome)
        })
        let totals = counters.snapshot
        renderer.end(totals)
        try Exit.check(failed: totals.unreadable, invalid: totals.invalid)
    }
}
