import DocgateGateway
import DocgatePostgres
import Foundation

/// The console's journal queries (issue 19) on journals of 1 000 000 entries, SQLite and PostgreSQL: p99 over 200
/// queries each of the first page, a page deep in keyset pagination, every single filter and a few combinations,
/// and the dashboard's figures over a day of 100 000 entries; against the anchor of the same run, a primary-key
/// lookup of one entry (`journal.entry(id)`), timed the same way. In process, through the journals' own API.
enum SearchBench {
    static let total = 1_000_000
    /// Ten days of 100 000 entries each; the last 200 unfinished.
    static let span = 864_000.0
    static let big = "2466012340"

    /// The rows the fill makes, in SQL both databases speak (`x` is 1 … 1 000 000; `base` the first instant).
    static func values(_ base: Double, pg: Bool) -> String {
        let hex = pg ? "lpad(to_hex(x), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(x), 12, '0')"
                     : "printf('%08x-0000-4000-8000-%012x', x, x)"
        let sha = pg ? "lpad(to_hex(x), 64, '0')" : "printf('%064x', x)"
        let open = "x > \(total - 200)"
        return """
            'r' || (x % 3), 'DOC_' || x || '.xml', \(sha), 10240, \(hex),
            CASE x % 8 WHEN 0 THEN 'socialOrder' WHEN 1 THEN 'agreement' WHEN 2 THEN 'contract' WHEN 3 THEN 'contractNotice'
                 WHEN 4 THEN 'socialCertificate' WHEN 5 THEN 'executionReport' WHEN 6 THEN 'serviceAssignment' ELSE 'receipt' END,
            CASE WHEN \(open) THEN 'claimed' ELSE 'done' END,
            CASE WHEN \(open) THEN NULL WHEN x % 100 < 7 THEN 'rejected' WHEN x % 100 = 7 THEN 'conflict'
                 WHEN x % 100 < 10 THEN 'duplicate' ELSE 'delivered' END,
            'old@host', \(base + span + 3_600), 1, \(base) + x * 0.864, \(base) + x * 0.864,
            CASE WHEN \(open) THEN NULL ELSE \(base) + x * 0.864 + 1 END
            """
    }

    static let columns = "route, file_name, sha256, size, document_id, kind, stage, outcome, owner, lease_until, attempt, received_at, updated_at, finished_at"

    /// The parties (one of 20 000 ИНН per entry, the big authority's in every tenth too) and the error codes of the
    /// rejected and conflicting entries (one of 37).
    static func sides(pg: Bool) -> [String] {
        let small = pg ? "lpad(CAST((id * 7919) % 20000 AS TEXT), 8, '0')" : "printf('%08d', (id * 7919) % 20000)"
        return [
            "INSERT INTO document_parties (inn, entry_id) SELECT '77' || \(small), id FROM documents",
            "INSERT INTO document_parties (inn, entry_id) SELECT '\(big)', id FROM documents WHERE id % 10 = 0",
            "INSERT INTO entry_codes (entry_id, code) SELECT id, 'DG' || (3001 + id % 37) FROM documents WHERE outcome IN ('rejected', 'conflict')",
        ]
    }

    /// The SQLite journal filled in one transaction (no ANALYZE: a journal in service has no statistics either).
    static func fill(sqlite path: String, base: Double) throws {
        let sql = """
            BEGIN;
            WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < \(total))
            INSERT INTO documents (\(columns)) SELECT \(values(base, pg: false)) FROM c;
            \(sides(pg: false).joined(separator: ";\n"));
            COMMIT;
            """
        guard JournalBench.shell(["/usr/bin/sqlite3", path, sql]) == 0 else { throw JournalBench.BenchError("the SQLite fill failed") }
    }

    static func fill(cluster: JournalBench.Cluster, database: String, base: Double) throws {
        let sql = "INSERT INTO documents (\(columns)) SELECT \(values(base, pg: true)) FROM generate_series(1, \(total)) x"
        guard cluster.psql(sql, database: database) == 0,
              sides(pg: true).allSatisfy({ cluster.psql($0, database: database) == 0 }),
              cluster.psql("VACUUM ANALYZE", database: database) == 0 else { throw JournalBench.BenchError("the PostgreSQL fill failed") }
    }

    /// One scenario: its name and the query of its i-th run.
    struct Scenario {
        var name: String
        var run: (any Journal, Int) throws -> Int
    }

    static func scenarios(base: Double) -> [Scenario] {
        func x() -> Int { Int.random(in: 1...(total - 1_000)) }
        func search(_ name: String, _ make: @escaping () -> JournalQuery) -> Scenario {
            Scenario(name: name) { j, _ in try j.search(make()).count }
        }
        /// A day's window starting at a random entry, and a key in its middle.
        func day() -> (from: Double, to: Double, middle: Int64) {
            let i = x() % 900_000
            return (base + Double(i) * 0.864, base + Double(i) * 0.864 + 86_400, Int64(i + 50_000))
        }
        let last = base + span
        return [
            Scenario(name: "anchor: one entry by its number") { j, _ in try j.entry(Int64(x())) == nil ? 0 : 1 },
            search("(a) first page, 50") { JournalQuery() },
            search("(b) a page deep in keyset pagination") { JournalQuery(before: Int64(x())) },
            search("root id, in upper case") { let v = x(); return JournalQuery(documentId: String(format: "%08lX-0000-4000-8000-%012lX", v, v)) },
            search("file-name prefix (11 names)") { JournalQuery(fileName: "DOC_\(Int.random(in: 100_000...999_000) / 10)") },
            search("ИНН of a small party (≈ 50 entries)") { JournalQuery(inn: "77" + String(format: "%08ld", x() % 20_000)) },
            search("ИНН of the big authority (100 000 entries)") { JournalQuery(inn: big) },
            search("kind") { JournalQuery(kind: "contract") },
            search("outcome rejected") { JournalQuery(outcome: .rejected) },
            search("outcome conflict, deep") { JournalQuery(outcome: .conflict, before: Int64(x())) },
            search("unfinished (200)") { JournalQuery(unfinished: true) },
            search("route") { JournalQuery(route: "r1") },
            search("received in an hour") { let d = day(); return JournalQuery(from: d.from, to: d.from + 3_600) },
            search("received in a day, a page in its middle") { let d = day(); return JournalQuery(from: d.from, to: d.to, before: d.middle) },
            search("rejected, received in a day") { let d = day(); return JournalQuery(outcome: .rejected, from: d.from, to: d.to) },
            search("ИНН and kind") { JournalQuery(inn: "77" + String(format: "%08ld", x() % 20_000), kind: "agreement") },
            search("route and rejected") { JournalQuery(outcome: .rejected, route: "r2") },
            Scenario(name: "dashboard: hourly outcomes of the last day (100 000)") { j, _ in try j.hourlyOutcomes(since: last - 86_400, until: last).count },
            Scenario(name: "dashboard: top error codes of the last day") { j, _ in try j.topErrorCodes(since: last - 86_400, limit: 10).count },
        ]
    }

    /// p50 and p99 of 200 runs, milliseconds.
    static func measure(_ journal: any Journal, _ s: Scenario) throws -> (p50: Double, p99: Double) {
        var times: [Double] = []
        for i in 0..<200 {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try s.run(journal, i)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        times.sort()
        return (times[100], times[197])
    }

    static func run(_ o: Options) throws {
        let work = o.work + "/search"
        try? FileManager.default.removeItem(atPath: work)
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let base = Date().timeIntervalSince1970 - span
        let path = work + "/journal.sqlite"
        _ = try SQLiteJournal(path: path)
        try fill(sqlite: path, base: base)
        let cluster = try JournalBench.Cluster.start(work + "/pg")
        defer { cluster.stop() }
        _ = cluster.database("search")
        let location = try PostgresLocation.parse("postgresql://docgate@:\(cluster.port)/search?host=\(cluster.dir)").get()
        let pg = try PostgresJournal(location: location, password: nil)
        try fill(cluster: cluster, database: "search", base: base)
        let journals: [(String, any Journal)] = [("SQLite", try SQLiteJournal(path: path)), ("PostgreSQL", pg)]
        var rows: [String] = []
        for s in scenarios(base: base) {
            var cells: [String] = []
            for (_, journal) in journals {
                _ = try measure(journal, scenarios(base: base)[0])   // warm the anchor's pages and the connection
                let anchor = try measure(journal, scenarios(base: base)[0])
                let m = try measure(journal, s)
                cells.append(String(format: "%.2f / %.2f ms (%.1f×)", m.p50, m.p99, m.p99 / anchor.p99))
            }
            rows.append("| \(s.name) | \(cells.joined(separator: " | ")) |")
        }
        print("""
        ## search — \(Date()) — \(ProcessInfo.processInfo.activeProcessorCount) cores

        1 000 000 entries over ten days (100 000 a day), 200 queries per row; p50 / p99, and p99 over the anchor's p99
        (one entry by its number, measured right before the row on the same journal). Target: p99 < 100 ms.

        | query | SQLite | PostgreSQL |
        | --- | --- | --- |
        \(rows.joined(separator: "\n"))
        """)
    }
}
