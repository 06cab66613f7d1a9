import DocgateDocuments
import FoundationEssentials
import Synchronization

/// The registry of the rules across documents as this instance sees it: read on demand from the journal
/// (``prefetch(_:)``, before a batch is decided), and kept in step with what other instances deliver (``pull()``:
/// the entries they added since the last look, taken where this instance read their keys before; the others are
/// found in the journal when a check looks them up). An instance's own entries are in memory already (added when
/// decided) and are never read back by `pull`.
///
/// On PostgreSQL sequence numbers are taken when a row is inserted but seen when its transaction commits, so an
/// entry may appear below one seen before: the look goes back `window` numbers below the highest seen and takes
/// only those not taken yet.
final class RegistrySync: Sendable {
    let journal: any Journal
    let owner: String
    let registry: DocumentContext
    /// The retention, in days: entries the rules can no longer need are not read (as a prune would delete them).
    let retentionDays: Double
    let clock: any GatewayClock
    /// How far below the highest sequence number seen a later commit may still appear.
    static let window: Int64 = 1_000
    private let state: Mutex<(highest: Int64, taken: Set<Int64>)>

    /// `from`: the registry's highest sequence number at start (what is below it is read on demand).
    init(journal: any Journal, owner: String, registry: DocumentContext, from: Int64, retentionDays: Double = 3650,
         clock: any GatewayClock = SystemClock()) {
        self.journal = journal
        self.owner = owner
        self.registry = registry
        self.retentionDays = retentionDays
        self.clock = clock
        state = Mutex((from, []))
    }

    /// Reads from the journal the entries the checks of `documents` look up and this instance has not read yet;
    /// how many.
    @discardableResult
    func prefetch(_ documents: [ContextDocument]) throws -> Int {
        guard !documents.isEmpty else { return 0 }
        let cutoff = Retention.cutoff(now: clock.now(), days: retentionDays)
        let decoder = JSONDecoder()
        return try registry.prefetch(documents) { keys in
            try journal.registryFind(keys: keys, cutoff: cutoff).compactMap { try? decoder.decode(ContextDocument.self, from: Data($0.json)) }
        }
    }

    /// The highest sequence number seen.
    var mark: Int64 { state.withLock { $0.highest } }

    /// Adds what other instances delivered since the last look; how many documents.
    @discardableResult
    func pull() throws -> Int {
        let (highest, taken) = state.withLock { ($0.highest, $0.taken) }
        let from = max(0, highest - Self.window)
        let seen = try journal.registrySeqs(after: from, owner: owner)
        // Its own entries move the mark too (they are in memory already): otherwise each look would walk every
        // entry this instance added since another's last one.
        let top = seen.last?.seq ?? highest
        let new = seen.filter { !$0.mine && !taken.contains($0.seq) }.map(\.seq)
        guard !new.isEmpty else {
            state.withLock { s in s.highest = max(s.highest, top); s.taken = s.taken.filter { $0 > s.highest - Self.window } }
            return 0
        }
        let rows = try journal.registryBodies(new)
        let decoder = JSONDecoder()
        registry.addWhereKnown(rows.compactMap { try? decoder.decode(ContextDocument.self, from: Data($0.json)) })
        state.withLock { s in
            s.taken.formUnion(rows.map(\.seq))
            s.highest = max(s.highest, top)
            let floor = s.highest - Self.window
            s.taken = s.taken.filter { $0 > floor }
        }
        return rows.count
    }
}
