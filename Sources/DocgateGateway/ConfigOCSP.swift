import DocgateCrypto
import TOMLKit

extension Reader {
    /// The top-level OCSP keys: `ocsp = true` (responders from the certificates' Authority Information Access),
    /// `ocsp_url` (one responder for all, http:// only; implies `ocsp`), `ocsp_timeout` (seconds, 1–300, default 5).
    /// Checked with `trust`, like `crl`.
    mutating func ocsp(_ table: TOMLTable, trust: String?) -> (enabled: Bool, url: String?, timeout: Int) {
        var asked: Bool?
        if let value = table["ocsp"] {
            asked = value.bool
            if asked == nil { problem("ocsp", ru: "ожидается true или false", en: "true or false is expected") }
        }
        let url = string(table, "ocsp_url", "")
        if let url, let problem = OCSPSettings.problem(url: url) {
            self.problem("ocsp_url", ru: problem.ru, en: problem.en)
        }
        if url != nil, asked == false {
            problem("ocsp_url", ru: "адрес задан, а ocsp = false", en: "an address is given, but ocsp = false")
        }
        let range = OCSPSettings.timeoutRange
        let seconds = number(table, "ocsp_timeout", "", default: Double(OCSPSettings.defaultTimeout),
                             range: Double(range.lowerBound)...Double(range.upperBound))
        let enabled = asked ?? (url != nil)
        if table["ocsp_timeout"] != nil, !enabled {
            problem("ocsp_timeout", ru: "задан без ocsp или ocsp_url", en: "given without ocsp or ocsp_url")
        }
        if enabled, trust == nil {
            problem(table["ocsp"] != nil ? "ocsp" : "ocsp_url", ru: "OCSP проверяется вместе с ключом trust", en: "OCSP is checked with the trust key")
        }
        return (enabled, url, Int(seconds.rounded(.up)))
    }
}

extension GatewayConfig {
    /// How the gateway's trust store asks OCSP responders; nil when it does not.
    public var ocspSettings: OCSPSettings? {
        ocsp ? OCSPSettings(responder: ocspURL, timeout: ocspTimeout) : nil
    }
}
