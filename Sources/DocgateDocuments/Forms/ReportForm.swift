/// The execution report (plan, fact and deviations in three sections) and the Tomsk service assignment (Annex 1:
/// the indicators by quarter, the normative calculation and the forecast of recipients).
extension FormWriter {
    mutating func executionReport(_ r: ExecutionReport, _ input: FormInput) {
        var subtitle = "об исполнении социального заказа"
        if r.reportingYear > 0 { subtitle += " за \(r.reportingYear) год" }
        if let d = r.reportDate { subtitle += " по состоянию на " + RussianFormat.date(d) }
        heading(input, subtitle: subtitle)
        fields([
            ("Направление деятельности", r.activityArea),
            ("Периодичность", Self.periodicityName(r.periodicity)),
            ("Социальный заказ", Self.reference(r.socialOrderRef)),
        ])
        organization("Уполномоченный орган", r.authorizedBody)
        reportSectionI(r)
        reportSectionII(r)
        reportSectionIII(r)
    }

    private mutating func reportSectionI(_ r: ExecutionReport) {
        section("I. Сведения об исполнении социального заказа по укрупнённым услугам")
        let head: [[FormCell]] = [
            [.head("Укрупнённая услуга", rows: 2), .head("Показатель объёма", rows: 2), .head("", rows: 2),
             .head("Значение показателя объёма", columns: 5)],
            Self.methodHead,
        ]
        var rows: [[FormCell]] = []
        for item in r.summaryItems {
            let description = "\(item.service.name)\nМесто оказания: \(Self.place(item.place))\nГод определения исполнителей: \(item.yearOfDetermination)"
            rows.append([.text(description, rows: 3), .text(item.indicator.name + ", " + Self.unit(item.indicator), rows: 3),
                         .text("план")] + Self.methodCells(item.plan))
            rows.append([.text("факт")] + Self.methodCells(item.fact))
            let difference = ([item.fact.total.subtracting(item.plan.total)]
                + Method.allCases.map { item.fact[$0].subtracting(item.plan[$0]) }).map(FormCell.figure)
            rows.append([.text("отклонение")] + difference)
        }
        table(head: head, rows: rows)
    }

    private mutating func reportSectionII(_ r: ExecutionReport) {
        section("II. Сведения об исполнении по услугам и исполнителям")
        let head: [[FormCell]] = [
            [.head("Услуга", rows: 2), .head("Исполнитель", rows: 2), .head("Способ определения исполнителя", rows: 2),
             .head("Показатель объёма", rows: 2), .head("План", rows: 2), .head("Факт", rows: 2),
             .head("Отклонение", columns: 2), .head("Причина отклонения", rows: 2)],
            [.head("допустимое"), .head("фактическое")],
        ]
        let rows = r.detailItems.map { d -> [FormCell] in
            var executor = d.executor.fullName + (d.executor.taxNumber.map { "\nИНН " + $0 } ?? "")
            if let entry = d.executorRegistryEntry { executor += "\nРеестровая запись " + entry }
            var method = d.method?.title.ru ?? "—"
            if let ref = Self.reference(d.agreementRef) { method += "\nСоглашение " + ref }
            return [.text(Self.serviceName(d.service)), .text(executor), .text(method),
                    .text(d.indicator.name + ", " + Self.unit(d.indicator)), .figure(d.planValue), .figure(d.factValue),
                    .percent(d.allowedDeviation), Self.deviationCell(d.actualDeviation, allowed: d.allowedDeviation),
                    .text(d.deviationReason)]
        }
        table(head: head, rows: rows, numbered: true)
    }

    private mutating func reportSectionIII(_ r: ExecutionReport) {
        section("III. Сведения о показателях качества")
        let head: [[FormCell]] = [
            [.head("Услуга (реестровый номер)", rows: 2), .head("Исполнитель", rows: 2), .head("Показатель качества", rows: 2),
             .head("План", rows: 2), .head("Факт", rows: 2), .head("Отклонение", columns: 2), .head("Причина отклонения", rows: 2)],
            [.head("допустимое"), .head("фактическое")],
        ]
        let rows = r.qualityItems.map { q -> [FormCell] in
            [.text(q.serviceRegNum), .text(q.executor?.fullName), .text(q.indicator.name + ", " + Self.unit(q.indicator)),
             .figure(q.planValue), .figure(q.factValue), .percent(q.allowedDeviation),
             Self.deviationCell(q.actualDeviation, allowed: q.allowedDeviation), .text(q.deviationReason)]
        }
        table(head: head, rows: rows, numbered: true)
    }

    /// The actual deviation, marked when it exceeds the allowed one.
    static func deviationCell(_ actual: DecimalValue, allowed: DecimalValue) -> FormCell {
        var cell = FormCell.percent(actual)
        cell.over = actual.magnitude > allowed
        return cell
    }

    static func periodicityName(_ p: String) -> String {
        switch p {
        case "quarter": "квартальная"
        case "halfYear": "полугодовая"
        case "nineMonths": "за девять месяцев"
        case "year": "годовая"
        default: p
        }
    }

    mutating func serviceAssignment(_ a: ServiceAssignment, _ input: FormInput) {
        var subtitle = "«\(a.serviceName)»"
        if a.year > 0 { subtitle += " на \(a.year) год" }
        if a.stage == "report", let q = a.reportQuarter.flatMap(RussianFormat.quarter) { subtitle += " — отчёт за " + q }
        heading(input, subtitle: subtitle)
        let standard = a.standard.map { s in
            "\(s.type) №\u{00A0}\(s.number)" + (s.date.map { " от " + RussianFormat.shortDate($0) } ?? "") + " «\(s.name)»"
        }
        fields([("Н-1. Наименование бюджетной услуги", a.serviceName), ("Н-2. Стандарт услуги", standard),
                ("Н-3. Ответственный орган", a.responsibleAuthority?.fullName), ("Поставщик услуги", a.provider?.fullName)])
        organization("Ответственный орган исполнительной власти", a.responsibleAuthority)
        organization("Поставщик услуги", a.provider)
        section("Показатели задания (приложение 1)")
        let head: [[FormCell]] = [[.head("Код"), .head("Наименование показателя"), .head("КЭК"), .head("Единица (ОКЕИ)"), .head("")]
            + ServiceAssignment.Column.allCases.map { .head(RussianFormat.quarter($0.rawValue + 1) ?? "год") }]
        // An assignment has plans only; a report has a fact row under each plan.
        let facts = a.rows.contains { row in row.values.contains { $0.fact != nil } }
        var rows: [[FormCell]] = []
        for row in a.rows {
            let span = facts && !row.notApplicable ? 2 : 1
            let unit = row.okei.isEmpty ? row.unitName : "\(row.unitName) (\(row.okei))"
            let lead: [FormCell] = [.text(row.normalizedCode, rows: span), .text(row.name, rows: span), .text(row.kek, rows: span),
                                    .text(unit, rows: span)]
            if row.notApplicable {
                rows.append(lead + [FormCell(text: "Х", columns: 6)])
                continue
            }
            rows.append(lead + [.text("план")] + ServiceAssignment.Column.allCases.map { .figure(row[$0].plan) })
            if facts { rows.append([.text("факт")] + ServiceAssignment.Column.allCases.map { .figure(row[$0].fact) }) }
        }
        table(head: head, rows: rows)
        if let n = a.normative { normativeCalculation(n) }
        if !a.forecast.isEmpty { recipientForecast(a.forecast) }
    }

    private mutating func normativeCalculation(_ n: ServiceAssignment.Normative) {
        section("Расчёт норматива затрат на одного получателя")
        var rows = n.components.enumerated().map { i, c -> [FormCell] in
            [.text("K\(i + 1)"), .money(c.base), .figure(c.factor), .money(c.value)]
        }
        rows.append([FormCell(text: "N = K1 + K2 + K3 + K4", columns: 3), .money(n.n)])
        table(head: [[.head("Составляющая"), .head("База, руб."), .head("Коэффициент"), .head("Значение, руб.")]], rows: rows)
    }

    private mutating func recipientForecast(_ groups: [ServiceAssignment.ForecastGroup]) {
        section("Прогноз численности получателей")
        let rows = groups.map { g -> [FormCell] in
            [.text(g.name), .figure(g.c0), .figure(g.p), .figure(g.c0Forecast), .figure(g.pForecast), .figure(g.k), .figure(g.c1)]
        }
        table(head: [[.head("Группа получателей"), .head("C0"), .head("П"), .head("C'0"), .head("П'"),
                      .head("K = (C0 + П) / (C'0 + П')"), .head("C1 = (C0 + П) × K")]], rows: rows)
    }
}
