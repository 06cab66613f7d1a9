import DocgateCore

/// Registry entries at a given time of delivery: retention's tests set the clock (both journals conform).
package protocol TimedRegistry: Journal {
    /// `registryAdd` as of `now`.
    func registryAdd(_ entries: [(id: String, kind: String, json: [UInt8])], now: Double, owner: String) throws
}

/// A document for the registry of the rules across documents: its root id, kind, model as JSON, and what
/// retention needs of it.
package struct RegistryEntry: Sendable {
    package var id: String
    package var kind: String
    package var json: [UInt8]
    package var facts: RegistryFacts

    /// An entry whose facts are read from its JSON.
    package init(id: String, kind: String, json: [UInt8]) {
        self.init(id: id, kind: kind, json: json, facts: RegistryFacts(json: json))
    }

    init(id: String, kind: String, json: [UInt8], facts: RegistryFacts) {
        self.id = id
        self.kind = kind
        self.json = json
        self.facts = facts
    }
}

/// One entry of the registry: its sequence number (the order of delivery) and its JSON.
public struct RegistryRow: Sendable, Equatable {
    /// The sequence number.
    public var seq: Int64
    /// The document's model as JSON.
    public var json: [UInt8]

    /// A row from its parts.
    public init(seq: Int64, json: [UInt8]) {
        self.seq = seq
        self.json = json
    }
}

/// One step of pruning the registry.
public struct RegistryPruneStep: Sendable, Equatable {
    /// Registry entries looked at that a later version superseded (deleted, unless a dry run).
    public var superseded: Int
    /// Registry entries looked at whose period is over (deleted, unless a dry run).
    public var expired: Int
    /// The sequence number to continue after; nil when the registry's end was reached.
    public var next: Int64?

    /// A step's counts and where the next step starts.
    public init(superseded: Int, expired: Int, next: Int64?) {
        self.superseded = superseded
        self.expired = expired
        self.next = next
    }
}

/// What a prune deleted or, in a dry run, would delete, by kind of row.
public struct PruneResult: Sendable, Equatable {
    /// Rows older than this instant (seconds since the epoch) were candidates.
    public var cutoff: Double
    /// True when nothing was deleted: the counts say what would be.
    public var dryRun: Bool
    /// Finished journal entries, by outcome (`delivered`, `rejected`, `duplicate`, `conflict`; `closed` for a
    /// claim closed because its file changed).
    public var entries: [String: Int] = [:]
    /// Registry entries superseded by a later version for longer than the retention.
    public var registrySuperseded = 0
    /// Registry entries whose period ended longer than the retention ago.
    public var registryExpired = 0
    /// Pages given back to the file system (journals made with incremental auto-vacuum).
    public var freedPages = 0

    /// Nothing counted yet.
    public init(cutoff: Double, dryRun: Bool) {
        self.cutoff = cutoff
        self.dryRun = dryRun
    }

    /// Journal entries in all.
    public var entriesTotal: Int { entries.values.reduce(0, +) }
    /// Rows in all: entries and registry entries (freed pages aside).
    public var total: Int { entriesTotal + registrySuperseded + registryExpired }
}
