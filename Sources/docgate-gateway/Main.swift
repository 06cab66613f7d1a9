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

    /// Usage errors exit 2 (not ArgumentParser's 64); help and version exit 0.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Self.exit(withError: exit)
        } catch {
            if exitCode(for: error) == .success { Self.exit(withError: error) }
            Terminal.raw(fd: 2, fullMessage(for: error) + "\n")
            Glibc.exit(2)
        }
    }
}
