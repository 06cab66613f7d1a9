import DocgateCore
import DocgateCrypto
import DocgateDocuments
import DocgateProcessing
import DocgateSignature
import DocgateXML
import FoundationEssentials
import Glibc
import Logging
import Synchronization

/// Why the gateway cannot start, or why reloading its trust files failed while it runs (the old ones stay).
public struct GatewayError: Error, Sendable, CustomStringConvertible {
    /// The code: DG5021 the schemas, DG5022 a route's directory, DG5023 the journal's registry; for the signing
    /// key or the trust store, their own code (DG50xx), DG4033 for the signer mapping, DG4027 for trust files
    /// without CRLs.
    public var code: String
    /// What prevents the start, in Russian and English.
    public var message: LocalizedText
    /// `code message` in English.
    public var description: String { code + " " + message.en }
}

/// The gateway: every complete file in a route's inbox gets exactly one outcome, recorded in the journal —
/// delivered once to the outbox, or put into errors/ with its reason — and one receipt (DESIGN.md, "The daemon's
/// promise"). Each step is journaled before the file system acts, so any step can be redone after a crash.
///
/// This type wires the stages together (scan → read → analyse → decide → stage → deliver → receipt → archive, each
/// in its own file) and runs the loop; `BatchPipeline` runs the stages over the inboxes.
public final class Gateway: Sendable {
    /// The configuration it runs.
    public let config: GatewayConfig
    /// `gateway_id@hostname`: this instance's name as the owner of its journal claims.
    public let owner: String
    /// Counters and histograms of this gateway, served at `/metrics` when `listen` is set.
    public let metrics = GatewayMetrics()
    /// The gateway's version, written into every receipt (`gateway/version`).
    public static let version = "0.1.0"
    let routes: [RouteRuntime]
    let pipeline: BatchPipeline
    let context: StageContext
    let retention: Retention
    /// When the loop last moved; the heartbeat stops renewing claims when it has not for ``stallAfter`` seconds.
    let progress: LoopProgress
    /// The registry of the rules across documents as far as it was read.
    let registry: DocumentContext
    private let stopping: StopFlag
    /// The signature verifier and the files it is made from; nil without `trust`.
    let verifiers: VerifierSource?
    /// The validator the routes use (the console validates with it too).
    public let validator: DocumentValidator
    /// The signature verifier in use, as last made from the trust files; nil without `trust`.
    public var verifier: SignatureVerifier? { verifiers?.current }

    /// - Parameters:
    ///   - clock: the time the gateway goes by (tests move a `ManualClock` instead of sleeping).
    ///   - fileSystem: the file operations' modes and injected failures; by default the configuration's modes.
    ///   - executable: where to look for the schemas beside (default: this process's own executable).
    public init(config: GatewayConfig, journal: any Journal, logger: Logger, signingPassphrase: [UInt8]? = nil,
                clock: any GatewayClock = SystemClock(), fileSystem: FileSystem? = nil,
                executable: String? = Executable.path) throws(GatewayError) {
        self.config = config
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        let hostname = host.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        owner = "\(config.gatewayId)@\(hostname)"
        let validator: DocumentValidator
        do {
            let schemas = try DocumentValidator.locateSchemas(explicit: config.schemas, executable: executable)
            validator = try DocumentValidator(schemaDirectory: schemas)
        } catch {
            throw GatewayError(code: "DG5021", message: error.message)
        }
        var signer: DocumentSigner?
        if let s = config.signing {
            do throws(CryptoError) {
                // The key is checked on the descriptor it is read from: group or others may not read it.
                let policy: SecretFilePolicy = s.allowGroupReadable ? .anyMode : .ownerOnly(allowance: SigningConfig.allowance)
                let identity = s.pkcs12 != nil
                    ? try SigningIdentity.load(pkcs12Path: s.pkcs12!, passphrase: signingPassphrase, policy: policy)
                    : try SigningIdentity.load(keyPath: s.key!, certificatePath: s.cert!, passphrase: signingPassphrase, policy: policy)
                signer = DocumentSigner(identity: identity, policy: .docgate)
            } catch {
                throw GatewayError(code: error.code, message: error.message)
            }
        }
        var verifiers: VerifierSource?
        if let trust = config.trust {
            verifiers = try VerifierSource(.init(trust: trust, crl: config.crl, signers: config.signers,
                                                 partialChain: config.trustPartialChain, allowStaleCRL: config.crlAllowStale,
                                                 ocsp: config.ocspSettings,
                                                 policies: config.certificatePolicies,
                                                 gatewayFingerprint: signer?.identity.certificate.sha256Fingerprint))
        }
        self.verifiers = verifiers
        self.validator = validator
        let fs = fileSystem ?? FileSystem(fileMode: config.fileMode, dirMode: config.dirMode)
        let analyzer = Analyzer(validator: validator, verifiers: verifiers, signer: signer)
        var runtimes: [RouteRuntime] = []
        for r in config.routes {
            do { runtimes.append(try RouteRuntime(r, fs: fs, needsTree: analyzer.needsTree(r))) } catch {
                throw GatewayError(code: "DG5022", message: LocalizedText(ru: "каталог маршрута \(r.name) недоступен: \(error)",
                                                                         en: "a directory of route \(r.name) is not usable: \(error)"))
            }
        }
        routes = runtimes
        // The registry of the rules across documents is read on demand: memory holds what was looked up.
        let registry = DocumentContext(capacity: Self.registryCapacity)
        self.registry = registry
        var registrySync: RegistrySync?
        if config.routes.contains(where: \.contextRules) {
            do {
                // Entries an older release wrote without keys are filed first: the rules find entries by their keys.
                try journal.registryFillKeys()
                registrySync = RegistrySync(journal: journal, owner: owner, registry: registry, from: try journal.registryHighestSeq(),
                                            retentionDays: config.retentionDays, clock: clock)
            } catch {
                throw GatewayError(code: "DG5023", message: LocalizedText(ru: "реестр документов в журнале не читается: \(error)",
                                                                         en: "the document registry in the journal cannot be read: \(error)"))
            }
        }
        let context = StageContext(journal: journal, owner: owner, lease: config.claimLease, clock: clock, logger: logger, metrics: metrics,
                                   gatewayId: config.gatewayId)
        self.context = context
        let progress = LoopProgress(clock: clock)
        self.progress = progress
        retention = Retention(journal: journal, days: config.retentionDays, logger: logger)
        let reader = InboxReader(context: context)
        let stager = Stager(context: context, reader: reader, analyzer: analyzer,
                            decider: Decider(gatewayId: config.gatewayId, version: Self.version, registry: registry),
                            signer: signer, registry: registry, registrySync: registrySync)
        let stopping = StopFlag()
        self.stopping = stopping
        pipeline = BatchPipeline(context: context, scanner: Scanner(context: context), reader: reader, analyzer: analyzer,
                                 stager: stager, deliverer: Deliverer(context: context), receipts: ReceiptStep(context: context),
                                 archiver: Archiver(context: context), batchSize: config.batchSize, batchBytes: config.batchBytes,
                                 registrySync: registrySync, progress: progress, isStopping: { stopping.isSet })
        // The read stage takes a lease on each file for a moment to learn whether it is still being written; a lease
        // broken in that moment signals SIGIO, whose default action would end the process.
        signal(SIGIO, SIG_IGN)
    }

    /// The most registry documents held in memory; past it what was read is let go and read again when needed.
    static let registryCapacity = 200_000

    /// How many registry documents are in memory (what the rules looked up, and this instance's deliveries).
    public var registryInMemory: Int { registry.count }

    /// Asks the loop to stop after the batch in hand.
    public func stop() { stopping.set() }
    /// True once ``stop()`` was called.
    public var isStopping: Bool { stopping.isSet }

    /// Runs until `stop()`: a pass, then a wait for inotify events or the rescan interval.
    public func run() {
        let watcher = InboxWatcher(routes.map { $0.inbox.path })
        context.logger.info("gateway started", metadata: ["owner": "\(owner)", "routes": "\(routes.map(\.route.name))",
                                                          "inotify": "\(watcher.active)"])
        progress.tick()
        let heartbeat = LeaseHeartbeat(context: context, routes: routes.map(\.route.name), interval: context.lease / 3, progress: progress,
                                       stallAfter: stallAfter)
        defer { heartbeat.stop() }
        var unreachable = 0
        while !isStopping {
            progress.tick()
            // Finished entries older than the retention, pruned in short steps once an hour.
            retention.runIfDue(now: context.clock.now())
            let result = pass()
            if isStopping { break }
            // A journal server that cannot be reached: nothing is claimed (the pass stopped at its recovery); asked
            // again after a wait that doubles up to `maxJournalBackoff`.
            let wait = journalBackoff(&unreachable)
            // More may be ready at once: look again.
            if result.finished > 0 && wait == nil { continue }
            // Files waiting for their quiet period or back-off: look again shortly.
            let moved = watcher.wait(timeout: wait ?? (result.waiting > 0 ? min(config.rescanInterval, 0.25) : config.rescanInterval),
                                     stop: { self.isStopping })
            progress.tick()
            for (dir, names) in moved {
                if let r = routes.first(where: { $0.inbox.path == dir }) { r.renamedIn.formUnion(names) }
            }
        }
        context.logger.info("gateway stopped", metadata: ["owner": "\(owner)"])
    }

    /// The longest wait between two attempts to reach a journal server that is down, seconds.
    static let maxJournalBackoff = 30.0

    /// After a pass: nil while the journal is available (noting its return); the wait before the next attempt
    /// while it is not — the rescan interval doubled for each pass it stayed down, up to `maxJournalBackoff`.
    private func journalBackoff(_ unreachable: inout Int) -> Double? {
        guard !context.journal.isAvailable else {
            if unreachable > 0 {
                context.logger.notice("journal reachable again", metadata: ["failed_passes": "\(unreachable)"])
                unreachable = 0
            }
            return nil
        }
        unreachable += 1
        let wait = min(config.rescanInterval * Double(1 << min(unreachable - 1, 16)), max(Self.maxJournalBackoff, config.rescanInterval))
        if unreachable == 1 {
            context.logger.warning("journal not reachable: claiming nothing until it is", metadata: ["code": "DG5043", "retry_in": "\(wait)"])
        }
        return wait
    }

    /// Seconds without the loop moving after which this instance counts as stuck: a lease, the longest wait between
    /// two passes, and two journal calls at their deadline (a recovery and a claim while the database is away).
    var stallAfter: Double { context.lease + max(config.rescanInterval, Self.maxJournalBackoff) + 2 * Self.journalDeadline }

    /// The longest a journal call waits for the database (PostgresJournal's default deadline), seconds.
    static let journalDeadline = 30.0

    /// Whether the loop has not moved for ``stallAfter`` seconds (`/ready` then says not ready; the heartbeat no
    /// longer renews the claims, which the other instances take over).
    public var isStalled: Bool { progress.idle > stallAfter }

    /// Whether the journal can be reached now (``Journal/isAvailable``): `/ready` says not ready while it cannot.
    public var journalAvailable: Bool { context.journal.isAvailable }

    /// Recovery of unfinished entries, then the ready files of every route. Public for tests and `run --once`.
    @discardableResult
    public func pass() -> PassResult {
        reloadTrust()
        return pipeline.pass(routes)
    }

    /// Trust anchors, CRLs and the signer mapping made again when their files changed.
    private func reloadTrust() {
        switch verifiers?.refresh(now: context.clock.now()) {
        case .success(true):
            context.logger.info("trust reloaded", metadata: ["files": "\(verifiers?.inputs.paths ?? [])"])
        case .failure(let error):
            context.logger.error("trust not reloaded, the previous files stay in use (reported again every \(Int(VerifierSource.reminderInterval)) s while it lasts)",
                                 metadata: ["code": "\(error.code)", "error": "\(error.message.en)"])
        case .success(false), nil:
            break
        }
    }
}

/// A stop request, shared by the loop and the pipeline.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}
