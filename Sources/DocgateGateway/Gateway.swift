import DocgateCore
import DocgateCrypto
import DocgateDocuments
import DocgateSignature
import DocgateXML
import Dispatch
import FoundationEssentials
import Glibc
import Logging
import Synchronization

/// Why the gateway cannot start.
public struct GatewayError: Error, Sendable, CustomStringConvertible {
    public var code: String
    public var message: LocalizedText
    public var description: String { code + " " + message.en }
}

/// A route's directories, held open, and what the scanner knows about its inbox.
final class RouteRuntime: @unchecked Sendable {
    let route: Route
    let inbox: Directory
    let outbox: Directory
    let receipts: Directory
    let errors: Directory
    let archive: Directory
    /// name → (size, mtime, when this size and time were first seen). Touched by the loop thread only.
    var sightings: [String: (size: Int64, mtime: Double, since: Double)] = [:]
    /// Names that arrived by rename (inotify IN_MOVED_TO): complete at once.
    var renamedIn: Set<String> = []
    /// name → earliest time to try again after a transient failure. Both the loop and the thread finishing the
    /// previous batch record failures.
    let backoff = Mutex<[String: (until: Double, failures: Int)]>([:])
    /// The earliest retry time of a file in back-off, if it is in one.
    func retryTime(_ name: String) -> Double? { backoff.withLock { $0[name]?.until } }
    /// The archive's directory of the day last used.
    private var day: (key: String, dir: Directory)?

    func archiveDay(_ parts: [String]) throws(FileError) -> Directory {
        let key = parts.joined(separator: "/")
        if let day, day.key == key { return day.dir }
        let dir = try archive.subdirectory(parts)
        day = (key, dir)
        return dir
    }

    init(_ route: Route) throws(FileError) {
        self.route = route
        inbox = try Directory(route.inbox)
        outbox = try Directory(route.outbox)
        receipts = try Directory(route.receipts)
        errors = try Directory(route.errors)
        archive = try Directory(route.archive)
    }

    /// Files being written by their producers, and docgate's own staging files, are never taken.
    static func isCandidate(_ name: String) -> Bool {
        let lower = name.lowercased()
        return !name.hasPrefix(".") && !lower.hasSuffix(".part") && !lower.hasSuffix(".tmp") && Directory.isPlainName(name)
    }
}

/// One document on its way, in memory. Touched by one thread at a time (the loop, or one worker of the parallel
/// analysis, which writes only its own item's `analysis`).
final class Work: @unchecked Sendable {
    var entry: JournalEntry
    let runtime: RouteRuntime
    var bytes: [UInt8]?
    var isSymlink = false
    var recovered = false
    /// Staging files this run wrote for the item (known to exist without asking the file system).
    var wroteOutput = false
    var wroteReason = false
    var analysis: Gateway.Analysis?
    var started: Double

    init(entry: JournalEntry, runtime: RouteRuntime, bytes: [UInt8]?, started: Double) {
        self.entry = entry
        self.runtime = runtime
        self.bytes = bytes
        self.started = started
    }

    var outputStaging: String { ".docgate-\(entry.id).out" }
    var reasonStaging: String { ".docgate-\(entry.id).reason" }
    var receiptStaging: String { ".docgate-\(entry.id).receipt" }
}

/// What one pass did.
public struct PassResult: Sendable {
    public var finished = 0
    public var byOutcome: [Outcome: Int] = [:]
    public var failures = 0
    public var waiting = 0

    mutating func add(_ other: PassResult) {
        finished += other.finished
        byOutcome.merge(other.byOutcome, uniquingKeysWith: +)
        failures += other.failures
        waiting += other.waiting
    }
}

/// The gateway: every complete file in a route's inbox gets exactly one outcome, recorded in the journal —
/// delivered once to the outbox, or put into errors/ with its reason — and one receipt (DESIGN.md, "The daemon's
/// promise"). Each step is journaled before the file system acts, so any step can be redone after a crash.
public final class Gateway: @unchecked Sendable {
    public let config: GatewayConfig
    let journal: any Journal
    let validator: DocumentValidator
    let verifier: SignatureVerifier?
    let signer: DocumentSigner?
    let routes: [RouteRuntime]
    public let owner: String
    let logger: Logger
    let lease: Double = 120
    private let stopping = Atomic<Bool>(false)
    public let metrics = GatewayMetrics()
    public static let version = "0.1.0"
    /// Documents delivered so far, for the rules across documents (loaded from the journal at start).
    let registry = DocumentContext()
    private var usesContext: Bool { routes.contains { $0.route.contextRules } }

    public init(config: GatewayConfig, journal: any Journal, logger: Logger, signingPassphrase: [UInt8]? = nil) throws(GatewayError) {
        self.config = config
        self.journal = journal
        self.logger = logger
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count)
        let hostname = host.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        owner = "\(config.gatewayId)@\(hostname)"
        do {
            let schemas = try DocumentValidator.locateSchemas(explicit: config.schemas, executable: nil)
            validator = try DocumentValidator(schemaDirectory: schemas)
        } catch {
            throw GatewayError(code: "DG5021", message: error.message)
        }
        if let trust = config.trust {
            do { verifier = SignatureVerifier(trust: try TrustStore(path: trust)) } catch {
                throw GatewayError(code: error.code, message: error.message)
            }
        } else {
            verifier = nil
        }
        if let s = config.signing {
            do throws(CryptoError) {
                let identity = s.pkcs12 != nil
                    ? try SigningIdentity.load(pkcs12Path: s.pkcs12!, passphrase: signingPassphrase)
                    : try SigningIdentity.load(keyPath: s.key!, certificatePath: s.cert!, passphrase: signingPassphrase)
                signer = DocumentSigner(identity: identity)
            } catch {
                throw GatewayError(code: error.code, message: error.message)
            }
        } else {
            signer = nil
        }
        var runtimes: [RouteRuntime] = []
        for r in config.routes {
            do { runtimes.append(try RouteRuntime(r)) } catch {
                throw GatewayError(code: "DG5022", message: LocalizedText(ru: "каталог маршрута \(r.name) недоступен: \(error)",
                                                                         en: "a directory of route \(r.name) is not usable: \(error)"))
            }
        }
        routes = runtimes
        if usesContext {
            do {
                let decoder = JSONDecoder()
                let stored = try journal.registryAll().compactMap { try? decoder.decode(ContextDocument.self, from: Data($0)) }
                registry.add(stored)
            } catch {
                throw GatewayError(code: "DG5023", message: LocalizedText(ru: "реестр документов в журнале не читается: \(error)",
                                                                         en: "the document registry in the journal cannot be read: \(error)"))
            }
        }
    }

    /// Asks the loop to stop after the batch in hand.
    public func stop() { stopping.store(true, ordering: .releasing) }
    public var isStopping: Bool { stopping.load(ordering: .acquiring) }

    // MARK: the loop

    /// Runs until `stop()`: a pass, then a wait for inotify events or the rescan interval.
    public func run() {
        let watcher = InboxWatcher(routes.map { $0.inbox.path })
        logger.info("gateway started", metadata: ["owner": "\(owner)", "routes": "\(routes.map(\.route.name))",
                                                  "inotify": "\(watcher.active)"])
        while !isStopping {
            let result = pass()
            if isStopping { break }
            if result.finished > 0 || result.waiting > 0 && result.failures == 0 {
                // More may be ready at once, or soon (quiet periods): look again shortly.
                if result.finished > 0 { continue }
            }
            let moved = watcher.wait(timeout: result.waiting > 0 ? min(config.rescanInterval, 0.25) : config.rescanInterval,
                                     stop: { self.isStopping })
            for (dir, names) in moved {
                if let r = routes.first(where: { $0.inbox.path == dir }) { r.renamedIn.formUnion(names) }
            }
        }
        logger.info("gateway stopped", metadata: ["owner": "\(owner)"])
    }

    /// Recovery of unfinished entries, then one batch per route. Public for tests and `journal` commands.
    @discardableResult
    public func pass() -> PassResult {
        var result = PassResult()
        let now = Clock.now()
        // Unfinished work first: entries of an earlier run (a crash) or of an instance whose lease ran out.
        do {
            let leftovers = try journal.recover(owner: owner, lease: lease, now: now)
            if !leftovers.isEmpty {
                if leftovers.contains(where: { e in routes.first { $0.route.name == e.route }?.retryTime(e.fileName) == nil }) {
                    logger.notice("recovering unfinished documents", metadata: ["count": "\(leftovers.count)"])
                }
                var work: [Work] = []
                for entry in leftovers {
                    guard let runtime = routes.first(where: { $0.route.name == entry.route }) else { continue }
                    // A document whose last step failed waits out its back-off, like any other.
                    if let until = runtime.retryTime(entry.fileName), until > now { result.waiting += 1; continue }
                    let w = Work(entry: entry, runtime: runtime, bytes: nil, started: Clock.monotonic())
                    w.recovered = true
                    work.append(w)
                }
                advance(work, into: &result)
            }
        } catch {
            logger.error("journal recovery failed", metadata: ["error": "\(error)"])
            result.failures += 1
            return result
        }
        for runtime in routes where !isStopping {
            // One listing of the inbox, then as many batches as it holds ready files (a rescan per batch would
            // stat the whole inbox again each time). While a batch goes through the journal and the file system —
            // mostly waiting for fsyncs — the next one is read, hashed and analysed on the other cores: analysis
            // touches no file and no journal row, so it may run ahead of the claim.
            // The rest of a batch overlaps the next ones too: once its staging files are written, it is made durable,
            // staged in the journal, delivered and receipted on a thread of its own, then archived on another (syncfs,
            // renames, directory fsyncs, journal commits: mostly waiting), while the loop claims and decides the next
            // batch.
            let ready = scan(runtime, now: now, result: &result)
            let finisher = Finisher(), archiver = Finisher()
            var previous: [String: String] = [:]   // what the batch before decided to deliver
            var next = 0
            func prepareNext() -> Prepared? {
                guard next < ready.count else { return nil }
                let chunk = Array(ready[next..<min(ready.count, next + config.batchSize)])
                next += chunk.count
                return prepare(chunk, runtime)
            }
            var prepared = prepareNext()
            while let current = prepared {
                current.done.wait()
                if isStopping { prepared = nil; break }
                prepared = prepareNext()
                var batch: [String: Candidate] = [:]
                var requests: [ClaimRequest] = []
                let results = current.results.withLock { $0 }
                for (i, e) in current.entries.enumerated() {
                    if e.isSymlink {
                        batch[e.name] = Candidate(name: e.name, bytes: nil, sha256: (DigestAlgorithm.sha256.hex([]) ?? ""), size: 0,
                                                  isSymlink: true, started: Clock.monotonic(), analysis: nil)
                    } else {
                        switch results[i] {
                        case .success(let file)?:
                            batch[e.name] = Candidate(name: e.name, bytes: file.bytes, sha256: file.sha256, size: Int64(file.bytes.count),
                                                      isSymlink: false, started: file.started, analysis: file.analysis)
                        case .failure(let error)?:
                            if error.code != ENOENT { fail(runtime, e.name, error, now: now); result.failures += 1 }
                            continue
                        case nil:
                            continue
                        }
                    }
                    let c = batch[e.name]!
                    requests.append(ClaimRequest(route: runtime.route.name, fileName: c.name, sha256: c.sha256, size: c.size))
                }
                do {
                    let claimed = try journal.claim(requests, owner: owner, lease: lease, now: Clock.now())
                    var work: [Work] = []
                    for entry in claimed {
                        guard let item = batch[entry.fileName] else { continue }
                        let w = Work(entry: entry, runtime: runtime, bytes: item.bytes, started: item.started)
                        w.isSymlink = item.isSymlink
                        w.analysis = item.analysis
                        runtime.sightings[entry.fileName] = nil
                        runtime.renamedIn.remove(entry.fileName)
                        work.append(w)
                    }
                    let staging = writeStaging(work, earlier: previous)
                    previous = staging.decided
                    let claimedCount = work.count
                    finisher.submit { partial in
                        let staged = self.commitStaging(staging)
                        let delivered = self.deliverStep(staged)
                        partial.failures += claimedCount - delivered.count
                        archiver.submit { partial in self.archive(delivered, into: &partial) }
                    }
                } catch {
                    logger.error("journal claim failed", metadata: ["error": "\(error)"])
                    result.failures += 1
                }
            }
            // Stopping: the chunk read ahead is not claimed; its files stay in the inbox for the next run. The batch
            // being finished is finished.
            prepared?.done.wait()
            result.add(finisher.drain())
            result.add(archiver.drain())
        }
        return result
    }

    /// Runs later steps of one batch at a time on a thread of its own: `submit` waits until the batch before has
    /// left, so each step is at most one batch ahead of the next.
    final class Finisher: Sendable {
        private let queue = DispatchQueue(label: "docgate.finish")
        private let busy = DispatchGroup()
        private let result = Mutex(PassResult())

        func submit(_ work: @escaping @Sendable (inout PassResult) -> Void) {
            busy.wait()
            busy.enter()
            queue.async {
                var partial = PassResult()
                work(&partial)
                self.result.withLock { $0.add(partial) }
                self.busy.leave()
            }
        }

        /// Waits for the batch in hand; what the batches finished so far did.
        func drain() -> PassResult {
            busy.wait()
            return result.withLock { $0 }
        }
    }

    /// A chunk of an inbox being read, hashed and analysed on the worker threads.
    final class Prepared: Sendable {
        typealias File = (bytes: [UInt8], sha256: String, started: Double, analysis: Analysis)
        let entries: [Directory.Entry]
        let results = Mutex<[Int: Result<File, FileError>]>([:])
        let done = DispatchGroup()
        init(_ entries: [Directory.Entry]) { self.entries = entries }
    }

    private func prepare(_ entries: [Directory.Entry], _ runtime: RouteRuntime) -> Prepared {
        let p = Prepared(entries)
        let limit = validator.limits.maxInputBytes
        p.done.enter()
        DispatchQueue.global().async {
            DispatchQueue.concurrentPerform(iterations: entries.count) { i in
                guard !entries[i].isSymlink else { return }
                let r = Result { () throws(FileError) -> Prepared.File in
                    let started = Clock.monotonic()
                    let bytes = try runtime.inbox.read(entries[i].name, limit: limit)
                    let sha256 = DigestAlgorithm.sha256.hex(bytes) ?? ""
                    return (bytes, sha256, started, self.analyze(bytes, name: entries[i].name, sha256: sha256, runtime))
                }
                p.results.withLock { $0[i] = r }
            }
            p.done.leave()
        }
        return p
    }

    struct Candidate {
        var name: String
        var bytes: [UInt8]?
        var sha256: String
        var size: Int64
        var isSymlink: Bool
        var started: Double
        var analysis: Analysis?
    }

    /// The complete files of an inbox (readiness rules in the README), in directory order.
    private func scan(_ r: RouteRuntime, now: Double, result: inout PassResult) -> [Directory.Entry] {
        let entries: [Directory.Entry]
        do { entries = try r.inbox.entries(limit: 1_000_000, where: RouteRuntime.isCandidate) } catch {
            logger.error("cannot list the inbox", metadata: ["route": "\(r.route.name)", "error": "\(error)"])
            result.failures += 1
            return []
        }
        metrics.setQueueDepth(route: r.route.name, entries.count)
        var present: Set<String> = []
        var out: [Directory.Entry] = []
        for e in entries {
            present.insert(e.name)
            if let until = r.retryTime(e.name), until > now { result.waiting += 1; continue }
            if e.isSymlink {
                out.append(e)
            } else if e.isRegular {
                let previous = r.sightings[e.name]
                if previous == nil || previous!.size != e.size || previous!.mtime != e.mtime {
                    r.sightings[e.name] = (e.size, e.mtime, now)
                }
                let since = r.sightings[e.name]!.since
                let ready = r.renamedIn.contains(e.name) && previous != nil && previous!.size == e.size && previous!.mtime == e.mtime
                    || now - since >= r.route.quietPeriod
                guard ready else { result.waiting += 1; continue }
                out.append(e)
            }
        }
        // Forget files that left without us (a producer took one back).
        if r.sightings.count > present.count {
            for name in r.sightings.keys where !present.contains(name) { r.sightings[name] = nil }
        }
        return out
    }

    private func fail(_ r: RouteRuntime, _ name: String, _ error: any Error, now: Double) {
        let delay = r.backoff.withLock { backoff in
            let failures = (backoff[name]?.failures ?? 0) + 1
            let delay = min(30, 0.25 * Double(1 << min(failures, 7)))
            backoff[name] = (now + delay, failures)
            return delay
        }
        metrics.countError(route: r.route.name)
        logger.warning("will retry", metadata: ["route": "\(r.route.name)", "file": "\(name)", "error": "\(error)",
                                                "retry_in_s": "\(delay)"])
    }

    // MARK: the steps

    /// Takes every item as far as it goes, on this thread: decide and stage, deliver, receipt, archive (the steps
    /// the loop spreads over its threads). An item whose step fails stays where it is, safe, and is retried on a
    /// later pass.
    private func advance(_ items: [Work], into result: inout PassResult) {
        let claimed = items.filter { $0.entry.stage == .claimed }
        let further = items.filter { $0.entry.stage != .claimed }   // before staging moves the claimed ones on
        let delivered = deliverStep(commitStaging(writeStaging(claimed, earlier: [:])) + further)
        result.failures += items.count - delivered.count
        archive(delivered, into: &result)
    }

    /// Receipted items archived, and counted.
    private func archive(_ items: [Work], into result: inout PassResult) {
        let done = archiveStep(items)
        for w in done {
            result.finished += 1
            if let o = w.entry.outcome {
                result.byOutcome[o, default: 0] += 1
                metrics.countDocument(route: w.entry.route, kind: w.entry.kind ?? "unknown", outcome: o.rawValue,
                                      seconds: Clock.monotonic() - w.started)
            }
        }
        result.failures += items.count - done.count
    }

    /// Transitions applied in one transaction; items whose transition did not apply (fenced out) drop out.
    private func commit(_ pairs: [(Work, Transition)]) -> [Work] {
        guard !pairs.isEmpty else { return [] }
        do {
            let applied = try journal.apply(pairs.map(\.1), owner: owner, lease: lease, now: Clock.now())
            var out: [Work] = []
            for ((w, t), ok) in zip(pairs, applied) {
                if ok {
                    w.entry.stage = t.to
                    if let o = t.outcome { w.entry.outcome = o }
                    if let v = t.documentId { w.entry.documentId = v }
                    if let v = t.kind { w.entry.kind = v }
                    if let v = t.outputName { w.entry.outputName = v }
                    if let v = t.receiptName { w.entry.receiptName = v }
                    if let v = t.archivePath { w.entry.archivePath = v }
                    if let v = t.errors { w.entry.errors = v }
                    out.append(w)
                } else {
                    logger.warning("journal transition refused (another owner holds the document)",
                                   metadata: ["id": "\(w.entry.id)", "to": "\(t.to.rawValue)"])
                }
            }
            return out
        } catch {
            logger.error("journal write failed", metadata: ["error": "\(error)"])
            metrics.countError(route: "-")
            return []
        }
    }

    /// claimed → staged goes in two halves, `writeStaging` and `commitStaging`: the verdict, and the output and
    /// receipt written to staging files and made durable. Between them: a batch whose staging files are written, not
    /// yet durable nor recorded.
    struct Staging: Sendable {
        var pairs: [(Work, Transition)] = []
        var touched: [Directory] = []
        /// Route + root id → hash of the documents decided to deliver.
        var decided: [String: String] = [:]
    }

    /// The first half of staging, on the loop's thread: the verdicts, and the staging files written. `earlier` is
    /// what the batch before decided to deliver (route + root id → hash): its journal rows may not be committed yet
    /// (those of the batches before it are: the finishing thread takes one batch at a time).
    private func writeStaging(_ items: [Work], earlier decidedBefore: [String: String]) -> Staging {
        var deliveredInBatch: [String: String] = [:]
        var pairs: [(Work, Transition)] = []
        var touched: [Directory] = []
        var ready: [Work] = []
        var superseded: [Work] = []
        var toDeliver: [ContextDocument] = []
        for w in items {
            let r = w.runtime
            // Stale staging files of an interrupted earlier attempt.
            if w.recovered {
                for dir in [r.outbox, r.errors, r.receipts] {
                    dir.remove(w.outputStaging)
                    dir.remove(w.reasonStaging)
                    dir.remove(w.receiptStaging)
                }
            }
            if w.bytes == nil && !w.isSymlink {
                // Recovered claim: read the inbox file again.
                var st = stat()
                if fstatat(r.inbox.fd, w.entry.fileName, &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_IFMT) == S_IFLNK {
                    w.isSymlink = true
                } else {
                    do { w.bytes = try r.inbox.read(w.entry.fileName, limit: validator.limits.maxInputBytes) } catch {
                        if error.code == ENOENT {
                            w.bytes = nil
                        } else {
                            fail(r, w.entry.fileName, error, now: Clock.now())
                            continue
                        }
                    }
                    if let bytes = w.bytes, DigestAlgorithm.sha256.hex(bytes) != w.entry.sha256 {
                        // The file changed after it was claimed (a producer wrote it again): this claim is closed
                        // and the file is taken as a new arrival, with its own identity.
                        superseded.append(w)
                        continue
                    }
                }
            }
            ready.append(w)
        }
        if !superseded.isEmpty {
            let closed = commit(superseded.map { w in
                var t = Transition(w.entry, to: .done)
                t.errors = Names.json([Diagnostic(code: "DG5035", severity: .warning, message: LocalizedText(
                    ru: "файл изменился после захвата; обработан как новый", en: "the file changed after it was claimed; taken as a new arrival"))])
                return (w, t)
            })
            for w in closed { logger.notice("claim superseded by a changed file", metadata: ["file": "\(w.entry.fileName)", "journal_id": "\(w.entry.id)"]) }
        }
        // Parsing, schema, rules, signatures: the expensive part, on every core (new arrivals were analysed when
        // they were read; claims recovered from the journal are analysed here).
        let analyzing = ready.filter { $0.analysis == nil && !$0.isSymlink && $0.bytes != nil }
        DispatchQueue.concurrentPerform(iterations: analyzing.count) { i in
            let w = analyzing[i]
            w.analysis = analyze(w.bytes!, name: w.entry.fileName, sha256: w.entry.sha256, w.runtime)
        }
        // Identity: the journal's earlier deliveries of the batch's root ids, in one read. Without them nothing is
        // decided: the claims stay and are taken up again on a later pass.
        var idsByRoute: [String: Set<String>] = [:]
        for w in ready {
            if let a = w.analysis, a.diagnostics.allowsValidity, let id = a.documentId { idsByRoute[w.runtime.route.name, default: []].insert(id) }
        }
        var earlier: [String: [String: [String]]] = [:]
        do {
            for (route, ids) in idsByRoute { earlier[route] = try journal.deliveredHashes(route: route, documentIds: Array(ids)) }
        } catch {
            logger.error("journal read failed", metadata: ["error": "\(error)"])
            metrics.countError(route: "-")
            return Staging()
        }
        var decided: [(Work, Decision)] = []
        for w in ready {
            decided.append((w, decide(w, earlier: earlier[w.runtime.route.name] ?? [:], decidedBefore: decidedBefore, deliveredInBatch: &deliveredInBatch)))
        }
        // Receipts built and staging files written on every core: the directory operations serialise in the
        // kernel, the rest (XML, copies into the page cache) does not.
        let jobs = decided
        let failures = Mutex<[Int: FileError]>([:])
        DispatchQueue.concurrentPerform(iterations: jobs.count) { i in
            let (w, decision) = jobs[i]
            do throws(FileError) {
                try write(decision, for: w)
            } catch {
                failures.withLock { $0[i] = error }
            }
        }
        let failed = failures.withLock { $0 }
        for (i, (w, decision)) in jobs.enumerated() {
            let r = w.runtime
            if let error = failed[i] {
                for dir in [r.outbox, r.errors, r.receipts] {
                    dir.remove(w.outputStaging); dir.remove(w.reasonStaging); dir.remove(w.receiptStaging)
                }
                fail(r, w.entry.fileName, error, now: Clock.now())
                continue
            }
            for d in [r.outbox, r.errors, r.receipts] where !touched.contains(where: { $0 === d }) { touched.append(d) }
            var t = Transition(w.entry, to: .staged)
            t.outcome = decision.outcome
            t.documentId = decision.documentId
            t.kind = decision.kind?.rawValue
            t.outputName = decision.outputName
            t.receiptName = decision.receiptName
            t.errors = decision.errorsJSON
            pairs.append((w, t))
            // The rules across documents see what is to be delivered before the next batch is decided; the journal
            // keeps it once staged.
            if decision.outcome == .delivered, let d = w.analysis?.contextDocument { toDeliver.append(d) }
        }
        if !toDeliver.isEmpty { registry.add(toDeliver) }
        return Staging(pairs: pairs, touched: touched, decided: deliveredInBatch)
    }

    /// The second half: the staging files made durable (one syncfs per file system instead of an fsync per file),
    /// then the journal says staged.
    private func commitStaging(_ staging: Staging) -> [Work] {
        var synced: Set<UInt64> = []
        for d in staging.touched {
            var st = stat()
            fstat(d.fd, &st)
            if synced.insert(UInt64(st.st_dev)).inserted {
                do { try d.syncFileSystem() } catch {
                    logger.error("syncfs failed", metadata: ["error": "\(error)"])
                    return []
                }
            }
        }
        let staged = commit(staging.pairs)
        // A staged output is delivered whatever happens next: the journal's registry keeps the documents to deliver.
        remember(staged)
        return staged
    }

    struct Analysis {
        var documentId: String?
        var kind: DocumentKind?
        var diagnostics: [Diagnostic] = []
        /// The bytes to deliver (converted, signed) when the document passed everything.
        var output: [UInt8]?
        /// What the registry keeps of it once delivered.
        var contextDocument: ContextDocument?
    }

    struct Decision {
        var outcome: Outcome
        var documentId: String?
        var kind: DocumentKind?
        var output: [UInt8]?
        var reason: [UInt8]?
        var receipt: ReceiptContent
        var outputName: String?
        var receiptName: String
        var errorsJSON: String
    }

    /// The verdict on a document's content, independent of other documents and of the journal: safe to compute in
    /// parallel and ahead of the claim. The rules across documents are checked later, in `decide`, in order.
    private func analyze(_ bytes: [UInt8], name: String, sha256: String, _ r: RouteRuntime) -> Analysis {
        // Routes that check or add signatures, or write another encoding, need a tree: it is parsed once and
        // validated, verified, converted and signed as it is; other routes validate the stream, without a tree.
        if r.route.requireSignature && verifier != nil || !r.route.sign.isEmpty && signer != nil || r.route.encoding != .asIs {
            return analyzeTree(bytes, name: name, sha256: sha256, r)
        }
        var a = verdict(validator.validate(bytes: bytes, file: name, retainRecords: r.route.contextRules), sha256: sha256, r)
        if a.diagnostics.allowsValidity { a.output = bytes }
        return a
    }

    /// What a validation report says on a route: its findings, the kind's admission, the record for the rules
    /// across documents.
    private func verdict(_ report: ValidationReport, sha256: String, _ r: RouteRuntime) -> Analysis {
        var a = Analysis()
        a.documentId = report.documentId
        a.kind = report.kind
        a.diagnostics = report.diagnostics
        if report.valid, let k = report.kind, !r.route.accept.contains(k) {
            a.diagnostics.append(Diagnostic(code: "DG5030", message: LocalizedText(
                ru: "документы вида «\(k.title.ru)» по маршруту \(r.route.name) не принимаются",
                en: "\(k.title.en) documents are not accepted on route \(r.route.name)")))
        }
        if a.diagnostics.allowsValidity, r.route.contextRules {
            a.contextDocument = ContextDocument(report: report, sha256: sha256)
        }
        return a
    }

    private func decide(_ w: Work, earlier deliveredBefore: [String: [String]], decidedBefore: [String: String],
                        deliveredInBatch: inout [String: String]) -> Decision {
        let r = w.runtime
        let name = w.entry.fileName
        var diagnostics: [Diagnostic] = []
        var outcome = Outcome.rejected
        var output: [UInt8]?
        var documentId: String?
        var kind: DocumentKind?
        if w.isSymlink {
            diagnostics.append(Diagnostic(code: "DG5031", message: LocalizedText(
                ru: "символическая ссылка во входящем каталоге не обрабатывается", en: "a symbolic link in the inbox is not followed")))
        } else if let bytes = w.bytes {
            let a = w.analysis ?? analyze(bytes, name: name, sha256: w.entry.sha256, r)
            documentId = a.documentId
            kind = a.kind
            diagnostics = a.diagnostics
            if diagnostics.allowsValidity, let d = a.contextDocument {
                diagnostics += registry.check(d, identity: false)
            }
            if diagnostics.allowsValidity, let id = documentId {
                let key = r.route.name + "\u{0}" + id
                let earlier = (deliveredBefore[id] ?? []) + [decidedBefore[key], deliveredInBatch[key]].compactMap { $0 }
                if earlier.contains(w.entry.sha256) {
                    outcome = .duplicate
                    diagnostics.append(Diagnostic(code: "DG5032", severity: .warning, message: LocalizedText(
                        ru: "этот документ (тот же id и то же содержимое) уже доставлен; повторно не доставляется",
                        en: "this document (same id, same content) was delivered before; it is not delivered again")))
                } else if !earlier.isEmpty {
                    outcome = .conflict
                    diagnostics.append(Diagnostic(code: "DG5033", message: LocalizedText(
                        ru: "документ с id \(id) уже доставлен с другим содержимым", en: "a document with id \(id) was delivered before with other content")))
                }
            }
            if diagnostics.allowsValidity && outcome == .rejected, let out = a.output {
                outcome = .delivered
                output = out
                if let id = documentId { deliveredInBatch[r.route.name + "\u{0}" + id] = w.entry.sha256 }
            }
            if outcome == .rejected || outcome == .conflict { output = bytes }
        } else {
            diagnostics.append(Diagnostic(code: "DG5034", message: LocalizedText(
                ru: "файл исчез из входящего каталога до обработки", en: "the file left the inbox before it was processed")))
        }
        let target: Directory? = outcome == .delivered ? r.outbox : (outcome == .duplicate ? nil : r.errors)
        let safe = Names.sanitize(name)
        let outputName = target.map { Names.free(safe, in: $0) }
        let receiptName = Names.free(Receipts.fileName(for: safe), in: r.receipts)
        var reason: [UInt8]?
        if target === r.errors {
            reason = Array(Names.reasonText(name: name, outcome: outcome, diagnostics: diagnostics).utf8)
        }
        let content = ReceiptContent(gatewayId: config.gatewayId, version: Self.version, route: r.route.name, fileName: safe,
                                     documentId: documentId, kind: kind, sha256: w.entry.sha256, size: w.entry.size,
                                     receivedAt: w.entry.receivedAt, status: outcome,
                                     deliveredAs: outcome == .delivered ? outputName : nil, diagnostics: diagnostics)
        return Decision(outcome: outcome, documentId: documentId, kind: kind, output: output, reason: reason, receipt: content,
                        outputName: outputName, receiptName: receiptName, errorsJSON: Names.json(diagnostics))
    }

    private func analyzeTree(_ bytes: [UInt8], name: String, sha256: String, _ r: RouteRuntime) -> Analysis {
        let document: XMLDocument
        switch bytes.withUnsafeBytes({ XMLDocument.parse($0, limits: validator.limits) }) {
        case .failure(let failure):
            var a = Analysis()
            a.diagnostics = XMLDiagnostics.diagnostics(for: failure)
            return a
        case .success(let d):
            document = d
        }
        var a = verdict(validator.check(document, file: name), sha256: sha256, r)
        if a.diagnostics.allowsValidity, r.route.requireSignature, let verifier {
            a.diagnostics += verifier.verify(document, file: name).diagnostics
        }
        guard a.diagnostics.allowsValidity else { return a }
        // The output encoding, when it differs from the input's: the tree written in it (and signed from those bytes).
        var converted: [UInt8]?
        if r.route.encoding != .asIs {
            let want: XMLWriter.Encoding = r.route.encoding == .windows1251 ? .windows1251 : .utf8
            let input = document.inputEncoding
            let already = (input == .windows1251) == (want == .windows1251) && input != .utf16LE && input != .utf16BE
            if !already { converted = document.serialized(encoding: want) }
        }
        var out = converted ?? bytes
        if let k = a.kind, r.route.sign.contains(k), let signer {
            let signed = converted == nil ? signer.sign(document, parsedFrom: bytes) : signer.sign(bytes: out)
            switch signed {
            case .success(let s): out = s
            case .failure(let f): a.diagnostics += f.diagnostics
            }
        }
        if a.diagnostics.allowsValidity { a.output = out }
        return a
    }

    private func write(_ d: Decision, for w: Work) throws(FileError) {
        let r = w.runtime
        if let output = d.output {
            let dir = d.outcome == .delivered ? r.outbox : r.errors
            try dir.write(w.outputStaging, output, sync: false)
            w.wroteOutput = true
        }
        if let reason = d.reason {
            try r.errors.write(w.reasonStaging, reason, sync: false)
            w.wroteReason = true
        }
        var receipt = (try? Receipts.build(d.receipt, id: UUIDs.random(), now: Clock.now())) ?? []
        if let signer, case .success(let signed) = signer.sign(bytes: receipt) { receipt = signed }
        try r.receipts.write(w.receiptStaging, receipt, sync: false)
    }

    /// staged → receipted: the outputs renamed into place and their directories synced, then the receipts renamed
    /// into place and synced — a receipt never before its document is safe — and one journal commit for both. A
    /// rename that already happened (a crash before the commit) is not redone: its staging file is gone. Entries
    /// left at `delivered` (by a receipt that could not be placed) get their receipt here too.
    private func deliverStep(_ items: [Work]) -> [Work] {
        var passThrough: [Work] = []
        var moved: [(Work, Transition)] = []
        var dirs: [Directory] = []
        for w in items {
            guard w.entry.stage == .staged || w.entry.stage == .delivered else { passThrough.append(w); continue }
            let r = w.runtime
            var t = Transition(w.entry, to: .receipted)
            let outcome = w.entry.outcome ?? .rejected
            do {
                if w.entry.stage == .staged, outcome != .duplicate, var name = w.entry.outputName {
                    let dir = outcome == .delivered ? r.outbox : r.errors
                    if w.recovered ? dir.exists(w.outputStaging) : w.wroteOutput {
                        name = try Names.place(w.outputStaging, as: name, in: dir)
                    }
                    if dir === r.errors, w.recovered ? r.errors.exists(w.reasonStaging) : w.wroteReason {
                        let reasonName = Names.free(name + ".reason.txt", in: r.errors)
                        try r.errors.move(w.reasonStaging, to: reasonName, in: r.errors)
                    }
                    if !dirs.contains(where: { $0 === dir }) { dirs.append(dir) }
                    t.outputName = name
                }
                moved.append((w, t))
            } catch {
                fail(r, w.entry.fileName, error, now: Clock.now())
            }
        }
        for d in dirs {
            do { try d.sync() } catch { logger.error("directory fsync failed", metadata: ["error": "\(error)"]); return passThrough }
        }
        // The documents are safe: now their receipts. One that cannot be placed leaves its document recorded as
        // delivered, under the name it got, and is retried.
        var pairs: [(Work, Transition)] = []
        var receiptDirs: [Directory] = []
        for (w, var t) in moved {
            let r = w.runtime
            var name = w.entry.receiptName ?? Receipts.fileName(for: Names.sanitize(w.entry.fileName))
            do {
                if !w.recovered || r.receipts.exists(w.receiptStaging) {
                    name = try Names.place(w.receiptStaging, as: name, in: r.receipts)
                }
                if !receiptDirs.contains(where: { $0 === r.receipts }) { receiptDirs.append(r.receipts) }
                t.receiptName = name
            } catch {
                fail(r, w.entry.fileName, error, now: Clock.now())
                if w.entry.stage == .staged { t.to = .delivered; pairs.append((w, t)) }
                continue
            }
            pairs.append((w, t))
        }
        do {
            for d in receiptDirs { try d.sync() }
        } catch {
            logger.error("directory fsync failed", metadata: ["error": "\(error)"])
            // The receipts' names may not be durable: the documents are recorded as delivered only.
            pairs = pairs.compactMap { w, t in
                var t = t
                t.to = .delivered
                return t.from == .staged ? (w, t) : nil
            }
        }
        let committed = commit(pairs)
        return passThrough + committed.filter { $0.entry.stage == .receipted }
    }

    /// Staged documents to deliver join the journal's registry (the one in memory took them when they were decided).
    private func remember(_ items: [Work]) {
        let encoder = JSONEncoder()
        var rows: [(id: String, kind: String, json: [UInt8])] = []
        for w in items where w.entry.outcome == .delivered {
            guard let d = w.analysis?.contextDocument, let json = try? encoder.encode(d) else { continue }
            rows.append((d.id, d.kind.rawValue, [UInt8](json)))
        }
        guard !rows.isEmpty else { return }
        do {
            try journal.registryAdd(rows)
        } catch {
            logger.error("registry write failed", metadata: ["error": "\(error)"])
        }
    }

    /// receipted → done: the inbox file archived under archive/YYYY/MM/DD (a symbolic link goes to errors/).
    private func archiveStep(_ items: [Work]) -> [Work] {
        var pairs: [(Work, Transition)] = []
        var inboxes: [Directory] = []
        var archiveDays: [Directory] = []
        for w in items where w.entry.stage == .receipted {
            let r = w.runtime
            var path: String?
            do {
                var st = stat()
                var present = fstatat(r.inbox.fd, w.entry.fileName, &st, AT_SYMLINK_NOFOLLOW) == 0
                if present, w.recovered, (st.st_mode & S_IFMT) == S_IFREG,
                   let bytes = try? r.inbox.read(w.entry.fileName, limit: validator.limits.maxInputBytes), DigestAlgorithm.sha256.hex(bytes) != w.entry.sha256 {
                    // A crash after this document was archived, and a new file of the same name arrived since:
                    // that one is a new arrival, not ours to archive.
                    present = false
                }
                if present {
                    if (st.st_mode & S_IFMT) == S_IFLNK {
                        let target = Names.free(Names.sanitize(w.entry.fileName), in: r.errors)
                        try r.inbox.move(w.entry.fileName, to: target, in: r.errors)
                        try r.errors.sync()
                        path = "errors/" + target
                    } else {
                        let parts = Clock.dateParts(w.entry.receivedAt)
                        let day = try r.archiveDay(parts)
                        let name = try r.inbox.archive(w.entry.fileName, as: Names.sanitize(w.entry.fileName), into: day)
                        path = (parts + [name]).joined(separator: "/")
                        if !archiveDays.contains(where: { $0 === day }) { archiveDays.append(day) }
                    }
                    if !inboxes.contains(where: { $0 === r.inbox }) { inboxes.append(r.inbox) }
                }
                var t = Transition(w.entry, to: .done)
                t.archivePath = path
                pairs.append((w, t))
                _ = r.backoff.withLock { $0.removeValue(forKey: w.entry.fileName) }
            } catch {
                fail(r, w.entry.fileName, error, now: Clock.now())
            }
        }
        // The archived names are durable before the journal says done; the inbox's removals after.
        for day in archiveDays {
            do { try day.sync() } catch {
                logger.error("directory fsync failed", metadata: ["error": "\(error)"])
                return []
            }
        }
        for d in inboxes { try? d.sync() }
        let done = commit(pairs)
        for w in done {
            logger.info("document processed", metadata: [
                "route": "\(w.entry.route)", "file": "\(w.entry.fileName)", "outcome": "\(w.entry.outcome?.rawValue ?? "-")",
                "kind": "\(w.entry.kind ?? "-")", "id": "\(w.entry.documentId ?? "-")", "journal_id": "\(w.entry.id)"])
        }
        return done
    }
}

/// Names the gateway writes.
enum Names {
    /// Control characters and anything outside a conservative set become `_`; the name stays recognisable.
    static func sanitize(_ name: String) -> String {
        var out = ""
        for scalar in name.unicodeScalars {
            let ok = scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "." || scalar == "-" || scalar == "_"
            out.unicodeScalars.append(ok ? scalar : "_")
        }
        if out.isEmpty || out == "." || out == ".." || out.hasPrefix(".") { out = "_" + out }
        return String(out.prefix(200))
    }

    /// `name`, or `name.2.xml`, `name.3.xml` … — the first that does not exist in `dir`.
    /// Renames the staging file `staging` in `dir` to `name`, or to the first free name after it if a file took
    /// `name` since it was chosen; returns the name it got.
    static func place(_ staging: String, as name: String, in dir: Directory) throws(FileError) -> String {
        var name = name
        while true {
            do {
                try dir.move(staging, to: name, in: dir)
                return name
            } catch where error.code == EEXIST {
                name = free(name, in: dir)
            }
        }
    }

    static func free(_ name: String, in dir: Directory) -> String {
        if !dir.exists(name) { return name }
        var n = 2
        while dir.exists(Directory.numbered(name, n)) { n += 1 }
        return Directory.numbered(name, n)
    }

    static func reasonText(name: String, outcome: Outcome, diagnostics: [Diagnostic]) -> String {
        var lines = ["file: \(name)", "outcome: \(outcome.rawValue)", "time: \(Clock.iso(Clock.now()))"]
        for d in diagnostics {
            var place = ""
            if let line = d.line { place += " line \(line)" }
            if let path = d.path { place += " \(path)" }
            lines.append("\(d.code) \(d.severity.rawValue)\(place): \(d.message.en) / \(d.message.ru)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The findings as the journal keeps them: `[{code, severity, line, path, ru, en}]`.
    static func json(_ diagnostics: [Diagnostic]) -> String {
        JSONText.array(diagnostics.map { d in
            JSONText.object([("code", JSONText.string(d.code)), ("severity", JSONText.string(d.severity.rawValue)),
                             ("line", JSONText.optional(d.line)), ("path", JSONText.optional(d.path)),
                             ("ru", JSONText.string(d.message.ru)), ("en", JSONText.string(d.message.en))])
        })
    }
}
