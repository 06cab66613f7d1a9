import DocgateConsole
import DocgateCore
import DocgateDocuments
import DocgateGateway
import Hummingbird

/// The dashboard: the instance's and the journal's health, each route's queue, documents per hour by outcome over
/// the last day (an SVG chart), today's most frequent error codes, the instances on the journal. It refreshes
/// itself every 30 seconds.
struct DashboardRoutes {
    let deps: ConsoleDependencies

    /// What the dashboard shows, read off the event loop. Nothing in it counts the whole journal: the day's
    /// figures come from the hourly counts, the work in flight from the unfinished entries' index.
    struct Figures: Sendable {
        var instances: [InstanceClaims] = []
        var hours: [HourlyCount] = []
        var codes: [(code: String, count: Int)] = []
        var problem: String?
    }

    func add(to router: Router<ConsoleRequestContext>) {
        router.get("/") { request, _ -> Response in
            guard let session = RequestReader(deps: deps).session(request) else { return Pages.redirect("/login") }
            let journal = deps.journal
            let now = deps.now()
            let figures = try await blocking { Self.load(journal, now: now) }
            return Pages.html(page(session, figures, status: deps.status(), now: now))
        }
    }

    static func load(_ journal: any Journal, now: Double) -> Figures {
        var f = Figures()
        let dayStart = HourlyChart.firstHour(now)
        do {
            f.instances = try journal.instances()
            // To the end of the current hour: the console's clock is whole seconds, and what finished within the
            // current second (after `now`) belongs to the current hour's bar all the same.
            f.hours = try journal.hourlyOutcomes(since: dayStart, until: dayStart + 24 * 3600)
            // The same hours as the chart and the day's figures: the current one and the 23 before it.
            f.codes = try journal.topErrorCodes(since: dayStart, limit: 10)
        } catch {
            f.problem = "Журнал не ответил: \(error)"
        }
        return f
    }

    private func page(_ session: Session, _ f: Figures, status: ConsoleStatus, now: Double) -> String {
        Layout.page(title: "Сводка", session: session, active: "/", refresh: 30) { w in
            if let problem = f.problem { Layout.notice(&w, "error", problem) }
            health(&w, f, status: status, now: now)
            w.element("h2", text: "Документы по часам за сутки")
            HourlyChart.write(&w, hours: f.hours, now: now)
            w.element("h2", text: "Очереди маршрутов")
            let routes = deps.config.routes.map { route -> [String] in
                let inbox = status.inboxes[route.name]
                return [route.name, inbox.map { String($0.waiting) } ?? "—",
                        inbox?.oldestSince.map { ConsoleTime.duration(now - $0) } ?? "—",
                        inbox.map { ConsoleTime.text($0.scannedAt) } ?? "ещё не просматривался"]
            }
            Layout.table(&w, head: ["Маршрут", "Ждут во входящем", "Дольше всех ждёт", "Просмотрен"], rows: routes,
                         numeric: [1], id: "queues")
            w.element("h2", text: "Частые ошибки за сутки")
            if f.codes.isEmpty {
                w.element("p", text: "Ошибок нет.")
            } else {
                let rows = f.codes.map { c in [c.code, Code(rawValue: c.code)?.entry.meaning.ru ?? "", String(c.count)] }
                Layout.table(&w, head: ["Код", "Значение", "Документов"], rows: rows, numeric: [2], id: "codes")
            }
            if !f.instances.isEmpty {
                w.element("h2", text: "Экземпляры шлюза на журнале")
                let rows = f.instances.map { i in
                    [i.owner, String(i.claims), i.leaseUntil >= now ? "до " + ConsoleTime.text(i.leaseUntil) : "истекла " + ConsoleTime.text(i.leaseUntil)]
                }
                Layout.table(&w, head: ["Экземпляр", "Документов в работе", "Аренда"], rows: rows, numeric: [1])
            }
        }
    }

    private func health(_ w: inout HTMLWriter, _ f: Figures, status: ConsoleStatus, now: Double) {
        let state = !status.running ? "останавливается" : status.stalled ? "нет движения" : "работает"
        func day(_ outcomes: Set<String>) -> Int { f.hours.filter { outcomes.contains($0.outcome) }.reduce(0) { $0 + $1.count } }
        let inFlight = f.instances.reduce(0) { $0 + $1.claims }
        let oldest = f.instances.compactMap(\.oldestReceived).min()
        let items: [(String, String, String)] = [
            ("instance", status.instance, "экземпляр: " + state),
            ("journal", status.journalUp ? "отвечает" : "недоступен", "журнал"),
            ("in-flight", String(inFlight), "в работе" + (oldest.map { ", старейший " + ConsoleTime.duration(now - $0) } ?? "")),
            ("delivered", String(day(["delivered"])), "доставлено за сутки"),
            ("rejected", String(day(["rejected", "conflict"])), "отклонено и конфликтов за сутки"),
        ]
        w.element("div", ["class": "figures", "id": "health"]) { d in
            for (id, value, label) in items {
                d.element("div", ["class": "figure", "id": "figure-" + id]) { fig in
                    fig.element("span", ["class": "value"], text: value)
                    fig.element("span", ["class": "label"], text: label)
                }
            }
        }
    }
}

/// Documents per hour by outcome as stacked bars, drawn in SVG by the server.
enum HourlyChart {
    static let outcomes: [(key: String, title: String, color: String)] = [
        ("delivered", "доставлено", "#2e7d32"), ("rejected", "отклонено", "#a4262c"),
        ("conflict", "конфликт", "#e09f1f"), ("duplicate", "повтор", "#8d99a6"),
    ]

    /// The start of the chart's first hour: the current hour and the 23 before it are shown.
    static func firstHour(_ now: Double) -> Double { (now / 3600).rounded(.down) * 3600 - 23 * 3600 }

    static func write(_ w: inout HTMLWriter, hours: [HourlyCount], now: Double) {
        let first = firstHour(now)
        var counts = Array(repeating: [String: Int](), count: 24)
        for h in hours {
            let slot = Int((h.hour - first) / 3600)
            if (0..<24).contains(slot) { counts[slot][h.outcome, default: 0] += h.count }
        }
        let totals = counts.map { $0.values.reduce(0, +) }
        let peak = max(1, totals.max() ?? 1)
        let (width, height, bar) = (960, 220, 36)
        w.element("svg", ["class": "chart", "id": "hourly-chart", "width": String(width), "height": String(height + 30),
                          "viewBox": "0 0 \(width) \(height + 30)", "role": "img",
                          "aria-label": "Документы по часам: всего \(totals.reduce(0, +))"]) { svg in
            for slot in 0..<24 {
                var y = height
                let x = 10 + slot * (bar + 3)
                for o in outcomes {
                    let n = counts[slot][o.key] ?? 0
                    guard n > 0 else { continue }
                    let h = max(1, n * (height - 20) / peak)
                    y -= h
                    svg.element("rect", ["x": String(x), "y": String(y), "width": String(bar), "height": String(h), "fill": o.color]) {
                        $0.element("title", text: "\(o.title): \(n)")
                    }
                }
                let label = ConsoleTime.text(first + Double(slot) * 3600).split(separator: " ").last.map { String($0.prefix(2)) } ?? ""
                svg.element("text", ["x": String(x + bar / 2), "y": String(height + 16), "text-anchor": "middle",
                                     "font-size": "11", "fill": "#5b6875"], text: label)
            }
        }
        w.element("p", ["class": "legend"]) { p in
            for o in outcomes {
                p.element("span") { s in
                    s.element("span", ["class": "swatch " + o.key], text: "")
                    s.text(o.title)
                }
            }
        }
    }
}
