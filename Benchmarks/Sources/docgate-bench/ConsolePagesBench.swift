import DocgateGateway
import Foundation

/// The console's pages over HTTP on a journal of 1 000 000 entries (the search scenario's fill, SQLite): the
/// daemon runs with `[console]`, a signed-in client asks 200 times for each page — the journal's first page, a page
/// deep in its keyset pagination, each search, the dashboard, the quarantine — on one keep-alive connection, and
/// p99 of the answer time is set against the anchor of the same run: the console's style sheet, a page that touches
/// no journal.
enum ConsolePagesBench {
    static func run(_ o: Options) throws {
        let work = o.work + "/console-pages"
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let base = Date().timeIntervalSince1970 - SearchBench.span
        _ = try SQLiteJournal(path: work + "/journal.sqlite")
        try SearchBench.fill(sqlite: work + "/journal.sqlite", base: base)
        let port = ConsoleBench.freePort()
        var routes = ""
        for r in 0..<3 {
            for d in ["in", "out", "rc", "err", "arch"] {
                try FileManager.default.createDirectory(atPath: "\(work)/r\(r)/\(d)", withIntermediateDirectories: true)
            }
            routes += "\n[[route]]\nname = \"r\(r)\"\ninbox = \"r\(r)/in\"\noutbox = \"r\(r)/out\"\nreceipts = \"r\(r)/rc\"\nerrors = \"r\(r)/err\"\narchive = \"r\(r)/arch\"\n"
        }
        let cfg = work + "/gateway.toml"
        try """
            gateway_id = "bench"
            journal = "journal.sqlite"
            schemas = "\(o.schemas)"
            [console]
            listen = "127.0.0.1:\(port)"
            users = "users"
            \(routes)
            """.write(toFile: cfg, atomically: true, encoding: .utf8)
        try ConsoleBench.addUser((o.docgate as NSString).deletingLastPathComponent + "/docgate-gateway", cfg)
        let pid = GatewayBench.spawn([o.docgate, "run", "--config", cfg], log: work + "/daemon.log")
        defer { _ = GatewayBench.stop(pid) }
        let client = ConsoleClient(port: port)
        precondition(client.waitForLogin(seconds: 60), "the console did not answer")
        func x() -> Int { Int.random(in: 1...(SearchBench.total - 1_000)) }
        let pages: [(String, () -> String)] = [
            ("anchor: the style sheet", { "/assets/console.css" }),
            ("(a) the journal's first page", { "/journal" }),
            ("(b) a page deep in keyset pagination", { "/journal?before=\(x())" }),
            ("document id", { let v = x(); return String(format: "/journal?document=%08lx-0000-4000-8000-%012lx", v, v) }),
            ("file-name prefix", { "/journal?file=DOC_\(Int.random(in: 100_000...999_000) / 10)" }),
            ("ИНН of a small party", { "/journal?inn=77" + String(format: "%08ld", x() % 20_000) }),
            ("ИНН of the big authority", { "/journal?inn=\(SearchBench.big)" }),
            ("kind", { "/journal?kind=contract" }),
            ("outcome rejected", { "/journal?outcome=rejected" }),
            ("route", { "/journal?route=r1" }),
            ("received on a day", { let d = day(base + Double(x() % 900_000) * 0.864); return "/journal?from=\(d)&to=\(d)" }),
            ("received over all ten days", { "/journal?from=\(day(base))&to=\(day(base + SearchBench.span))" }),
            ("rejected over all ten days, a page deep", { "/journal?outcome=rejected&from=\(day(base))&to=\(day(base + SearchBench.span))&before=\(x())" }),
            ("the dashboard", { "/" }),
            ("the quarantine", { "/quarantine" }),
        ]
        var rows: [String] = []
        var anchor = 0.0
        for (name, path) in pages {
            _ = client.times(path(), count: 20)                 // warm
            let t = (0..<200).flatMap { _ in client.times(path(), count: 1) }.sorted()
            let p50 = t[100] * 1000, p99 = t[197] * 1000
            if anchor == 0 { anchor = p99 }
            rows.append("| \(name) | \(String(format: "%.1f", p50)) | **\(String(format: "%.1f", p99))** | \(String(format: "%.1f", p99 / anchor))× |")
        }
        print("""
        ## console-pages — \(Date()) — \(ProcessInfo.processInfo.activeProcessorCount) cores

        The console over HTTP on a journal of 1 000 000 entries (SQLite), 200 requests per page on one keep-alive connection, answer times in ms (target: p99 < 100 ms); the anchor is the style sheet, served by the same server without the journal:

        | page | p50 | p99 | p99 / anchor's p99 |
        | --- | --- | --- | --- |
        \(rows.joined(separator: "\n"))
        """)
    }

    /// `YYYY-MM-DD` of an instant, in UTC.
    static func day(_ t: Double) -> String {
        var time = time_t(t)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04d-%02d-%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday)
    }
}
