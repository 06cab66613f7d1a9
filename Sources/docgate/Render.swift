import ArgumentParser
import DocgateCommandLine
import DocgateCore
import DocgateDocuments
import DocgateProcessing
import Glibc

/// What `render` writes.
enum FormFormat: String, ExpressibleByArgument, CaseIterable {
    /// An HTML page with its print style sheet.
    case html
    /// A PDF printed by headless Chromium.
    case pdf
}

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Печатная форма документа / The document's printable form (HTML or PDF).",
        discussion: """
        Each kind as the form people know, in Russian, on A4: the social order in its three sections, the agreement \
        and the contract with parties, subject, volumes and amounts, the social certificate, the execution report with \
        plan, fact and deviations, the service assignment as Annex 1 with its quarters and the normative calculation, \
        the receipt. The validator's findings and the signatures (signer, party, certificate, verdict; chains checked \
        with --trust) come at the end. PDF is printed by headless Chromium (Debian's chromium package, or the program \
        in DOCGATE_CHROMIUM). Exit 0 when the form was written and the document is valid with every signature \
        verifying, 1 when the form was written but the document is invalid or a signature fails, or when the \
        document has no form (it did not pass its schema: DG5062), 2 on a usage or I/O error or when PDF printing \
        fails (DG5060, DG5061).
        """
    )

    @OptionGroup var setup: SetupOptions

    @OptionGroup var trustOptions: TrustOptions

    @Option(name: .long, help: "Output format: html or pdf.")
    var format: FormFormat = .html

    @Option(name: .long, help: ArgumentHelp("Write the form here (default: standard output; PDF only to a file or a pipe).", valueName: "file"))
    var out: String?

    @Option(name: .customLong("pdf-timeout"), help: ArgumentHelp("Seconds Chromium may take to print (1–3600).", valueName: "seconds"))
    var pdfTimeout = 120

    @Argument(help: ArgumentHelp("The document.", valueName: "file"))
    var file: String

    func validate() throws {
        guard (1...3600).contains(pdfTimeout) else { throw ValidationError("--pdf-timeout must be 1–3600 seconds") }
    }

    func run() throws {
        let language = setup.language
        let ru = language == .ru
        if format == .pdf && out == nil && isatty(1) == 1 {
            Terminal.error(.DG5003, ru ? "PDF не выводится на терминал — укажите --out" : "PDF is not written to a terminal — give --out")
            throw Exit.failure
        }
        if let out, FileIdentity.same(out, file) {
            Terminal.error(.DG5002, ru ? "выходной файл совпадает с входным: \(out)" : "the output is the input itself: \(out)")
            throw Exit.failure
        }
        let processor = DocumentProcessor(validator: try setup.makeValidator())
        let verifier = try trustOptions.makeVerifier(language)
        let bytes: [UInt8]
        switch processor.read(file) {
        case .success(let b): bytes = b
        case .failure(let failure):
            Terminal.error(.DG5001, "\(SafeText.escaped(file)): \(failure.reason)")
            throw Exit.failure
        }
        let html: String, valid: Bool
        switch DocumentForm.make(bytes: bytes, file: file, validator: processor.validator, verifier: verifier) {
        case .form(let h, let report, let signatures):
            html = h
            valid = report.valid && (signatures?.diagnostics.allowsValidity ?? true)
        case .noForm(let report):
            for d in report.diagnostics { Terminal.raw(fd: 2, "    " + ReportRenderer.describe(d, language) + "\n") }
            Terminal.error(.DG5062, ru ? "печатная форма не строится: документ не прошёл проверку по схеме" : "no printable form: the document did not pass its schema")
            throw Exit.invalid
        case .unreadable(let path, let reason):
            Terminal.error(.DG5001, "\(SafeText.escaped(path)): \(reason)")
            throw Exit.failure
        }
        try write(format == .html ? Array(html.utf8) : try printPDF(html, language), language)
        if !valid { throw Exit.invalid }
    }

    private func printPDF(_ html: String, _ language: Language) throws -> [UInt8] {
        do throws(PDFError) {
            return try PDFPrinter(timeout: pdfTimeout).pdf(html: html)
        } catch {
            Terminal.error(error.code, error.message[language])
            throw Exit.failure
        }
    }

    private func write(_ bytes: [UInt8], _ language: Language) throws {
        guard let out else { return Terminal.bytes(bytes) }
        do throws(WriteError) { try AtomicFile.write(bytes, to: out) } catch {
            Terminal.error(.DG5002, (language == .ru ? "не удалось записать \(out): " : "cannot write \(out): ") + error.reason)
            throw Exit.failure
        }
    }
}
