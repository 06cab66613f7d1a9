/// A cell of a form's table: text or a figure (right-aligned, never wrapped), spanning columns or rows.
struct FormCell {
    var text: String
    var number = false
    var columns = 1
    var rows = 1
    /// A figure beyond its tolerance, printed in bold.
    var over = false
    /// A long code (КБК) that may break anywhere to fit its column.
    var code = false

    /// A cell of text.
    static func text(_ s: String?, rows: Int = 1) -> FormCell { FormCell(text: s ?? "", rows: rows) }
    /// A figure as exact as it was given.
    static func figure(_ v: DecimalValue?) -> FormCell { FormCell(text: v.map { RussianFormat.number($0) } ?? "—", number: true) }
    /// Roubles and kopecks.
    static func money(_ v: DecimalValue?) -> FormCell { FormCell(text: v.map(RussianFormat.money) ?? "—", number: true) }
    /// A percentage.
    static func percent(_ v: DecimalValue?) -> FormCell { FormCell(text: v.map(RussianFormat.percent) ?? "—", number: true) }
    /// A code of many digits (КБК).
    static func code(_ s: String) -> FormCell { FormCell(text: s, code: true) }
    /// A heading cell spanning columns or rows.
    static func head(_ s: String, columns: Int = 1, rows: Int = 1) -> FormCell { FormCell(text: s, columns: columns, rows: rows) }
}

extension FormWriter {
    /// A table of figures: head rows (cells may span), then body rows; its head repeats on every printed page.
    mutating func table(head: [[FormCell]], rows: [[FormCell]], numbered: Bool = false) {
        guard !rows.isEmpty else {
            writer.element("p", ["class": "empty"], text: "Сведения отсутствуют.")
            return
        }
        writer.element("table", ["class": "data"]) { t in
            t.element("thead") { h in
                for row in head { Self.row(&h, row, heading: true) }
                if numbered, let width = head.first?.reduce(0, { $0 + $1.columns }) {
                    Self.row(&h, (1...max(width, 1)).map { FormCell(text: String($0)) }, heading: true, className: "column-numbers")
                }
            }
            t.element("tbody") { b in
                for row in rows { Self.row(&b, row, heading: false) }
            }
        }
    }

    private static func row(_ w: inout HTMLWriter, _ cells: [FormCell], heading: Bool, className: String = "") {
        let body: (inout HTMLWriter) -> Void = { r in
            for c in cells { cell(&r, c, heading: heading) }
        }
        if className.isEmpty { w.element("tr", [:], body) } else { w.element("tr", ["class": className], body) }
    }

    private static func cell(_ r: inout HTMLWriter, _ c: FormCell, heading: Bool) {
        let columns = String(c.columns), rows = String(c.rows)
        let className = c.number ? (c.over ? "number over" : "number") : c.code ? "code" : ""
        switch (c.columns > 1 || c.rows > 1, heading, className.isEmpty) {
        case (false, true, _): r.element("th", text: c.text)
        case (true, true, _): r.element("th", ["colspan": columns, "rowspan": rows], text: c.text)
        case (false, false, true): r.element("td", text: c.text)
        case (false, false, false): r.element("td", ["class": className], text: c.text)
        case (true, false, true): r.element("td", ["colspan": columns, "rowspan": rows], text: c.text)
        case (true, false, false): r.element("td", ["class": className, "colspan": columns, "rowspan": rows], text: c.text)
        }
    }

    /// The head of a volume table: a total and the four ways executors are determined.
    static var methodHead: [FormCell] {
        [.head("всего")] + Method.allCases.map { .head(Self.methodShortTitle($0)) }
    }

    /// A volume in all and by method, five figures.
    static func methodCells(_ v: MethodVolumes) -> [FormCell] {
        [.figure(v.total)] + Method.allCases.map { .figure(v[$0]) }
    }

    /// The methods' column titles as the federal form words them.
    static func methodShortTitle(_ m: Method) -> String {
        switch m {
        case .stateTaskTreasury: "казёнными учреждениями на основании государственного (муниципального) задания"
        case .stateTaskBudgetAutonomous: "бюджетными и автономными учреждениями на основании государственного (муниципального) задания"
        case .competition: "в соответствии с конкурсом"
        case .certificate: "в соответствии с социальными сертификатами"
        }
    }

    /// «Наименование (ед. изм., код по ОКЕИ 792)».
    static func unit(_ i: Indicator) -> String {
        i.okei.isEmpty ? i.unitName : "\(i.unitName) (\(i.okei))"
    }

    /// A place: its name, and its ОКТМО when given.
    static func place(_ p: Place?) -> String {
        guard let p else { return "" }
        return p.oktmo.map { "\(p.text) (ОКТМО \($0))" } ?? p.text
    }

    /// A reference to another document: «№ 412-п от 14.06.2024, версия 2».
    static func reference(_ r: DocumentRef?) -> String? {
        guard let r else { return nil }
        var s = "№\u{00A0}" + r.number
        if let d = r.date { s += " от " + RussianFormat.shortDate(d) }
        if let v = r.version { s += ", версия \(v)" }
        return s
    }

    /// «с 01.01.2025 по 31.12.2025», on two lines in a narrow column.
    static func period(_ p: Period?, lines: Bool = false) -> String? {
        guard let p, p.from != nil || p.to != nil else { return nil }
        return [p.from.map { "с " + RussianFormat.shortDate($0) }, p.to.map { "по " + RussianFormat.shortDate($0) }]
            .compactMap { $0 }.joined(separator: lines ? "\n" : " ")
    }

    /// A service: its name and register number, «Предоставление … (801011О.99.0.БВ24ВФ62000)».
    static func serviceName(_ s: Service) -> String {
        s.regNum.isEmpty ? s.name : "\(s.name) (\(s.regNum))"
    }
}
