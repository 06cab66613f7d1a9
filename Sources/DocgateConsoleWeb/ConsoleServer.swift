import DocgateConsole
import DocgateCore
import DocgateDocuments
import DocgateGateway
import DocgateProcessing
import DocgateSignature
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// The request context of the console: Hummingbird's, with the client's address (login throttling counts by it).
public struct ConsoleRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's own part.
    public var coreContext: CoreRequestContextStorage
    /// The client's address.
    public let remoteAddress: SocketAddress?

    /// A context for a request on `source`'s channel.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address as text ("unknown" when the channel has none).
    var peer: String { remoteAddress?.ipAddress ?? "unknown" }

    /// The client login throttling counts by: the peer, or — when the peer is this machine, a reverse proxy in
    /// front of the console — the address the proxy appended last to `X-Forwarded-For` (a client cannot forge
    /// that one: the proxy adds it after whatever the client sent).
    func client(_ request: Request) -> String {
        let p = peer
        guard p == "127.0.0.1" || p == "::1" || p.hasPrefix("127."),
              let forwarded = request.headers[values: HTTPField.Name("X-Forwarded-For")!].last?.split(separator: ",").last
        else { return p }
        let address = forwarded.trimmingCharacters(in: .whitespaces)
        return address.isEmpty || address.count > 64 ? p : address
    }
}

/// The gateway as the dashboard shows it.
public struct ConsoleStatus: Sendable {
    /// The instance's name (its journal owner).
    public var instance: String
    /// The gateway loop runs and is not stopping.
    public var running: Bool
    /// The loop has made no progress for longer than it should.
    public var stalled: Bool
    /// The journal answered at the last look.
    public var journalUp: Bool
    /// Each route's inbox at its last scan.
    public var inboxes: [String: InboxStatus]

    /// A status from its parts.
    public init(instance: String, running: Bool, stalled: Bool, journalUp: Bool, inboxes: [String: InboxStatus]) {
        (self.instance, self.running, self.stalled, self.journalUp, self.inboxes) = (instance, running, stalled, journalUp, inboxes)
    }
}

/// What the console's pages are made from.
public struct ConsoleDependencies: Sendable {
    /// Users, logins and sessions.
    public var access: ConsoleAccess
    /// The gateway's journal.
    public var journal: any Journal
    /// The gateway's configuration (routes and their directories).
    public var config: GatewayConfig
    /// Validates documents (the document page, the validation page).
    public var validator: DocumentValidator
    /// Verifies the signatures of a route's documents (the route's trust settings); nil: not checked.
    public var verifier: @Sendable (_ route: String?) -> SignatureVerifier?
    /// The gateway's status for the dashboard.
    public var status: @Sendable () -> ConsoleStatus
    /// The clock (seconds since the epoch).
    public var now: @Sendable () -> Double
    /// Prints a form's HTML to PDF (headless Chromium by default); one print at a time, on a thread of its own.
    public var printPDF: @Sendable (String) throws(PDFError) -> [UInt8] = { html throws(PDFError) in
        try PDFPrinter(timeout: 120).pdf(html: html)
    }
    /// Where refusals and operators' actions are logged.
    public var logger: Logger

    /// Dependencies from their parts.
    public init(access: ConsoleAccess, journal: any Journal, config: GatewayConfig, validator: DocumentValidator,
                verifier: @escaping @Sendable (_ route: String?) -> SignatureVerifier?,
                status: @escaping @Sendable () -> ConsoleStatus, now: @escaping @Sendable () -> Double, logger: Logger) {
        (self.access, self.journal, self.config, self.validator) = (access, journal, config, validator)
        (self.verifier, self.status, self.now, self.logger) = (verifier, status, now, logger)
    }
}

/// The operator's console: server-rendered pages over Hummingbird on the `[console]` address.
public enum ConsoleServer {
    /// The console's routes.
    public static func router(_ deps: ConsoleDependencies) -> Router<ConsoleRequestContext> {
        let router = Router(context: ConsoleRequestContext.self)
        router.add(middleware: SecurityHeaders())
        router.get("assets/console.css") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                     body: ResponseBody(byteBuffer: ByteBuffer(staticString: ConsoleAssets.css)))
        }
        LoginRoutes(deps: deps).add(to: router)
        DashboardRoutes(deps: deps).add(to: router)
        JournalRoutes(deps: deps).add(to: router)
        DocumentRoutes(deps: deps).add(to: router)
        ValidationRoutes(deps: deps).add(to: router)
        return router
    }

    /// The console as an application on `host:port`.
    public static func application(host: String, port: Int, deps: ConsoleDependencies, idleTimeout: Double = 60,
                                   logger: Logger) -> some ApplicationProtocol {
        let http = HTTP1Channel.Configuration(idleTimeout: .nanoseconds(Int64(idleTimeout * 1e9)))
        return Application(router: router(deps), server: .http1(configuration: http),
                           configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
                           logger: logger)
    }
}

/// Headers on every answer: nothing from elsewhere, no framing by other sites, no sniffing, no caching of pages.
struct SecurityHeaders: RouterMiddleware {
    typealias Context = ConsoleRequestContext

    static let policy = "default-src 'none'; style-src 'self' " + FormStyleHashes.sources
        + "; img-src 'self' data:; frame-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do { response = try await next(request, context) } catch let error as HTTPError where error.status == .notFound {
            response = Pages.problem(.notFound, "Страница не найдена", "Такой страницы в консоли нет.")
        } catch let error as HTTPError {
            response = Pages.problem(error.status, "Запрос не выполнен", error.body ?? "Запрос не выполнен (\(error.status.code)).")
        } catch {
            // The journal (or a file) did not answer: the page says so, with the console's headers, not a bare 500.
            context.logger.error("console: a page failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            response = Pages.problem(.serviceUnavailable, "Журнал не ответил",
                                     "Журнал или файлы шлюза не ответили; повторите позже. Причина: \(error)")
        }
        let csp = HTTPField.Name("Content-Security-Policy")!
        if response.headers[csp] == nil { response.headers[csp] = Self.policy }
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "SAMEORIGIN"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

/// One PDF at a time: Chromium takes seconds and a core or two, and whoever asks again meanwhile is told to wait.
final class PDFGate: Sendable {
    private let busy = Mutex(false)

    /// The print's own thread: neither the pages' pool nor Dispatch's global queues, which on Linux run no more
    /// blocking items at once than there are cores.
    private let thread: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        return pool
    }()

    /// Runs `work` on the print's own thread unless a print is already running: nil then.
    func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T? {
        let claimed = busy.withLock { b in
            if b { return false }
            b = true
            return true
        }
        guard claimed else { return nil }
        defer { busy.withLock { $0 = false } }
        return try? await thread.runIfActive(work)
    }
}

/// The console's own threads for blocking work: the process's shared pool has a thread per core, and what else
/// uses it (the journal's PostgreSQL client, other servers) would make a page wait behind it.
let consolePool: NIOThreadPool = {
    let pool = NIOThreadPool(numberOfThreads: 4)
    pool.start()
    return pool
}()

/// Blocking work (the journal, bcrypt, validation, files) off the event loop, on the console's own threads.
func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await consolePool.runIfActive(work)
}
