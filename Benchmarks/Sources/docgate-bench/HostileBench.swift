import Foundation

/// The daemon against a hostile inbox: three sparse 1 GiB files and two sparse 1.9 GB files beside one valid
/// document. Measured: the daemon's peak RSS, the time from start to the valid document's delivery, and what was
/// written into errors/ (blocks actually allocated, not the sparse files' apparent sizes). And the delivery rate with
/// and without 1 000 idle HTTP connections held open against /health, in the same run.
enum HostileBench {
    static func run(_ o: Options) throws {
        let work = o.work + "/hostile"
        try? FileManager.default.removeItem(atPath: work)
        let (template, oldId) = try GatewayBench.template(o)
        var rows: [String] = []
        for run in 0..<max(1, o.runs) {
            let site = work + "/site-\(run)"
            try GatewayBench.fresh(site)
            let cfg = GatewayBench.config(site, schemas: o.schemas)
            for (i, size) in [1 << 30, 1 << 30, 1 << 30, 1_900_000_000, 1_900_000_000].enumerated() {
                let fd = open(site + "/in/big-\(i).xml", O_WRONLY | O_CREAT, 0o644)
                ftruncate(fd, off_t(size))
                close(fd)
            }
            let (name, data) = GatewayBench.document(template, oldId, 40_000_000 + run)
            _ = FileManager.default.createFile(atPath: site + "/in/" + name, contents: data)
            let watch = inotify_init1(0)
            inotify_add_watch(watch, site + "/out", UInt32(IN_MOVED_TO))
            let start = Date()
            let pid = GatewayBench.spawn([o.docgate, "run", "--config", cfg], log: site + "/daemon.log")
            let delivered = GatewayBench.waitForArrivals(1, watch: watch, from: pid)
            close(watch)
            // Let the rejections finish too (six receipts), then read the peak.
            let until = Date().addingTimeInterval(120)
            while GatewayBench.count(site + "/receipts") < 6 && Date() < until { usleep(10_000) }
            let rss = GatewayBench.peakRSS(pid)
            _ = GatewayBench.stop(pid)
            var written = 0
            for f in (try? FileManager.default.contentsOfDirectory(atPath: site + "/errors")) ?? [] {
                var st = stat()
                if lstat(site + "/errors/" + f, &st) == 0 { written += Int(st.st_blocks) * 512 }
            }
            let receipts = GatewayBench.count(site + "/receipts")
            rows.append("| \(run + 1) | \(String(format: "%.0f", delivered.timeIntervalSince(start) * 1000)) ms (\(receipts) of 6 receipts) | **\(rss / 1024) MB** | \(written / 1024) KB |")
            try? FileManager.default.removeItem(atPath: site)
        }
        let idle = try idleConnections(o, template: template, oldId: oldId, work: work)
        print("""
        ## hostile inbox — \(Date()) — \(ProcessInfo.processInfo.activeProcessorCount) cores

        Three sparse 1 GiB files and two sparse 1.9 GB files beside one valid 10 KB document (default max_size 64 MB):

        | run | start → valid document delivered | docgate peak RSS (target < 256 MB) | written into errors/ (allocated blocks) |
        | --- | --- | --- | --- |
        \(rows.joined(separator: "\n"))

        \(idle)
        """)
    }

    /// Delivery of 2 000 waiting documents without and with 1 000 idle connections to the HTTP endpoint.
    static func idleConnections(_ o: Options, template: String, oldId: String, work: String) throws -> String {
        var rows: [String] = []
        var rates: [Double] = []
        // A first run, not reported, warms the file system and the caches (the first run of a series was 1.6–1.8×
        // faster than the rest, with or without connections); then three pairs, the order alternating.
        let plan = [("warm-up", 0), ("none", 0), ("1 000 idle", 1000), ("1 000 idle", 1000), ("none", 0), ("none", 0), ("1 000 idle", 1000)]
        for (label, connections) in plan {
            let site = work + "/idle-\(rows.count)"
            try GatewayBench.fresh(site)
            let port = 20_000 + Int.random(in: 0..<20_000)
            let cfg = GatewayBench.config(site, schemas: o.schemas, listen: "127.0.0.1:\(port)")
            let n = 2000
            let staging = site + "/staging"
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
            for i in 0..<n {
                let (name, data) = GatewayBench.document(template, oldId, 50_000_000 + rows.count * 10_000 + i)
                _ = FileManager.default.createFile(atPath: staging + "/" + name, contents: data)
            }
            sync()
            let pid = GatewayBench.spawn([o.docgate, "run", "--config", cfg], log: site + "/daemon.log")
            // Wait for /health, open the idle connections, then let the documents in (renamed into the inbox).
            var sockets: [Int32] = []
            for _ in 0..<200 where !healthy(port) { usleep(20_000) }
            for _ in 0..<connections {
                let s = connect(port)
                if s >= 0 { sockets.append(s) }
            }
            let start = Date()
            for name in (try? FileManager.default.contentsOfDirectory(atPath: staging)) ?? [] {
                rename(staging + "/" + name, site + "/in/" + name)
            }
            let deadline = Date().addingTimeInterval(120)
            while GatewayBench.count(site + "/receipts") < n && Date() < deadline { usleep(20_000) }
            let end = Date()
            let done = GatewayBench.count(site + "/receipts")
            let stillHealthy = healthy(port)
            let open = sockets.filter { isOpen($0) }.count
            sockets.forEach { close($0) }
            _ = GatewayBench.stop(pid)
            let rate = Double(done) / end.timeIntervalSince(start)
            if label == "warm-up" { try? FileManager.default.removeItem(atPath: site); rows.append(""); continue }
            rates.append(rate)
            rows.append("| \(label) | \(connections == 0 ? "-" : "\(sockets.count) / \(open)") | \(String(format: "%.0f", rate))\(done < n ? " (only \(done) of \(n) in 120 s)" : "") | \(stillHealthy ? "yes" : "**no**") |")
            try? FileManager.default.removeItem(atPath: site)
        }
        // Pairs: (none, idle), (idle, none), (none, idle) → ratio idle / none per pair.
        let ratios = [rates[1] / rates[0], rates[2] / rates[3], rates[5] / rates[4]].sorted()
        return """
        Delivery of 2 000 waiting documents with the HTTP endpoint on, without and with 1 000 idle connections (after a
        warm-up run, three pairs in alternating order):

        | idle connections | opened / still open at the end | documents/s | /health answers during the load |
        | --- | --- | --- | --- |
        \(rows.filter { !$0.isEmpty }.joined(separator: "\n"))

        Rate with 1 000 idle connections over the rate without, per pair: \(ratios.map { String(format: "%.2f", $0) }.joined(separator: ", ")) (median **\(String(format: "%.2f", ratios[1]))×**).
        """
    }

    static func connect(_ port: Int) -> Int32 {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = in_port_t(UInt16(port).bigEndian)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if ok != 0 { close(s); return -1 }
        return s
    }

    static func isOpen(_ s: Int32) -> Bool {
        var p = pollfd(fd: s, events: Int16(POLLIN), revents: 0)
        if poll(&p, 1, 0) == 0 { return true }
        var byte: UInt8 = 0
        return recv(s, &byte, 1, Int32(MSG_DONTWAIT | MSG_PEEK)) > 0
    }

    static func healthy(_ port: Int) -> Bool {
        let s = connect(port)
        guard s >= 0 else { return false }
        defer { close(s) }
        var tv = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        _ = request.withCString { send(s, $0, strlen($0), 0) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = recv(s, &buffer, buffer.count, 0)
        return n > 0 && String(decoding: buffer[0..<n], as: UTF8.self).contains("200")
    }
}
