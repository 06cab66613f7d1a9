import DocgateCore
import DocgateGateway
import Dispatch
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// A small pool of blocking PostgreSQL sessions for the journal: the gateway calls its journal from its own threads
/// (never from an event loop), so each call waits for its answer. At most `size` connections are open; one that
/// failed is dropped and a new one made on the next call. Every exchange has a deadline: past it the connection is
/// closed and the call fails, so a server that stops answering (a cut network, a hung host) holds no thread forever.
final class PostgresConnections: Sendable {
    let configuration: PostgresConnection.Configuration
    let timeout: Int64
    let logger: Logger
    private let idle = Mutex<[PostgresConnection]>([])
    private let slots: DispatchSemaphore
    private let nextId = Atomic<Int>(0)

    init(configuration: PostgresConnection.Configuration, size: Int, timeout: Int64, logger: Logger) {
        self.configuration = configuration
        self.timeout = timeout
        self.logger = logger
        slots = DispatchSemaphore(value: size)
    }

    /// Runs `body` on a connection of the pool (made when none is idle). The connection goes back to the pool
    /// unless the call failed for another reason than the server's refusal of a statement.
    func with<T>(_ body: (Session) throws -> T) throws -> T {
        slots.wait()
        defer { slots.signal() }
        let connection = try idle.withLock { $0.popLast() }.flatMap { $0.isClosed ? nil : $0 } ?? connect()
        let session = Session(connection: connection, timeout: timeout, logger: logger)
        do {
            let result = try body(session)
            idle.withLock { $0.append(connection) }
            return result
        } catch let error as PSQLError where error.code == .server && !connection.isClosed {
            idle.withLock { $0.append(connection) }
            throw error
        } catch {
            Self.discard(connection)
            throw error
        }
    }

    /// Closes a connection and keeps it until it is closed: a connection let go while its channel is still open
    /// is a bug to postgres-nio (an assertion, which ended a debug build when the server went away mid-statement).
    static func discard(_ connection: PostgresConnection) {
        let closing: EventLoopFuture<Void> = connection.close()
        closing.whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    /// A new connection, within the deadline.
    private func connect() throws -> PostgresConnection {
        let loop = MultiThreadedEventLoopGroup.singleton.any()
        let id = nextId.add(1, ordering: .relaxed).newValue
        let future = PostgresConnection.connect(on: loop, configuration: configuration, id: id, logger: logger)
        return try Session.wait(future, on: loop, seconds: timeout) { future.whenSuccess { PostgresConnections.discard($0) } }
    }

    /// Closes the idle connections.
    func close() {
        for connection in idle.withLock({ list in defer { list.removeAll() }; return list }) {
            try? (connection.close() as EventLoopFuture<Void>).wait()
        }
    }
}

/// One connection, used by one thread at a time.
struct Session {
    let connection: PostgresConnection
    let timeout: Int64
    let logger: Logger

    /// Runs a statement and collects its rows, within the deadline.
    @discardableResult
    func query(_ query: PostgresQuery) throws -> [PostgresRow] {
        let future = connection.query(query, logger: logger)
        return try Self.wait(future, on: connection.eventLoop, seconds: timeout) { [connection] in PostgresConnections.discard(connection) }.rows
    }

    /// Runs `body` in a transaction: COMMIT when it returns, ROLLBACK when it throws.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        try query("BEGIN")
        do {
            let result = try body()
            try query("COMMIT")
            return result
        } catch {
            if !connection.isClosed { _ = try? query("ROLLBACK") }
            throw error
        }
    }

    /// Waits for `future` at most `seconds`; past them `onTimeout` runs (it closes the connection) and the wait
    /// fails with DG5023.
    static func wait<T: Sendable>(_ future: EventLoopFuture<T>, on loop: any EventLoop, seconds: Int64,
                                  onTimeout: @escaping @Sendable () -> Void) throws -> T {
        let promise = loop.makePromise(of: T.self)
        let deadline = loop.scheduleTask(in: .seconds(seconds)) {
            promise.fail(PostgresDeadline(seconds: seconds))
            onTimeout()
        }
        future.cascade(to: promise)
        defer { deadline.cancel() }
        return try promise.futureResult.wait()
    }
}

/// A call the server did not answer within its deadline: the server counts as not reachable.
struct PostgresDeadline: Error {
    let seconds: Int64

    var journalError: JournalError {
        JournalError(code: "DG5023", message: LocalizedText(
            ru: "сервер PostgreSQL не ответил за \(seconds) с", en: "the PostgreSQL server did not answer within \(seconds) s"))
    }
}
