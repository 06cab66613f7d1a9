import DocgateCommandLine
import DocgateConsole
import DocgateConsoleWeb
import DocgateCore
import DocgateGateway
import Glibc
import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// The operator's console as a service of the daemon, when `[console]` is configured: its users file is read at
/// start (DG5053 and exit 2 when it cannot be used) and again on SIGHUP, sessions live in memory.
enum ConsoleService {
    static func make(_ cfg: GatewayConfig, gateway: Gateway, journal: any Journal, logger: Logger, _ language: Language) throws -> (any Service)? {
        guard let console = cfg.console, let address = console.listenAddress else { return nil }
        let access: ConsoleAccess
        do { access = try ConsoleAccess(console) } catch {
            Terminal.error(error.code, error.message[language])
            throw Exit.failure
        }
        let deps = ConsoleDependencies(
            access: access, journal: journal, config: cfg, validator: gateway.validator,
            verifier: { _ in gateway.verifier },
            status: {
                ConsoleStatus(instance: gateway.owner, running: !gateway.isStopping, stalled: gateway.isStalled,
                              journalUp: gateway.journalAvailable, inboxes: gateway.metrics.inboxStatus())
            },
            now: { Double(time(nil)) }, logger: logger)
        logger.info("console", metadata: ["listen": "\(console.listen)", "users": "\(console.users)"])
        return ReloadingConsole(app: ConsoleServer.application(host: address.host, port: address.port, deps: deps, logger: logger),
                                access: access, logger: logger)
    }
}

/// The console's application, with the users file read again on SIGHUP (a user added, removed or changed takes
/// effect without a restart; the sessions of removed or changed users end).
struct ReloadingConsole<App: ApplicationProtocol>: Service {
    let app: App
    let access: ConsoleAccess
    let logger: Logger

    func run() async throws {
        let access = access, logger = logger
        let hangups = Task.detached {
            for await _ in await UnixSignalsSequence(trapping: .sighup) {
                do throws(ConsoleError) {
                    let ended = try access.reload()
                    logger.notice("console: users file read again", metadata: ["sessions_ended": "\(ended)"])
                } catch {
                    logger.error("console: users file not read again, the previous users stay", metadata: ["code": "\(error.code.rawValue)", "error": "\(error.message.en)"])
                }
            }
        }
        defer { hangups.cancel() }
        try await app.run()
    }
}
