import DocgateCore
import Dispatch
import Synchronization

/// The batch pipeline: runs the stages over an inbox in batches (`batch_size` files or `batch_bytes` bytes, whichever
/// comes first), overlapping them so the cores work on one batch while another waits for its fsyncs and commits:
/// read + analyse (on every core, ahead of the claim); claim, decide and write staging files (the loop's thread);
/// syncfs, staged commit, outputs and receipts placed (a finishing thread); archive (another). Each step is at most
/// one batch ahead of the next.
///
/// Alone on its inbox an instance analyses a batch before claiming it, so that the claim's round trip overlaps the
/// next batch's analysis. Once one of its claims lost files to another instance (``Contention``), it reads ahead
/// without analysing and analyses after the claim only what it won (`Stager.write` analyses what was not): instances
/// sharing an inbox then do not each analyse every file.
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
    /// Whether to leave the analysis until after the claim.
    let contention = Contention()

    /// Unfinished entries first (an earlier run's crash, or an instance whose lease ran out), then every route.
    func pass(_ routes: [RouteRuntime]) -> PassResult {
        var result = PassResult()
        guard recover(routes, into: &result) else { return result }
        for runtime in routes where !isStopping() && context.journal.isAvailable {
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
        var prepared = prepareNext()
        while let current = prepared {
            current.done.wait()
            progress.tick()
            if isStopping() { prepared = nil; break }
            prepared = prepareNext()
            let (requests, inbound) = claimRequests(current, runtime, into: &result)
            do {
                let claimed = try context.journal.claim(requests, owner: context.owner, lease: context.lease, now: context.clock.now())
                // The others: in flight at another instance, or the very file another instance finished (read here
                // before it left the inbox). Counted, not logged: with several instances on one inbox it is usual.
                if claimed.count < requests.count { context.metrics.countLostClaims(route: runtime.route.name, requests.count - claimed.count) }
                contention.note(lost: claimed.count < requests.count)
                var work: [Work] = []
                for entry in claimed {
                    let w = Work(entry: entry, runtime: runtime, bytes: nil, started: context.clock.monotonic())
                    guard let item = inbound[entry.inboxName] else { continue }
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
                // A database that cannot be reached: the rest of the inbox waits for the next pass, which asks it
                // again after the loop's back-off (each claim here would wait out its deadline in turn).
                if !context.journal.isAvailable { break }
            }
        }
        // Stopping, or the journal gone: the chunk read ahead is not claimed; its files stay in the inbox for the next
        // pass. The batch being finished is finished.
        prepared?.done.wait()
        result.add(finisher.drain())
        result.add(archivist.drain())
    }

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

    private func claimRequests(_ p: Prepared, _ runtime: RouteRuntime, into result: inout PassResult)
        -> ([ClaimRequest], [FileName: Inbound]) {
        var requests: [ClaimRequest] = []
        var inbound: [FileName: Inbound] = [:]
        let results = p.results.withLock { $0 }
        for (i, e) in p.entries.enumerated() {
            switch results[i] {
            case .inbound(let item)?:
                scanner.readWhole(e.name, runtime)
                inbound[e.name] = item
                requests.append(ClaimRequest(route: runtime.route.name, fileName: e.name.display, sha256: item.sha256,
                                             size: item.identity.size, identity: item.identity,
                                             nameBytes: e.name.isUTF8 ? nil : e.name.bytes))
            case .busy?:
                scanner.stillBeingWritten(e.name, runtime)
                result.waiting += 1
            case .openForWriting?:
                scanner.heldOpen(e.name, runtime, identity: e.identity)
                result.heldOpen += 1
            case .failed(let error)?:
                context.fail(runtime, e.name, error, identity: e.identity)
                result.failures += 1
            case .gone?, nil:
                continue
            }
        }
        return (requests, inbound)
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

    /// A chunk of an inbox being read, hashed and analysed on the worker threads.
    final class Prepared: Sendable {
        let entries: [Directory.Entry]
        let results = Mutex<[Int: InboxReader.Result]>([:])
        let done = DispatchGroup()
        init(_ entries: [Directory.Entry]) { self.entries = entries }
    }

    private func prepare(_ entries: [Directory.Entry], _ runtime: RouteRuntime, provisional: Set<FileName>) -> Prepared {
        let p = Prepared(entries)
        let reader = self.reader, analyzer = self.analyzer
        let analyse = !contention.isSet
        p.done.enter()
        DispatchQueue.global().async {
            DispatchQueue.concurrentPerform(iterations: entries.count) { i in
                var r = reader.read(entries[i], runtime, provisional: provisional.contains(entries[i].name))
                if analyse, case .inbound(var item) = r, let bytes = item.bytes {
                    item.analysis = analyzer.analyze(bytes, name: item.name, sha256: item.sha256, runtime.route)
                    r = .inbound(item)
                }
                p.results.withLock { $0[i] = r }
            }
            p.done.leave()
        }
        return p
    }

    /// Whether this instance's claims lost files to another instance lately: a loss holds for the next `memory`
    /// claims that lose nothing (two instances racing through one inbox win whole batches now and then, and each
    /// would go back to analysing what the other then claims).
    final class Contention: Sendable {
        static let memory = 16
        private let left = Atomic<Int>(0)
        var isSet: Bool { left.load(ordering: .relaxed) > 0 }
        func note(lost: Bool) {
            if lost { left.store(Self.memory, ordering: .relaxed) } else if isSet { left.subtract(1, ordering: .relaxed) }
        }
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
