import CCryptoShims
import COpenSSL
import DocgateCore

/// Who a certificate names, as Russian qualified certificates say it: the legal entity's ИНН and ОГРН, a person's
/// ИНН and СНИЛС, an entrepreneur's ОГРНИП (attributes of the subject name, Приказ ФСБ № 795), and the SHA-256
/// fingerprint by which a configured mapping names certificates of PKIs without those attributes.
public struct CertificateIdentity: Sendable, Hashable {
    /// ИНН ЮЛ, 1.2.643.100.4 (10 digits).
    public var innLE: String?
    /// ИНН, 1.2.643.3.131.1.1 (12 digits: a person's, or "00" and a legal entity's in older certificates).
    public var inn: String?
    /// ОГРН, 1.2.643.100.1.
    public var ogrn: String?
    /// ОГРНИП, 1.2.643.100.5.
    public var ogrnip: String?
    /// СНИЛС, 1.2.643.100.3 (digits only).
    public var snils: String?
    /// SHA-256 of the DER certificate, lower-case hexadecimal.
    public var fingerprint: String
    /// The subject names one identifier twice with different values, or an ИНН ЮЛ and a "00"+ИНН of two different
    /// organisations: such a certificate names nobody (only the mapping can bind it).
    public var conflicting = false

    /// An identity from the attributes found (nil when absent) and the certificate's fingerprint.
    public init(innLE: String? = nil, inn: String? = nil, ogrn: String? = nil, ogrnip: String? = nil, snils: String? = nil,
                fingerprint: String, conflicting: Bool = false) {
        self.conflicting = conflicting
        self.innLE = innLE
        self.inn = inn
        self.ogrn = ogrn
        self.ogrnip = ogrnip
        self.snils = snils
        self.fingerprint = fingerprint
    }

    /// OID of ИНН ЮЛ.
    public static let innLEOID = "1.2.643.100.4"
    /// OID of ИНН.
    public static let innOID = "1.2.643.3.131.1.1"
    /// OID of ОГРН.
    public static let ogrnOID = "1.2.643.100.1"
    /// OID of ОГРНИП.
    public static let ogrnipOID = "1.2.643.100.5"
    /// OID of СНИЛС.
    public static let snilsOID = "1.2.643.100.3"

    /// The attributes a person reads: `ИНН ЮЛ 2466012340, ОГРН 1022401123458` (empty when none).
    public var attributes: String {
        Self.listed([("ИНН ЮЛ", innLE), ("ИНН", inn), ("ОГРН", ogrn), ("ОГРНИП", ogrnip), ("СНИЛС", snils)])
            + (conflicting ? " (identifiers that contradict each other / противоречащие друг другу реквизиты)" : "")
    }

    /// The organisation's attributes alone: `ИНН ЮЛ 2466012340, ОГРН 1022401123458`; nil when it names none.
    public var organizationAttributes: String? { Self.listed([("ИНН ЮЛ", innLE), ("ОГРН", ogrn)]).nilIfEmpty }

    /// The person's attributes alone: `ИНН 246500123456, СНИЛС 11223344595`; nil when it names none.
    public var personAttributes: String? { Self.listed([("ИНН", inn), ("ОГРНИП", ogrnip), ("СНИЛС", snils)]).nilIfEmpty }

    private static func listed(_ fields: [(String, String?)]) -> String {
        fields.compactMap { label, value in value.map { "\(label) \($0)" } }.joined(separator: ", ")
    }

    /// A legal entity's certificate (its ИНН ЮЛ or ОГРН), as opposed to a person's or an entrepreneur's.
    public var isLegalEntity: Bool { innLE != nil || ogrn != nil }
}

extension Certificate {
    /// The identifiers in the subject name and the fingerprint.
    public var identity: CertificateIdentity {
        var identity = CertificateIdentity(fingerprint: sha256Fingerprint)
        guard let name = X509_get_subject_name(x509) else { return identity }
        for i in 0..<X509_NAME_entry_count(name) {
            guard let entry = X509_NAME_get_entry(name, i), let object = X509_NAME_ENTRY_get_object(entry),
                  let data = X509_NAME_ENTRY_get_data(entry), let bytes = ASN1_STRING_get0_data(data) else { continue }
            let value = String(decoding: UnsafeBufferPointer(start: bytes, count: Int(ASN1_STRING_length(data))), as: UTF8.self)
            // Digits only: a value with anything else is kept as written, so it matches nothing.
            let trimmed = value.trimmingSpaces
            // Each identifier once: a second, different value makes the certificate name nobody.
            func set(_ field: WritableKeyPath<CertificateIdentity, String?>, _ value: String) {
                if let old = identity[keyPath: field], old != value { identity.conflicting = true }
                identity[keyPath: field] = value
            }
            switch Self.dotted(object) {
            case CertificateIdentity.innLEOID: set(\.innLE, trimmed)
            case CertificateIdentity.innOID: set(\.inn, trimmed)
            case CertificateIdentity.ogrnOID: set(\.ogrn, trimmed)
            case CertificateIdentity.ogrnipOID: set(\.ogrnip, trimmed)
            case CertificateIdentity.snilsOID: set(\.snils, trimmed.filter { $0 != "-" && $0 != " " })
            default: break
            }
        }
        // An ИНН written the old way ("00" and ten digits) is a legal entity's: it must be the ИНН ЮЛ's, when both are.
        if let inn = identity.inn, let innLE = identity.innLE, inn.hasPrefix("00"), inn != "00" + innLE { identity.conflicting = true }
        return identity
    }

    /// SHA-256 of the DER encoding, lower-case hexadecimal.
    public var sha256Fingerprint: String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        guard X509_digest(x509, EVP_sha256(), &digest, &length) == 1 else {
            ERR_clear_error()
            return ""
        }
        return digest.prefix(Int(length)).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    /// The policy OIDs of the certificatePolicies extension, dotted (`1.2.643.100.113.1`); empty without it.
    public var policies: [String] {
        guard let raw = X509_get_ext_d2i(x509, NID_certificate_policies, nil, nil) else {
            ERR_clear_error()
            return []
        }
        let stack = OpaquePointer(raw)
        defer { CERTIFICATEPOLICIES_free(stack) }
        var found: [String] = []
        for i in 0..<OPENSSL_sk_num(stack) {
            guard let info = OPENSSL_sk_value(stack, i)?.assumingMemoryBound(to: POLICYINFO.self),
                  let id = info.pointee.policyid else { continue }
            found.append(Self.dotted(id))
        }
        return found
    }

    /// An object identifier in dotted form, never its short name.
    static func dotted(_ object: OpaquePointer) -> String {
        var buffer = [CChar](repeating: 0, count: 128)
        let n = OBJ_obj2txt(&buffer, Int32(buffer.count), object, 1)
        guard n > 0, Int(n) < buffer.count else { return "" }
        return String(decoding: buffer.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

private extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
