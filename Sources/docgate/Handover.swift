import DocgateCore
import ArgumentParser
import DocgateCommandLine
import Glibc

/// `docgate run|config|journal …` run the gateway program that is installed beside this one
/// (`docgate-gateway`), with the same arguments: the daemon's libraries (HTTP, SQLite, TOML) stay out of the
/// document command line, which starts in a few milliseconds for every batch.
enum Handover {
    static func exec(_ arguments: [String]) throws -> Never {
        let own = Executable.path ?? CommandLine.arguments[0]
        let dir = own.contains("/") ? String(own[..<own.lastIndex(of: "/")!]) : "."
        let gateway = dir + "/docgate-gateway"
        let argv: [UnsafeMutablePointer<CChar>?] = ([gateway] + arguments).map { strdup($0) } + [nil]
        execv(gateway, argv)
        Terminal.error(.DG5025, "cannot run \(gateway): \(String(cString: strerror(errno)))")
        throw Exit.failure
    }
}

struct RunHandover: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Запустить шлюз / Run the gateway daemon (docgate run --config gateway.toml [--once]).",
        helpNames: []
    )

    @Argument(parsing: .allUnrecognized, help: "Options of the gateway (see docgate run --help).")
    var arguments: [String] = []

    func run() throws { try Handover.exec(["run"] + arguments) }
}

struct ConfigHandover: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Проверить конфигурацию шлюза / Check a gateway configuration (docgate config check FILE).",
        helpNames: []
    )

    @Argument(parsing: .allUnrecognized, help: "check FILE")
    var arguments: [String] = []

    func run() throws { try Handover.exec(["config"] + arguments) }
}

struct JournalHandover: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Журнал шлюза / The gateway's journal: list, show, stats, requeue.",
        helpNames: []
    )

    @Argument(parsing: .allUnrecognized, help: "list|show|stats|requeue --config FILE …")
    var arguments: [String] = []

    func run() throws { try Handover.exec(["journal"] + arguments) }
}
