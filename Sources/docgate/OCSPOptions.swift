import ArgumentParser
import DocgateCommandLine
import DocgateCore
import DocgateCrypto

/// OCSP for signer paths (`verify`, `inspect`): off unless asked for.
struct OCSPOptions: ParsableArguments {
    @Flag(name: .long, help: "Ask OCSP about every certificate of a signer's path but the trusted one, at the responder its Authority Information Access names; no usable answer fails (DG4034).")
    var ocsp = false

    @Option(name: .customLong("ocsp-url"), help: ArgumentHelp("Ask this OCSP responder (http://) instead of the certificates' own; implies --ocsp.", valueName: "url"))
    var ocspURL: String?

    @Option(name: .customLong("ocsp-timeout"), help: ArgumentHelp("Seconds one OCSP exchange may take (1–300, default 5).", valueName: "seconds"))
    var ocspTimeout: Int = OCSPSettings.defaultTimeout

    /// The settings asked for, nil when OCSP is off; a wrong address or timeout ends the command with exit code 2.
    func settings(_ language: Language) throws -> OCSPSettings? {
        guard ocsp || ocspURL != nil else { return nil }
        if let ocspURL, let problem = OCSPSettings.problem(url: ocspURL) {
            Terminal.error(.DG5003, "--ocsp-url: " + problem[language])
            throw Exit.failure
        }
        guard OCSPSettings.timeoutRange.contains(ocspTimeout) else {
            Terminal.error(.DG5003, "--ocsp-timeout: " + (language == .ru ? "ожидается число секунд от 1 до 300" : "a number of seconds from 1 to 300 is expected"))
            throw Exit.failure
        }
        return OCSPSettings(responder: ocspURL, timeout: ocspTimeout)
    }
}
