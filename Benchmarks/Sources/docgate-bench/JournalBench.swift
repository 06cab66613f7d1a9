import Foundation

/// Several instances, one journal (issue 18): durable delivery of 3 000 waiting 10 KB documents by one instance on
/// SQLite (the anchor), one on PostgreSQL and two on PostgreSQL; the same with 1 000 000 finished entries already in
/// each journal; `journal list` and `journal show` against those; and how long the others take to finish a killed
/// instance's claims. PostgreSQL is a cluster of the benchmark's own (initdb in the work directory, a Unix socket,
/// fsync and synchronous commit on, as in production).
enum JournalBench {
    static let n = 3000

    /// A PostgreSQL cluster in `dir`, started; its socket directory and port.
    struct Cluster {
        let dir: String
        let port: Int
        let bin: String
        let prefix: [String]

        static func start(_ dir: String) throws -> Cluster {
            let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).compactMap(Int.init).sorted()
            guard let v = versions.last else { throw BenchError("PostgreSQL is not installed (scripts/setup)") }
            let bin = "/usr/lib/postgresql/\(v)/bin"
            let root = geteuid() == 0
            let prefix = root ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []
            try? FileManager.default.removeItem(atPath: dir)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            if root { _ = shell(["/bin/chown", "postgres:postgres", dir]) }
            let port = 20_000 + Int(getpid() % 20_000)
            let cluster = Cluster(dir: dir, port: port, bin: bin, prefix: prefix)
            guard cluster.run("initdb", ["-D", dir + "/data", "-U", "docgate", "--auth=trust", "-E", "UTF8", "--locale=C"]) == 0,
                  cluster.run("pg_ctl", ["-D", dir + "/data", "-l", dir + "/log", "-o",
                                         "-k \(dir) -c listen_addresses='' -p \(port) -c max_connections=100", "-w", "start"]) == 0 else {
                throw BenchError("the PostgreSQL cluster did not start: see \(dir)/log")
            }
            return cluster
        }

        func run(_ program: String, _ args: [String]) -> Int32 { shell(prefix + [bin + "/" + program] + args) }

        func psql(_ sql: String, database: String = "postgres") -> Int32 {
            shell([bin + "/psql", "-h", dir, "-p", "\(port)", "-U", "docgate", "-d", database, "-Xq", "-v", "ON_ERROR_STOP=1", "-c", sql])
        }

        /// A new, empty database; the journal's configuration lines for it.
        func database(_ name: String) -> String {
            _ = psql("DROP DATABASE IF EXISTS \(name)")
            _ = psql("CREATE DATABASE \(name)")
            return "[journal]\nurl = \"postgresql://docgate@:\(port)/\(name)?host=\(dir)\"\n"
        }

        func stop() { _ = run("pg_ctl", ["-D", dir + "/data", "-m", "fast", "-w", "stop"]) }
    }

    struct BenchError: Error, CustomStringConvertible {
        var description: String
        init(_ text: String) { description = text }
    }

    @discardableResult
    static func shell(_ argv: [String]) -> Int32 {
        let pid = GatewayBench.spawn(argv, log: "/dev/null")
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status >> 8) & 0xff
    }

    /// A site with `instances` configurations on one journal (`journal`: the lines that name it).
    static func site(_ dir: String, journal: String, instances: Int, schemas: String, lease: Int = 120) throws -> [String] {
        try GatewayBench.fresh(dir)
        return try (1...instances).map { i in
            let path = dir + "/gateway-\(i).toml"
            try """
            gateway_id = "bench\(i)"
            \(journal.hasPrefix("[") ? "" : "journal = \"\(journal)\"")
            schemas = "\(schemas)"
            rescan_interval = 0.5
            batch_size = 64
            claim_lease = \(lease)
            \(journal.hasPrefix("[") ? journal : "")
            [[route]]
            name = "bench"
            inbox = "in"
            outbox = "out"
            receipts = "receipts"
            errors = "errors"
            archive = "archive"
            quiet_period = 0.5
            """.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
    }

    /// Delivers `n` waiting documents with the given instances; documents per second, from the first start to the
    /// last receipt.
    static func deliver(_ dir: String, configs: [String], docgate: String, template: (String, String), base: Int) -> Double {
        deliverMeasured(dir, configs: configs, docgate: docgate, template: template, base: base).rate
    }

    /// `deliver`, with the instances' CPU (user + system) per document, milliseconds.
    static func deliverMeasured(_ dir: String, configs: [String], docgate: String, template: (String, String), base: Int) -> (rate: Double, cpu: Double) {
        for i in 0..<n {
            let (name, data) = GatewayBench.document(template.0, template.1, base + i)
            _ = FileManager.default.createFile(atPath: dir + "/in/" + name, contents: data)
        }
        sync()
        let watch = inotify_init1(0)
        inotify_add_watch(watch, dir + "/receipts", UInt32(IN_MOVED_TO))
        let start = Date()
        let pids = configs.enumerated().map { GatewayBench.spawn([docgate, "run", "--config", $1], log: dir + "/daemon-\($0).log") }
        let end = GatewayBench.waitForArrivals(n, watch: watch, from: pids[0])
        close(watch)
        let cpu = pids.compactMap { GatewayBench.cpu(stat: "/proc/\($0)/stat") }.reduce(0) { $0 + $1.user + $1.system }
        for pid in pids { precondition(GatewayBench.stop(pid) == 0, "an instance did not stop cleanly: \(dir)") }
        precondition(GatewayBench.count(dir + "/out") == n && GatewayBench.count(dir + "/receipts") == n, "not all delivered once: \(dir)")
        return (Double(n) / end.timeIntervalSince(start), cpu * 1000 / Double(n))
    }

    /// The wall time of a command, milliseconds (the median of 5).
    static func timed(_ argv: [String]) -> Double {
        var times: [Double] = []
        for _ in 0..<5 {
            let start = Date()
            precondition(shell(argv) == 0, "\(argv) failed")
            times.append(Date().timeIntervalSince(start) * 1000)
        }
        return times.sorted()[2]
    }
}
