import ArgumentParser
import DocgateCommandLine
import Glibc

/// The command-line entry point. Commands only parse arguments and call the libraries.
@main
struct Docgate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docgate",
        abstract: "Шлюз электронных документов социального заказа (189-ФЗ) / Electronic document gateway for the state social order (189-FZ).",
        discussion: """
        Exit codes: 0 — all documents valid; 1 — a document is invalid; 2 — usage, configuration or I/O error.
        Language: --lang ru|en, else LC_ALL / LC_MESSAGES / LANG (ru_* gives Russian).
        """,
        version: DocgateVersion.current,
        subcommands: [Validate.self, Inspect.self, Sign.self, Verify.self, Compute.self, Summary.self, Report.self, SchemasCommand.self, RunHandover.self, ConfigHandover.self, JournalHandover.self]
    )
}

extension Docgate {
    /// Runs the command, with docgate's exit codes: usage errors exit 2 (not ArgumentParser's 64), help and
    /// version exit 0, a command's own `ExitCode` passes through.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Self.exit(withError: exit)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                Self.exit(withError: error)
            }
            Terminal.raw(fd: 2, fullMessage(for: error) + "\n")
            Glibc.exit(2)
        }
    }
}

enum DocgateVersion {
    static let current = "0.1.0"
}
