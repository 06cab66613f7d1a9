/// The social certificate (its three sections) and the gateway's receipt.
extension FormWriter {
    mutating func certificate(_ c: SocialCertificate, _ input: FormInput) {
        heading(input, subtitle: "на получение государственной (муниципальной) услуги в социальной сфере")
        section("I. Общие сведения")
        fields([
            ("Событие", Self.eventName(c.event)),
            ("Состояние", Self.certificateState(c.state)),
            ("Дата выдачи", c.issueDate.map(RussianFormat.date)),
            ("Срок действия", Self.period(Period(from: c.validFrom, to: c.validTo))),
            ("Категория потребителей", c.consumerCategory),
            ("Социальный заказ", Self.reference(c.socialOrderRef)),
        ])
        organization("Уполномоченный орган, выдавший сертификат", c.issuer)
        person("Получатель сертификата", c.recipient)
        section("II. Услуги, на получение которых выдан сертификат")
        let head: [[FormCell]] = [[
            .head("Услуга"), .head("Показатель объёма"), .head("Объём"), .head("Норматив\u{00AD}ные затраты на единицу, руб."),
            .head("Объём финансо\u{00AD}вого обеспе\u{00AD}чения, руб."), .head("Период оказания"), .head("Исполни\u{00AD}тели (ИНН)"),
        ]]
        var rows = c.services.map { s -> [FormCell] in
            [.text(Self.serviceDescription(s.service)), .text(s.indicator.name + ", " + Self.unit(s.indicator)),
             .figure(s.volume), .money(s.normativeCost), .money(s.value), .text(Self.period(s.servicePeriod, lines: true)),
             .text(s.allowedExecutorINNs.isEmpty ? "любой из реестра" : s.allowedExecutorINNs.joined(separator: "\n"))]
        }
        if c.services.count > 1 {
            rows.append([FormCell(text: "Итого", columns: 4), .money(c.services.map(\.value).sum()), .text(""), .text("")])
        }
        table(head: head, rows: rows, numbered: true)
        section("III. Договоры, заключённые по сертификату")
        let contracts = c.contracts.map { k -> [FormCell] in
            [.text(Self.reference(k.contractRef)), .text("\(k.executorName)\nИНН \(k.executorINN)"), .text(k.serviceRegNum),
             .figure(k.volume), .money(k.amount), .figure(k.factVolume)]
        }
        table(head: [[.head("Договор"), .head("Исполнитель"), .head("Услуга (реестровый номер)"), .head("Объём"),
                      .head("За счёт сертификата, руб."), .head("Оказано фактически")]], rows: contracts, numbered: true)
    }

    mutating func receipt(_ r: Receipt, _ input: FormInput) {
        heading(input)
        fields([
            ("Результат", Self.receiptStatus(r.status)),
            ("Сформирована", RussianFormat.dateTime(r.createdAt)),
            ("Шлюз", r.instanceId),
            ("Маршрут", r.route),
        ])
        section("Документ")
        fields([
            ("Имя файла", r.fileName),
            ("Вид документа", r.documentKind.map { DocumentKind(rawValue: $0)?.title.ru ?? $0 }),
            ("Идентификатор", r.documentId),
            ("SHA-256", r.sha256),
            ("Получен", r.receivedAt.map(RussianFormat.dateTime)),
            ("Доставлен как", r.deliveredAs),
        ])
        section("Ошибки и предупреждения")
        let rows = r.errors.map { e -> [FormCell] in
            [.text(e.code), .text(e.severity == "warning" ? "предупреждение" : "ошибка"),
             .text([e.line.map { "строка \($0)" }, e.path].compactMap { $0 }.joined(separator: "\n")),
             .text(e.ru.isEmpty ? e.en : e.ru)]
        }
        table(head: [[.head("Код"), .head("Вид"), .head("Место"), .head("Сообщение")]], rows: rows)
    }

    static func certificateState(_ state: String) -> String {
        switch state {
        case "active": "действует"
        case "suspended": "приостановлен"
        case "redeemed": "погашен"
        case "cancelled": "аннулирован"
        default: state
        }
    }

    static func receiptStatus(_ status: String) -> String {
        switch status {
        case "accepted": "принят"
        case "delivered": "доставлен"
        case "rejected": "отклонён"
        case "duplicate": "повторный, уже доставлен"
        case "conflict": "конфликт: другой документ с тем же идентификатором"
        case "quarantined": "помещён в карантин"
        default: status
        }
    }
}
