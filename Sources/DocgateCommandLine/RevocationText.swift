import DocgateCore
import DocgateCrypto

/// How `inspect --trust` shows a signer's certification path and each certificate's revocation status.
public enum RevocationText {
    /// Text lines for a signer's certification path: each certificate with its revocation status.
    public static func lines(_ path: [PathCertificate], _ language: Language) -> [String] {
        guard !path.isEmpty else { return [] }
        let ru = language == .ru
        var lines = [ru ? "Путь сертификации:" : "Certification path:"]
        for (i, c) in path.enumerated() {
            var text = "  \(i + 1). \(c.subject) (" + (ru ? "серийный номер " : "serial ") + c.serial + "): "
            if c.isAnchor {
                text += ru ? "доверенный сертификат, статус не запрашивается" : "trusted certificate, status not asked"
            } else {
                text += "CRL " + status(c.crl, language) + "; OCSP " + status(c.ocsp, language)
            }
            lines.append(text)
        }
        return lines
    }

    /// One revocation check as words: good, revoked (date, reason), unknown or not checked.
    public static func status(_ check: RevocationCheck, _ language: Language) -> String {
        let ru = language == .ru
        switch check {
        case .notChecked: return ru ? "не проверялся" : "not checked"
        case .good: return ru ? "не отозван" : "good"
        case .revoked(let at, let reason):
            return (ru ? "ОТОЗВАН" : "REVOKED") + (at.map { (ru ? " " : " at ") + UTCTime.iso($0) } ?? "")
                + (ru ? ", причина " : ", reason ") + (reason ?? (ru ? "не указана" : "not given"))
        case .unknown(let why): return (ru ? "неизвестно" : "unknown") + " (" + why[language] + ")"
        }
    }

    /// The certification path as a JSON array of certificates with their revocation status.
    public static func json(_ path: [PathCertificate], _ language: Language) -> String {
        JSONText.array(path.map { c in
            JSONText.object([("subject", JSONText.string(c.subject)), ("serial", JSONText.string(c.serial)),
                             ("anchor", c.isAnchor ? "true" : "false"), ("crl", json(c.crl, language)), ("ocsp", json(c.ocsp, language))])
        })
    }

    /// One revocation check as a JSON object: `status` (good, revoked, unknown, not-checked), with `revokedAt` and
    /// `reason` when revoked, `detail` when unknown; its source (CRL or OCSP) is the key it is put under.
    public static func json(_ check: RevocationCheck, _ language: Language) -> String {
        switch check {
        case .notChecked: return JSONText.object([("status", JSONText.string("not-checked"))])
        case .good: return JSONText.object([("status", JSONText.string("good"))])
        case .revoked(let at, let reason):
            return JSONText.object([("status", JSONText.string("revoked")), ("revokedAt", JSONText.optional(at.map { UTCTime.iso($0) })),
                                    ("reason", JSONText.optional(reason))])
        case .unknown(let why):
            return JSONText.object([("status", JSONText.string("unknown")), ("detail", JSONText.string(why[language]))])
        }
    }
}
