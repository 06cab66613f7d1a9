/// The social order as the federal rules set out its form (Government Decree No. 1678 of 13.10.2020): the
/// requisites, then Section I (the aggregated services' volumes per year and method), Section II (the volumes of the
/// services that make them up) and Section III (the quality indicators).
extension FormWriter {
    mutating func socialOrder(_ o: SocialOrder, _ input: FormInput) {
        heading(input, subtitle: Self.orderSubtitle(o.planningPeriod))
        fields([
            ("Направление деятельности", o.activityArea),
            ("Решение об организации оказания услуг", Self.reference(o.organizationDecision)),
        ])
        organization("Уполномоченный орган", o.authorizedBody)
        orderSectionI(o)
        orderSectionII(o)
        orderSectionIII(o)
    }

    /// «на оказание государственных (муниципальных) услуг в социальной сфере на 2025 год и на плановый период 2026 и
    /// 2027 годов».
    static func orderSubtitle(_ p: SocialOrder.PlanningPeriod?) -> String {
        var s = "на оказание государственных (муниципальных) услуг в социальной сфере"
        guard let p else { return s }
        s += " на \(p.financialYear) год и на плановый период \(p.planYear1) и \(p.planYear2) годов"
        if let beyond = p.beyondTo { s += ", а также на период до \(beyond) года" }
        return s
    }

    private mutating func orderSectionI(_ o: SocialOrder) {
        section("I. Общие сведения о социальном заказе")
        var years: [(Int, String)] = []
        for item in o.generalItems where !years.contains(where: { $0 == (item.year, item.yearKind) }) {
            years.append((item.year, item.yearKind))
        }
        if years.isEmpty { table(head: [], rows: []) }
        let head: [[FormCell]] = [
            [.head("Наименование укрупнённой услуги", rows: 2), .head("Год определения исполнителей", rows: 2),
             .head("Место оказания", rows: 2), .head("Показатель объёма", columns: 2),
             .head("Значение показателя объёма", columns: 5)],
            [.head("наименование"), .head("единица (код по ОКЕИ)")] + Self.methodHead,
        ]
        for (year, kind) in years {
            writer.element("h3", text: "на \(year) год" + Self.yearKindName(kind))
            let rows = o.generalItems.filter { $0.year == year && $0.yearKind == kind }.map { item -> [FormCell] in
                [.text(item.service.name), .text(String(item.yearOfDetermination)), .text(Self.place(item.place)),
                 .text(item.indicator.name), .text(Self.unit(item.indicator))] + Self.methodCells(item.volumes)
            }
            table(head: head, rows: rows, numbered: true)
        }
    }

    private mutating func orderSectionII(_ o: SocialOrder) {
        section("II. Сведения об объёме оказания услуг, составляющих укрупнённые услуги")
        var groups: [String] = []
        for item in o.volumeItems where !groups.contains(item.aggregatedService) { groups.append(item.aggregatedService) }
        if groups.isEmpty { table(head: [], rows: []) }
        let head: [[FormCell]] = [
            [.head("Услуга", rows: 2), .head("Показатель объёма", rows: 2), .head("Год", rows: 2),
             .head("Значение показателя объёма", columns: 5), .head("Допустимое отклонение", rows: 2)],
            Self.methodHead,
        ]
        for group in groups {
            writer.element("h3", text: "Укрупнённая услуга «\(group)»")
            var rows: [[FormCell]] = []
            for item in o.volumeItems where item.aggregatedService == group {
                for (i, y) in item.yearValues.enumerated() {
                    var row: [FormCell] = []
                    if i == 0 {
                        let span = max(item.yearValues.count, 1)
                        row += [.text(Self.serviceDescription(item.service, body: item.authorizedBody,
                                                              determination: item.yearOfDetermination), rows: span),
                                .text(item.indicator.name + ", " + Self.unit(item.indicator), rows: span)]
                    }
                    row += [.text(String(y.year))] + Self.methodCells(y.volumes)
                    if i == 0 { row.append(FormCell(text: RussianFormat.percent(item.allowedDeviation), number: true, rows: max(item.yearValues.count, 1))) }
                    rows.append(row)
                }
            }
            table(head: head, rows: rows)
        }
    }

    private mutating func orderSectionIII(_ o: SocialOrder) {
        section("III. Сведения о показателях, характеризующих качество оказания услуг")
        let head: [[FormCell]] = [[
            .head("Услуга"), .head("Год определения исполнителей"), .head("Место оказания"),
            .head("Показатель качества"), .head("Единица (код по ОКЕИ)"), .head("Значение"), .head("Допустимое отклонение"),
        ]]
        let rows = o.qualityItems.map { q -> [FormCell] in
            [.text(q.serviceRegNum.isEmpty ? q.serviceName : "\(q.serviceName) (\(q.serviceRegNum))"),
             .text(String(q.yearOfDetermination)), .text(Self.place(q.place)), .text(q.indicator.name),
             .text(Self.unit(q.indicator)), .figure(q.value), .percent(q.allowedDeviation)]
        }
        table(head: head, rows: rows, numbered: true)
    }

    /// A service with what the form asks of it, one item a line.
    static func serviceDescription(_ s: Service, body: String? = nil, determination: Int? = nil) -> String {
        var lines = [serviceName(s)]
        if let c = s.conditions { lines.append("Условия (формы) оказания: " + c) }
        if let c = s.content { lines.append("Содержание: " + c) }
        if !s.consumerCategories.isEmpty { lines.append("Категории потребителей: " + s.consumerCategories.joined(separator: "; ")) }
        if let p = s.place { lines.append("Место оказания: " + place(p)) }
        if let body { lines.append("Уполномоченный орган: " + body) }
        if let determination { lines.append("Год определения исполнителей: \(determination)") }
        return lines.joined(separator: "\n")
    }

    static func yearKindName(_ kind: String) -> String {
        switch kind {
        case "next": " (очередной финансовый год)"
        case "plan1": " (первый год планового периода)"
        case "plan2": " (второй год планового периода)"
        case "beyond": " (за пределами планового периода)"
        default: ""
        }
    }
}
