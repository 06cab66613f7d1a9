/// The agreement, the contract and the notice of a contract: parties, subject, volumes, amounts.
extension FormWriter {
    mutating func agreement(_ a: Agreement, _ input: FormInput) {
        heading(input, subtitle: Self.agreementSubtitle(a.kind))
        fields([
            ("Событие", Self.eventName(a.event)),
            ("Срок действия", Self.period(a.term)),
            ("Социальный заказ", Self.reference(a.socialOrderRef)),
            ("Результаты конкурса", Self.reference(a.competitionRef)),
            ("Основное соглашение", Self.reference(a.baseAgreementRef)),
            ("Реестровая запись исполнителя", a.executorRegistryEntry),
            ("Дата расторжения", a.terminationDate.map(RussianFormat.date)),
        ])
        organization("Сторона 1: уполномоченный орган (главный распорядитель бюджетных средств)", a.grantor)
        organization("Сторона 2: исполнитель услуг", a.executor)
        section("1. Предмет соглашения: услуги, объём и финансовое обеспечение")
        let head: [[FormCell]] = [[
            .head("Услуга"), .head("Показатель объёма"), .head("Год"), .head("Объём"),
            .head("Норматив\u{00AD}ные затраты на единицу, руб."), .head("Коэффи\u{00AD}циент"), .head("Сумма, руб."), .head("КБК"),
        ]]
        var rows: [[FormCell]] = []
        for line in a.services {
            let span = max(line.yearValues.count, 1)
            for (i, y) in line.yearValues.enumerated() {
                var row: [FormCell] = []
                if i == 0 {
                    let indicator = line.indicator.name + ", " + Self.unit(line.indicator)
                        + "\nдопустимое отклонение " + RussianFormat.percent(line.allowedDeviation)
                    row += [.text(Self.serviceDescription(line.service), rows: span), .text(indicator, rows: span)]
                }
                row += [.text(String(y.year)), .figure(y.volume), .money(y.normativeCost),
                        .figure(y.correctionFactor ?? .one), .money(y.amount), .code(y.kbk)]
                rows.append(row)
            }
        }
        table(head: head, rows: rows, numbered: true)
        section("2. Объём финансового обеспечения по годам")
        let years = a.yearTotals.keys.sorted()
        var totals = years.map { [FormCell.text(String($0)), .money(a.yearTotals[$0])] }
        if years.count > 1 { totals.append([.text("Итого"), .money(years.compactMap { a.yearTotals[$0] }.sum())]) }
        table(head: [[.head("Год"), .head("Сумма, руб.")]], rows: totals)
        if !a.payments.isEmpty {
            section("3. График перечисления средств")
            var payments = a.payments.map { [FormCell.text(Self.paymentPeriod($0.period)), .code($0.kbk), .money($0.amount)] }
            payments.append([FormCell(text: "Итого", columns: 2), .money(a.payments.map(\.amount).sum())])
            table(head: [[.head("Период"), .head("КБК"), .head("Сумма, руб.")]], rows: payments)
        }
    }

    mutating func contract(_ c: Contract, _ input: FormInput) {
        heading(input, subtitle: "об оказании услуги в социальной сфере в соответствии с социальным сертификатом")
        fields([
            ("Событие", Self.eventName(c.event)),
            ("Социальный сертификат", "№\u{00A0}" + c.certificateNumber),
            ("Соглашение исполнителя с уполномоченным органом", Self.reference(c.agreementRef)),
            ("Срок действия", Self.period(c.term)),
            ("Дата расторжения", c.terminationDate.map(RussianFormat.date)),
        ])
        organization("Исполнитель услуги", c.executor)
        person("Потребитель услуги", c.consumer)
        section("Предмет договора")
        let head: [[FormCell]] = [[
            .head("Услуга"), .head("Показатель объёма"), .head("Объём"), .head("Цена единицы, руб."),
            .head("За счёт сертификата, руб."), .head("За счёт потребителя, руб."), .head("Всего, руб."),
        ]]
        var rows = c.services.map { s -> [FormCell] in
            [.text(Self.serviceDescription(s.service)), .text(s.indicator.name + ", " + Self.unit(s.indicator)),
             .figure(s.volume), .money(s.pricePerUnit), .money(s.amountFromCertificate),
             .money(s.amountPaidByConsumer ?? .zero), .money(s.total)]
        }
        if c.services.count > 1 {
            rows.append([FormCell(text: "Итого", columns: 4), .money(c.services.map(\.amountFromCertificate).sum()),
                         .money(c.services.map { $0.amountPaidByConsumer ?? .zero }.sum()), .money(c.services.map(\.total).sum())])
        }
        table(head: head, rows: rows, numbered: true)
    }

    mutating func contractNotice(_ n: ContractNotice, _ input: FormInput) {
        heading(input, subtitle: n.type == "termination" ? "о расторжении договора" : "о заключении договора")
        fields([
            ("Договор", Self.reference(n.contractRef)),
            ("Социальный сертификат", "№\u{00A0}" + n.certificateNumber),
            ("Срок действия договора", Self.period(n.term)),
            ("Дата расторжения", n.terminationDate.map(RussianFormat.date)),
        ])
        organization("Уполномоченный орган (получатель уведомления)", n.authorizedBody)
        organization("Исполнитель услуги", n.executor)
        person("Потребитель услуги", n.consumer)
        section("Услуги по договору")
        let rows = n.services.map { s -> [FormCell] in
            [.text(s.regNum.isEmpty ? s.name : "\(s.name) (\(s.regNum))"), .text(s.indicator.name + ", " + Self.unit(s.indicator)),
             .figure(s.volume), .money(s.amountFromCertificate)]
        }
        table(head: [[.head("Услуга"), .head("Показатель объёма"), .head("Объём"), .head("За счёт сертификата, руб.")]],
              rows: rows, numbered: true)
    }

    static func agreementSubtitle(_ kind: String) -> String {
        let base = "о финансовом обеспечении оказания государственных (муниципальных) услуг в социальной сфере"
        switch kind {
        case "certificate": return base + " в соответствии с социальными сертификатами"
        case "competition": return base + " по результатам конкурса"
        case "stateAssignment": return base + " на основании государственного (муниципального) задания"
        default: return base
        }
    }

    static func eventName(_ event: String) -> String {
        switch event {
        case "draft": "проект"
        case "concluded": "заключение"
        case "amended": "изменение"
        case "terminated": "расторжение"
        case "issued": "выдача"
        case "changed": "изменение"
        case "suspended": "приостановление"
        case "redeemed": "погашение"
        case "cancelled": "аннулирование"
        default: event
        }
    }

    /// `2025-03` as «март 2025 г.», `2025-Q1` as «I квартал 2025 г.»; anything else as written.
    static func paymentPeriod(_ p: String) -> String {
        let parts = p.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]) else { return p }
        if parts[1].hasPrefix("Q"), let q = Int(parts[1].dropFirst()), let name = RussianFormat.quarter(q) {
            return "\(name) \(year)\u{00A0}г."
        }
        guard let m = Int(parts[1]), (1...12).contains(m) else { return p }
        return "\(monthsNominative[m - 1]) \(year)\u{00A0}г."
    }

    static let monthsNominative = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
                                   "октябрь", "ноябрь", "декабрь"]
}
