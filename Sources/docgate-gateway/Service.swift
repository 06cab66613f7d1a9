import DocgateCommandLine
import Dispatch
import Glibc
import DocgateGateway
import Hummingbird
import Logging
import ServiceLifecycle

/// The gateway loop as a service: it runs on its own thread (its work is blocking file and database I/O) and
/// stops after the batch in hand when the service group shuts down gracefully (SIGTERM, SIGINT).
struct GatewayService: Service {
    let gateway: Gateway

    func run() async throws {
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
    }
}

/// A plain OS thread for the loop (Foundation's Thread is not imported here).
final class Thread: @unchecked Sendable {
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

/// /health (the process answers), /ready (the gateway loop is running and not stopping) and /metrics
/// (Prometheus text format) on the configured address.
enum HealthEndpoints {
    static func application(host: String, port: Int, gateway: Gateway, journalPath: String, logger: Logger) -> some ApplicationProtocol {
        let router = Router()
        router.get("health") { _, _ in "ok\n" }
        router.get("ready") { _, _ -> Response in
            let ready = !gateway.isStopping
            return Response(status: ready ? .ok : .serviceUnavailable,
                            body: ResponseBody(byteBuffer: ByteBuffer(string: ready ? "ready\n" : "stopping\n")))
        }
        router.get("metrics") { _, _ -> Response in
            var st = stat()
            let size: Int64? = stat(journalPath, &st) == 0 ? Int64(st.st_size) : nil
            let text = gateway.metrics.render(journalBytes: size)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port)), logger: logger)
    }
}
