import DocgateCore
import DocgateCrypto
import DocgateXML
import FoundationEssentials
import Glibc

/// The algorithm and namespace URIs of the signature profile (DESIGN.md, Signature profile).
public enum DSig {
    /// The XMLDSig namespace.
    public static let namespace = namespaceLiteral.description
    /// The same URI for comparisons in place (`XMLNode.isInNamespace`).
    static let namespaceLiteral: StaticString = "http://www.w3.org/2000/09/xmldsig#"
    /// The enveloped-signature transform.
    public static let envelopedSignature = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
    /// XPath Filter 2.0 (the subtraction of every ds:Signature).
    public static let filter2 = "http://www.w3.org/2002/06/xmldsig-filter2"
    /// XPath 1.0: accepted as a transform only with the expression that leaves out every ds:Signature.
    public static let xpath = "http://www.w3.org/TR/1999/REC-xpath-19991116"
    /// Exclusive canonicalization without comments: what docgate signs with.
    public static let exclusiveC14N = XMLCanonicalizer.Method.exclusiveURI
    /// Inclusive canonicalization without comments: accepted when verifying (other implementations use it).
    public static let inclusiveC14N = XMLCanonicalizer.Method.inclusiveURI
}

/// How a reference leaves the signatures out of what it covers.
public enum SignatureForm: String, Sendable, Hashable {
    /// enveloped-signature + exclusive C14N: for documents one party signs.
    case enveloped
    /// XPath Filter 2.0 subtracting every ds:Signature + exclusive C14N: for documents two parties sign.
    case subtractAll

}

/// What a kind of document asks of its signatures — their form and whose they must be — as the caller knows its
/// documents (docgate's kinds: `SignaturePolicy.docgate` in DocgateProcessing). The profile itself knows no kinds.
public struct SignaturePolicy: Sendable {
    /// The form for a document whose root element is in this namespace.
    public var form: @Sendable (_ rootNamespace: String?) -> SignatureForm
    /// The parties whose signatures the document carries, in order; nil when no party check applies.
    public var parties: @Sendable (_ root: XMLNode) -> [SignerParty]?

    /// A policy from the caller's knowledge of its documents.
    public init(form: @escaping @Sendable (_ rootNamespace: String?) -> SignatureForm,
                parties: @escaping @Sendable (_ root: XMLNode) -> [SignerParty]?) {
        self.form = form
        self.parties = parties
    }

    /// How many signatures a document may carry: two in the form that subtracts them all, else one.
    public func maximumSignatures(rootNamespace: String?) -> Int {
        form(rootNamespace) == .subtractAll ? 2 : 1
    }

    /// Any XML: one enveloped signature, no party to bind it to.
    public static let generic = SignaturePolicy(form: { _ in .enveloped }, parties: { _ in nil })
}

/// The DG4xxx findings of signature verification and signing.
public enum SignatureProblem: String, Sendable, Hashable, CaseIterable {
    case noSignature = "DG4001"
    case malformed = "DG4002"
    case algorithmNotAllowed = "DG4003"
    case referenceNotAllowed = "DG4004"
    case noCertificate = "DG4005"
    case duplicateIds = "DG4006"
    case misplaced = "DG4007"
    case digestMismatch = "DG4010"
    case signatureInvalid = "DG4011"
    case keyMismatch = "DG4012"
    case splitContent = "DG4013"
    case commentInContent = "DG4014"
    case untrusted = "DG4020"
    case expired = "DG4021"
    case notYetValid = "DG4022"
    case keyUsage = "DG4023"
    case chainFailed = "DG4024"
    case notChecked = "DG4025"
    case revoked = "DG4026"
    case revocationUnknown = "DG4027"
    case notTheParty = "DG4028"
    case signatureOrder = "DG4029"
    case policyMissing = "DG4032"
    case partyMissing = "DG4036"
    case ocspFailed = "DG4034"
    case ocspUnknown = "DG4035"
    case cannotSign = "DG4040"

    /// The catalogue code (DG40xx).
    public var code: String { rawValue }

    /// The general meaning, used as the title in tables and as the message prefix.
    public var title: LocalizedText {
        switch self {
        case .noSignature: .init(ru: "Документ не подписан", en: "The document is not signed")
        case .malformed: .init(ru: "Структура подписи нарушена", en: "The signature is malformed")
        case .algorithmNotAllowed: .init(ru: "Алгоритм или преобразование не допускается профилем подписи",
                                         en: "An algorithm or transform the signature profile does not allow")
        case .referenceNotAllowed: .init(ru: "Ссылка подписи указывает не на корневой элемент документа",
                                         en: "The signature reference does not point at the document's root")
        case .noCertificate: .init(ru: "В подписи нет сертификата подписанта",
                                   en: "The signature carries no signer certificate")
        case .duplicateIds: .init(ru: "Идентификаторы элементов повторяются", en: "Element ids are duplicated")
        case .misplaced: .init(ru: "Подпись расположена не по профилю", en: "The signature is placed against the profile")
        case .digestMismatch: .init(ru: "Подписанное содержимое изменено после подписания",
                                    en: "The signed content was changed after signing")
        case .signatureInvalid: .init(ru: "Значение подписи неверно", en: "The signature value is invalid")
        case .keyMismatch: .init(ru: "Ключ сертификата не соответствует алгоритму подписи",
                                 en: "The certificate's key does not match the signature algorithm")
        case .splitContent: .init(ru: "Комментарий или инструкция обработки разделяет текст подписанного элемента (вне подписи, его можно вставить после подписания)",
                                  en: "A comment or processing instruction splits the text of a signed element (comments are outside the signature and can be inserted after signing)")
        case .commentInContent: .init(ru: "Комментарий или инструкция обработки в подписанном содержимом",
                                      en: "A comment or processing instruction in signed content")
        case .untrusted: .init(ru: "Сертификат выдан недоверенным удостоверяющим центром",
                               en: "The certificate was issued by an untrusted authority")
        case .expired: .init(ru: "Срок действия сертификата истёк", en: "The certificate has expired")
        case .notYetValid: .init(ru: "Сертификат ещё не действует", en: "The certificate is not yet valid")
        case .keyUsage: .init(ru: "Назначение ключа не допускает подписание",
                              en: "The key usage does not allow signing")
        case .chainFailed: .init(ru: "Цепочка сертификатов не проверена", en: "The certificate chain failed")
        case .notChecked: .init(ru: "Цепочка сертификатов не проверялась: не задан список доверенных сертификатов",
                                en: "The certificate chain was not checked: no trusted certificates given")
        case .revoked: .init(ru: "Сертификат отозван (в списке отзыва его издателя или по ответу OCSP)",
                             en: "The certificate is revoked (on its issuer's CRL, or according to OCSP)")
        case .revocationUnknown: .init(ru: "Статус отзыва сертификата неизвестен: нет действующего списка отзыва его издателя",
                                       en: "The certificate's revocation status is unknown: no current CRL from its issuer")
        case .notTheParty: .init(ru: "Документ подписал не тот, кто должен: сертификат не принадлежит стороне документа",
                                 en: "The signer is not the party that must sign: the certificate does not name the document's party")
        case .signatureOrder: .init(ru: "Подписи сторон стоят не в том порядке", en: "The parties' signatures are in the wrong order")
        case .partyMissing: .init(ru: "Документ подписан не всеми сторонами, которые его подписывают", en: "A party that signs the document has not signed it")
        case .policyMissing: .init(ru: "Сертификат не выпущен по требуемой политике (классу средства подписи)",
                                   en: "The certificate does not carry a required certificate policy (signature tool class)")
        case .ocspFailed: .init(ru: "Статус отзыва сертификата не получен по OCSP: ответчик недоступен, не ответил вовремя, ответил ошибкой или его ответ не прошёл проверку",
                                en: "The certificate's revocation status could not be obtained by OCSP: the responder is unreachable, did not answer in time, answered with an error, or its answer failed verification")
        case .ocspUnknown: .init(ru: "OCSP-ответчик не знает сертификат (статус unknown)",
                                 en: "The OCSP responder does not know the certificate (status unknown)")
        case .cannotSign: .init(ru: "Документ нельзя подписать", en: "The document cannot be signed")
        }
    }

    func diagnostic(_ detail: LocalizedText? = nil, at node: XMLNode? = nil, severity: Severity = .error) -> Diagnostic {
        var message = title
        if let detail {
            message = LocalizedText(ru: title.ru + ": " + detail.ru, en: title.en + ": " + detail.en)
        }
        return Diagnostic(code: code, severity: severity, line: node.map(\.line),
                          path: node.map(\.path), message: message)
    }
}

/// Base64 as XMLDSig carries it: whitespace anywhere is allowed, nothing else outside the alphabet; padding only
/// at the end, the whole a multiple of four characters.
package enum Base64 {
    /// The text content of an element (its text children), decoded without making a string of it, into an array
    /// sized once from the text's length.
    static func decode(textOf node: XMLNode) -> [UInt8]? {
        var total = 0
        _ = node.withTextChunks { chunk in
            total += chunk.count
            return true
        }
        guard total > 0 else { return nil }
        var valid = false
        let out = [UInt8](unsafeUninitializedCapacity: total / 4 * 3 + 3) { buffer, count in
            count = 0
            decodeTable.withUnsafeBufferPointer { table in
                var decoder = Decoder(out: buffer.baseAddress!, table: table.baseAddress!)
                guard node.withTextChunks({ decoder.feed($0) }) else { return }
                guard let written = decoder.finish() else { return }
                count = written
                valid = written > 0
            }
        }
        return valid ? out : nil
    }

    private struct Decoder {
        let out: UnsafeMutablePointer<UInt8>
        let table: UnsafePointer<UInt8>
        var written = 0
        var quantum: UInt32 = 0
        var count = 0
        var padding = 0

        init(out: UnsafeMutablePointer<UInt8>, table: UnsafePointer<UInt8>) {
            self.out = out
            self.table = table
        }

        mutating func feed(_ chunk: UnsafeBufferPointer<UInt8>) -> Bool {
            guard let bytes = chunk.baseAddress else { return true }
            let length = chunk.count
            var i = 0
            while i < length {
                // Four characters of the alphabet at a quantum's start: the common case, decoded at once.
                if count == 0, padding == 0, i + 4 <= length {
                    let a = table[Int(bytes[i])], b = table[Int(bytes[i + 1])]
                    let c = table[Int(bytes[i + 2])], d = table[Int(bytes[i + 3])]
                    if a | b | c | d < 64 {
                        let q = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                        out[written] = UInt8(truncatingIfNeeded: q >> 16)
                        out[written + 1] = UInt8(truncatingIfNeeded: q >> 8)
                        out[written + 2] = UInt8(truncatingIfNeeded: q)
                        written += 3
                        i += 4
                        continue
                    }
                }
                let v = table[Int(bytes[i])]
                i += 1
                if v < 64 {
                    if padding > 0 { return false }
                    quantum = quantum << 6 | UInt32(v)
                    count += 1
                    if count == 4 {
                        out[written] = UInt8(truncatingIfNeeded: quantum >> 16)
                        out[written + 1] = UInt8(truncatingIfNeeded: quantum >> 8)
                        out[written + 2] = UInt8(truncatingIfNeeded: quantum)
                        written += 3
                        quantum = 0
                        count = 0
                    }
                } else if v == 65 {                                   // '='
                    padding += 1
                    if padding > 2 || count + padding > 4 || count < 2 { return false }
                } else if v != 64 {                                   // not whitespace
                    return false
                }
            }
            return true
        }

        /// The number of bytes written, nil when the text ends inside a quantum.
        mutating func finish() -> Int? {
            switch (count, padding) {
            case (0, 0): break
            case (2, 2):
                out[written] = UInt8(truncatingIfNeeded: quantum >> 4)
                written += 1
            case (3, 1):
                out[written] = UInt8(truncatingIfNeeded: quantum >> 10)
                out[written + 1] = UInt8(truncatingIfNeeded: quantum >> 2)
                written += 2
            default: return nil
            }
            return written
        }
    }

    /// Encoded in lines of 76 characters (the MIME width), separated by `\n`.
    package static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        encode(bytes, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The same, appended to `out`: the signer writes values straight into the signature's text.
    static func encode(_ bytes: [UInt8], into out: inout [UInt8]) {
        let groups = (bytes.count + 2) / 3
        out.reserveCapacity(out.count + groups * 4 + groups / 19)
        var i = 0
        var written = 0
        while i < bytes.count {
            if written == 76 {
                out.append(0x0A)
                written = 0
            }
            let b0 = UInt32(bytes[i])
            let b1 = i + 1 < bytes.count ? UInt32(bytes[i + 1]) : 0
            let b2 = i + 2 < bytes.count ? UInt32(bytes[i + 2]) : 0
            let quantum = b0 << 16 | b1 << 8 | b2
            out.append(encodeTable[Int(quantum >> 18)])
            out.append(encodeTable[Int(quantum >> 12 & 63)])
            out.append(i + 1 < bytes.count ? encodeTable[Int(quantum >> 6 & 63)] : 0x3D)
            out.append(i + 2 < bytes.count ? encodeTable[Int(quantum & 63)] : 0x3D)
            i += 3
            written += 4
        }
    }
}

private let encodeTable: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

/// 0–63 for the alphabet, 64 for whitespace, 65 for '=', 255 for anything else.
private let decodeTable: [UInt8] = {
    var table = [UInt8](repeating: 255, count: 256)
    for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() { table[Int(c)] = UInt8(i) }
    for c in [0x20, 0x0A, 0x0D, 0x09] { table[c] = 64 }
    table[Int(UInt8(ascii: "="))] = 65
    return table
}()
