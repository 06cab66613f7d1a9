import DocgateConsole
import DocgateCore
import DocgateDocuments

/// The console's page frame: the header with the instance, the navigation and the user with a logout button, the
/// page's content, and nothing fetched from outside (the style sheet is served by the console itself, there is no
/// script at all).
enum Layout {
    /// The navigation: path, title, and whether an operator alone sees it.
    static let sections: [(path: String, title: String, operatorOnly: Bool)] = [
        ("/", "Сводка", false), ("/journal", "Журнал", false), ("/quarantine", "Карантин", false),
        ("/validate", "Проверка файлов", true),
    ]

    /// The query a page's automatic refresh adds to its address: such a request does not extend the session.
    static let refreshQuery = "auto=1"

    /// A whole page for a signed-in user; `active` is the path of the current section, and the page reloads itself
    /// every `refresh` seconds when that is given.
    static func page(title: String, session: Session?, active: String, refresh: Int? = nil,
                     _ content: (inout HTMLWriter) -> Void) -> String {
        var w = HTMLWriter()
        w.trusted("<!DOCTYPE html>\n")
        w.element("html", ["lang": "ru"]) { html in
            html.element("head") { head in
                head.void("meta", ["charset": "utf-8"])
                head.void("meta", ["name": "viewport", "content": "width=device-width, initial-scale=1"])
                if let refresh {
                    head.void("meta", ["http-equiv": "refresh", "content": "\(refresh);url=\(active)?\(refreshQuery)"])
                }
                head.element("title", text: title + " — docgate")
                head.void("link", ["rel": "stylesheet", "href": "/assets/console.css"])
            }
            html.element("body") { body in
                header(&body, session: session, active: active)
                body.element("main") { main in
                    main.element("h1", text: title)
                    content(&main)
                }
            }
        }
        return w.html + "\n"
    }

    private static func header(_ w: inout HTMLWriter, session: Session?, active: String) {
        w.element("header") { h in
            h.element("span", ["class": "brand"], text: "docgate")
            guard let session else { return }
            h.element("nav") { nav in
                for s in sections where !s.operatorOnly || session.role == .operator {
                    if s.path == active {
                        nav.element("a", ["href": s.path, "class": "active", "aria-current": "page"], text: s.title)
                    } else {
                        nav.element("a", ["href": s.path], text: s.title)
                    }
                }
            }
            h.element("form", ["method": "post", "action": "/logout", "class": "logout"]) { f in
                f.element("span", ["class": "user"], text: "\(session.name) (\(roleName(session.role)))")
                csrf(&f, session)
                f.element("button", ["type": "submit"], text: "Выйти")
            }
        }
    }

    /// The hidden CSRF field every form that changes state carries.
    static func csrf(_ w: inout HTMLWriter, _ session: Session) {
        w.void("input", ["type": "hidden", "name": "csrf", "value": session.csrfToken])
    }

    static func roleName(_ role: Role) -> String {
        switch role {
        case .viewer: "просмотр"
        case .operator: "оператор"
        }
    }

    /// A notice above the content: `kind` is `error`, `ok` or `info`.
    static func notice(_ w: inout HTMLWriter, _ kind: StaticString, _ text: String) {
        switch kind.description {
        case "error": w.element("p", ["class": "notice error", "role": "alert"], text: text)
        case "ok": w.element("p", ["class": "notice ok", "role": "status"], text: text)
        default: w.element("p", ["class": "notice info"], text: text)
        }
    }

    /// A table with a head row and body rows of plain text cells; `numeric` marks right-aligned columns.
    static func table(_ w: inout HTMLWriter, head: [String], rows: [[String]], numeric: Set<Int> = [], id: String? = nil) {
        let body: (inout HTMLWriter) -> Void = { t in
            t.element("thead") { h in h.element("tr") { r in for c in head { r.element("th", text: c) } } }
            t.element("tbody") { b in
                for row in rows {
                    b.element("tr") { r in
                        for (i, c) in row.enumerated() {
                            if numeric.contains(i) { r.element("td", ["class": "number"], text: c) } else { r.element("td", text: c) }
                        }
                    }
                }
            }
        }
        if let id { w.element("table", ["id": id], body) } else { w.element("table", [:], body) }
    }

    /// Findings with code, kind, line, element and message; the message masked for a viewer (`mask`).
    static func findings(_ w: inout HTMLWriter, _ list: [Diagnostic], mask: Bool = false, id: String? = nil) {
        let rows = list.map { d in
            [d.code, d.severity == .error ? "ошибка" : "предупреждение", d.line.map(String.init) ?? "—", d.path ?? "—",
             mask ? PersonalData.masked(d.message.ru) : d.message.ru]
        }
        table(&w, head: ["Код", "Вид", "Строка", "Элемент", "Сообщение"], rows: rows, id: id)
    }
}
