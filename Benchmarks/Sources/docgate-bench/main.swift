import Foundation

/// docgate's benchmarks against their anchors, measured in the same run: each scenario runs the anchor and
/// docgate alternately, `runs` times, and reports medians and their ratio.
///
/// Usage: docgate-bench validate --docgate BIN --schemas DIR --work DIR [--runs N] [--big-mb M]

struct Measurement {
    var seconds: Double
    var maxRSSKilobytes: Int
    var status: Int32
}

/// Runs a command with stdout and stderr discarded, under GNU time for the peak RSS (a child spawned from this
/// large process would inherit its resident set in `ru_maxrss`); wall time from a monotonic clock.
func measure(_ command: [String]) -> Measurement {
    let rssFile = NSTemporaryDirectory() + "/docgate-bench-rss-\(getpid())"
    let argv = ["/usr/bin/time", "-f", "%M", "-o", rssFile] + command
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let cargs = argv.map { strdup($0) } + [nil]
    defer { cargs.forEach { free($0) } }
    var pid: pid_t = 0
    let start = DispatchTime.now().uptimeNanoseconds
    guard posix_spawn(&pid, argv[0], &actions, nil, cargs, environ) == 0 else {
        fatalError("cannot run \(argv[0])")
    }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let rss = (try? String(contentsOfFile: rssFile, encoding: .utf8))?.split(separator: "\n").last.flatMap { Int($0) } ?? 0
    return Measurement(seconds: seconds, maxRSSKilobytes: rss, status: (status >> 8) & 0xff)
}

func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

struct Options {
    var docgate = ""
    var schemas = ""
    var work = ""
    var runs = 5
    var bigMB = 200
    var xmllint = "/usr/bin/xmllint"

    init(_ args: [String]) {
        var i = 0
        while i < args.count {
            let v = i + 1 < args.count ? args[i + 1] : ""
            switch args[i] {
            case "--docgate": docgate = v; i += 1
            case "--schemas": schemas = v; i += 1
            case "--work": work = v; i += 1
            case "--runs": runs = Int(v) ?? runs; i += 1
            case "--big-mb": bigMB = Int(v) ?? bigMB; i += 1
            case "--xmllint": xmllint = v; i += 1
            default: break
            }
            i += 1
        }
    }
}

func fmt(_ x: Double, _ places: Int = 3) -> String { String(format: "%.\(places)f", x) }

func validateBenchmarks(_ o: Options) throws {
    let fm = FileManager.default
    let batchDir = o.work + "/batch-1000"
    let big = o.work + "/big-\(o.bigMB)mb.xml"
    try fm.createDirectory(atPath: batchDir, withIntermediateDirectories: true)
    var files: [String] = []
    var sizes = 0
    for i in 0..<1000 {
        let path = batchDir + String(format: "/report-%04d.xml", i)
        if !fm.fileExists(atPath: path) { try Generate.report(to: path, items: 5, seed: UInt64(i + 1)) }
        sizes += (try fm.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        files.append(path)
    }
    if !fm.fileExists(atPath: big) {
        // ≈ 1 450 bytes per Section II row
        let size = try Generate.report(to: big, items: o.bigMB * 1_048_576 / 1_450, seed: 424_242)
        FileHandle.standardError.write(Data("generated \(big): \(size) bytes\n".utf8))
    }
    let bigSize = (try fm.attributesOfItem(atPath: big)[.size] as? Int) ?? 0
    let xsd = o.schemas + "/docgate.xsd"

    // Sanity: both tools accept every file (exit 0), or the comparison is meaningless.
    let check1 = measure([o.xmllint, "--noout", "--schema", xsd] + files)
    let check2 = measure([o.docgate, "validate", "--schemas", o.schemas, batchDir])
    guard check1.status == 0, check2.status == 0 else {
        fatalError("batch not valid: xmllint exit \(check1.status), docgate exit \(check2.status)")
    }

    // Runs in pairs, anchor and docgate back to back (order alternating), so that both see the same load on a
    // shared machine; the ratio reported is the median of the pairs' ratios.
    func pairs(_ n: Int, _ a: [String], _ b: [String]) -> ([Measurement], [Measurement]) {
        var xs: [Measurement] = [], ys: [Measurement] = []
        for i in 0..<n {
            if i % 2 == 0 { xs.append(measure(a)); ys.append(measure(b)) } else { ys.append(measure(b)); xs.append(measure(a)) }
        }
        return (xs, ys)
    }
    let (anchor, ours) = pairs(o.runs, [o.xmllint, "--noout", "--schema", xsd] + files,
                               [o.docgate, "validate", "--schemas", o.schemas, batchDir])
    let (bigAnchor, bigOurs) = pairs(max(3, o.runs / 2), [o.xmllint, "--stream", "--noout", "--schema", xsd, big],
                                     [o.docgate, "validate", "--schemas", o.schemas, big])
    guard bigAnchor.allSatisfy({ $0.status == 0 }), bigOurs.allSatisfy({ $0.status == 0 }) else {
        fatalError("big file not valid: xmllint \(bigAnchor.map(\.status)), docgate \(bigOurs.map(\.status))")
    }

    let a = median(anchor.map(\.seconds)), d = median(ours.map(\.seconds))
    let ba = median(bigAnchor.map(\.seconds)), bd = median(bigOurs.map(\.seconds))
    let throughput = median(zip(anchor, ours).map { $0.seconds / $1.seconds })
    let timeRatio = median(zip(bigAnchor, bigOurs).map { $1.seconds / $0.seconds })
    let peak = bigOurs.map(\.maxRSSKilobytes).max() ?? 0
    let cores = ProcessInfo.processInfo.activeProcessorCount
    print("""
    ## validate — \(Date()) — \(cores) cores, \(o.runs) runs (medians)

    | scenario | anchor | anchor time | docgate time | ratio | target | docgate peak RSS |
    | --- | --- | --- | --- | --- | --- | --- |
    | 1 000 reports, \(sizes / 1000 / 1024) KB each (\(sizes / 1_048_576) MB) | `xmllint --noout --schema` | \(fmt(a)) s | \(fmt(d)) s | **\(fmt(throughput, 2))× xmllint's throughput** | ≥ 1.5× | \((ours.map(\.maxRSSKilobytes).max() ?? 0) / 1024) MB |
    | one report of \(bigSize / 1_048_576) MB | `xmllint --stream --noout --schema` | \(fmt(ba)) s | \(fmt(bd)) s | **\(fmt(timeRatio, 2))× xmllint's time** | ≤ 1.2× | **\(peak / 1024) MB** (target < 64 MB) |

    Ratios are medians over pairs of runs (anchor and docgate back to back); times are medians.
    Anchor peak RSS: batch \((anchor.map(\.maxRSSKilobytes).max() ?? 0) / 1024) MB, big file \((bigAnchor.map(\.maxRSSKilobytes).max() ?? 0) / 1024) MB.
    All times: batch xmllint \(anchor.map { fmt($0.seconds) }), docgate \(ours.map { fmt($0.seconds) }); big xmllint \(bigAnchor.map { fmt($0.seconds, 2) }), docgate \(bigOurs.map { fmt($0.seconds, 2) }).
    """)
}

let args = Array(CommandLine.arguments.dropFirst())
guard let scenario = args.first else {
    print("usage: docgate-bench validate|sign|micro --docgate BIN --schemas DIR --work DIR [--runs N] [--big-mb M]")
    exit(2)
}
let options = Options(Array(args.dropFirst()))
switch scenario {
case "validate": try validateBenchmarks(options)
case "micro": try Micro.run(options)
case "profile": try Micro.profile(options)
case "sign": try SigningBench.run(options)
case "gateway": try GatewayBench.run(options)
case "console": try ConsoleBench.run(options)
case "console-pages": try ConsolePagesBench.run(options)
case "journal": try JournalBench.run(options)
case "search": try SearchBench.run(options)
case "hostile": try HostileBench.run(options)
case "context": try ContextBench.run(options)
case "generate": try GenerateBench.run(options)
case "revocation": try RevocationBench.run(options)
case "sign-micro": try SigningBench.micro(options)
case "sign-profile": try SigningBench.profile(options)
case "sign-parts": try SigningBench.parts(options)
default:
    print("unknown scenario \(scenario)")
    exit(2)
}
