import ArgumentParser
import DocgateCommandLine
import DocgateCore

/// `docgate codes`: the catalogue of every code docgate reports, as a table, Markdown or JSON.
struct CodesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codes",
        abstract: "Коды диагностик / Every code docgate reports, with its severity and meaning.",
        discussion: "--format markdown prints the table of docs/codes.md; json a list of {code, severity, ru, en}. Exit 0."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, markdown, json
    }

    @Option(name: .long, help: "text (default), markdown or json.")
    var format: Format = .text

    @OptionGroup var setup: SetupOptions

    func run() {
        let language = setup.language
        switch format {
        case .markdown:
            Terminal.out(CodeCatalogue.markdown(language))
        case .json:
            let items = CodeCatalogue.entries.map { e in
                JSONText.object([("code", JSONText.string(e.code.rawValue)), ("severity", JSONText.string(e.severity.rawValue)),
                                 ("ru", JSONText.string(e.meaning.ru)), ("en", JSONText.string(e.meaning.en))])
            }
            Terminal.out(JSONText.array(items) + "\n")
        case .text:
            Terminal.out(CodeCatalogue.entries.map { e in
                "\(e.code.rawValue)  \(e.severity.label(language))  \(e.meaning[language])\n"
            }.joined())
        }
    }
}
