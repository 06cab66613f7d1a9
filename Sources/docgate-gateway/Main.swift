import ArgumentParser
import DocgateCommandLine
import DocgateCrypto
import Glibc

/// The gateway's commands. Operators reach them as `docgate run|config|journal` (the document command line
/// hands over to this program), or directly as `docgate-gateway run|config|journal|user`.
@main
struct GatewayMain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docgate",
        abstract: "Шлюз docgate: демон и журнал / The docgate gateway: the daemon and its journal.",
        version: "0.1.0",
        subcommands: [Run.self, ConfigCommand.self, JournalCommand.self, UserCommand.self]
    )

    static func main() {
        // OpenSSL set up by docgate before anything else touches it (no clean-up racing the workers at exit).
        CryptoLibrary.initialize()
        runWithDocgateExitCodes()
    }
}
