import ArgumentParser
import DocgateCore
import DocgateCommandLine
import DocgateDocuments
import FoundationEssentials
import Glibc



/// Language and schema directory: what every document command needs, whatever its output format.
struct SetupOptions: ParsableArguments {
    @Option(name: .long, help: "Language of messages: ru or en (default from LANG).")
    var lang: Language?

    @Option(name: .long, help: ArgumentHelp("Directory of docgate's schemas (default: $DOCGATE_SCHEMAS, then beside the executable).", valueName: "dir"))
    var schemas: String?

    /// The language asked for, else the locale's.
    var language: Language {
        if let lang { return lang }
        let env = ProcessInfo.processInfo.environment
        for key in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let v = env[key], !v.isEmpty { return Language.from(locale: v) }
        }
        return .en
    }

    /// The located schema directory; exit 2 when there is none.
    func schemaDirectory() throws -> String {
        do {
            return try DocumentValidator.locateSchemas(explicit: schemas, executable: Executable.path ?? CommandLine.arguments.first)
        } catch {
            Terminal.error(error.code, error.message[language])
            throw Exit.failure
        }
    }

    /// A validator over the located schema set; a setup failure ends the command with exit code 2.
    func makeValidator() throws -> DocumentValidator {
        do {
            return try DocumentValidator(schemaDirectory: try schemaDirectory())
        } catch let error as ValidatorSetupError {
            Terminal.error(error.code, error.message[language])
            throw Exit.failure
        }
    }
}

/// Options every document command with text or JSON output shares.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: text or json.")
    var format: OutputFormat = .text

    @OptionGroup var setup: SetupOptions

    var language: Language { setup.language }
    func schemaDirectory() throws -> String { try setup.schemaDirectory() }
    func makeValidator() throws -> DocumentValidator { try setup.makeValidator() }
}

