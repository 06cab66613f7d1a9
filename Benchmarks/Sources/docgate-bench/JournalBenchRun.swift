import Foundation

extension JournalBench {
    /// Fills a journal with 1 000 000 finished entries (delivered yesterday: inside any retention).
    static func prefill(sqlite path: String?, cluster: Cluster?, database: String?) {
        let now = Int(Date().timeIntervalSince1970) - 86_400
        let columns = """
            route, file_name, sha256, size, document_id, kind, stage, outcome, owner, lease_until, attempt, output_name,
            receipt_name, archive_path, received_at, updated_at, finished_at, file_device, file_inode, file_mtime_ns, file_ctime_ns
            """
        if let path {
            precondition(shell(["/usr/bin/sqlite3", path, """
                WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000)
                INSERT INTO documents (\(columns))
                SELECT 'bench', 'OLD_' || x || '.xml', printf('%064x', x), 10240, printf('old-%08x', x), 'executionReport', 'done',
                       'delivered', 'old@host', \(now), 1, 'OLD_' || x || '.xml', 'RECEIPT_OLD_' || x || '.xml',
                       '2026/01/01/OLD_' || x || '.xml', \(now), \(now), \(now), 1, x, 0, 0 FROM c;
                """]) == 0)
        }
        if let cluster, let database {
            precondition(cluster.psql("""
                INSERT INTO documents (\(columns))
                SELECT 'bench', 'OLD_' || x || '.xml', lpad(to_hex(x), 64, '0'), 10240, 'old-' || x, 'executionReport', 'done',
                       'delivered', 'old@host', \(now), 1, 'OLD_' || x || '.xml', 'RECEIPT_OLD_' || x || '.xml',
                       '2026/01/01/OLD_' || x || '.xml', \(now), \(now), \(now), 1, x, 0, 0 FROM generate_series(1, 1000000) x
                """, database: database) == 0)
            // Outside a transaction (psql -c runs several statements as one).
            precondition(cluster.psql("VACUUM ANALYZE documents", database: database) == 0)
        }
    }

    /// Seconds from the SIGKILL of an instance holding claims to the moment none of its claims is left.
    static func takeover(_ dir: String, cluster: Cluster, database: String, configs: [String], docgate: String,
                         template: (String, String), base: Int) -> (seconds: Double, held: Int) {
        for i in 0..<n {
            let (name, data) = GatewayBench.document(template.0, template.1, base + i)
            _ = FileManager.default.createFile(atPath: dir + "/in/" + name, contents: data)
        }
        let pids = configs.enumerated().map { GatewayBench.spawn([docgate, "run", "--config", $1], log: dir + "/daemon-\($0).log") }
        func held() -> Int {
            let out = dir + "/held.txt"
            let pid = GatewayBench.spawn([cluster.bin + "/psql", "-h", cluster.dir, "-p", "\(cluster.port)", "-U", "docgate", "-d", database,
                                          "-XAtq", "-o", out, "-c", "SELECT count(*) FROM documents WHERE owner LIKE 'bench1@%' AND stage <> 'done'"],
                                         log: "/dev/null")
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            return Int(((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }
        var claims = 0
        while claims == 0 {
            kill(pids[0], SIGSTOP)
            claims = held()
            if claims == 0 { kill(pids[0], SIGCONT); usleep(5_000) }
        }
        kill(pids[0], SIGKILL)
        let killed = Date()
        var status: Int32 = 0
        waitpid(pids[0], &status, 0)
        while held() > 0 { usleep(50_000) }
        let seconds = Date().timeIntervalSince(killed)
        while GatewayBench.count(dir + "/receipts") < n { usleep(50_000) }
        _ = GatewayBench.stop(pids[1])
        return (seconds, claims)
    }

    static func run(_ o: Options) throws {
        let work = o.work + "/journal"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let template = try GatewayBench.template(o)
        let stamp = o.work + "/.gateway-deleted-at"
        GatewayBench.clear(((try? FileManager.default.contentsOfDirectory(atPath: work)) ?? []).map { work + "/" + $0 }, stamp: stamp)
        let cluster = try Cluster.start(work + "/pg")
        defer { cluster.stop() }
        GatewayBench.waitOutDeletions(stamp: stamp)
        // The journals with 1 000 000 finished entries, made once for the series.
        let bigSQLite = work + "/big-sqlite/journal.sqlite"
        let bigConfigs = try site(work + "/big-sqlite", journal: bigSQLite, instances: 1, schemas: o.schemas)
        precondition(shell([o.docgate, "journal", "stats", "--config", bigConfigs[0]]) == 0)
        let bigPG = cluster.database("big")
        let bigPGConfigs = try site(work + "/big-pg", journal: bigPG, instances: 1, schemas: o.schemas)
        precondition(shell([o.docgate, "journal", "stats", "--config", bigPGConfigs[0]]) == 0)
        prefill(sqlite: bigSQLite, cluster: cluster, database: "big")
        var rows: [String] = []
        for run in 0..<max(1, o.runs) {
            let base = (run + 1) * 10_000_000
            let sqlite = deliver(work + "/s\(run)", configs: try site(work + "/s\(run)", journal: "journal.sqlite", instances: 1, schemas: o.schemas),
                                 docgate: o.docgate, template: template, base: base)
            let (pg1, pg1CPU) = deliverMeasured(work + "/p\(run)", configs: try site(work + "/p\(run)", journal: cluster.database("p\(run)"), instances: 1, schemas: o.schemas),
                              docgate: o.docgate, template: template, base: base + 100_000)
            let (pg2, pg2CPU) = deliverMeasured(work + "/q\(run)", configs: try site(work + "/q\(run)", journal: cluster.database("q\(run)"), instances: 2, schemas: o.schemas),
                              docgate: o.docgate, template: template, base: base + 200_000)
            try GatewayBench.fresh(work + "/big-sqlite-\(run)")
            let bigS = deliver(work + "/big-sqlite-\(run)", configs: try site(work + "/big-sqlite-\(run)", journal: bigSQLite, instances: 1, schemas: o.schemas),
                               docgate: o.docgate, template: template, base: base + 300_000)
            let bigP = deliver(work + "/big-pg-\(run)", configs: try site(work + "/big-pg-\(run)", journal: bigPG, instances: 1, schemas: o.schemas),
                               docgate: o.docgate, template: template, base: base + 400_000)
            func f(_ x: Double) -> String { String(format: "%.0f", x) }
            func r(_ x: Double) -> String { String(format: "**%.2f×**", x) }
            rows.append("| \(run + 1) | \(f(sqlite)) | \(f(pg1)) | \(f(pg2)) | \(r(pg1 / sqlite)) | \(r(pg2 / pg1)) | \(String(format: "%.2f / %.2f", pg1CPU, pg2CPU)) | \(f(bigS)) | \(r(bigS / sqlite)) | \(f(bigP)) | \(r(bigP / pg1)) |")
        }
        let list = [("SQLite", bigConfigs[0]), ("PostgreSQL", bigPGConfigs[0])].map { name, cfg in
            "\(name): `journal list` \(String(format: "%.0f", timed([o.docgate, "journal", "list", "--config", cfg]))) ms, " +
                "`journal show 500000` \(String(format: "%.0f", timed([o.docgate, "journal", "show", "500000", "--config", cfg]))) ms"
        }
        let takeoverConfigs = try site(work + "/t", journal: cluster.database("t"), instances: 2, schemas: o.schemas, lease: 10)
        let t = takeover(work + "/t", cluster: cluster, database: "t", configs: takeoverConfigs, docgate: o.docgate, template: template, base: 90_000_000)
        print("""
        ## journal — \(Date()) — \(ProcessInfo.processInfo.activeProcessorCount) cores

        Durable delivery of \(n) waiting 10 KB documents, documents/s (the first start to the last receipt):

        | run | SQLite, 1 instance (anchor) | PostgreSQL, 1 | PostgreSQL, 2 | PG 1 / SQLite (≥ 0.6×) | PG 2 / PG 1 (≥ 0.9×) | daemons' CPU per document, PG 1 / PG 2, ms | SQLite with 1 M finished | / empty (≥ 0.9×) | PG with 1 M finished | / empty (≥ 0.9×) |
        | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
        \(rows.joined(separator: "\n"))

        With 1 000 000 finished entries (median of 5, the whole command): \(list.joined(separator: "; ")) (target < 100 ms).

        Takeover: an instance killed holding \(t.held) claims (claim_lease 10 s, rescan 0.5 s); the other finished them \(String(format: "%.1f", t.seconds)) s after the kill (target ≤ 10.5 s plus their processing).
        """)
    }
}
