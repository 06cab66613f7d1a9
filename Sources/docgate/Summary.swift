import ArgumentParser
import DocgateCommandLine
import DocgateCore
import DocgateDocuments
import DocgateProcessing
import FoundationEssentials
import Synchronization

/// `docgate summary`: the register of social orders over a set of documents.
struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Реестр социальных заказов / The register of social orders: plan, agreements and fact.",
        discussion: """
        Planned volumes from the orders' Section II, volumes and amounts of competition and certificate agreements, \
        and facts from annual execution reports, per authority (ГРБС), service, method and year — or summed by one of \
        them with --by, always within one year and one unit of measure (ОКЕИ); the totals are per year and unit. \
        Invalid documents are left out and named on standard error (exit 1); an input that cannot be read exits 2.
        """
    )

    @Option(name: .long, help: "Sum by authority, service or method (default: every line).")
    var by: String = "all"

    @Option(name: .long, help: "Only this year.")
    var year: Int?

    @Option(name: .long, help: "table, csv or json.")
    var format: RegisterOutput.Format = .table

    @OptionGroup var options: SetupOptions

    @Argument(help: ArgumentHelp("Files or directories.", valueName: "path"))
    var paths: [String]

    func run() throws {
        guard let grouping = Register.Grouping(rawValue: by) else { throw ValidationError("--by: all, authority, service or method") }
        let language = options.language
        let processor = DocumentProcessor(validator: try options.makeValidator())
        let (files, errors) = try InputFiles.require(paths, language: language)
        for e in errors { Terminal.error(.DG5001, "\(e.path): \(e.reason)") }
        let entries = Mutex<[Register.Entry]>([])
        let counters = Counters()
        ParallelBatch.run(files, job: { path in processor.validate(file: path, retainRecords: true) }, emit: { (_: Int, outcome: FileOutcome) in
            counters.add(outcome)
            switch outcome {
            case .checked(let report) where report.valid:
                if let model = report.model { entries.withLock { $0.append(Register.Entry(id: report.documentId, header: report.header, model: model)) } }
            case .checked(let report):
                Terminal.error(.DG5048, (language == .ru ? "не соответствует требованиям, в реестр не включён: " : "invalid, left out of the register: ") + report.file)
            case .unreadable(let path, let reason):
                Terminal.error(.DG5001, "\(path): \(reason)")
            }
        })
        let register = Register(entries.withLock { $0 }, by: grouping, year: year)
        Terminal.out(RegisterOutput.render(register, format, language))
        let totals = counters.snapshot
        try Exit.check(failed: totals.unreadable + errors.count, invalid: totals.invalid)
    }
}
