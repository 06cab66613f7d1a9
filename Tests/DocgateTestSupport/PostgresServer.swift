import Foundation
import Glibc
import Synchronization

/// A PostgreSQL cluster of the test's own: `initdb` in a temporary directory (password authentication, SCRAM),
/// the server on 127.0.0.1 at a free port and on a Unix socket in the same directory, stopped and removed by
/// `remove()`. Under root the server runs as the `postgres` user (PostgreSQL refuses root). The binaries come
/// from Debian's postgresql-15 (scripts/setup installs it).
public final class PostgresServer: Sendable {
    /// The cluster's directory: `data/`, the socket, the server's log.
    public let dir: TemporaryDirectory
    /// The TCP port on 127.0.0.1 (also the number in the socket's name).
    public let port: Int
    /// The role the journal logs in as, and its password.
    public let user = "docgate"
    public let password: String
    /// A file holding the password, 0600, the test's own.
    public let passwordFile: String
    private let tools: Tools

    /// Makes and starts a new cluster; throws when PostgreSQL is not installed or does not start.
    public init() throws {
        guard let bin = Self.binaries() else { throw ServerError("PostgreSQL's initdb is not installed (scripts/setup installs postgresql-15)") }
        dir = try TemporaryDirectory("pg")
        password = UUID().uuidString
        let root = geteuid() == 0
        tools = Tools(bin: bin, prefix: root ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : [], cluster: dir.file("cluster"))
        try FileManager.default.createDirectory(atPath: dir.file("cluster"), withIntermediateDirectories: true)
        let pw = try dir.write("cluster/pw", password + "\n")
        passwordFile = try dir.write("password", password + "\n")
        chmod(passwordFile, 0o600)
        if root {
            chmod(dir.path, 0o755)
            _ = try ProcessRunner.run("/bin/chown", ["-R", "postgres:postgres", dir.file("cluster")])
        }
        try tools.check(tools.run("initdb", ["-D", dir.file("cluster/data"), "-U", user, "--pwfile=" + pw, "--auth=scram-sha-256",
                                             "-E", "UTF8", "--locale=C", "--no-sync"]), "initdb")
        var port = 0
        for _ in 0..<5 {
            let candidate = try Self.freePort()
            if (try? tools.start(port: candidate)) != nil { port = candidate; break }
        }
        guard port != 0 else { throw ServerError("the server did not start: \(tools.log)") }
        self.port = port
    }

    /// The programs, run as the cluster's owner.
    struct Tools: Sendable {
        let bin: String
        let prefix: [String]
        let cluster: String

        func run(_ program: String, _ args: [String]) throws -> ProcessResult {
            let command = prefix + [bin + "/" + program] + args
            return try ProcessRunner.run(command[0], Array(command.dropFirst()), timeout: 90)
        }

        func check(_ r: ProcessResult, _ what: String) throws {
            guard r.status == 0 else { throw ServerError("\(what) failed (\(r.status)): \(r.stderr) \(r.stdout)") }
        }

        func start(port: Int) throws {
            let options = "-h 127.0.0.1 -k \(cluster) -p \(port) -c fsync=off -c max_connections=300"
            try check(run("pg_ctl", ["-D", cluster + "/data", "-l", cluster + "/log", "-o", options, "-w", "-t", "60", "start"]), "pg_ctl start")
        }

        var log: String { (try? String(contentsOfFile: cluster + "/log", encoding: .utf8)) ?? "" }
    }

    /// The URL of a database of this cluster, over TCP or through the Unix socket.
    public func url(_ database: String = "postgres", socket: Bool = false) -> String {
        socket ? "postgresql://\(user)@:\(port)/\(database)?host=\(dir.file("cluster"))" : "postgresql://\(user)@127.0.0.1:\(port)/\(database)"
    }

    /// A new, empty database; its name.
    public func createDatabase() throws -> String {
        let name = "t" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        try psql("CREATE DATABASE \(name)")
        return name
    }

    /// Runs SQL through psql on `database`; its output.
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        var env = ProcessInfo.processInfo.environment
        env["PGPASSWORD"] = password
        let r = try ProcessRunner.run(tools.bin + "/psql", ["-h", "127.0.0.1", "-p", "\(port)", "-U", user, "-d", database, "-XAtq",
                                                      "-v", "ON_ERROR_STOP=1", "-c", sql], environment: env)
        try tools.check(r, "psql")
        return r.stdout
    }

    /// Stops the server: `fast` as an administrator would, `immediate` as a crash (no checkpoint; recovery at the
    /// next start).
    public func stop(_ mode: String = "fast") throws {
        try tools.check(tools.run("pg_ctl", ["-D", dir.file("cluster/data"), "-m", mode, "-w", "stop"]), "pg_ctl stop")
    }

    /// Starts it again on its port.
    public func start() throws { try tools.start(port: port) }

    /// Stops the server (immediately) and removes the cluster.
    public func remove() {
        _ = try? tools.run("pg_ctl", ["-D", dir.file("cluster/data"), "-m", "immediate", "-w", "stop"])
        dir.remove()
    }

    /// The server's log.
    public var log: String { tools.log }

    /// The newest installed PostgreSQL's binaries.
    static func binaries() -> String? {
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []).compactMap(Int.init).sorted()
        return versions.reversed().map { "/usr/lib/postgresql/\($0)/bin" }.first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
    }

    /// A port free on 127.0.0.1 a moment ago.
    static func freePort() throws -> Int {
        let listener = try SilentListener()
        listener.close()
        return listener.port
    }

    /// One cluster for the whole test run (each test makes its own database in it); tests that stop the server
    /// make their own.
    public static func shared() throws -> PostgresServer { try made.get() }
    private static let made: Result<PostgresServer, any Error> = {
        let made = Result { try PostgresServer() }
        // Stopped and removed when the test process ends.
        atexit { if case .success(let server) = PostgresServer.made { server.remove() } }
        return made
    }()

    public struct ServerError: Error, CustomStringConvertible {
        public var description: String
        public init(_ text: String) { description = text }
    }
}
