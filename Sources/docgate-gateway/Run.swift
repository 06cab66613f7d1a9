import ArgumentParser
import Dispatch
import DocgateCommandLine
import DocgateCore
import DocgateGateway
import DocgatePostgres
import FoundationEssentials
import Glibc
import Logging
import NIOPosix
import ServiceLifecycle
import Synchronization

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Запустить шлюз / Run the gateway daemon.",
        discussion: """
        Moves every complete document from each route's inbox to its outbox exactly once, with a receipt back, \
        rejected documents into errors/ with their reason, originals into archive/YYYY/MM/DD, every step in the \
        journal. SIGTERM or SIGINT finish the batch in hand and exit 0. Exit 2 when the configuration or a \
        directory is not usable.
        """
    )

    @Option(name: .long, help: ArgumentHelp("The gateway's TOML configuration.", valueName: "file"))
    var config: String

    @Option(name: .long, help: "Language of messages on the terminal: ru or en.")
    var lang: Language?

    @Flag(name: .long, help: "Process what is there now, then exit (no waiting for more).")
    var once = false

    func run() throws {
        let language = lang ?? Language.from(locale: ProcessInfo.processInfo.environment["LANG"])
        let cfg = try ConfigLoader.load(config, language, printWarnings: false)
        let logger = Logs.make(format: cfg.logFormat)
        for warning in cfg.warnings { logger.warning("\(warning.text(language))", metadata: ["code": "\(warning.code)"]) }
        let descriptorLimit = HTTPLimits.raiseDescriptorLimit()
        let journal = try Self.openJournal(cfg, language, logger: logger)
        let gateway: Gateway
        do {
            gateway = try Gateway(config: cfg, journal: journal, logger: logger, signingPassphrase: try ConfigLoader.passphrase(cfg, language))
        } catch let error as GatewayError {
            Terminal.error(code: error.code, error.message[language])
            throw Exit.failure
        }
        if once {
            Self.runOnce(gateway, logger: logger)
            return
        }
        var services: [any Service] = [GatewayService(gateway: gateway)]
        if let http = try Self.httpService(cfg, gateway: gateway, descriptorLimit: descriptorLimit, logger: logger, language) {
            services.append(http)
        }
        if let console = try ConsoleService.make(cfg, gateway: gateway, journal: journal, logger: logger, language) {
            services.append(console)
        }
        try Self.serve(services, cfg, logger: logger, language)
    }

    /// The journal the configuration names, its directory made when missing; DG5023 and exit 2 when it is not usable.
    static func openJournal(_ cfg: GatewayConfig, _ language: Language, logger: Logger) throws -> any Journal {
        do {
            return try JournalOpener.open(cfg, makeDirectory: true, logger: logger)
        } catch {
            let reason = (error as? JournalError)?.message[language] ?? "\(error)"
            Terminal.error(.DG5023, "" + (language == .ru ? "журнал \(cfg.journal) недоступен: " : "the journal \(cfg.journal) is not usable: ") + reason)
            throw Exit.failure
        }
    }

    /// `--once`: passes until nothing is finished and nothing waits.
    static func runOnce(_ gateway: Gateway, logger: Logger) {
        var total = 0
        while true {
            let r = gateway.pass()
            total += r.finished
            if r.finished == 0 && r.waiting == 0 { break }
            if r.finished == 0 { usleep(100_000) }
        }
        logger.info("done", metadata: ["documents": "\(total)"])
    }

    /// /health, /ready and /metrics when `listen` is set, with a connection cap the descriptor limit allows (DG5024
    /// and exit 2 when it allows none).
    static func httpService(_ cfg: GatewayConfig, gateway: Gateway, descriptorLimit: Int, logger: Logger,
                            _ language: Language) throws -> (any Service)? {
        guard let address = cfg.listenAddress else { return nil }
        let cap = HTTPLimits.connectionCap(configured: cfg.httpMaxConnections, descriptorLimit: descriptorLimit,
                                           routes: cfg.routes.count)
        guard cap >= 1 else {
            Terminal.error(.DG5024, "" + (language == .ru
                ? "лимит дескрипторов \(descriptorLimit) слишком мал, чтобы обслуживать HTTP и оставить запас конвейеру: поднимите его (LimitNOFILE= в юните systemd, ulimit -n) или уберите listen"
                : "the descriptor limit \(descriptorLimit) is too low to serve HTTP and keep a reserve for the pipeline: raise it (LimitNOFILE= in the systemd unit, ulimit -n) or remove listen"))
            throw Exit.failure
        }
        logger.info("HTTP limits", metadata: [
            "listen": "\(cfg.listen ?? "")", "max_connections": "\(cap)", "max_connections_configured": "\(cfg.httpMaxConnections)",
            "idle_timeout": "\(cfg.httpIdleTimeout)", "descriptor_limit": "\(descriptorLimit)"])
        return HealthEndpoints.application(host: address.host, port: address.port, gateway: gateway,
                                           journalPath: cfg.journal, idleTimeout: cfg.httpIdleTimeout,
                                           gate: ConnectionGate(cap: cap), logger: logger)
    }

    /// Runs the services until SIGTERM or SIGINT. Whichever service ends, the others shut down gracefully: the
    /// gateway finishes its batch. A failing HTTP service (the address cannot be bound) thus ends the daemon with
    /// DG5024 instead of leaving it running deaf.
    static func serve(_ services: [any Service], _ cfg: GatewayConfig, logger: Logger, _ language: Language) throws {
        signal(SIGPIPE, SIG_IGN)
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                                           failureTerminationBehavior: .gracefullyShutdownGroup) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        let finished = DispatchSemaphore(value: 0)
        let failure = Mutex<String?>(nil)
        Task {
            do { try await group.run() } catch { failure.withLock { $0 = "\(error)" } }
            finished.signal()
        }
        finished.wait()
        if let message = failure.withLock({ $0 }) {
            let what = language == .ru ? "HTTP-адрес \(cfg.listen ?? "") не удалось использовать: " : "the HTTP address \(cfg.listen ?? "") cannot be used: "
            Terminal.error(.DG5024, "" + what + message)
            throw Exit.failure
        }
    }
}

enum ConfigLoader {
    /// The configuration, or every mistake on standard error and exit 2. Warnings (DG5028) go to standard error too
    /// unless `printWarnings` is false (the daemon logs them instead).
    static func load(_ path: String, _ language: Language, printWarnings: Bool = true) throws -> GatewayConfig {
        do {
            let cfg = try GatewayConfig.load(path)
            if printWarnings {
                for w in cfg.warnings { Terminal.raw(fd: 2, "\(path): " + (language == .ru ? "предупреждение" : "warning") + ": " + w.text(language) + "\n") }
            }
            return cfg
        } catch {
            Terminal.raw(fd: 2, "\(path): " + (language == .ru ? "ошибки в конфигурации" : "configuration errors") + "\n")
            for p in error.problems { Terminal.raw(fd: 2, "    " + p.text(language) + "\n") }
            throw Exit.failure
        }
    }


    static func passphrase(_ cfg: GatewayConfig, _ language: Language) throws -> [UInt8]? {
        guard let s = cfg.signing else { return nil }
        var options = PassphraseOptions()
        options.passphraseEnv = s.passphraseEnv
        options.passphraseFile = s.passphraseFile
        return try options.passphrase(language, allowGroupReadable: s.allowGroupReadable, allowance: SigningConfig.allowance)
    }
}

/// The descriptors HTTP may take. Connections share the process's descriptors with the pipeline (inbox files,
/// staging files, archive directories, the journal): without a bound, idle connections alone exhaust them and the
/// documents stop ("Too many open files").
enum HTTPLimits {
    /// Descriptors always left free for the pipeline, above what it holds at start.
    static let reserve = 64
    /// Descriptors the pipeline opens while a batch is on its way, per route and in all.
    static let perRoute = 8
    static let working = 32
    /// Connections accepted beyond the cap only to be closed at once; past it the listening socket waits.
    static let acceptMargin = 16

    /// Raises the soft limit of open files to the hard limit; the limit in force.
    static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return Int(min(limit.rlim_cur, rlim_t(Int32.max)))
    }

    /// The connection cap: the configured one, lowered so that the descriptors open now (NIO's event loops made
    /// first), the pipeline's working set and the reserve stay free under `descriptorLimit`.
    static func connectionCap(configured: Int, descriptorLimit: Int, routes: Int) -> Int {
        _ = MultiThreadedEventLoopGroup.singleton
        let open = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count ?? 64)
        let free = descriptorLimit - open - working - perRoute * routes - reserve - acceptMargin - 1
        return min(configured, max(free, 0))
    }
}
