import DocgateConsole
import DocgateCore
import DocgateDocuments
import DocgateGateway
import Hummingbird

/// The journal: search by document id, file name, ИНН, kind, outcome, route and date range, newest first, 50 a page
/// with keyset pagination (the next page starts after the last entry shown, however deep); the quarantine is the same
/// list of rejected and conflicting documents with their reasons and, for an operator, a requeue button.
struct JournalRoutes {
    let deps: ConsoleDependencies
    static let pageSize = 50

    func add(to router: Router<ConsoleRequestContext>) {
        router.get("journal") { request, _ -> Response in
            guard let session = RequestReader(deps: deps).session(request) else { return Pages.redirect("/login") }
            guard let params = FormDecoding.query(request) else {
                return Pages.problem(.badRequest, "Журнал", "Параметры поиска не читаются.", session: session)
            }
            let (query, mistakes) = Self.query(params)
            let journal = deps.journal
            let entries = mistakes.isEmpty ? try await blocking { try journal.search(query) } : []
            return Pages.html(page(session, params: params, entries: entries, mistakes: mistakes, query: query))
        }
        router.get("quarantine") { request, _ -> Response in
            guard let session = RequestReader(deps: deps).session(request) else { return Pages.redirect("/login") }
            let before = FormDecoding.query(request)?["before"].flatMap { Int64($0) }
            let journal = deps.journal
            let (entries, requeued) = try await blocking { () -> ([JournalEntry], [Int64: JournalEvent]) in
                var rejected = try journal.search(JournalQuery(outcome: .rejected, before: before, limit: Self.pageSize))
                rejected += try journal.search(JournalQuery(outcome: .conflict, before: before, limit: Self.pageSize))
                let page = Array(rejected.sorted { $0.id > $1.id }.prefix(Self.pageSize))
                var requeued: [Int64: JournalEvent] = [:]
                for e in page { if let r = try journal.history(e.id).first(where: { $0.action == "requeue" }) { requeued[e.id] = r } }
                return (page, requeued)
            }
            return Pages.html(QuarantinePage.page(session, entries: entries, requeued: requeued, notice: FormDecoding.query(request)?["done"]))
        }
    }

    /// The search from the page's parameters, and what in them cannot be read.
    static func query(_ p: [String: String]) -> (JournalQuery, [String]) {
        var q = JournalQuery(limit: pageSize)
        var mistakes: [String] = []
        func text(_ key: String) -> String? { p[key].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 } }
        q.documentId = text("document")
        q.fileName = text("file")
        if let inn = text("inn") {
            if inn.count == 10 || inn.count == 12, inn.allSatisfy(\.isASCIIDigit) { q.inn = inn } else { mistakes.append("ИНН — 10 или 12 цифр") }
        }
        if let kind = text("kind") {
            if DocumentKind(rawValue: kind) != nil { q.kind = kind } else { mistakes.append("неизвестный вид документа") }
        }
        if let outcome = text("outcome") {
            if outcome == "unfinished" { q.unfinished = true } else if let o = Outcome(rawValue: outcome) { q.outcome = o } else { mistakes.append("неизвестный итог") }
        }
        q.route = text("route")
        for (key, name) in [("from", "с"), ("to", "по")] {
            guard let value = text(key) else { continue }
            guard let d = CalendarDate(value), let midnight = ConsoleTime.localMidnight(d) else {
                mistakes.append("дата «\(name)» — ГГГГ-ММ-ДД")
                continue
            }
            // Days as the console shows times: the server's local time (a day of 23 or 25 hours at a clock change).
            if key == "from" {
                q.from = midnight
            } else {
                var next = d
                next.day += 1
                q.to = ConsoleTime.localMidnight(next) ?? midnight + 86_400
            }
        }
        if let before = text("before") {
            if let b = Int64(before), b > 0 { q.before = b } else { mistakes.append("неверная страница") }
        }
        return (q, mistakes)
    }

    private func page(_ session: Session, params: [String: String], entries: [JournalEntry], mistakes: [String], query: JournalQuery) -> String {
        Layout.page(title: "Журнал", session: session, active: "/journal") { w in
            searchForm(&w, params)
            for m in mistakes { Layout.notice(&w, "error", "Не удалось искать: " + m + ".") }
            if mistakes.isEmpty && entries.isEmpty { w.element("p", ["id": "no-entries"], text: "Ничего не найдено.") }
            if !entries.isEmpty { Self.entriesTable(&w, entries) }
            if entries.count == query.limit, let last = entries.last {
                var next = params
                next["before"] = String(last.id)
                let link = "/journal?" + next.sorted { $0.key < $1.key }.map { "\(PercentEncoding.encoded($0.key))=\(PercentEncoding.encoded($0.value))" }
                    .joined(separator: "&")
                w.element("p", ["class": "pager"]) { $0.element("a", ["href": link, "id": "next-page"], text: "Следующая страница →") }
            }
        }
    }

    private func searchForm(_ w: inout HTMLWriter, _ p: [String: String]) {
        w.element("form", ["method": "get", "action": "/journal", "class": "search"]) { f in
            for (key, label) in [("document", "Идентификатор документа"), ("file", "Имя файла (начало)"), ("inn", "ИНН стороны"),
                                 ("route", "Маршрут")] {
                f.element("label") { l in
                    l.text(label)
                    l.void("input", ["name": key, "id": "search-" + key, "value": p[key] ?? ""])
                }
            }
            select(&f, "kind", "Вид", [("", "любой")] + DocumentKind.allCases.map { ($0.rawValue, $0.title.ru) }, p["kind"])
            select(&f, "outcome", "Итог", [("", "любой")] + Outcome.allCases.map { ($0.rawValue, Self.outcomeName($0)) } + [("unfinished", "в работе")],
                   p["outcome"])
            for (key, label) in [("from", "Получен с"), ("to", "по")] {
                f.element("label") { l in
                    l.text(label)
                    l.void("input", ["name": key, "type": "date", "value": p[key] ?? ""])
                }
            }
            f.element("button", ["type": "submit", "id": "search"], text: "Найти")
        }
    }

    private func select(_ w: inout HTMLWriter, _ name: String, _ label: String, _ options: [(String, String)], _ chosen: String?) {
        w.element("label") { l in
            l.text(label)
            l.element("select", ["name": name, "id": "search-" + name]) { s in
                for (value, title) in options {
                    let attributes: KeyValuePairs<StaticString, String> = value == (chosen ?? "") ? ["value": value, "selected": "selected"] : ["value": value]
                    s.element("option", attributes, text: title)
                }
            }
        }
    }

    /// Entries with their id linking to the document page.
    static func entriesTable(_ w: inout HTMLWriter, _ entries: [JournalEntry]) {
        w.element("table", ["id": "entries"]) { t in
            t.element("thead") { h in
                h.element("tr") { r in
                    for c in ["№", "Получен", "Маршрут", "Файл", "Вид", "Итог", "Этап"] { r.element("th", text: c) }
                }
            }
            t.element("tbody") { b in
                for e in entries {
                    b.element("tr") { r in
                        entryCells(&r, e, kind: true)
                        r.element("td", text: stageName(e.stage))
                    }
                }
            }
        }
    }

    /// An entry's first cells: its number linking to its page, when received, route, file, (kind,) outcome.
    static func entryCells(_ r: inout HTMLWriter, _ e: JournalEntry, kind: Bool) {
        r.element("td") { $0.element("a", ["href": "/documents/\(e.id)"], text: String(e.id)) }
        r.element("td", text: ConsoleTime.text(e.receivedAt))
        r.element("td", text: e.route)
        r.element("td", ["class": "mono"], text: e.fileName)
        if kind { r.element("td", text: e.kind.flatMap { DocumentKind(rawValue: $0)?.title.ru } ?? "—") }
        r.element("td", ["class": "outcome-" + (e.outcome?.rawValue ?? "none")], text: outcomeName(e.outcome))
    }

    static func outcomeName(_ o: Outcome?) -> String {
        switch o {
        case .delivered: "доставлен"
        case .rejected: "отклонён"
        case .duplicate: "повтор"
        case .conflict: "конфликт"
        case nil: "—"
        }
    }

    static func stageName(_ s: Stage) -> String {
        switch s {
        case .claimed: "принят в работу"
        case .staged: "подготовлен"
        case .delivered: "доставлен"
        case .receipted: "квитанция отправлена"
        case .done: "завершён"
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
