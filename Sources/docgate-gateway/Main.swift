import ArgumentParser
import DocgateCommandLine
import Glibc

/// The gateway's commands. Operators reach them as `docgate run|config|journal` (the document command line
/// hands over to this program), or directly as `docgate-gateway run|config|journal`.
@main
struct GatewayMain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docgate",
        abstract: "Шлюз docgate: демон и журнал / The docgate gateway: the daemon and its journal.",
        version: "0.1.0",
        subcommands: [Run.self, ConfigCommand.self, JournalCommand.self]
    )

    static func main() {
        runWithDocgateExitCodes()
    }
}
