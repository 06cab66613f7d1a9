import DocgateCore
import DocgateCrypto
import DocgateXML

/// The party whose signature a document carries at one place: named by the document itself (its ИНН, ОГРН or
/// СНИЛС), or the gateway for a receipt.
public struct SignerParty: Sendable, Hashable {
    /// Its role in the document (grantor, executor, consumer, issuer …).
    public var role: LocalizedText
    /// Its name as the document gives it.
    public var name: String
    /// ИНН of a legal entity (10 digits) or an entrepreneur (12 digits).
    public var inn: String?
    /// ОГРН, or ОГРНИП for an entrepreneur.
    public var ogrn: String?
    /// A person's СНИЛС, digits only.
    public var snils: String?
    /// True for the gateway's own certificate (receipts): named only by the mapping.
    public var isGateway = false
    /// A party whose signature the document may carry or not (a contract's consumer).
    public var optional = false

    /// A party the document names.
    public init(role: LocalizedText, name: String, inn: String? = nil, ogrn: String? = nil, snils: String? = nil, isGateway: Bool = false,
                optional: Bool = false) {
        self.optional = optional
        self.role = role
        self.name = name
        self.inn = inn
        self.ogrn = ogrn
        self.snils = snils
        self.isGateway = isGateway
    }

    /// The party as a person reads it: `Грантодатель «Минсоцполитики» (ИНН 2466012340, ОГРН 1022401123458)`.
    public var described: LocalizedText {
        let ids = [("ИНН", inn), ("ОГРН", ogrn), ("СНИЛС", snils)].compactMap { l, v in v.map { "\(l) \($0)" } }
            .joined(separator: ", ")
        let tail = ids.isEmpty ? "" : " (\(ids))"
        let quoted = name.isEmpty ? "" : " «\(name)»"
        return LocalizedText(ru: role.ru + quoted + tail, en: role.en + quoted + tail)
    }

    /// The identifiers a mapping file may name this party by.
    var mappingKeys: [String] {
        isGateway ? [SignerMapping.gatewayKey] : [inn, snils].compactMap { $0 }
    }

    /// Whether the certificate names this party: by the subject's attributes, or by the mapping.
    ///
    /// - A legal entity (a ten-digit ИНН): the certificate's ИНН ЮЛ, or its ИНН written as "00" and the ten digits
    ///   (certificates before 2021), and its ОГРН, which must be the party's when the document gives one.
    /// - An entrepreneur (a twelve-digit ИНН): the certificate's ИНН, its ОГРНИП when the document gives one, and no
    ///   legal entity's identifiers (an employee's certificate of some organisation is not the entrepreneur's).
    /// - A person (СНИЛС): the certificate's СНИЛС, and no legal entity's identifiers.
    /// A certificate whose identifiers contradict each other names nobody.
    public func isNamed(by identity: CertificateIdentity, mapping: SignerMapping?) -> Bool {
        if let mapping, mappingKeys.contains(where: { mapping.lists(identity.fingerprint, for: $0) }) { return true }
        if isGateway || identity.conflicting { return false }
        if let snils { return identity.snils == snils && !identity.isLegalEntity }
        guard let inn else { return false }
        if inn.count == 10 {
            guard identity.innLE == inn || identity.inn == "00" + inn || (identity.innLE == nil && identity.inn == inn) else { return false }
            if let ogrn { return identity.ogrn == ogrn }
            return true
        }
        guard identity.inn == inn, !identity.isLegalEntity else { return false }
        if let ogrn { return identity.ogrnip == ogrn }
        return true
    }
}

/// Binds each signature to the party its place names (DG4028, DG4029).
enum SignerCheck {
    /// - Parameter requireAll: a party that has not signed yet (the executor of an agreement the grantor alone
    ///   signed) is an error (DG4036) rather than a warning.
    static func apply(to report: inout VerificationReport, root: XMLNode, signatures: [XMLNode], mapping: SignerMapping,
                      requireAll: Bool, policy: SignaturePolicy) {
        guard let parties = policy.parties(root) else { return }
        let count = min(report.signatures.count, signatures.count, parties.count)
        let identities = report.signatures.prefix(count).map { $0.signer?.identity }
        // Each signature against its own place first: a place its own signer fills is not "the other party's".
        for index in 0..<count {
            report.signatures[index].party = parties[index]
            if let identity = identities[index], parties[index].isNamed(by: identity, mapping: mapping) {
                report.signatures[index].partyMatched = true
            }
        }
        for index in 0..<count where !report.signatures[index].partyMatched {
            guard let identity = identities[index] else { continue }
            let expected = parties[index].described
            // Another party's signature at this place, whose own place it does not fill: the order is wrong.
            let other = parties.indices.first { j in
                j != index && parties[j].isNamed(by: identity, mapping: mapping) && !(j < count && report.signatures[j].partyMatched)
            }
            if let other {
                report.signatures[index].problems.append(SignatureProblem.signatureOrder.diagnostic(LocalizedText(
                    ru: "подпись №\(index + 1) должна принадлежать: \(expected.ru); её поставил: \(parties[other].described.ru), чья подпись №\(other + 1)",
                    en: "signature #\(index + 1) must be from \(expected.en); it is from \(parties[other].described.en), whose signature is #\(other + 1)"),
                    at: signatures[index]))
                continue
            }
            var found = identity.attributes.isEmpty
                ? LocalizedText(ru: "в сертификате нет ИНН, ОГРН или СНИЛС, и его отпечаток SHA-256 \(identity.fingerprint) не указан в файле соответствия",
                                en: "the certificate names no ИНН, ОГРН or СНИЛС, and its SHA-256 fingerprint \(identity.fingerprint) is not in the signer mapping")
                : LocalizedText(ru: "сертификат выдан на \(identity.attributes)", en: "the certificate names \(identity.attributes)")
            if let same = parties.indices.first(where: { $0 != index && parties[$0].isNamed(by: identity, mapping: mapping) }) {
                found = LocalizedText(ru: found.ru + " — это \(parties[same].described.ru), уже подписавший(ая) как №\(same + 1)",
                                      en: found.en + " — that is \(parties[same].described.en), who already signed as #\(same + 1)")
            }
            report.signatures[index].problems.append(SignatureProblem.notTheParty.diagnostic(LocalizedText(
                ru: "ожидается подпись: \(expected.ru); \(found.ru)", en: "expected the signature of \(expected.en); \(found.en)"),
                at: signatures[index]))
        }
        // Parties that have not signed yet.
        for party in parties.dropFirst(report.signatures.count) where !party.optional {
            report.documentProblems.append(SignatureProblem.partyMissing.diagnostic(LocalizedText(
                ru: "нет подписи: \(party.described.ru)", en: "no signature of \(party.described.en)"),
                at: root, severity: requireAll ? .error : .warning))
        }
    }

    /// Each signer's certificate must carry one of `required` (when any).
    static func requirePolicies(_ required: Set<String>, in report: inout VerificationReport, signatures: [XMLNode]) {
        guard !required.isEmpty else { return }
        for index in report.signatures.indices where index < signatures.count {
            guard let signer = report.signatures[index].signer, required.isDisjoint(with: signer.policies) else { continue }
            let wanted = required.sorted().map(CertificatePolicyName.describe).joined(separator: ", ")
            let found = signer.policies.isEmpty ? nil : signer.policies.map(CertificatePolicyName.describe).joined(separator: ", ")
            report.signatures[index].problems.append(SignatureProblem.policyMissing.diagnostic(LocalizedText(
                ru: "требуется одна из политик: \(wanted); в сертификате " + (found ?? "политик нет"),
                en: "one of these policies is required: \(wanted); the certificate " + (found.map { "carries " + $0 } ?? "carries none")),
                at: signatures[index]))
        }
    }
}

/// The qualified-signature classes by name: КС1, КС2, КС3 (Приказ ФСБ № 795) and their OIDs.
public enum CertificatePolicyName {
    /// КС1, КС2, КС3 to their OIDs (1.2.643.100.113.1–3).
    public static let classes = ["КС1": "1.2.643.100.113.1", "КС2": "1.2.643.100.113.2", "КС3": "1.2.643.100.113.3"]

    /// An OID, or a class name (КС1, KC1 in Latin letters, any case) as its OID; nil for anything else.
    public static func oid(_ text: String) -> String? {
        let upper = String(text.uppercased().map { $0 == "K" ? "К" : $0 == "C" ? "С" : $0 })
        if let oid = classes[upper] { return oid }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        return text
    }

    /// `КС2 (1.2.643.100.113.2)` for a class, the OID otherwise.
    static func describe(_ oid: String) -> String {
        classes.first { $0.value == oid }.map { "\($0.key) (\(oid))" } ?? oid
    }
}
