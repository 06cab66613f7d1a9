import Foundation

/// The daemon: sustained delivery rate against the disk's own write + fsync + rename rate, latency from arrival
/// to delivery at a steady 100 documents/s, and memory with 100 000 documents waiting.
enum GatewayBench {
    static func config(_ dir: String, schemas: String, quiet: Double = 0.5, batch: Int = 64, listen: String? = nil) -> String {
        let path = dir + "/gateway.toml"
        try? """
        gateway_id = "bench"
        journal = "journal.sqlite"
        schemas = "\(schemas)"
        rescan_interval = 0.5
        batch_size = \(batch)
        \(listen.map { "listen = \"\($0)\"" } ?? "")
        [[route]]
        name = "bench"
        inbox = "in"
        outbox = "out"
        receipts = "receipts"
        errors = "errors"
        archive = "archive"
        quiet_period = \(quiet)
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func fresh(_ dir: String) throws {
        try? FileManager.default.removeItem(atPath: dir)
        for d in ["in", "out", "receipts", "errors", "archive"] {
            try FileManager.default.createDirectory(atPath: dir + "/" + d, withIntermediateDirectories: true)
        }
    }

    /// A valid 10 KB execution report with a unique id, and its file name.
    static func document(_ template: String, _ oldId: String, _ n: Int) -> (String, Data) {
        let id = String(format: "%08x-0000-4000-8000-%012x", n, n)
        return ("EXECREPORT_BENCH_\(id).xml", Data(template.replacingOccurrences(of: oldId, with: id).utf8))
    }

    /// The anchor: one stream of write 10 KB + fsync + rename (+ fsync of the directory every 64 files, as a
    /// batching writer would), in a new directory on the same file system, as many files as documents.
    static func diskRate(_ dir: String, bytes: Data, count: Int) -> Double {
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let dfd = open(dir, O_RDONLY | O_DIRECTORY)
        defer { close(dfd) }
        let start = Date()
        for i in 0..<count {
            let tmp = dir + "/.t\(i)", final = dir + "/f\(i).xml"
            let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            fsync(fd)
            close(fd)
            rename(tmp, final)
            if i % 64 == 63 { fsync(dfd) }
        }
        fsync(dfd)
        return Double(count) / Date().timeIntervalSince(start)
    }

    /// Deletes earlier runs' directories before the first run and after the last, and notes when. ext4 without a
    /// journal (this machine's root file system) skips, when it allocates an inode, every inode freed in the last 5
    /// seconds — 5 minutes if that part of the inode table has been written to since, which creating new files does —
    /// one buffer lookup per skipped inode: within minutes of thousands of deletions creating a file costs several
    /// times more (the anchor's own rate fell from 3 441 to 999 files/s; docgate's system time per document tripled),
    /// and docgate, which creates two files per document, pays twice. So nothing is deleted between the
    /// measurements, and `waitOutDeletions` lets the window of the last deletions pass before the first.
    static func clear(_ paths: [String], stamp: String) {
        var deleted = false
        for p in paths where FileManager.default.fileExists(atPath: p) {
            try? FileManager.default.removeItem(atPath: p)
            deleted = true
        }
        sync()
        if deleted { try? String(Date().timeIntervalSince1970).write(toFile: stamp, atomically: true, encoding: .utf8) }
    }

    static func waitOutDeletions(stamp: String) {
        guard let text = try? String(contentsOfFile: stamp, encoding: .utf8), let at = Double(text) else { return }
        let left = 305 - (Date().timeIntervalSince1970 - at)
        guard left > 0 else { return }
        print("(waiting \(Int(left)) s: files were deleted here within the last 5 minutes, which slows creating new ones)")
        sleep(UInt32(left))
    }

    /// Waits until `n` files with visible names were renamed into the watched directory (inotify: no directory
    /// listing competes with the daemon for the two cores), and returns when the last one arrived.
    static func waitForArrivals(_ n: Int, watch fd: Int32, from pid: pid_t) -> Date {
        var seen = 0
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while seen < n {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, 1000) == 0 {
                var status: Int32 = 0
                precondition(waitpid(pid, &status, WNOHANG) == 0, "the daemon exited before delivering everything")
                continue
            }
            let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard got > 0 else { continue }
            var offset = 0
            while offset < got {
                let (length, visible) = buffer.withUnsafeBytes { raw -> (Int, Bool) in
                    let event = raw.baseAddress!.advanced(by: offset).assumingMemoryBound(to: inotify_event.self)
                    let nameLength = Int(event.pointee.len)
                    let nameStart = raw.baseAddress!.advanced(by: offset + MemoryLayout<inotify_event>.size)
                    let first = nameLength > 0 ? nameStart.load(as: UInt8.self) : UInt8(ascii: ".")
                    return (MemoryLayout<inotify_event>.size + nameLength, first != UInt8(ascii: "."))
                }
                if visible { seen += 1 }
                offset += length
            }
        }
        return Date()
    }

    static func count(_ path: String) -> Int { (try? FileManager.default.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix(".") }.count) ?? 0 }

    static func spawn(_ argv: [String], log: String) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        let cargs = argv.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        var pid: pid_t = 0
        precondition(posix_spawn(&pid, argv[0], &actions, nil, cargs, environ) == 0)
        return pid
    }

    /// A process's or thread's name and the user and system CPU seconds it has used so far, from a `stat` file of
    /// /proc (fields after the name: state is field 3, utime 14, stime 15, in clock ticks).
    static func cpu(stat path: String) -> (name: String, user: Double, system: Double)? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let open = text.firstIndex(of: "("), let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        let tick = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (String(text[text.index(after: open)..<close]), (Double(fields[11]) ?? 0) / tick, (Double(fields[12]) ?? 0) / tick)
    }

    /// Each thread's name and user / system CPU seconds (for finding where the daemon waits).
    static func printThreads(_ pid: pid_t) {
        for tid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? [] {
            guard let t = cpu(stat: "/proc/\(pid)/task/\(tid)/stat") else { continue }
            print("thread \(tid) \(t.name): user \(t.user) s, system \(t.system) s")
        }
    }

    static func stop(_ pid: pid_t) -> Int32 {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status >> 8) & 0xff
    }

    static func peakRSS(_ pid: pid_t) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }

    /// The 10 KB execution report every document is made from (the validation batch's first, generated on first
    /// use), and its id.
    static func template(_ o: Options) throws -> (String, String) {
        let sample = o.work + "/batch-1000/report-0000.xml"
        if !FileManager.default.fileExists(atPath: sample) {
            try FileManager.default.createDirectory(atPath: o.work + "/batch-1000", withIntermediateDirectories: true)
            try Generate.report(to: sample, items: 5, seed: 1)
        }
        let template = try String(contentsOfFile: sample, encoding: .utf8)
        let oldId = String(template[template.range(of: " id=\"")!.upperBound...].prefix(36))
        return (template, oldId)
    }

    static func run(_ o: Options) throws {
        let work = o.work + "/gateway"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let (template, oldId) = try GatewayBench.template(o)
        var rows: [String] = []
        let n = 3000
        let runs = max(1, o.runs)
        let stamp = o.work + "/.gateway-deleted-at"
        let earlier = ((try? FileManager.default.contentsOfDirectory(atPath: work)) ?? []).map { work + "/" + $0 }
        for run in 0..<runs {
            // Throughput: n documents already waiting; time until the last receipt. The anchor writes as many files
            // right before docgate and again right after it; nothing is deleted until all runs are over.
            if run == 0 {
                clear(earlier, stamp: stamp)
                waitOutDeletions(stamp: stamp)
            }
            let site = work + "/site-\(run)"
            try fresh(site)
            let cfg = config(site, schemas: o.schemas)
            for i in 0..<n {
                let (name, data) = document(template, oldId, run * 1_000_000 + i)
                _ = FileManager.default.createFile(atPath: site + "/in/" + name, contents: data)
            }
            sync()
            let before = diskRate(work + "/disk-\(run)a", bytes: Data(template.utf8), count: n)
            let watch = inotify_init1(0)
            inotify_add_watch(watch, site + "/receipts", UInt32(IN_MOVED_TO))
            let start = Date()
            let pid = spawn([o.docgate, "run", "--config", cfg], log: site + "/daemon.log")
            let end = waitForArrivals(n, watch: watch, from: pid)
            close(watch)
            let seconds = end.timeIntervalSince(start)
            let rss = peakRSS(pid)
            let used = cpu(stat: "/proc/\(pid)/stat") ?? ("", 0, 0)
            if ProcessInfo.processInfo.environment["DOCGATE_BENCH_THREADS"] != nil { printThreads(pid) }
            let status = stop(pid)
            precondition(count(site + "/out") == n && count(site + "/receipts") == n && status == 0,
                          "not all delivered: \(count(site + "/out")) exit \(status)")
            let after = diskRate(work + "/disk-\(run)b", bytes: Data(template.utf8), count: n)
            // The disk's rate drifts by tens of percent within minutes here: the anchor brackets docgate, and its
            // rate is the two measurements' files over their time.
            let disk = 2 / (1 / before + 1 / after)
            let rate = Double(n) / seconds
            rows.append("| \(run + 1) | \(String(format: "%.0f", before)) / \(String(format: "%.0f", after)) | \(String(format: "%.0f", disk)) | \(String(format: "%.0f", rate)) | **\(String(format: "%.2f", rate / disk))×** | \(String(format: "%.2f / %.2f", used.user * 1000 / Double(n), used.system * 1000 / Double(n))) | \(rss / 1024) MB |")
        }
        clear((0..<runs).flatMap { [work + "/site-\($0)", work + "/disk-\($0)a", work + "/disk-\($0)b"] }, stamp: stamp)
        if ProcessInfo.processInfo.environment["DOCGATE_BENCH_THROUGHPUT_ONLY"] != nil {
            print(rows.joined(separator: "\n"))
            return
        }
        // Latency at a steady 100 documents/s for 20 s.
        let site = work + "/latency"
        try fresh(site)
        let cfg = config(site, schemas: o.schemas, batch: 64)
        let pid = spawn([o.docgate, "run", "--config", cfg], log: site + "/daemon.log")
        usleep(500_000)
        var dropped: [String: Double] = [:]
        let total = 2000
        let t0 = Date()
        for i in 0..<total {
            let target = t0.addingTimeInterval(Double(i) / 100)
            let wait = target.timeIntervalSinceNow
            if wait > 0 { usleep(UInt32(wait * 1e6)) }
            let (name, data) = document(template, oldId, 9_000_000 + i)
            _ = FileManager.default.createFile(atPath: site + "/in/." + name, contents: data)
            rename(site + "/in/." + name, site + "/in/" + name)
            dropped[name] = Date().timeIntervalSince1970
        }
        while count(site + "/out") < total { usleep(10_000) }
        _ = stop(pid)
        var latencies: [Double] = []
        for (name, at) in dropped {
            var st = stat()
            guard stat(site + "/out/" + name, &st) == 0 else { continue }
            let delivered = Double(st.st_ctim.tv_sec) + Double(st.st_ctim.tv_nsec) / 1e9
            latencies.append(max(0, delivered - at))
        }
        latencies.sort()
        let p50 = latencies[latencies.count / 2], p99 = latencies[Int(Double(latencies.count) * 0.99)]
        // Memory with 100 000 documents waiting (small documents: the waiting count, not their size, is measured).
        let big = work + "/waiting"
        try fresh(big)
        let bigCfg = config(big, schemas: o.schemas)
        let small = Data(template.utf8)
        for i in 0..<100_000 {
            let (name, _) = document(template, oldId, 20_000_000 + i)
            _ = FileManager.default.createFile(atPath: big + "/in/" + name, contents: small)
        }
        let bpid = spawn([o.docgate, "run", "--config", bigCfg], log: big + "/daemon.log")
        var peak = 0
        let until = Date().addingTimeInterval(20)
        while Date() < until { peak = max(peak, peakRSS(bpid)); usleep(200_000) }
        let processed = count(big + "/receipts")
        _ = stop(bpid)
        clear([big, site], stamp: stamp)
        print("""
        ## gateway — \(Date()) — \(ProcessInfo.processInfo.activeProcessorCount) cores

        Sustained delivery of \(n) waiting documents of \(small.count / 1024) KB (durable: staging files, syncfs, renames, directory fsyncs, SQLite WAL with synchronous = FULL):

        | run | disk before / after docgate, files/s | disk: write + fsync + rename, files/s | docgate: documents/s | ratio (target ≥ 0.75×) | docgate CPU per document, user / system ms | docgate peak RSS |
        | --- | --- | --- | --- | --- | --- | --- |
        \(rows.joined(separator: "\n"))

        Latency from rename into the inbox to rename into the outbox, \(total) documents at 100/s: p50 \(String(format: "%.1f", p50 * 1000)) ms, p99 **\(String(format: "%.1f", p99 * 1000)) ms** (target < 250 ms).

        100 000 documents waiting in the inbox: peak RSS **\(peak / 1024) MB** (target < 150 MB) over the first 20 s, in which \(processed) were processed.
        """)
    }
}
