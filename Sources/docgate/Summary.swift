import ArgumentParser
import DocgateCommandLine
import DocgateCore
import DocgateDocuments
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
        Invalid documents are left out and named on standard error.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

    @Option(name: .long, help: "Sum by authority, service or method (default: every line).")
    var by: String = "all"

    @Option(name: .long, help: "Only this year.")
    var year: Int?

    @Option(name: .long, help: "table, csv or json.")
    var format: Format = .table

    @OptionGroup var options: SetupOptions

    @Argument(help: ArgumentHelp("Files or directories.", valueName: "path"))
    var paths: [String]

    func run() throws {
        guard let grouping = Register.Grouping(rawValue: by) else { throw ValidationError("--by: all, authority, service or method") }
        let language = options.language
        let validator = try options.makeValidator()
        let (files, errors) = InputFiles.collect(paths)
        for e in errors { Terminal.error(.DG5001, "\(e.path): \(e.reason)") }
        let models = Mutex<[Register.Entry]>([])
        ParallelBatch.run(files, job: { path -> (String, Register.Entry?) in
            guard let report = try? validator.validate(file: path, retainRecords: true), let model = report.model else { return (path, nil) }
            return (path, Register.Entry(id: report.documentId, header: report.header, model: model))
        }, emit: { (_: Int, result: (String, Register.Entry?)) in
            if let m = result.1 { models.withLock { $0.append(m) } } else {
                Terminal.raw(fd: 2, "DG5001 " + (language == .ru ? "пропущен (не прочитан или не соответствует): " : "left out (unreadable or invalid): ") + result.0 + "\n")
            }
        })
        let register = Register(models.withLock { $0 }, by: grouping, year: year)
        Terminal.out(Self.render(register, format, language))
        if !errors.isEmpty { throw Exit.failure }
    }

    static let columns = ["authority", "serviceRegNum", "serviceName", "method", "year", "okei", "plan", "agreed", "amount", "fact", "factPercent"]

    static func values(_ r: Register.Row) -> [String?] {
        [r.authority, r.serviceRegNum, r.serviceName, r.method, r.year.map(String.init), r.okei, r.plan.description,
         r.agreed.description, r.amount.formatted(places: 2), r.fact.description, r.factPercent?.description]
    }

    static func render(_ register: Register, _ format: Format, _ language: Language) -> String {
        switch format {
        case .json:
            let rows = register.rows.map { r in JSONText.object(zip(columns, values(r)).map { ($0, JSONText.optional($1)) }) }
            let totals = register.totals.map { r in JSONText.object(zip(columns, values(r)).map { ($0, JSONText.optional($1)) }) }
            return JSONText.object([("rows", JSONText.array(rows)), ("totals", JSONText.array(totals))]) + "\n"
        case .csv:
            func field(_ s: String?) -> String {
                guard let s else { return "" }
                return s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\"" : s
            }
            return ([columns.joined(separator: ",")] + register.rows.map { values($0).map(field).joined(separator: ",") })
                .joined(separator: "\n") + "\n"
        case .table:
            let ru = language == .ru
            let headings = ru ? ["ГРБС", "Реестровый номер", "Услуга", "Способ", "Год", "ОКЕИ", "План", "Соглашения", "Сумма, руб.", "Факт", "Факт, %"]
                              : ["Authority", "Registry number", "Service", "Method", "Year", "OKEI", "Plan", "Agreed", "Amount, RUB", "Fact", "Fact, %"]
            var lines = register.rows.map { values($0).map { $0 ?? "" } }
            // One total per year and unit of measure.
            let totals = register.totals.map { t -> [String] in
                var line = values(t).map { $0 ?? "" }
                line[0] = ru ? "Итого" : "Total"
                return line
            }
            lines += totals
            let used = (0..<columns.count).filter { i in lines.contains { !$0[i].isEmpty } || i == 0 }
            let widths = used.map { i in max(headings[i].count, lines.map { min($0[i].count, 48) }.max() ?? 0) }
            func cell(_ s: String, _ w: Int, right: Bool) -> String {
                let t = s.count > 48 ? String(s.prefix(47)) + "…" : s
                let pad = String(repeating: " ", count: max(0, w - t.count))
                return right ? pad + t : t + pad
            }
            let numeric: Set<Int> = [4, 6, 7, 8, 9, 10]
            var out = zip(used, widths).map { cell(headings[$0], $1, right: numeric.contains($0)) }.joined(separator: "  ") + "\n"
            for (n, l) in lines.enumerated() {
                if n == lines.count - totals.count { out += String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1)) + "\n" }
                out += zip(used, widths).map { cell(l[$0], $1, right: numeric.contains($0)) }.joined(separator: "  ") + "\n"
            }
            return out
        }
    }
}
