import DocgateCore
import DocgateDocuments
import DocgateSignature
import Dispatch
import FoundationEssentials
import Glibc
import Synchronization

/// Stage: claimed → staged, in two halves. `write` decides each claimed document (`Decider`) and writes its output
/// and receipt (and a rejection's reason) to staging files beside their targets; `commit` makes them durable (one
/// syncfs per file system) and records the batch as staged. Between the two, a batch's staging files are written
/// but neither durable nor recorded.
struct Stager: Sendable {
    let context: StageContext
    let reader: InboxReader
    let analyzer: Analyzer
    let decider: Decider
    let signer: DocumentSigner?
    let registry: DocumentContext
    /// Reads the registry on demand (nil when no route applies the rules across documents).
    let registrySync: RegistrySync?

    struct Staging: Sendable {
        var pairs: [(Work, Transition)] = []
        var touched: [Directory] = []
        /// Route + root id → hash of the documents decided to deliver.
        var decided: Decider.Delivering = [:]
        /// The names given to the batch's outputs, reasons and receipts (not placed yet).
        var names = Names.Book()
    }

    /// The first half, on the loop's thread. `decidedBefore` is what the batch before decided to deliver: its
    /// journal rows may not be committed yet (those of the batches before it are: the finishing thread takes one
    /// batch at a time).
    func write(_ items: [Work], earlier decidedBefore: Decider.Delivering, namesBefore: Names.Book = Names.Book()) -> Staging {
        let ready = rereadRecovered(items)
        // Parsing, schema, rules, signatures: the expensive part, on every core (new arrivals were analysed when
        // they were read, unless the instance claims before analysing; claims recovered from the journal and those
        // are analysed here).
        analyze(ready)
        // Identity: the journal's earlier deliveries of the batch's root ids, in one read. Without them nothing is
        // decided: the claims stay and are taken up again on a later pass.
        guard let earlier = earlierDeliveries(of: ready), prefetchRegistry(ready) else { return Staging() }
        var deliveredInBatch: Decider.Delivering = [:]
        var names = Names.Book()
        let now = context.clock.now()
        let decided = ready.map { w in
            (w, decider.decide(w, earlier: earlier[w.runtime.route.name] ?? [:], decidedBefore: decidedBefore,
                               deliveredInBatch: &deliveredInBatch, names: &names, namesBefore: namesBefore, now: now))
        }
        // Receipts built and staging files written on every core: the directory operations serialise in the
        // kernel, the rest (XML, copies into the page cache) does not.
        let failed = writeAll(decided)
        var staging = Staging(decided: deliveredInBatch, names: names)
        var toDeliver: [ContextDocument] = []
        for (i, (w, decision)) in decided.enumerated() {
            let r = w.runtime
            if let error = failed[i] {
                removeStaging(w)
                context.fail(r, w.name, error)
                continue
            }
            for d in [r.outbox, r.errors, r.receipts] where !staging.touched.contains(where: { $0 === d }) { staging.touched.append(d) }
            staging.pairs.append((w, Self.transition(w, decision)))
            // The rules across documents see what is to be delivered before the next batch is decided; the journal
            // keeps it once staged.
            if decision.outcome == .delivered, let d = w.analysis?.contextDocument { toDeliver.append(d) }
            // The content is in the staging files now: the batch no longer holds it in memory.
            w.bytes = nil
            w.analysis?.output = nil
        }
        if !toDeliver.isEmpty { registry.add(toDeliver) }
        return staging
    }

    /// Parses, validates and verifies the documents not analysed yet, on every core.
    private func analyze(_ ready: [Work]) {
        let analyzing = ready.filter { $0.analysis == nil && $0.refusal == nil && $0.bytes != nil }
        DispatchQueue.concurrentPerform(iterations: analyzing.count) { i in
            let w = analyzing[i]
            w.analysis = analyzer.analyze(w.bytes!, name: w.name, sha256: w.entry.sha256, w.runtime.route)
        }
    }

    /// The journal's earlier deliveries of the batch's valid root ids, per route and id; nil (DG5043, logged) when the
    /// journal cannot be read.
    private func earlierDeliveries(of ready: [Work]) -> [String: [String: [String]]]? {
        var idsByRoute: [String: Set<String>] = [:]
        for w in ready {
            if let a = w.analysis, a.diagnostics.allowsValidity, let id = a.documentId { idsByRoute[w.runtime.route.name, default: []].insert(id) }
        }
        var earlier: [String: [String: [String]]] = [:]
        do {
            for (route, ids) in idsByRoute { earlier[route] = try context.journal.deliveredHashes(route: route, documentIds: Array(ids)) }
        } catch {
            context.logger.error("journal read failed", metadata: ["code": "DG5043", "error": "\(error)"])
            context.metrics.countError(route: "-")
            return nil
        }
        return earlier
    }

    /// The registry entries the batch's checks look up, read from the journal; false (DG5043, logged) when it
    /// cannot be read: nothing is decided, the claims stay and are taken up again on a later pass.
    private func prefetchRegistry(_ ready: [Work]) -> Bool {
        guard let registrySync else { return true }
        let documents = ready.compactMap { $0.runtime.route.contextRules ? $0.analysis?.contextDocument : nil }
        do {
            try registrySync.prefetch(documents)
            return true
        } catch {
            context.logger.error("journal read failed", metadata: ["code": "DG5043", "error": "\(error)"])
            context.metrics.countError(route: "-")
            return false
        }
    }

    /// Writes every decision's staging files on every core: the failures by the decision's index.
    private func writeAll(_ decided: [(Work, Decision)]) -> [Int: FileError] {
        let failures = Mutex<[Int: FileError]>([:])
        DispatchQueue.concurrentPerform(iterations: decided.count) { i in
            let (w, decision) = decided[i]
            do throws(FileError) {
                try writeFiles(decision, for: w)
            } catch {
                failures.withLock { $0[i] = error }
            }
        }
        return failures.withLock { $0 }
    }

    /// The journal transition that records a decision as staged.
    private static func transition(_ w: Work, _ decision: Decision) -> Transition {
        var t = Transition(w.entry, to: .staged)
        t.outcome = decision.outcome
        t.documentId = decision.documentId
        t.kind = decision.kind?.rawValue
        t.outputName = decision.outputName
        t.receiptName = decision.receiptName
        t.errors = decision.errorsJSON
        t.errorCodes = decision.errorCodes
        t.parties = decision.partyINNs
        t.archivePath = decision.quarantineName.map { "errors/" + $0 }
        if decision.outcome == .delivered, let d = w.analysis?.contextDocument { t.registry = RegistryEntry(d) }
        return t
    }

    /// Claims taken over from the journal: stale staging files removed, the inbox file read again if it is still the
    /// one claimed; a claim whose file changed is closed (the file is a new arrival with its own identity).
    private func rereadRecovered(_ items: [Work]) -> [Work] {
        var ready: [Work] = []
        var superseded: [Work] = []
        for w in items {
            guard w.recovered else { ready.append(w); continue }
            removeStaging(w)
            guard w.bytes == nil && w.refusal == nil else { ready.append(w); continue }
            switch reader.reread(w) {
            case .same(let bytes, let refusal):
                w.bytes = bytes
                w.refusal = refusal
                ready.append(w)
            case .changed:
                superseded.append(w)
            case .failed(let error):
                context.fail(w.runtime, w.name, error)
            }
        }
        if !superseded.isEmpty {
            let closed = context.commit(superseded.map { w in
                var t = Transition(w.entry, to: .done)
                t.errors = Names.json([Diagnostic(code: "DG5035", severity: .warning, message: LocalizedText(
                    ru: "файл изменился после захвата; обработан как новый", en: "the file changed after it was claimed; taken as a new arrival"))])
                return (w, t)
            })
            for w in closed {
                context.logger.notice("claim superseded by a changed file", metadata: ["file": "\(w.name.display)", "journal_id": "\(w.entry.id)"])
            }
        }
        return ready
    }

    private func removeStaging(_ w: Work) {
        let r = w.runtime
        for dir in [r.outbox, r.errors, r.receipts] {
            dir.remove(w.outputStaging)
            dir.remove(w.reasonStaging)
            dir.remove(w.receiptStaging)
        }
    }

    private func writeFiles(_ d: Decision, for w: Work) throws(FileError) {
        let r = w.runtime
        if let output = d.output {
            try r.outbox.write(w.outputStaging, output, sync: false)
            w.wroteOutput = true
        }
        if let reason = d.reason {
            try r.errors.write(w.reasonStaging, reason, sync: false)
            w.wroteReason = true
        }
        var receipt: [UInt8]
        do {
            receipt = try Receipts.build(d.receipt, id: UUIDs.random(), now: context.clock.now())
        } catch {
            // Text XML cannot carry (a control character from the document in a message): written escaped.
            var content = d.receipt
            content.diagnostics = content.diagnostics.map { diagnostic in
                var d = diagnostic
                d.message = LocalizedText(ru: SafeText.escaped(d.message.ru), en: SafeText.escaped(d.message.en))
                d.path = d.path.map(SafeText.escaped)
                return d
            }
            do { receipt = try Receipts.build(content, id: UUIDs.random(), now: context.clock.now()) } catch {
                throw FileError(operation: "receipt", path: w.name.display, code: EINVAL)
            }
        }
        if let signer, case .success(let signed) = signer.sign(bytes: receipt) { receipt = signed }
        try r.receipts.write(w.receiptStaging, receipt, sync: false)
    }

    /// The second half: the staging files made durable (one syncfs per file system instead of an fsync per file),
    /// then the journal says staged.
    func commit(_ staging: Staging) -> [Work] {
        var synced: Set<UInt64> = []
        for d in staging.touched where synced.insert(d.device).inserted {
            do { try d.syncFileSystem() } catch {
                context.logger.error("syncfs failed", metadata: ["code": "DG5044", "error": "\(error)"])
                for (w, _) in staging.pairs { context.fail(w.runtime, w.name, error) }
                return []
            }
        }
        // A delivery's registry entry is committed with its staged step (Transition.registry).
        return context.commit(staging.pairs)
    }
}
