import ArgumentParser
import DocgateCommandLine
import DocgateCore
import DocgateDocuments
import FoundationEssentials
import Glibc

/// `docgate report`: an execution report from a social order and the executors' facts.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Отчёт об исполнении из заказа и фактов / An execution report from the order and the facts.",
        discussion: """
        FACTS.csv, UTF-8, a header line and one line per executor, service and method, columns (any order): \
        regNum, method (stateTaskTreasury|stateTaskBudgetAutonomous|competition|certificate), executorName, \
        executorInn, fact; optional executorKpp, executorOgrn, plan (needed when several executors share a service \
        and method; otherwise the order's volume), agreementNumber and agreementDate (needed for competition and \
        certificate), deviationReason. The plan of Section I is the order's; deviations are computed. Exit 0 when \
        the report is complete and valid, 1 when rows beyond the allowed deviation still need a reason (they are \
        listed) or the report is otherwise invalid, 2 on bad input.
        """
    )

    @Option(name: .long, help: ArgumentHelp("The social order (XML).", valueName: "file")) var order: String
    @Option(name: .long, help: ArgumentHelp("The facts (CSV).", valueName: "file")) var facts: String
    @Option(name: .long, help: "Reporting year (default: the order's financial year).") var year: Int?
    @Option(name: .long, help: ArgumentHelp("Report date: 1 April, 1 July, 1 October of the year, or 1 January after it (default).", valueName: "date"))
    var asOf: String?
    @Option(name: .long, help: ArgumentHelp("Write the report here (default: standard output).", valueName: "file")) var out: String?
    @OptionGroup var options: CommonOptions

    func run() throws {
        let language = options.language
        let ru = language == .ru
        let validator = try options.makeValidator()
        let (orderReport, model, orderId) = try Self.readOrder(order, validator: validator, language)
        let reportYear = year ?? model.planningPeriod?.financialYear ?? 0
        let date: CalendarDate
        if let asOf {
            guard let d = CalendarDate(asOf) else { throw ValidationError("--as-of: YYYY-MM-DD expected") }
            date = d
        } else {
            date = CalendarDate(year: reportYear + 1, month: 1, day: 1)
        }
        let rows: [ReportBuilder.Fact]
        do { rows = try FactsCSV.read(facts) } catch {
            Terminal.error(.DG5027, "\(facts): \(error.message[language])")
            throw Exit.failure
        }
        let result: ReportBuilder.Result
        do {
            result = try ReportBuilder.build(order: model, orderId: orderId, orderHeader: orderReport.header, facts: rows,
                                             year: reportYear, asOf: date, id: UUID().uuidString.lowercased(),
                                             createdAt: UTCTime.now)
        } catch {
            Terminal.error(.DG5027, "" + error.message[language])
            throw Exit.failure
        }
        if let note = result.planNote { Terminal.raw(fd: 2, note[language] + "\n") }
        // The report is checked before it is written: a document that fails its own rules is never written.
        try Self.checkBeforeWriting(result, validator: validator, file: out ?? "report.xml", language)
        if let out {
            do { try AtomicFile.write(result.bytes, to: out) } catch {
                Terminal.error(.DG5002, (ru ? "не удалось записать \(out): " : "cannot write \(out): ") + error.reason)
                throw Exit.failure
            }
        } else {
            Terminal.bytes(result.bytes)
        }
    }

    /// The order, valid and a social order, with its model and id; DG5001 / DG5027 and exit 2 otherwise.
    static func readOrder(_ order: String, validator: DocumentValidator, _ language: Language) throws
        -> (report: ValidationReport, model: SocialOrder, id: String) {
        let ru = language == .ru
        let orderData: [UInt8]
        switch BoundedFile.read(order, limit: validator.limits.maxInputBytes) {
        case .success(let bytes): orderData = bytes
        case .failure(let failure):
            Terminal.error(.DG5001, "\(order): \(failure.reason)")
            throw Exit.failure
        }
        let orderReport = validator.validate(bytes: orderData, file: order, retainRecords: true)
        guard orderReport.valid, case .socialOrder(let model)? = orderReport.model, let orderId = orderReport.documentId else {
            Terminal.error(.DG5027, ru ? "\(order) — не действительный социальный заказ" : "\(order) is not a valid social order")
            for d in orderReport.diagnostics where d.isError { Terminal.raw(fd: 2, "    " + ReportRenderer.describe(d, language) + "\n") }
            throw Exit.failure
        }
        return (orderReport, model, orderId)
    }

    /// The report is checked before it is written: a document that fails its own rules is never written (exit 1,
    /// every row that needs a reason named, DG3021).
    static func checkBeforeWriting(_ result: ReportBuilder.Result, validator: DocumentValidator, file: String, _ language: Language) throws {
        let ru = language == .ru
        let check = validator.validate(bytes: result.bytes, file: file, retainRecords: false)
        let otherErrors = check.diagnostics.filter { $0.isError && $0.code != "DG3021" && $0.code != "DG3090" }
        for n in result.needReason {
            Terminal.raw(fd: 2, "DG3021 " + (ru ? "строка фактов \(n.row): «\(n.service)», \(n.executor): отклонение \(n.deviation) % больше допустимого \(n.allowed) % — нужна причина (столбец deviationReason)\n"
                                    : "facts row \(n.row): '\(n.service)', \(n.executor): deviation \(n.deviation) % beyond the allowed \(n.allowed) % — a reason is needed (column deviationReason)\n"))
        }
        for d in otherErrors { Terminal.raw(fd: 2, "    " + ReportRenderer.describe(d, language) + "\n") }
        if !result.needReason.isEmpty || !otherErrors.isEmpty {
            Terminal.raw(fd: 2, ru ? "отчёт не записан: он не прошёл бы собственную проверку\n" : "the report was not written: it would fail its own checks\n")
            throw Exit.invalid
        }
    }
}
