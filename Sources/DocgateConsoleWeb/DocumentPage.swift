import DocgateConsole
import DocgateCore
import DocgateDocuments
import DocgateGateway
import DocgateProcessing
import DocgateSignature

/// The document page's HTML.
enum DocumentPage {
    static func page(_ session: Session, _ v: DocumentRoutes.View, notice: String?) -> String {
        let e = v.entry
        let title = (e.kind.flatMap { DocumentKind(rawValue: $0)?.title.ru } ?? "Документ") + " — запись \(e.id)"
        return Layout.page(title: title, session: session, active: "/journal") { w in
            if notice == "requeued" { Layout.notice(&w, "ok", "Документ отправлен на повторную обработку: он снова во входящем каталоге маршрута.") }
            entryTable(&w, e)
            let requeued = v.history.first { $0.action == "requeue" }
            if let requeued {
                Layout.notice(&w, "info", "Отправлен повторно \(ConsoleTime.text(requeued.at)), \(requeued.actor ?? "—").")
            } else if session.role == .operator && e.stage == .done && (e.outcome == .rejected || e.outcome == .conflict) {
                requeueForm(&w, session, id: e.id, back: nil)
            }
            w.element("h2", text: "Движение по журналу")
            let rows = v.history.map { h in
                [ConsoleTime.text(h.at), actionName(h.action), h.from.map(JournalRoutes.stageName) ?? "—",
                 h.to.map(JournalRoutes.stageName) ?? "—", JournalRoutes.outcomeName(h.outcome), h.attempt.map(String.init) ?? "—",
                 h.actor.map { "\($0) (оператор)" } ?? h.owner ?? "—", h.note ?? ""]
            }
            Layout.table(&w, head: ["Время", "Событие", "Из", "В", "Итог", "Попытка", "Кто", "Примечание"], rows: rows,
                         numeric: [5], id: "history")
            files(&w, session, v)
            findings(&w, session, v)
            signatures(&w, session, v)
            if v.files[.original] == true {
                w.element("h2", text: "Печатная форма")
                w.element("p") { p in
                    p.element("a", ["href": "/documents/\(e.id)/form", "target": "_blank", "id": "form-link"], text: "Открыть для печати")
                    p.text(" · ")
                    p.element("a", ["href": "/documents/\(e.id)/form.pdf", "id": "pdf-link"], text: "PDF")
                }
                w.element("iframe", ["class": "form", "src": "/documents/\(e.id)/form", "title": "Печатная форма", "id": "form-frame",
                                     "sandbox": ""], text: "")
            }
            if v.files[.receipt] == true {
                w.element("h2", text: "Квитанция")
                if let r = v.receipt, case .receipt(let receipt)? = r.model {
                    w.element("p", ["id": "receipt-status"], text: "Статус: " + PrintableForm.receiptStatusName(receipt.status))
                }
                w.element("iframe", ["class": "form", "src": "/documents/\(e.id)/receipt-form", "title": "Квитанция", "sandbox": ""], text: "")
            }
        }
    }

    static func actionName(_ action: String) -> String {
        switch action {
        case "claim": "принят в работу"
        case "step": "шаг"
        case "recover": "перехвачен после истечения аренды"
        case "requeue": "отправлен повторно"
        default: action
        }
    }

    private static func entryTable(_ w: inout HTMLWriter, _ e: JournalEntry) {
        let rows: [[String]] = [
            ["Маршрут", e.route], ["Файл", e.fileName], ["Вид", e.kind.flatMap { DocumentKind(rawValue: $0)?.title.ru } ?? "—"],
            ["Идентификатор документа", e.documentId ?? "—"], ["Итог", JournalRoutes.outcomeName(e.outcome)],
            ["Этап", JournalRoutes.stageName(e.stage)], ["Попытка", String(e.attempt)], ["Экземпляр", e.owner],
            ["Получен", ConsoleTime.text(e.receivedAt)], ["Изменён", ConsoleTime.text(e.updatedAt)],
            ["Завершён", ConsoleTime.text(e.finishedAt)], ["Размер, байт", String(e.size)], ["SHA-256", e.sha256],
            [e.outcome == .delivered ? "Доставлен как" : "Имя в каталоге отказов", e.outputName ?? "—"],
        ]
        w.element("table", ["id": "entry"]) { t in
            for r in rows {
                t.element("tr") { tr in
                    tr.element("th", text: r[0])
                    if r[0] == "SHA-256" || r[0] == "Файл" { tr.element("td", ["class": "mono"], text: r[1]) } else { tr.element("td", text: r[1]) }
                }
            }
        }
    }

    /// The requeue button: an operator's, with the session's CSRF token.
    static func requeueForm(_ w: inout HTMLWriter, _ session: Session, id: Int64, back: String?) {
        w.element("form", ["method": "post", "action": "/documents/\(id)/requeue", "class": "inline"]) { f in
            Layout.csrf(&f, session)
            if let back { f.void("input", ["type": "hidden", "name": "back", "value": back]) }
            f.element("button", ["type": "submit", "id": "requeue-\(id)"], text: "Отправить повторно")
        }
    }

    private static func files(_ w: inout HTMLWriter, _ session: Session, _ v: DocumentRoutes.View) {
        w.element("h2", text: "Файлы")
        let titles: [(DocumentFiles.Kind, String)] = [(.original, "Исходный файл"), (.delivered, "Доставленный файл"),
                                                      (.receipt, "Квитанция"), (.reason, "Причина отказа")]
        w.element("ul", ["id": "files"]) { ul in
            for (kind, title) in titles {
                ul.element("li") { li in
                    if v.files[kind] != true {
                        li.text(title + ": нет на месте")
                    } else if session.role == .operator {
                        li.element("a", ["href": "/documents/\(v.entry.id)/file/\(kind.rawValue)"], text: title)
                    } else {
                        li.text(title + ": скачивание доступно оператору")
                    }
                }
            }
        }
    }

    private static func findings(_ w: inout HTMLWriter, _ session: Session, _ v: DocumentRoutes.View) {
        let mask = session.role == .viewer
        let decided = RecordedFindings.parse(v.entry.errors)
        if !decided.isEmpty {
            w.element("h2", text: "Замечания при приёме")
            Layout.findings(&w, decided, mask: mask, id: "decision-findings")
        }
        w.element("h2", text: "Проверка сейчас")
        guard let report = v.report else {
            w.element("p", text: "Исходного файла нет на месте: проверить нечего.")
            return
        }
        if report.diagnostics.isEmpty {
            w.element("p", ["id": "findings-none"], text: "По схеме и правилам документа замечаний нет"
                + (decided.isEmpty ? "." : " (правила между документами сверяются при приёме)."))
            return
        }
        Layout.findings(&w, report.diagnostics, mask: mask, id: "findings")
    }

    private static func signatures(_ w: inout HTMLWriter, _ session: Session, _ v: DocumentRoutes.View) {
        guard let report = v.report, let count = report.summary?.signatureCount, count > 0 else { return }
        w.element("h2", text: "Подписи")
        guard let s = v.signatures else {
            w.element("p", text: "Подписи не проверялись: у маршрута нет доверенных сертификатов.")
            return
        }
        let lines = FormSignatures.make(s, chainChecked: true)
        let mask = session.role == .viewer
        let rows = lines.map { l in
            [l.party ?? "—", !mask ? l.signer : l.isPerson ? "физическое лицо (сведения скрыты)" : "должностное лицо (сведения скрыты)",
             l.validity, l.valid ? "верна" : "НЕ ВЕРНА",
             mask ? PersonalData.masked(l.verdict) : l.verdict]
        }
        Layout.table(&w, head: ["Сторона", "Подписант", "Сертификат", "Итог", "Заключение"], rows: rows, id: "signatures")
    }
}
