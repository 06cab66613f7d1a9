import ArgumentParser
import DocgateCommandLine
import DocgateCore
import DocgateCrypto
import DocgateDocuments
import DocgateProcessing
import DocgateSignature
import DocgateXML

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Показать сведения о документе / Show what a document is: kind, identity, parties, totals, findings.",
        discussion: """
        Signatures are listed with algorithm, signer, serial, validity and verdict; their certificate chains are \
        checked when --trust is given, and then each certificate of a signer's path is shown with its revocation \
        status in the CRLs (--crl, or those in --trust) and from OCSP (--ocsp, --ocsp-url): good, revoked (date, \
        reason), unknown, or not checked. Exit 0 when the document is valid and every signature verifies, 1 when \
        not, 2 on a usage or I/O error.
        """
    )

    @OptionGroup var options: CommonOptions

    @OptionGroup var trustOptions: TrustOptions

    @Argument(help: ArgumentHelp("The document.", valueName: "file"))
    var file: String

    func run() throws {
        let processor = DocumentProcessor(validator: try options.makeValidator())
        let language = options.language
        let report: ValidationReport
        switch processor.validate(file: file, retainRecords: true) {
        case .checked(let r): report = r
        case .unreadable(let path, let reason):
            Terminal.error(.DG5001, ReportRenderer.unreadableDiagnostic("\(path): \(reason)").message[language])
            throw Exit.failure
        }
        var signatures: VerificationReport?
        var paths: [[PathCertificate]] = []
        if let count = report.summary?.signatureCount, count > 0 {
            let verifier = try trustOptions.makeVerifier(language)
            switch DocumentProcessor.verify(file: file, with: verifier) {
            case .checked(let r): signatures = r
            case .unreadable(let path, let reason):
                Terminal.error(.DG5001, ReportRenderer.unreadableDiagnostic("\(path): \(reason)").message[language])
                throw Exit.failure
            }
            do throws(XMLFileError) { paths = try verifier.signerPaths(file: file) } catch {
                Terminal.error(.DG5001, ReportRenderer.unreadableDiagnostic("\(error.path): \(error.reason)").message[language])
                throw Exit.failure
            }
        }
        Terminal.out(options.format == .json ? InspectRenderer.json(report, signatures, language, paths: paths) + "\n"
                                             : InspectRenderer.text(report, signatures, language, paths: paths))
        let signaturesFail = signatures.map { $0.diagnostics.contains(where: \.isError) } ?? false
        if !report.valid || signaturesFail { throw Exit.invalid }
    }
}
