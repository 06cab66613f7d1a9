import DocgateCore
import DocgateDocuments
import FoundationEssentials
import Logging
import Synchronization

/// Retention: what the journal lets go, so that neither its file nor the registry loaded at start grows without end
/// (`retention_days`, `days` here; default 400).
///
/// - **Finished entries** (stage `done`, whatever their outcome) that finished more than `days` ago are deleted.
///   Entries still on their way are never deleted.
/// - **Identity after the retention.** Duplicates and conflicts are decided from the delivered entries
///   (`Journal.deliveredHashes`). Once a delivered entry is pruned its document is no longer recognised: the same
///   document sent again more than `days` after it was finished is delivered again (not a `duplicate`), and the same
///   root id with other bytes is delivered too (not a `conflict`). `retention_days` must therefore exceed the
///   longest time after which a sender may re-send a document by mistake.
/// - **Registry** (the documents the rules across documents are checked against). An entry is never deleted within
///   `days` of its delivery; after that it goes when it is
///   - *superseded*: a later version of the document (same kind, a higher version, naming its id as
///     `previousVersionId`) has been in the registry for more than `days`. Not at once: documents written before
///     the amendment still refer to the old id (a report to the order, a contract to the certificate), and a rule
///     that does not find what a document refers to rejects it (DG3100, DG3103). With the same grace as everything
///     else, whether a document passes does not depend on when the gateway last pruned or restarted;
///   - *expired*: the end of its period — the latest date it speaks of: an order's last planning year, an
///     agreement's or a contract's term (or termination), a certificate's validity or service periods, a report's
///     reporting year, an assignment's year; the header's date when nothing else is known — was more than `days`
///     ago. Documents of a period arrive after it (the annual report early the next year), so the period's end,
///     not the delivery, is what counts. A contract stays while its certificate (by id or by number) stays: the
///     certificate's remaining volume is computed over all its contracts (DG3103).
///   A document that refers to a pruned entry no longer finds it (DG3100 "order not known", DG3103 "certificate not
///   known"): by then its period has been over for longer than the retention.
/// - **Bounded.** Every step is one transaction of at most `chunk` rows (entries deleted, registry entries looked
///   at), so the gateway's own commits wait at most for one step. `runIfDue` stops after the step in which its
///   `budget` of seconds ran out and leaves the rest to the next call; the cutoff of a run is fixed when it starts.
/// - **Space.** Journals created by this version use `auto_vacuum = INCREMENTAL`, and a prune gives the freed pages
///   back to the file system. An older journal reuses its free pages (the file stops growing but does not shrink);
///   to shrink it once, stop the gateway and run `sqlite3 journal.sqlite 'PRAGMA auto_vacuum = INCREMENTAL; VACUUM'`.
public final class Retention: Sendable {
    /// The journal pruned.
    public let journal: any Journal
    /// `retention_days`: how old, in days, a finished entry or a registry document no longer needed must be to go.
    public let days: Double
    /// Seconds between runs of `runIfDue`.
    public let interval: Double
    /// Seconds of work one `runIfDue` call may do before it leaves the rest to the next call.
    public let budget: Double
    /// Rows per transaction.
    public let chunk: Int
    /// Pages given back per transaction.
    let vacuumPages = 2048
    let logger: Logger?

    enum Phase { case entries, registry, vacuum, done }

    /// A run under way.
    struct Progress {
        var result: PruneResult
        var phase = Phase.entries
        var cursor: Int64 = 0
    }

    struct State {
        var lastRun: Double?
        var progress: Progress?
    }

    private let state = Mutex(State())

    /// A retention that runs every `interval` seconds for at most `budget` seconds, `chunk` rows (at least 1) per
    /// transaction; nothing runs until asked (``runIfDue(now:)``, ``run(now:)``).
    public init(journal: any Journal, days: Double, interval: Double = 3600, budget: Double = 0.25, chunk: Int = 10_000,
                logger: Logger? = nil) {
        self.journal = journal
        self.days = days
        self.interval = interval
        self.budget = budget
        self.chunk = max(1, chunk)
        self.logger = logger
    }

    /// Rows older than this are let go.
    public static func cutoff(now: Double, days: Double) -> Double { now - days * 86_400 }

    /// For the gateway's loop: a run when `interval` seconds have passed since the last one (the first call runs),
    /// about `budget` seconds of it per call (at least one step). Returns the result when a run completes; nil when none is due or it
    /// is still under way (the next call goes on). A failure is logged (DG5041) and the run given up until the next
    /// interval.
    @discardableResult
    public func runIfDue(now: Double) -> PruneResult? {
        state.withLock { s -> PruneResult? in
            if s.progress == nil {
                // A clock set back makes a run due at once rather than never.
                if let last = s.lastRun, now >= last, now - last < interval { return nil }
                s.progress = Progress(result: PruneResult(cutoff: Self.cutoff(now: now, days: days), dryRun: false))
                // Entries an older release wrote without keys since the last run (a rolling upgrade) are filed.
                do { try journal.registryFillKeys() } catch {
                    logger?.error("registry keys not filled", metadata: ["code": "DG5041", "error": "\(error)"])
                }
            }
            var progress = s.progress!
            do {
                let finished = try advance(&progress, deadline: Clock.monotonic() + budget)
                s.progress = finished ? nil : progress
                guard finished else { return nil }
                s.lastRun = now
                log(progress.result)
                return progress.result
            } catch {
                s.progress = nil
                s.lastRun = now
                logger?.error("journal prune failed", metadata: ["code": "DG5041", "error": "\(error)"])
                return nil
            }
        }
    }

    /// A whole run at `now`'s cutoff.
    public func run(now: Double) throws -> PruneResult {
        let result = try run(before: Self.cutoff(now: now, days: days))
        state.withLock { $0 = State(lastRun: now, progress: nil) }
        log(result)
        return result
    }

    /// A whole run at a given cutoff (`journal prune --before`); `dryRun` only counts.
    public func run(before cutoff: Double, dryRun: Bool = false) throws -> PruneResult {
        var progress = Progress(result: PruneResult(cutoff: cutoff, dryRun: dryRun))
        _ = try advance(&progress, deadline: nil)
        return progress.result
    }

    /// Steps until the run is over (true) or the monotonic clock passes `deadline` (false); at least one step.
    func advance(_ p: inout Progress, deadline: Double?) throws -> Bool {
        while p.phase != .done {
            switch p.phase {
            case .entries:
                if p.result.dryRun {
                    p.result.entries = try journal.prunableEntries(before: p.result.cutoff)
                    p.phase = .registry
                } else {
                    let deleted = try journal.pruneEntries(before: p.result.cutoff, limit: chunk)
                    p.result.entries.merge(deleted, uniquingKeysWith: +)
                    if deleted.values.reduce(0, +) < chunk { p.phase = .registry }
                }
            case .registry:
                let step = try journal.pruneRegistry(before: p.result.cutoff, after: p.cursor, limit: chunk, dryRun: p.result.dryRun)
                p.result.registrySuperseded += step.superseded
                p.result.registryExpired += step.expired
                if let next = step.next { p.cursor = next } else { p.phase = p.result.dryRun ? .done : .vacuum }
            case .vacuum:
                let freed = try journal.vacuum(pages: vacuumPages)
                p.result.freedPages += freed
                if freed < vacuumPages { p.phase = .done }
            case .done:
                break
            }
            if p.phase != .done, let deadline, Clock.monotonic() >= deadline { return false }
        }
        return true
    }

    private func log(_ r: PruneResult) {
        guard r.total > 0 || r.freedPages > 0 else { return }
        logger?.info("journal pruned", metadata: [
            "before": "\(Clock.iso(r.cutoff))", "entries": "\(r.entriesTotal)", "registry_superseded": "\(r.registrySuperseded)",
            "registry_expired": "\(r.registryExpired)", "freed_pages": "\(r.freedPages)",
        ])
    }

    /// `--before`: a date (`2025-01-31`, midnight UTC) or an instant with its offset (`2025-01-31T12:00:00+07:00`).
    public static func instant(_ text: String) -> Double? {
        if let date = CalendarDate(text), text.count == 10 { return Double(date.daysSinceEpoch) * 86_400 }
        return Timestamp.secondsSinceEpoch(text).map(Double.init)
    }
}

/// What the registry keeps beside a document's JSON, for retention.
package struct RegistryFacts: Sendable, Equatable {
    /// The header's `previousVersionId` and version.
    package var previousId: String?
    package var version = 0
    /// A certificate's own number (contracts may refer to it by number).
    package var number: String?
    /// A contract's certificate, by id and by number.
    package var certificateId: String?
    package var certificateNumber: String?
    /// The end (24:00 UTC) of the last day the document speaks of, in seconds since the epoch.
    package var periodEnd: Double?
    /// The keys the rules across documents find it by (``ContextDocument/lookupKeys``).
    package var keys: [String] = []

    init() {}

    init(_ d: ContextDocument) {
        previousId = d.header?.previousVersionId.flatMap { $0.isEmpty ? nil : $0 }
        version = d.header?.version ?? 0
        if d.kind == .socialCertificate, let n = d.header?.number, !n.isEmpty { number = n }
        if case .contract(let c) = d.model {
            certificateId = c.certificateId.flatMap { $0.isEmpty ? nil : $0 }
            certificateNumber = c.certificateNumber.isEmpty ? nil : c.certificateNumber
        }
        periodEnd = d.periodEnd.map { Double($0.daysSinceEpoch + 1) * 86_400 }
        keys = d.lookupKeys
    }

    /// From the registry's JSON; nothing known when it does not decode (the entry then lives `days` after its
    /// delivery).
    package init(json: [UInt8]) {
        if let d = try? JSONDecoder().decode(ContextDocument.self, from: Data(json)) { self.init(d) } else { self.init() }
    }
}

extension RegistryEntry {
    /// A decided document's entry (nil when it does not encode).
    init?(_ d: ContextDocument) {
        guard let json = try? JSONEncoder().encode(d) else { return nil }
        self.init(id: d.id, kind: d.kind.rawValue, json: [UInt8](json), facts: RegistryFacts(d))
    }
}

extension ContextDocument {
    /// The last day this document speaks of: until then (and the retention after it) documents of its period may
    /// still arrive and refer to it. The latest of the dates it holds, so that nothing still in force is let go.
    var periodEnd: CalendarDate? {
        var dates: [CalendarDate] = []
        func date(_ d: CalendarDate?) { if let d { dates.append(d) } }
        func year(_ y: Int?) { if let y, (1900...9999).contains(y) { dates.append(CalendarDate(year: y, month: 12, day: 31)) } }
        date(header?.date)
        switch model {
        case .socialOrder(let o):
            if let p = o.planningPeriod { [p.financialYear, p.planYear1, p.planYear2, p.beyondTo ?? 0].forEach(year) }
            o.generalItems.forEach { year($0.year) }
            o.volumeItems.forEach { $0.yearValues.forEach { year($0.year) } }
        case .agreement(let a):
            date(a.term?.to)
            date(a.terminationDate)
            a.services.forEach { $0.yearValues.forEach { year($0.year) } }
            a.payments.forEach { year($0.year) }
        case .contract(let c):
            date(c.term?.to)
            date(c.terminationDate)
        case .contractNotice(let n):
            date(n.term?.to)
            date(n.terminationDate)
        case .socialCertificate(let c):
            date(c.validTo)
            c.services.forEach { date($0.servicePeriod?.to) }
        case .executionReport(let r):
            year(r.reportingYear)
            date(r.reportDate)
        case .serviceAssignment(let s):
            year(s.year)
        case .receipt:
            break
        }
        return dates.max()
    }
}
