import ArgumentParser
import Dispatch
import DocgateCommandLine
import DocgateCore
import DocgateGateway
import FoundationEssentials
import Glibc
import Logging
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
        let cfg = try ConfigLoader.load(config, language)
        let logger = Logs.make(format: cfg.logFormat)
        let journal: SQLiteJournal
        do {
            try Directory.makeParent(of: cfg.journal)
            journal = try SQLiteJournal(path: cfg.journal)
        } catch {
            Terminal.error("DG5023 " + (language == .ru ? "журнал \(cfg.journal) недоступен: " : "the journal \(cfg.journal) is not usable: ") + "\(error)")
            throw ExitCode(2)
        }
        let gateway: Gateway
        do {
            gateway = try Gateway(config: cfg, journal: journal, logger: logger, signingPassphrase: try ConfigLoader.passphrase(cfg, language))
        } catch let error as GatewayError {
            Terminal.error(error.code + " " + error.message[language])
            throw ExitCode(2)
        }
        if once {
            var total = 0
            while true {
                let r = gateway.pass()
                total += r.finished
                if r.finished == 0 && r.waiting == 0 { break }
                if r.finished == 0 { usleep(100_000) }
            }
            logger.info("done", metadata: ["documents": "\(total)"])
            return
        }
        var services: [any Service] = [GatewayService(gateway: gateway)]
        if let address = cfg.listenAddress {
            services.append(HealthEndpoints.application(host: address.host, port: address.port, gateway: gateway,
                                                        journalPath: cfg.journal, logger: logger))
        }
        signal(SIGPIPE, SIG_IGN)
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        let finished = DispatchSemaphore(value: 0)
        let failure = Mutex<String?>(nil)
        Task {
            do { try await group.run() } catch { failure.withLock { $0 = "\(error)" } }
            finished.signal()
        }
        finished.wait()
        if let message = failure.withLock({ $0 }) {
            Terminal.error("DG5024 " + message)
            throw ExitCode(2)
        }
    }
}

enum ConfigLoader {
    static func load(_ path: String, _ language: Language) throws -> GatewayConfig {
        do {
            return try GatewayConfig.load(path)
        } catch {
            Terminal.raw(fd: 2, "\(path): " + (language == .ru ? "ошибки в конфигурации" : "configuration errors") + "\n")
            for p in error.problems { Terminal.raw(fd: 2, "    " + p.text(language) + "\n") }
            throw ExitCode(2)
        }
    }

    static func passphrase(_ cfg: GatewayConfig, _ language: Language) throws -> [UInt8]? {
        guard let s = cfg.signing else { return nil }
        var options = PassphraseOptions()
        options.passphraseEnv = s.passphraseEnv
        options.passphraseFile = s.passphraseFile
        return try options.passphrase(language)
    }
}

/// swift-log handlers: text lines or one JSON object per line, on standard error.
enum Logs {
    static func make(format: String) -> Logger {
        let json = format == "json"
        return Logger(label: "docgate") { label in
            json ? JSONLogHandler(label: label) as any LogHandler : StreamLogHandler.standardError(label: label)
        }
    }
}

struct JSONLogHandler: LogHandler {
    let label: String
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var pairs: [(String, String)] = [("time", JSONText.string(Clock.iso(Clock.now()))), ("level", JSONText.string(event.level.rawValue)),
                                         ("message", JSONText.string("\(event.message)"))]
        for (k, v) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }).sorted(by: { $0.key < $1.key }) {
            pairs.append((k, JSONText.string("\(v)")))
        }
        Terminal.raw(fd: 2, JSONText.object(pairs) + "\n")
    }
}
