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
        subcommands: [Validate.self, Inspect.self, Render.self, Sign.self, Verify.self, Compute.self, Summary.self, Report.self, Generate.self, Export.self, SchemasCommand.self, CodesCommand.self, RunHandover.self, ConfigHandover.self, JournalHandover.self]
    )
}

extension Docgate {
    static func main() {
        runWithDocgateExitCodes()
    }
}

enum DocgateVersion {
    static let current = "0.1.0"
}
