import DocgateDocuments
import FoundationEssentials
import Synchronization

/// Keeps the registry in memory (the rules across documents) in step with what other instances on the journal
/// deliver: before each batch is decided, the entries they added since the last look are read and added. An
/// instance's own entries are in memory already (added when decided) and are never read back.
///
/// On PostgreSQL sequence numbers are taken when a row is inserted but seen when its transaction commits, so an
/// entry may appear below one seen before: the look goes back `window` numbers below the highest seen and takes
/// only those not taken yet.
final class RegistrySync: Sendable {
    let journal: any Journal
    let owner: String
    let registry: DocumentContext
    /// How far below the highest sequence number seen a later commit may still appear.
    static let window: Int64 = 1_000
    private let state: Mutex<(highest: Int64, taken: Set<Int64>)>

    /// `loaded`: what the gateway read at start.
    init(journal: any Journal, owner: String, registry: DocumentContext, loaded: [RegistryRow]) {
        self.journal = journal
        self.owner = owner
        self.registry = registry
        let highest = loaded.map(\.seq).max() ?? 0
        state = Mutex((highest, Set(loaded.map(\.seq).filter { $0 > highest - Self.window })))
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
        registry.add(rows.compactMap { try? decoder.decode(ContextDocument.self, from: Data($0.json)) })
        state.withLock { s in
            s.taken.formUnion(rows.map(\.seq))
            s.highest = max(s.highest, top)
            let floor = s.highest - Self.window
            s.taken = s.taken.filter { $0 > floor }
        }
        return rows.count
    }
}
