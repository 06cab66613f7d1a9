import DocgateCore

/// Where a document is on its way through a route. Every step is recorded before the file system acts on it,
/// and every step can be redone after a crash:
/// - `claimed`: the inbox file was read and hashed; nothing written yet.
/// - `staged`: the outcome is decided and the output (to the outbox, or to errors/ with its reason) and the
///   receipt sit fsynced in staging files beside their targets.
/// - `delivered`: the output was renamed into place, its receipt not yet (recorded only when the receipt could not
///   be placed; otherwise one commit takes the entry from `staged` to `receipted`).
/// - `receipted`: the output and then the receipt were renamed into place.
/// - `done`: the inbox file is archived; nothing is left to do.
public enum Stage: String, Sendable, CaseIterable, Comparable {
    /// The steps, in order (see above).
    case claimed, staged, delivered, receipted, done

    var order: Int { Self.allCases.firstIndex(of: self)! }
    /// Earlier on the way: `claimed` < `staged` < `delivered` < `receipted` < `done`.
    public static func < (a: Stage, b: Stage) -> Bool { a.order < b.order }
}

/// What happened to a document, as its receipt says.
public enum Outcome: String, Sendable, CaseIterable {
    /// Valid, delivered to the outbox.
    case delivered
    /// Invalid (parse, schema, rules, signature, kind not accepted): in errors/ with its reason.
    case rejected
    /// The same document (root id and bytes) was delivered before: not delivered again.
    case duplicate
    /// The same root id with other bytes was delivered before: in errors/.
    case conflict
}

/// Which file an inbox name stood for when the gateway read it: the inode (device and number), size and
/// modification time seen through the descriptor it read from. A file renamed over the name since, or written
/// again in place, no longer matches.
public struct FileIdentity: Sendable, Hashable {
    /// The device the file lives on (`st_dev`).
    public var device: UInt64
    /// The inode number (`st_ino`).
    public var inode: UInt64
    /// Size in bytes.
    public var size: Int64
    /// Modification time in nanoseconds since the epoch.
    public var mtime: Int64
    /// Status-change time in nanoseconds (nil when not recorded): a writer can set the modification time back,
    /// not this one, so a file rewritten in place with the same size and mtime still differs.
    public var ctime: Int64?

    /// An identity from its parts.
    public init(device: UInt64, inode: UInt64, size: Int64, mtime: Int64, ctime: Int64? = nil) {
        self.device = device
        self.inode = inode
        self.size = size
        self.mtime = mtime
        self.ctime = ctime
    }

    /// Equal inode, size and modification time, and status-change time where both know it.
    public static func == (a: FileIdentity, b: FileIdentity) -> Bool {
        a.sameContent(as: b) && (a.ctime == nil || b.ctime == nil || a.ctime == b.ctime)
    }

    /// Hashes device, inode, size and modification time, not the status-change time (which `==` may leave out).
    public func hash(into hasher: inout Hasher) {
        hasher.combine(device)
        hasher.combine(inode)
        hasher.combine(size)
        hasher.combine(mtime)
    }

    /// Equal inode, size and modification time: what a rename keeps (it changes the status time).
    public func sameContent(as other: FileIdentity) -> Bool {
        device == other.device && inode == other.inode && size == other.size && mtime == other.mtime
    }
}

/// One document's record in the journal.
public struct JournalEntry: Sendable, Hashable {
    /// The entry's number in the journal (the `journal show ID` of the operator).
    public var id: Int64
    /// The route's name.
    public var route: String
    /// The inbox name as text (percent-escaped when not UTF-8; the bytes are in ``nameBytes``).
    public var fileName: String
    /// SHA-256 of the file's bytes, lower-case hexadecimal.
    public var sha256: String
    /// The file's size in bytes.
    public var size: Int64
    /// The document's root `id`, once read; nil when the file is not a document with one.
    public var documentId: String?
    /// The document kind's name (`socialOrder`, `agreement`, …), once known.
    public var kind: String?
    /// How far the document has come.
    public var stage: Stage
    /// The outcome, once decided (at `staged`).
    public var outcome: Outcome?
    /// The instance that holds or last held the entry (a gateway's `owner`, `gateway_id@hostname`).
    public var owner: String
    /// Until when the owner's claim holds, seconds since 1970; after it another instance may take the entry over.
    public var leaseUntil: Double
    /// Fencing number: raised whenever another owner takes the entry over; every transition checks it.
    public var attempt: Int
    /// The name the output has (or will have) in the outbox or errors/.
    public var outputName: String?
    /// The receipt's name in the receipts directory, once decided.
    public var receiptName: String?
    /// Where the original went: `YYYY/MM/DD/NAME` in the archive, or `errors/NAME` for a rejected one; nil before.
    public var archivePath: String?
    /// The findings, as JSON (`[{code, severity, line, path, ru, en}]`).
    public var errors: String?
    /// When the file was claimed, seconds since 1970.
    public var receivedAt: Double
    /// When the entry last changed, seconds since 1970.
    public var updatedAt: Double
    /// When it reached `done`, seconds since 1970; nil before.
    public var finishedAt: Double?
    /// The inbox file as it was read (nil for entries made before identities were kept).
    public var identity: FileIdentity? = nil
    /// The name's bytes when they are not UTF-8 (`fileName` then shows them percent-escaped).
    public var nameBytes: [UInt8]? = nil

    /// An entry from its fields (a journal reading its rows).
    package init(id: Int64, route: String, fileName: String, sha256: String, size: Int64, documentId: String? = nil,
                 kind: String? = nil, stage: Stage, outcome: Outcome? = nil, owner: String, leaseUntil: Double, attempt: Int,
                 outputName: String? = nil, receiptName: String? = nil, archivePath: String? = nil, errors: String? = nil,
                 receivedAt: Double, updatedAt: Double, finishedAt: Double? = nil) {
        (self.id, self.route, self.fileName, self.sha256, self.size, self.documentId, self.kind) = (id, route, fileName, sha256, size, documentId, kind)
        (self.stage, self.outcome, self.owner, self.leaseUntil, self.attempt) = (stage, outcome, owner, leaseUntil, attempt)
        (self.outputName, self.receiptName, self.archivePath, self.errors) = (outputName, receiptName, archivePath, errors)
        (self.receivedAt, self.updatedAt, self.finishedAt) = (receivedAt, updatedAt, finishedAt)
    }
}

/// A new file to claim.
public struct ClaimRequest: Sendable {
    /// The route whose inbox holds the file.
    public var route: String
    /// The inbox name as text (percent-escaped when not UTF-8).
    public var fileName: String
    /// SHA-256 of the bytes read, lower-case hexadecimal.
    public var sha256: String
    /// Size of the bytes read.
    public var size: Int64
    /// The file as it was read, from the descriptor.
    public var identity: FileIdentity? = nil
    /// The name's bytes when they are not UTF-8.
    public var nameBytes: [UInt8]? = nil
}

/// A compare-and-set step: applied only if the entry is still at `from` with the same `attempt` and owner.
public struct Transition: Sendable {
    /// The number of the entry the step applies to.
    public var id: Int64
    /// The attempt the caller holds the entry under; a takeover since makes the step fail.
    public var attempt: Int
    /// The stage the entry must still be at.
    public var from: Stage
    /// The stage it moves to.
    public var to: Stage
    /// The outcome to record, when this step decides it; nil leaves the journal's value (as for every field below).
    public var outcome: Outcome?
    /// The document's root `id` to record.
    public var documentId: String?
    /// The document kind's name to record.
    public var kind: String?
    /// The output's name in the outbox or errors/ to record.
    public var outputName: String?
    /// The receipt's name to record.
    public var receiptName: String?
    /// Where the original went, to record (an empty string: nothing was moved, a placeholder is cleared).
    public var archivePath: String?
    /// The findings as JSON, to record.
    public var errors: String?
    /// The codes of the error findings, to record beside them (the console counts them); nil or empty: none.
    public var errorCodes: [String]?
    /// The ИНН of the document's parties, to record (``JournalQuery/inn`` finds the entry by them); nil or empty: none.
    public var parties: [String]?
    /// The document that joins the registry of the rules across documents when this step applies, in the same
    /// transaction (a delivery decided): a crash can never leave a delivery the registry does not know.
    package var registry: RegistryEntry?

    /// A step of `entry` from its present stage and attempt to `to`, recording nothing else.
    public init(_ entry: JournalEntry, to: Stage) {
        id = entry.id
        attempt = entry.attempt
        from = entry.stage
        self.to = to
    }
}

/// Counts for `journal stats` and the metrics.
public struct JournalStats: Sendable {
    /// Entries by outcome; `pending` for those on their way without one, `superseded` for finished ones without one.
    public var byOutcome: [String: Int]
    /// Entries not yet `done`.
    public var inFlight: Int
    /// Every entry.
    public var total: Int
    /// When the oldest entry not yet `done` was claimed, seconds since 1970; nil when there is none.
    public var oldestInFlight: Double?
    /// Each instance (owner) holding entries not yet `done`, by owner: how many, and until when its lease runs.
    public var instances: [InstanceClaims] = []

    /// Counts from their parts.
    package init(byOutcome: [String: Int], inFlight: Int, total: Int, oldestInFlight: Double?, instances: [InstanceClaims] = []) {
        (self.byOutcome, self.inFlight, self.total, self.oldestInFlight, self.instances) = (byOutcome, inFlight, total, oldestInFlight, instances)
    }
}

/// An instance's share of the work in flight, as the journal sees it.
public struct InstanceClaims: Sendable, Hashable {
    /// `gateway_id@hostname`.
    public var owner: String
    /// Entries it holds that are not yet `done`.
    public var claims: Int
    /// The latest end of its leases, seconds since 1970: past it, another instance may take its claims over.
    public var leaseUntil: Double
    /// When the longest waiting of its claims was received, seconds since 1970.
    public var oldestReceived: Double?

    /// An instance's claims from their counts.
    package init(owner: String, claims: Int, leaseUntil: Double, oldestReceived: Double? = nil) {
        self.owner = owner
        self.claims = claims
        self.leaseUntil = leaseUntil
        self.oldestReceived = oldestReceived
    }
}

/// The gateway's journal. Designed for several instances sharing one database: a claim takes a unique in-flight
/// slot for (route, file name) with an owner and a lease; another instance may take an entry over only when its
/// lease has expired, raising the attempt number; every transition is a compare-and-set on stage and attempt, so
/// a former owner's late step is refused instead of overwriting the new owner's work.
public protocol Journal: Sendable {
    /// Claims new files; returns the entries made (files already in flight are left out).
    func claim(_ requests: [ClaimRequest], owner: String, lease: Double, now: Double) throws -> [JournalEntry]
    /// Applies transitions in one transaction; returns, for each, whether it applied.
    func apply(_ transitions: [Transition], owner: String, lease: Double, now: Double) throws -> [Bool]
    /// Unfinished entries of `routes` this owner holds or may take over (lease expired), taken over with a new
    /// attempt.
    func recover(owner: String, routes: [String], lease: Double, now: Double) throws -> [JournalEntry]
    /// The heartbeat of a running instance: its unfinished entries of `routes` (those it serves) get their leases
    /// extended to `now + lease`; how many.
    func renew(owner: String, routes: [String], lease: Double, now: Double) throws -> Int
    /// Identity checks, for a batch in one read: root id → the hashes of a route's delivered entries with that id
    /// (ids never delivered are absent).
    func deliveredHashes(route: String, documentIds: [String]) throws -> [String: [String]]
    /// The entry with this number, or nil.
    func entry(_ id: Int64) throws -> JournalEntry?
    /// The newest `limit` entries first; only those with `outcome` when given, only those not `done` when
    /// `unfinishedOnly`.
    func list(limit: Int, outcome: Outcome?, unfinishedOnly: Bool) throws -> [JournalEntry]
    /// Counts of the whole journal.
    func stats() throws -> JournalStats

    // The operator's console (issue 19). Every transition, claim and takeover above also writes one event.

    /// The entries `query` asks for, newest first, one page (see ``JournalQuery``); each filter has an index.
    func search(_ query: JournalQuery) throws -> [JournalEntry]
    /// The entry's events in the order they happened: its claim, every step, takeovers and operators' actions.
    func history(_ id: Int64) throws -> [JournalEvent]
    /// Records an operator's action (`requeue`, `upload`) by `actor` on an entry (or on none), with a short note.
    /// A `requeue` of an entry already requeued is refused (``JournalError`` DG5063).
    func recordAction(entryId: Int64?, actor: String, action: String, note: String, now: Double) throws
    /// The operators' actions, newest first, `limit` at a time (1 to 500), those numbered below `before` when given.
    func actions(limit: Int, before: Int64?) throws -> [JournalEvent]
    /// Entries per hour and outcome for the dashboard: those finished in `since ..< until` by the hour they finished
    /// (`closed` for one without an outcome), and those received in it and not yet `done` as `unfinished`; ordered by
    /// hour and outcome.
    func hourlyOutcomes(since: Double, until: Double) throws -> [HourlyCount]
    /// The error codes most found in the entries finished since `since`: each code with how many entries had it,
    /// the most frequent first (then by code), at most `limit`.
    func topErrorCodes(since: Double, limit: Int) throws -> [(code: String, count: Int)]
    /// Each instance holding unfinished entries (the unfinished entries' index only: as cheap at a million finished
    /// entries as at none).
    func instances() throws -> [InstanceClaims]
    /// The registry of delivered documents for the rules across documents (JSON of each document's model), added
    /// by `owner` (the instance that delivered them; other instances pull them in with `registrySeqs`).
    func registryAdd(_ entries: [(id: String, kind: String, json: [UInt8])], owner: String) throws
    /// Every registry entry, superseded and expired ones included (tests and tools; the rules read it on demand
    /// through `registryFind`).
    func registryAll() throws -> [[UInt8]]
    /// The registry entries the rules across documents can still need at `cutoff` (`Retention.cutoff`): exactly
    /// those a prune at that cutoff keeps (see `Retention` for the rules), with their sequence numbers.
    func registryLiveEntries(cutoff: Double) throws -> [RegistryRow]
    /// The entries filed under any of `keys` (``ContextDocument/lookupKeys``) that the rules can still need at
    /// `cutoff`, as `registryLiveEntries` would return them: the rules read the registry on demand.
    func registryFind(keys: [String], cutoff: Double) throws -> [RegistryRow]
    /// Files under their keys the registry entries that have none (written by a release before the keys, e.g. an
    /// instance not yet upgraded in a rolling upgrade), from their JSON; how many entries were looked at. The
    /// gateway runs it at start and with each retention run.
    @discardableResult
    func registryFillKeys() throws -> Int
    /// The highest sequence number in the registry (0 when empty).
    func registryHighestSeq() throws -> Int64
    /// The sequence numbers after `seq` (the primary key's range), each with whether `owner` added it.
    func registrySeqs(after seq: Int64, owner: String) throws -> [(seq: Int64, mine: Bool)]
    /// The entries with these sequence numbers.
    func registryBodies(_ seqs: [Int64]) throws -> [RegistryRow]

    // Retention (`Retention` runs these): each call is one short transaction.

    /// Deletes up to `limit` finished entries (stage `done`) that finished before `cutoff`; returns how many, by
    /// outcome (`closed` for claims closed without one). Fewer than `limit` means none is left.
    func pruneEntries(before cutoff: Double, limit: Int) throws -> [String: Int]
    /// What `pruneEntries` would delete, all of it, by outcome (one read, nothing deleted).
    func prunableEntries(before cutoff: Double) throws -> [String: Int]
    /// Looks at up to `limit` registry entries after sequence number `after`, and deletes (unless `dryRun`) those
    /// no rule can need at `cutoff` any more.
    func pruneRegistry(before cutoff: Double, after: Int64, limit: Int, dryRun: Bool) throws -> RegistryPruneStep
    /// Gives up to `pages` free pages back to the file system when the journal was made with
    /// `auto_vacuum = INCREMENTAL`; returns how many it gave back (0 for an older journal, which reuses its free
    /// pages instead).
    func vacuum(pages: Int) throws -> Int
    /// False while the journal cannot be reached (a database server that is down); the gateway then claims nothing
    /// and is not ready. An embedded journal is always available.
    var isAvailable: Bool { get }
}

extension Journal {
    /// Adds registry entries of no particular instance (tests, tools).
    public func registryAdd(_ entries: [(id: String, kind: String, json: [UInt8])]) throws {
        try registryAdd(entries, owner: "")
    }

    /// The JSON of ``registryLiveEntries(cutoff:)``.
    public func registryLive(cutoff: Double) throws -> [[UInt8]] {
        try registryLiveEntries(cutoff: cutoff).map(\.json)
    }

    /// An embedded journal is always available (its failures are errors of each call).
    public var isAvailable: Bool { true }

    /// `registryLive` at the retention's cutoff: the registry as the rules see it.
    public func registryLive(now: Double, retentionDays: Double) throws -> [RegistryRow] {
        try registryLiveEntries(cutoff: Retention.cutoff(now: now, days: retentionDays))
    }
}

/// The journal cannot be used: a stable code and the reason in both languages. `description` is the English text
/// alone: callers print the code before it (`DG5023 <path>: <reason>`).
public struct JournalError: Error, Sendable, CustomStringConvertible {
    /// The code: DG5023 when the journal cannot be opened or used.
    public var code: String
    /// What is wrong, in Russian and English.
    public var message: LocalizedText

    /// An error from its code and message.
    public init(code: String, message: LocalizedText) {
        self.code = code
        self.message = message
    }

    /// The English reason alone.
    public var description: String { message.en }
}
