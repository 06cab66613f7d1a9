import DocgateCore
import DocgateCrypto
import DocgateXML
import Glibc
import Synchronization

/// A ds:Signature read strictly against the profile. Anything the profile does not name is refused here, before
/// any cryptography runs.
struct ParsedSignature {
    var signedInfo: XMLNode
    var signedInfoC14N: XMLCanonicalizer.Method
    var signatureMethod: XMLNode
    var algorithm: SignatureAlgorithm
    var digest: DigestAlgorithm
    var coversDocument: Bool
    var removesAllSignatures: Bool
    var referenceC14N: XMLCanonicalizer.Method
    var formDescription: String
    var digestValue: [UInt8]
    var digestValueNode: XMLNode
    var signatureValue: [UInt8]
    var signatureValueNode: XMLNode
    var keyInfo: XMLNode?
    var certificates: [Certificate]

    private static func malformed(_ ru: String, _ en: String, _ node: XMLNode) -> Diagnostic {
        SignatureProblem.malformed.diagnostic(LocalizedText(ru: ru, en: en), at: node)
    }

    private static func notAllowed(_ uri: String, _ node: XMLNode) -> Diagnostic {
        SignatureProblem.algorithmNotAllowed.diagnostic(LocalizedText(ru: uri, en: uri), at: node)
    }

    private static func children(_ node: XMLNode) -> Result<[XMLNode], Diagnostic> {
        guard let list = Tree.elementChildren(node) else {
            return .failure(malformed("текст внутри элемента \(node.name)",
                                      "text inside the element \(node.name)", node))
        }
        return .success(list)
    }

    /// Expects the element children of `node` to be exactly the ds elements named, in order (optional ones
    /// marked), nothing else; returns them in the order named, nil for an optional one that is absent.
    private static func expect(_ node: XMLNode, _ names: [(name: StaticString, optional: Bool)]) -> Result<[XMLNode?], Diagnostic> {
        let list: [XMLNode]
        switch children(node) {
        case .failure(let d): return .failure(d)
        case .success(let l): list = l
        }
        var found: [XMLNode?] = []
        found.reserveCapacity(names.count)
        var index = 0
        for (name, optional) in names {
            if index < list.count, Tree.isDSigElement(list[index]), list[index].isNamed(name) {
                found.append(list[index])
                index += 1
            } else if !optional {
                return .failure(malformed("нет элемента \(name) в \(node.name)",
                                          "no \(name) element in \(node.name)", node))
            } else {
                found.append(nil)
            }
        }
        if index < list.count {
            let extra = list[index].name
            return .failure(malformed("лишний элемент \(extra) в \(node.name)",
                                      "unexpected element \(extra) in \(node.name)", list[index]))
        }
        return .success(found)
    }

    static func parse(_ signature: XMLNode, root: XMLNode, certificates cache: CertificateCache? = nil)
        -> Result<ParsedSignature, Diagnostic> {
        Result { () throws(Diagnostic) in
            // SignedInfo, SignatureValue, KeyInfo.
            let top = try expect(signature, [("SignedInfo", false), ("SignatureValue", false), ("KeyInfo", true)]).get()
            let signedInfo = top[0]!
            let info = try SignedInfoParts.parse(signedInfo)
            let reference = try ReferenceParts.parse(info.reference, root: root, algorithm: info.algorithm)
            let signatureValueNode = top[1]!
            guard let signatureValue = Base64.decode(textOf: signatureValueNode) else {
                throw malformed("SignatureValue не в кодировке base64", "SignatureValue is not base64", signatureValueNode)
            }
            let certificates = try keyInfoCertificates(top[2], cache: cache)
            return ParsedSignature(
                signedInfo: signedInfo, signedInfoC14N: info.c14n, signatureMethod: info.signatureMethod, algorithm: info.algorithm,
                digest: reference.digest, coversDocument: reference.coversDocument,
                removesAllSignatures: reference.transforms.removesAll, referenceC14N: reference.transforms.c14n,
                formDescription: reference.transforms.description, digestValue: reference.digestValue,
                digestValueNode: reference.digestValueNode, signatureValue: signatureValue,
                signatureValueNode: signatureValueNode, keyInfo: top[2], certificates: certificates)
        }
    }

    /// SignedInfo's children: its canonicalization, the signature method (without parameters) and the one reference.
    private struct SignedInfoParts {
        var c14n: XMLCanonicalizer.Method
        var signatureMethod: XMLNode
        var algorithm: SignatureAlgorithm
        var reference: XMLNode

        static func parse(_ signedInfo: XMLNode) throws(Diagnostic) -> SignedInfoParts {
            let info = try children(signedInfo).get()
            guard info.count >= 3, Tree.isDSig(info[0], "CanonicalizationMethod"), Tree.isDSig(info[1], "SignatureMethod"),
                  info[2...].allSatisfy({ Tree.isDSig($0, "Reference") })
            else {
                throw malformed("SignedInfo должен содержать CanonicalizationMethod, SignatureMethod и Reference",
                                "SignedInfo must hold CanonicalizationMethod, SignatureMethod and Reference", signedInfo)
            }
            guard info.count == 3 else {
                throw SignatureProblem.referenceNotAllowed.diagnostic(LocalizedText(
                    ru: "ссылок \(info.count - 2), а профиль допускает одну", en: "\(info.count - 2) references where the profile allows one"),
                    at: info[3])
            }
            // Canonicalization of SignedInfo.
            let c14n = try c14nMethod(info[0]).get()
            // Signature method.
            let methodURI = Tree.attribute(info[1], "Algorithm") ?? ""
            guard let algorithm = SignatureAlgorithm(uri: methodURI) else { throw notAllowed(methodURI, info[1]) }
            let parameters = try children(info[1]).get()
            if !parameters.isEmpty {
                throw malformed("параметры SignatureMethod не допускаются", "SignatureMethod parameters are not allowed", parameters[0])
            }
            return SignedInfoParts(c14n: c14n, signatureMethod: info[1], algorithm: algorithm, reference: info[2])
        }
    }

    /// The one reference: what it covers, its transforms, its digest method (the signature method's) and value.
    private struct ReferenceParts {
        var coversDocument: Bool
        var digest: DigestAlgorithm
        var transforms: TransformChain
        var digestValue: [UInt8]
        var digestValueNode: XMLNode

        static func parse(_ reference: XMLNode, root: XMLNode, algorithm: SignatureAlgorithm) throws(Diagnostic) -> ReferenceParts {
            let coversDocument = try coverage(reference, root: root)
            // Transforms, DigestMethod, DigestValue.
            let parts = try expect(reference, [("Transforms", true), ("DigestMethod", false), ("DigestValue", false)]).get()
            let digestURI = Tree.attribute(parts[1]!, "Algorithm") ?? ""
            guard let digest = DigestAlgorithm(uri: digestURI), digest == algorithm.digest else {
                throw notAllowed(digestURI, parts[1]!)
            }
            let transforms = try TransformChain.parse(parts[0], reference: reference).get()
            guard let digestValue = Base64.decode(textOf: parts[2]!) else {
                throw malformed("DigestValue не в кодировке base64", "DigestValue is not base64", parts[2]!)
            }
            return ReferenceParts(coversDocument: coversDocument, digest: digest, transforms: transforms,
                                  digestValue: digestValue, digestValueNode: parts[2]!)
        }

        /// True for `URI=""` (the document), false for `#` and the root's id; refused otherwise, or with a Type.
        private static func coverage(_ reference: XMLNode, root: XMLNode) throws(Diagnostic) -> Bool {
            guard let uri = Tree.attribute(reference, "URI") else {
                throw SignatureProblem.referenceNotAllowed.diagnostic(LocalizedText(
                    ru: "у ссылки нет атрибута URI", en: "the reference has no URI attribute"), at: reference)
            }
            var coversDocument = true
            if !uri.isEmpty {
                let rootId = ["id", "Id", "ID"].lazy.compactMap { Tree.attribute(root, $0) }.first
                guard uri.hasPrefix("#"), let rootId, uri == "#" + rootId else {
                    throw SignatureProblem.referenceNotAllowed.diagnostic(LocalizedText(
                        ru: "URI=\"\(uri)\" (допустимы \"\" и \"#\" с идентификатором корня)",
                        en: "URI=\"\(uri)\" (allowed: \"\" and \"#\" with the root's id)"), at: reference)
                }
                coversDocument = false
            }
            if Tree.attribute(reference, "Type") != nil, Tree.attribute(reference, "Type") != "" {
                throw malformed("атрибут Type у ссылки не допускается", "the reference's Type attribute is not allowed", reference)
            }
            return coversDocument
        }
    }

    /// KeyInfo: the certificates of its X509Data elements, in order (through `cache` when given).
    private static func keyInfoCertificates(_ keyInfo: XMLNode?, cache: CertificateCache?) throws(Diagnostic) -> [Certificate] {
        var certificates: [Certificate] = []
        guard let keyInfo else { return certificates }
        for item in try children(keyInfo).get() where Tree.isDSig(item, "X509Data") {
            for entry in try children(item).get() where Tree.isDSig(entry, "X509Certificate") {
                let read = cache.map { $0.certificate(textOf: entry) }
                    ?? Base64.decode(textOf: entry).flatMap { Certificate(der: $0) }
                guard let cert = read else {
                    throw SignatureProblem.noCertificate.diagnostic(LocalizedText(
                        ru: "X509Certificate не читается", en: "X509Certificate cannot be read"), at: entry)
                }
                certificates.append(cert)
            }
        }
        return certificates
    }

    /// C14N 1.0 or exclusive C14N 1.0 without comments; an InclusiveNamespaces prefix list for the latter.
    static func c14nMethod(_ node: XMLNode) -> Result<XMLCanonicalizer.Method, Diagnostic> {
        let uri = Tree.attribute(node, "Algorithm") ?? ""
        let list: [XMLNode]
        switch children(node) {
        case .failure(let d): return .failure(d)
        case .success(let l): list = l
        }
        switch uri {
        case DSig.inclusiveC14N:
            guard list.isEmpty else { return .failure(malformed("лишние параметры", "unexpected parameters", list[0])) }
            return .success(.inclusive)
        case DSig.exclusiveC14N:
            var prefixes: [String] = []
            for item in list {
                guard item.name == "InclusiveNamespaces",
                      item.namespaceURI == DSig.exclusiveC14N else {
                    return .failure(malformed("лишние параметры", "unexpected parameters", item))
                }
                prefixes += (Tree.attribute(item, "PrefixList") ?? "").split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
                    .map { $0 == "#default" ? "" : String($0) }
            }
            return .success(.exclusive(prefixes: prefixes))
        default:
            return .failure(notAllowed(uri, node))
        }
    }
}

/// The transforms of the one reference. Accepted chains (an optional C14N transform may end each; without it
/// C14N 1.0 applies, as XMLDSig says):
/// - enveloped-signature (docgate's single-signer form);
/// - XPath Filter 2.0 `subtract` of `//ds:Signature` (docgate's two-party form);
/// - enveloped-signature with the XPath 1.0 expression `not(ancestor-or-self::ds:Signature)` in either order
///   (what xmlsec's GOST vector uses) — the only XPath 1.0 expression accepted.
struct TransformChain {
    var removesAll: Bool
    var c14n: XMLCanonicalizer.Method
    var description: String

    static func parse(_ transforms: XMLNode?, reference: XMLNode) -> Result<TransformChain, Diagnostic> {
        guard let transforms else {
            return .failure(SignatureProblem.algorithmNotAllowed.diagnostic(LocalizedText(
                ru: "ссылка без преобразований охватывает саму подпись", en: "a reference without transforms covers the signature itself"),
                at: reference))
        }
        guard let list = Tree.elementChildren(transforms), !list.isEmpty, list.allSatisfy({ Tree.isDSig($0, "Transform") }) else {
            return .failure(SignatureProblem.malformed.diagnostic(LocalizedText(
                ru: "Transforms должен содержать элементы Transform", en: "Transforms must hold Transform elements"), at: transforms))
        }
        var chain = Reading()
        for transform in list {
            do throws(Diagnostic) { try chain.read(transform) } catch { return .failure(error) }
        }
        // One way of leaving signatures out, or the enveloped + XPath pair.
        let (enveloped, subtract, xpathNot) = (chain.enveloped, chain.subtract, chain.xpathNot)
        let valid = (enveloped && !subtract && !xpathNot) || (subtract && !enveloped && !xpathNot) || (enveloped && xpathNot && !subtract)
        guard valid else {
            return .failure(SignatureProblem.algorithmNotAllowed.diagnostic(LocalizedText(
                ru: "набор преобразований не по профилю: \(chain.steps.joined(separator: ", "))",
                en: "transforms not in the profile: \(chain.steps.joined(separator: ", "))"), at: transforms))
        }
        return .success(TransformChain(removesAll: subtract || xpathNot, c14n: chain.c14n ?? .inclusive,
                                       description: chain.steps.joined(separator: " + ")))
    }

    /// The transforms read so far, in order: which kinds were met (each at most once) and their names.
    private struct Reading {
        var enveloped = false
        var subtract = false
        var xpathNot = false
        var c14n: XMLCanonicalizer.Method?
        var steps: [String] = []

        /// Takes the next Transform; refuses one after canonicalization, one met twice, or one not in the profile.
        mutating func read(_ transform: XMLNode) throws(Diagnostic) {
            let uri = Tree.attribute(transform, "Algorithm") ?? ""
            if c14n != nil {
                throw SignatureProblem.algorithmNotAllowed.diagnostic(LocalizedText(
                    ru: "преобразование после канонизации: \(uri)", en: "a transform after canonicalization: \(uri)"), at: transform)
            }
            guard let params = Tree.elementChildren(transform) else {
                throw SignatureProblem.malformed.diagnostic(at: transform)
            }
            switch uri {
            case DSig.envelopedSignature where params.isEmpty && !enveloped:
                enveloped = true
                steps.append("enveloped-signature")
            case DSig.filter2 where !subtract:
                guard params.count == 1, isSubtractAllSignatures(params[0]) else {
                    throw SignatureProblem.algorithmNotAllowed.diagnostic(LocalizedText(
                        ru: "XPath Filter 2.0 допускается только как subtract //ds:Signature",
                        en: "XPath Filter 2.0 is allowed only as subtract //ds:Signature"), at: transform)
                }
                subtract = true
                steps.append("xpath-filter2 subtract")
            case DSig.xpath where !xpathNot:
                guard params.count == 1, isNotAncestorSignature(params[0]) else {
                    throw SignatureProblem.algorithmNotAllowed.diagnostic(LocalizedText(
                        ru: "XPath 1.0: \(params.first.map(Tree.text) ?? "")", en: "XPath 1.0: \(params.first.map(Tree.text) ?? "")"),
                        at: transform)
                }
                xpathNot = true
                steps.append("xpath not(ancestor-or-self::ds:Signature)")
            case DSig.inclusiveC14N, DSig.exclusiveC14N:
                c14n = try ParsedSignature.c14nMethod(transform).get()
                steps.append(uri == DSig.exclusiveC14N ? "exc-c14n" : "c14n")
            default:
                throw SignatureProblem.algorithmNotAllowed.diagnostic(LocalizedText(ru: uri, en: uri), at: transform)
            }
        }
    }

    /// `<XPath Filter="subtract">//P:Signature</XPath>` in the Filter 2.0 namespace, P bound to XMLDSig.
    static func isSubtractAllSignatures(_ node: XMLNode) -> Bool {
        guard node.name == "XPath", node.namespaceURI == DSig.filter2,
              Tree.attribute(node, "Filter") == "subtract", Tree.hasOnlyText(node) else { return false }
        return matchesSignatureStep(Tree.text(node).trimmingXMLSpace, prefixPattern: ("//", ":Signature"), at: node)
    }

    /// `<XPath>not(ancestor-or-self::P:Signature)</XPath>` in XMLDSig's namespace, P bound to XMLDSig.
    static func isNotAncestorSignature(_ node: XMLNode) -> Bool {
        guard Tree.isDSig(node, "XPath"), Tree.hasOnlyText(node) else { return false }
        return matchesSignatureStep(Tree.text(node).trimmingXMLSpace,
                                    prefixPattern: ("not(ancestor-or-self::", ":Signature)"), at: node)
    }

    private static func matchesSignatureStep(_ text: String, prefixPattern: (String, String), at node: XMLNode) -> Bool {
        let bytes = Array(text.utf8), head = Array(prefixPattern.0.utf8), tail = Array(prefixPattern.1.utf8)
        guard bytes.count > head.count + tail.count, bytes.starts(with: head), bytes.suffix(tail.count).elementsEqual(tail)
        else { return false }
        let prefix = bytes[head.count..<(bytes.count - tail.count)]
        // An NCName: ASCII letters, digits, - _ . and any non-ASCII (letters of other scripts).
        guard prefix.allSatisfy({ $0 >= 0x80 || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39)
                || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E }) else { return false }
        return Tree.namespace(ofPrefix: String(decoding: prefix, as: UTF8.self), at: node) == DSig.namespace
    }
}
