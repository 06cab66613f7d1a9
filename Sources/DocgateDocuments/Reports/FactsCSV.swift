import DocgateCore

/// The facts CSV (RFC 4180: commas, double quotes, a header line).
public enum FactsCSV {
    /// Why the facts cannot be used: the first problem, with its line where it has one.
    public struct Failure: Error, Sendable {
        /// What is wrong, with the line where there is one.
        public var message: LocalizedText
    }

    /// The largest facts file read: far more than any region's executors.
    public static let maxBytes = 64 << 20

    /// Reads a facts file (at most ``maxBytes``) into the facts `ReportBuilder.build` takes.
    public static func read(_ path: String) throws(Failure) -> [ReportBuilder.Fact] {
        switch BoundedFile.read(path, limit: maxBytes) {
        case .success(let bytes): return try parse(bytes)
        case .failure(let failure):
            throw Failure(message: LocalizedText(ru: "файл не читается: " + failure.reason, en: "cannot read the file: " + failure.reason))
        }
    }

    /// Parses the facts: a header line naming the columns (any order), then one line per executor, service and method.
    public static func parse(_ data: [UInt8]) throws(Failure) -> [ReportBuilder.Fact] {
        let table: CSVTable
        do { table = try CSVTable.parse(data) } catch {
            throw Failure(message: LocalizedText(ru: "строка \(error.line): " + error.message.ru, en: "line \(error.line): " + error.message.en))
        }
        for required in ["regNum", "method", "executorName", "executorInn", "fact"] where table.column(required) == nil {
            throw Failure(message: LocalizedText(ru: "нет столбца \(required)", en: "no column \(required)"))
        }
        var out: [ReportBuilder.Fact] = []
        for r in table.rows {
            func v(_ name: String) -> String? { table.value(r, table.column(name)) }
            let line = r.line
            guard let m = v("method").flatMap(Method.init(rawValue:)) else {
                throw Failure(message: LocalizedText(ru: "строка \(line): неизвестный способ \(v("method") ?? "")", en: "line \(line): unknown method \(v("method") ?? "")"))
            }
            guard let fact = v("fact").flatMap({ DecimalValue($0) }) else {
                throw Failure(message: LocalizedText(ru: "строка \(line): факт не число", en: "line \(line): the fact is not a number"))
            }
            guard let reg = v("regNum"), let name = v("executorName"), let inn = v("executorInn") else {
                throw Failure(message: LocalizedText(ru: "строка \(line): не заполнены regNum, executorName или executorInn",
                                                     en: "line \(line): regNum, executorName or executorInn is empty"))
            }
            var plan: DecimalValue?
            if let p = v("plan") {
                guard let d = DecimalValue(p) else { throw Failure(message: LocalizedText(ru: "строка \(line): план не число", en: "line \(line): the plan is not a number")) }
                plan = d
            }
            var date: CalendarDate?
            if let d = v("agreementDate") {
                guard let parsed = CalendarDate(d) else { throw Failure(message: LocalizedText(ru: "строка \(line): дата соглашения не ГГГГ-ММ-ДД", en: "line \(line): the agreement date is not YYYY-MM-DD")) }
                date = parsed
            }
            out.append(ReportBuilder.Fact(regNum: reg, method: m, executorName: name, executorINN: inn, executorKPP: v("executorKpp"),
                                          executorOGRN: v("executorOgrn"), plan: plan, fact: fact, agreementNumber: v("agreementNumber"),
                                          agreementDate: date, deviationReason: v("deviationReason")))
        }
        return out
    }
}
