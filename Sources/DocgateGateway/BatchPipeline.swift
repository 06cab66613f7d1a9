import DocgateCore
import Dispatch
import Synchronization

/// The batch pipeline: runs the stages over an inbox in batches (`batch_size` files or `batch_bytes` bytes, whichever
/// comes first), overlapping them so the cores work on one batch while another waits for its fsyncs and commits:
/// read, analyse and claim (on every core and the claim queue, two batches ahead; see `prepare` for when the claim
/// comes first); decide and write staging files (the loop's thread); syncfs, staged commit, outputs and receipts
/// placed (a finishing thread); archive (another). Each later step is at most one batch ahead of the next.
struct BatchPipeline: Sendable {
    let context: StageContext
    let scanner: Scanner
    let reader: InboxReader
    let analyzer: Analyzer
    let stager: Stager
    let deliverer: Deliverer
    let receipts: ReceiptStep
    let archiver: Archiver
    let batchSize: Int
    let batchBytes: Int
    /// Other instances' deliveries into the registry in memory (nil when no route applies the rules across
    /// documents).
    let registrySync: RegistrySync?
    /// Ticked at each batch claimed and finished: the heartbeat's proof that the loop moves.
    let progress: LoopProgress
    let isStopping: @Sendable () -> Bool
    /// Where chunks are claimed, one at a time.
    let claimQueue = DispatchQueue(label: "docgate.claim")
    /// Whether to claim before analysing.
    let contention = Contention()

    /// Unfinished entries first (an earlier run's crash, or an instance whose lease ran out), then every route.
    func pass(_ routes: [RouteRuntime]) -> PassResult {
        var result = PassResult()
        guard recover(routes, into: &result) else { return result }
        for runtime in routes where !isStopping() {
            run(runtime, into: &result)
        }
        return result
    }

    private func recover(_ routes: [RouteRuntime], into result: inout PassResult) -> Bool {
        let now = context.clock.now()
        do {
            let leftovers = try context.journal.recover(owner: context.owner, routes: routes.map(\.route.name), lease: context.lease, now: now)
            guard !leftovers.isEmpty else { return true }
            var work: [Work] = []
            for entry in leftovers {
                guard let runtime = routes.first(where: { $0.route.name == entry.route }) else { continue }
                let w = Work(entry: entry, runtime: runtime, bytes: nil, started: context.clock.monotonic())
                w.recovered = true
                // A document whose last step failed waits out its back-off, like any other.
                if let until = runtime.retryTime(w.name), until > now { result.waiting += 1; continue }
                work.append(w)
            }
            if !work.isEmpty {
                context.logger.notice("recovering unfinished documents", metadata: ["count": "\(work.count)"])
                syncRegistry()
                advance(work, into: &result)
            }
            return true
        } catch {
            context.logger.error("journal recovery failed", metadata: ["code": "DG5043", "error": "\(error)"])
            result.failures += 1
            return false
        }
    }

    /// Takes every item as far as it goes, on this thread (the steps the loop spreads over its threads). An item
    /// whose step fails stays where it is, safe, and is retried on a later pass.
    private func advance(_ items: [Work], into result: inout PassResult) {
        let claimed = items.filter { $0.entry.stage == .claimed }
        let further = items.filter { $0.entry.stage != .claimed }   // before staging moves the claimed ones on
        let delivered = finish(stager.commit(stager.write(claimed, earlier: [:])) + further)
        result.failures += items.count - delivered.count
        archive(delivered, into: &result)
    }

    /// Before a batch is decided: what other instances delivered joins the registry. A failure is logged and the
    /// batch decided against what is known (the journal's failure shows again at the claim or commit).
    private func syncRegistry() {
        guard let registrySync else { return }
        do { try registrySync.pull() } catch {
            context.logger.error("registry not brought up to date", metadata: ["code": "DG5043", "error": "\(error)"])
        }
    }

    /// Deliver and receipt.
    private func finish(_ items: [Work]) -> [Work] {
        let d = deliverer.deliver(items)
        return d.passThrough + receipts.place(d.placed)
    }

    private func run(_ runtime: RouteRuntime, into result: inout PassResult) {
        let scan = scanner.scan(runtime)
        result.waiting += scan.waiting
        if scan.failed { result.failures += 1 }
        let ready = scan.ready
        let finisher = Finisher(), archivist = Finisher()
        var previous = Stager.Staging()   // what the batch before decided (its journal rows may not be committed yet)
        var next = 0
        func prepareNext() -> Prepared? {
            guard next < ready.count else { return nil }
            let end = Self.batchEnd(ready.map { willRead($0, runtime) ? Int($0.size) : 0 }, from: next,
                                    count: batchSize, bytes: batchBytes)
            let chunk = Array(ready[next..<end])
            next = end
            return prepare(chunk, runtime, provisional: scan.provisional)
        }
        // Chunks read, claimed and analysed ahead: two, so that one's claim (a round trip and a commit) overlaps
        // the other's analysis. Once claimed they are taken through even when stopping (a clean stop leaves nothing
        // in flight); no new chunk is read then.
        var ahead: [Prepared] = []
        func fill() {
            while ahead.count < Self.readAhead, !isStopping(), let p = prepareNext() { ahead.append(p) }
        }
        fill()
        while !ahead.isEmpty {
            let current = ahead.removeFirst()
            current.done.wait()
            progress.tick()
            fill()
            let (inbound, claim) = settle(current, runtime, into: &result)
            do {
                let claimed = try claim.get()
                var work: [Work] = []
                for entry in claimed {
                    let w = Work(entry: entry, runtime: runtime, bytes: nil, started: context.clock.monotonic())
                    guard let item = inbound[w.name] else { continue }
                    w.bytes = item.bytes
                    w.refusal = item.refusal
                    w.analysis = item.analysis
                    w.started = item.started
                    runtime.sightings[w.name] = nil
                    runtime.renamedIn.remove(w.name)
                    work.append(w)
                }
                if !work.isEmpty { syncRegistry() }
                let staging = stager.write(work, earlier: previous.decided, namesBefore: previous.names)
                previous = Stager.Staging(decided: staging.decided, names: staging.names)
                let claimedCount = work.count
                finisher.submit { [progress] partial in
                    defer { progress.tick() }
                    let delivered = self.finish(self.stager.commit(staging))
                    partial.failures += claimedCount - delivered.count
                    archivist.submit { partial in self.archive(delivered, into: &partial) }
                }
            } catch {
                context.logger.error("journal claim failed", metadata: ["code": "DG5043", "error": "\(error)"])
                result.failures += 1
            }
        }
        result.add(finisher.drain())
        result.add(archivist.drain())
    }

    /// How many chunks are read, claimed and analysed ahead of the one being staged.
    static let readAhead = 2

    /// Where the batch starting at `start` ends: at most `count` files, and at most `bytes` bytes of what will be
    /// read — but always at least one file, so a file within `max_size` yet above the budget still goes through.
    static func batchEnd(_ sizes: [Int], from start: Int, count: Int, bytes: Int) -> Int {
        var end = start
        var total = 0
        while end < sizes.count && end - start < count {
            if end > start && total + sizes[end] > bytes { break }
            total += sizes[end]
            end += 1
        }
        return end
    }

    /// Whether the read stage will read an entry whole (for the batch's byte budget).
    private func willRead(_ e: Directory.Entry, _ r: RouteRuntime) -> Bool {
        e.kind == .regular && InboxReader.sizeRefusal(e.links, e.size, r) == nil
    }

    /// The claim requests of a chunk's files read whole or refused unread, and those files by name.
    static func requests(_ entries: [Directory.Entry], _ results: [Int: InboxReader.Result], _ runtime: RouteRuntime)
        -> ([ClaimRequest], [FileName: Inbound]) {
        var requests: [ClaimRequest] = []
        var inbound: [FileName: Inbound] = [:]
        for (i, e) in entries.enumerated() {
            guard case .inbound(let item)? = results[i] else { continue }
            inbound[e.name] = item
            requests.append(ClaimRequest(route: runtime.route.name, fileName: e.name.display, sha256: item.sha256,
                                         size: item.identity.size, identity: item.identity,
                                         nameBytes: e.name.isUTF8 ? nil : e.name.bytes))
        }
        return (requests, inbound)
    }

    /// On the loop's thread, a prepared chunk's outcome: files still being written wait, failed reads are reported,
    /// lost claims counted; the files read (analysed when won) by name, and what the claim returned.
    private func settle(_ p: Prepared, _ runtime: RouteRuntime, into result: inout PassResult)
        -> ([FileName: Inbound], Result<[JournalEntry], any Error>) {
        let (results, inbound, requested, claim) = p.state.withLock { ($0.results, $0.inbound, $0.requested, $0.claim) }
        for (i, e) in p.entries.enumerated() {
            switch results[i] {
            case .busy?:
                scanner.stillBeingWritten(e.name, runtime)
                result.waiting += 1
            case .failed(let error)?:
                context.fail(runtime, e.name, error, identity: e.identity)
                result.failures += 1
            case .inbound?, .gone?, nil:
                continue
            }
        }
        // The others: in flight at another instance, or the very file another instance finished (read here before
        // it left the inbox). Counted, not logged: with several instances on one inbox it is usual.
        if case .success(let claimed)? = claim, claimed.count < requested {
            context.metrics.countLostClaims(route: runtime.route.name, requested - claimed.count)
        }
        return (inbound, claim ?? .success([]))
    }

    /// Receipted items archived, and counted.
    private func archive(_ items: [Work], into result: inout PassResult) {
        let done = archiver.archive(items)
        for w in done {
            result.finished += 1
            if let o = w.entry.outcome {
                result.byOutcome[o, default: 0] += 1
                context.metrics.countDocument(route: w.entry.route, kind: w.entry.kind ?? "unknown", outcome: o.rawValue,
                                              seconds: context.clock.monotonic() - w.started)
            }
        }
        result.failures += items.count - done.count
    }

    /// A chunk of an inbox being read, hashed, claimed and (what was won) analysed on the worker threads.
    final class Prepared: Sendable {
        struct State {
            var results: [Int: InboxReader.Result] = [:]
            var inbound: [FileName: Inbound] = [:]
            var requested = 0
            /// Nil when nothing was asked (nothing read, or the gateway stopping before the claim).
            var claim: Result<[JournalEntry], any Error>?
        }
        let entries: [Directory.Entry]
        let state = Mutex(State())
        let done = DispatchGroup()
        init(_ entries: [Directory.Entry]) { self.entries = entries }
    }

    /// Reads the chunk on the worker threads and claims what was read on the claim queue (one claim at a time, in
    /// the chunks' order, and no worker thread held while the journal answers). Alone on its inbox, an instance
    /// analyses the chunk before the claim, so that the claim's round trip overlaps other chunks' work; once a
    /// claim lost files to another instance (``Contention``), it claims first and analyses only what it won, so
    /// instances sharing an inbox do not each analyse every file.
    private func prepare(_ entries: [Directory.Entry], _ runtime: RouteRuntime, provisional: Set<FileName>) -> Prepared {
        let p = Prepared(entries)
        let reader = self.reader
        p.done.enter()
        DispatchQueue.global().async {
            DispatchQueue.concurrentPerform(iterations: entries.count) { i in
                let r = reader.read(entries[i], runtime, provisional: provisional.contains(entries[i].name))
                p.state.withLock { $0.results[i] = r }
            }
            let (requests, inbound) = Self.requests(entries, p.state.withLock { $0.results }, runtime)
            let claimFirst = contention.isSet
            let early = claimFirst ? [:] : analyze(Array(inbound.values), runtime)
            claimQueue.async {
                let claim: Result<[JournalEntry], any Error>? = requests.isEmpty || isStopping() ? nil
                    : Result { try context.journal.claim(requests, owner: context.owner, lease: context.lease, now: context.clock.now()) }
                if case .success(let claimed)? = claim { contention.note(lost: claimed.count < requests.count) }
                let finish = { @Sendable (analysed: [FileName: Inbound]) in
                    p.state.withLock {
                        $0.inbound = inbound.merging(analysed) { _, new in new }
                        $0.requested = requests.count
                        $0.claim = claim
                    }
                    p.done.leave()
                }
                guard claimFirst else { return finish(early) }
                let won = (try? claim?.get())?.compactMap { inbound[$0.inboxName] } ?? []
                DispatchQueue.global().async { finish(analyze(won, runtime)) }
            }
        }
        return p
    }

    /// Whether this instance's last claim lost files to another instance.
    final class Contention: Sendable {
        private let lost = Atomic<Bool>(false)
        var isSet: Bool { lost.load(ordering: .relaxed) }
        func note(lost: Bool) { self.lost.store(lost, ordering: .relaxed) }
    }

    /// The analysis of the files won, on every core.
    private func analyze(_ items: [Inbound], _ runtime: RouteRuntime) -> [FileName: Inbound] {
        let analysed = Mutex<[FileName: Inbound]>([:])
        let analyzer = self.analyzer
        DispatchQueue.concurrentPerform(iterations: items.count) { i in
            var item = items[i]
            if let bytes = item.bytes { item.analysis = analyzer.analyze(bytes, name: item.name, sha256: item.sha256, runtime.route) }
            analysed.withLock { $0[item.name] = item }
        }
        return analysed.withLock { $0 }
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
}
