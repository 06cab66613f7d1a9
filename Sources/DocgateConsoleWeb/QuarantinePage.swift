import DocgateConsole
import DocgateDocuments
import DocgateGateway

/// Rejected and conflicting documents with their reasons; an operator requeues one once its cause is fixed.
enum QuarantinePage {
    static func page(_ session: Session, entries: [JournalEntry], requeued: [Int64: JournalEvent], notice: String?) -> String {
        Layout.page(title: "Карантин", session: session, active: "/quarantine") { w in
            if let notice, let id = Int64(notice) {
                Layout.notice(&w, "ok", "Документ \(id) отправлен на повторную обработку.")
            }
            w.element("p", text: "Отклонённые документы и конфликты: другой документ с тем же идентификатором. Исправьте причину у отправителя или в настройках шлюза, затем отправьте документ повторно.")
            if entries.isEmpty {
                w.element("p", ["id": "quarantine-empty"], text: "В карантине пусто.")
                return
            }
            w.element("table", ["id": "quarantine"]) { t in
                t.element("thead") { h in
                    h.element("tr") { r in for c in ["№", "Получен", "Маршрут", "Файл", "Итог", "Причина", ""] { r.element("th", text: c) } }
                }
                t.element("tbody") { b in
                    for e in entries {
                        b.element("tr") { r in
                            JournalRoutes.entryCells(&r, e, kind: false)
                            let reason = RecordedFindings.summary(e.errors)
                            r.element("td", text: session.role == .viewer ? PersonalData.masked(reason) : reason)
                            r.element("td") { c in
                                if let done = requeued[e.id] {
                                    c.text("отправлен повторно \(ConsoleTime.text(done.at)), \(done.actor ?? "—")")
                                } else if session.role == .operator && e.stage == .done {
                                    DocumentPage.requeueForm(&c, session, id: e.id, back: "quarantine")
                                }
                            }
                        }
                    }
                }
            }
            if entries.count == JournalRoutes.pageSize, let last = entries.last {
                w.element("p", ["class": "pager"]) { $0.element("a", ["href": "/quarantine?before=\(last.id)"], text: "Следующая страница →") }
            }
        }
    }
}
