import DocgateCommandLine
import Dispatch
import Glibc
import DocgateGateway
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The gateway loop as a service: it runs on its own thread (its work is blocking file and database I/O) and
/// stops after the batch in hand when the service group shuts down gracefully (SIGTERM, SIGINT) — or cancels it,
/// as it does when another service (HTTP) fails: a loop left running would keep the process alive, deaf to SIGTERM.
struct GatewayService: Service {
    let gateway: Gateway

    func run() async throws {
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let thread = Thread { [gateway] in
                        gateway.run()
                        continuation.resume()
                    }
                    thread.start()
                }
            } onGracefulShutdown: {
                gateway.stop()
            }
        } onCancel: {
            gateway.stop()
        }
    }
}

/// A plain OS thread for the loop (Foundation's Thread is not imported here).
final class Thread: Sendable {
    private let body: @Sendable () -> Void

    init(_ body: @escaping @Sendable () -> Void) {
        self.body = body
    }

    func start() {
        let box = Unmanaged.passRetained(self)
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        pthread_attr_setstacksize(&attr, 8 << 20)
        var id = pthread_t()
        pthread_create(&id, &attr, { raw -> UnsafeMutableRawPointer? in
            let thread = Unmanaged<Thread>.fromOpaque(raw!).takeRetainedValue()
            thread.body()
            return nil
        }, box.toOpaque())
        pthread_attr_destroy(&attr)
        pthread_detach(id)
    }
}

/// /health (the process answers), /ready (the gateway loop is running, moving and not stopping, and its journal
/// answers) and /metrics
/// (Prometheus text format) on the configured address. HTTP shares the process's descriptors with the pipeline, so
/// it is bounded: a connection idle for `idleTimeout` is closed (Hummingbird's HTTP1 idle timeout, which also
/// covers a connection that never sends a byte), at most `gate.cap` connections are served and one more is closed
/// at once, and beyond `gate.cap + HTTPLimits.acceptMargin` the listening socket is not even read (Hummingbird's
/// `MaximumAvailableConnections`), so HTTP never holds more descriptors than that.
enum HealthEndpoints {
    static func application(host: String, port: Int, gateway: Gateway, journalPath: String, idleTimeout: Double,
                            gate: ConnectionGate, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        router.get("health") { _, _ in "ok\n" }
        router.get("ready") { _, _ -> Response in
            let state = gateway.isStopping ? "stopping\n" : !gateway.journalAvailable ? "journal unreachable\n"
                : gateway.isStalled ? "stalled\n" : "ready\n"
            return Response(status: state == "ready\n" ? .ok : .serviceUnavailable, body: ResponseBody(byteBuffer: ByteBuffer(string: state)))
        }
        router.get("metrics") { _, _ -> Response in
            var st = stat()
            // The journal's file and its write-ahead log, which holds the latest pages until a checkpoint.
            var size: Int64? = stat(journalPath, &st) == 0 ? Int64(st.st_size) : nil
            if size != nil, stat(journalPath + "-wal", &st) == 0 { size! += Int64(st.st_size) }
            let text = gateway.metrics.render(journalBytes: size)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        let http = HTTP1Channel.Configuration(idleTimeout: .nanoseconds(Int64(idleTimeout * 1e9)))
        let server = HTTPServerBuilder { responder in
            CappedHTTP1Channel(http: HTTP1Channel(responder: responder, configuration: http), gate: gate, logger: logger)
        }
        let configuration = ApplicationConfiguration(
            address: .hostname(host, port: port),
            availableConnectionsDelegate: MaximumAvailableConnections(gate.cap + HTTPLimits.acceptMargin, logger: logger))
        return Application(router: router, server: server, configuration: configuration, logger: logger)
    }
}

/// The HTTP connections being served, for the cap. When the cap is reached, a new connection is served and the
/// oldest one is closed instead: idle connections held open by a client (or an attacker) can then never keep a
/// monitor's `/health` out — each new connection pushes the longest-standing one out, and a real request takes
/// milliseconds.
final class ConnectionGate: Sendable {
    let cap: Int
    private let open = Mutex<(next: Int, channels: [Int: any Channel])>((0, [:]))
    private let evicted = Atomic<Int>(0)
    private let lastReport = Atomic<Int>(0)

    init(cap: Int) {
        self.cap = cap
    }

    /// Admits a connection (then `leave(id)` when it ends); returns its id and the oldest connection to close when
    /// the cap is exceeded.
    func enter(_ channel: any Channel) -> (id: Int, evict: (any Channel)?) {
        open.withLock { state in
            let id = state.next
            state.next += 1
            state.channels[id] = channel
            guard state.channels.count > cap, let oldest = state.channels.keys.min() else { return (id, nil) }
            return (id, state.channels.removeValue(forKey: oldest))
        }
    }

    func leave(_ id: Int) { _ = open.withLock { $0.channels.removeValue(forKey: id) } }

    var count: Int { open.withLock { $0.channels.count } }

    /// Counts a connection closed for the cap; the total so far when it is time to log it (at most once a minute).
    func evict(now: Int) -> Int? {
        let total = evicted.wrappingAdd(1, ordering: .relaxed).newValue
        let last = lastReport.load(ordering: .relaxed)
        guard now - last >= 60, lastReport.compareExchange(expected: last, desired: now, ordering: .relaxed).exchanged else { return nil }
        return total
    }
}

/// Hummingbird's HTTP1 child channel under the cap: beyond it, the oldest connection is closed to make room.
struct CappedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let http: HTTP1Channel
    let gate: ConnectionGate
    let logger: Logger

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        http.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        let (id, oldest) = gate.enter(value.channel)
        defer { gate.leave(id) }
        if let oldest {
            oldest.close(promise: nil)
            if let total = gate.evict(now: Int(time(nil))) {
                self.logger.warning("oldest HTTP connections closed to stay within the cap",
                                    metadata: ["code": "DG5049", "max_connections": "\(gate.cap)", "closed_so_far": "\(total)"])
            }
        }
        await http.handle(value: value, logger: logger)
    }
}
