import ArgumentParser
import DocgateCore
import DocgateDocuments

/// How `docgate summary` prints the register of social orders.
public enum RegisterOutput {
    /// The forms of the register.
    public enum Format: String, ExpressibleByArgument, CaseIterable, Sendable { case table, csv, json }

    /// The columns of the CSV and JSON forms, in order.
    public static let columns = ["authority", "serviceRegNum", "serviceName", "method", "year", "okei", "plan", "agreed", "amount", "fact", "factPercent"]

    /// One row's values in the order of `columns` (nil where the row has none).
    public static func values(_ r: Register.Row) -> [String?] {
        [r.authority, r.serviceRegNum, r.serviceName, r.method, r.year.map(String.init), r.okei, r.plan.description,
         r.agreed.description, r.amount.formatted(places: 2), r.fact.description, r.factPercent?.description]
    }

    /// The register as a table for a person (long names cut at 48 characters), as CSV or as JSON.
    public static func render(_ register: Register, _ format: Format, _ language: Language) -> String {
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
