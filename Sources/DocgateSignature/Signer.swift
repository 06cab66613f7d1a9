import CLibXML2
import DocgateCore
import DocgateCrypto
import DocgateXML
import Glibc

/// Why a document could not be signed.
public struct SigningFailure: Error, Sendable {
    public var diagnostics: [Diagnostic]
}

/// Appends a profile signature to documents: algorithms from the key, the single-signer form or, for documents
/// two parties sign, the form that subtracts every ds:Signature so that the second signature leaves the first
/// intact. Thread-safe: one signer serves a whole batch.
public final class DocumentSigner: Sendable {
    public let identity: SigningIdentity
    /// Whether the CA certificates of the identity travel beside the signer's in X509Data.
    public let includeChain: Bool
    public let limits: XMLLimits
    /// The form each kind of document is signed in, and how many signatures it may carry.
    public let policy: SignaturePolicy
    /// The certificates X509Data carries, in base64 (the same for every document).
    let encodedCertificates: [String]

    public init(identity: SigningIdentity, policy: SignaturePolicy, includeChain: Bool = true, limits: XMLLimits = .default) {
        CryptoLibrary.initialize()
        self.policy = policy
        self.identity = identity
        self.includeChain = includeChain
        self.limits = limits
        encodedCertificates = ([identity.certificate] + (includeChain ? identity.chain : [])).map { Base64.encode($0.der) }
    }

    /// Parses, signs and serialises a document held in memory (in its own encoding).
    public func sign(bytes: [UInt8]) -> Result<[UInt8], SigningFailure> {
        let parsed = bytes.withUnsafeBytes { XMLDocument.parse($0, limits: limits) }
        switch parsed {
        case .failure(let failure):
            return .failure(SigningFailure(diagnostics: XMLDiagnostics.diagnostics(for: failure)))
        case .success(let document):
            return sign(document, parsedFrom: bytes)
        }
    }

    /// Signs a tree parsed from `bytes` (for callers that already parsed it, e.g. to validate it first) and returns
    /// the signed bytes: the input's own bytes with the signature inserted, or the tree serialised when the
    /// insertion point cannot be found in them. The tree is changed.
    public func sign(_ document: XMLDocument, parsedFrom bytes: [UInt8]) -> Result<[UInt8], SigningFailure> {
        signAsText(document, parsedFrom: bytes) ?? signByTree(document, parsedFrom: bytes)
    }

    /// The signature built as nodes in the tree, then written into the input's bytes (or the tree serialised):
    /// every case, and the reference for `signAsText`.
    func signByTree(_ document: XMLDocument, parsedFrom bytes: [UInt8]) -> Result<[UInt8], SigningFailure> {
        let signature: xmlNodePtr
        do {
            signature = try appendSignature(document)
        } catch {
            return .failure(error)
        }
        if let spliced = Splice.insert(signature, of: document, into: bytes) { return .success(spliced) }
        let encoding: XMLWriter.Encoding = document.inputEncoding == .windows1251 ? .windows1251 : .utf8
        return .success(document.serialized(encoding: encoding))
    }

    /// Appends the signature to the tree.
    public func sign(_ document: XMLDocument) throws(SigningFailure) {
        _ = try appendSignature(document)
    }

    @discardableResult
    func appendSignature(_ document: XMLDocument) throws(SigningFailure) -> xmlNodePtr {
        guard let root = xmlDocGetRootElement(document.pointer) else {
            throw SigningFailure(diagnostics: [SignatureProblem.cannotSign.diagnostic()])
        }
        let namespace = root.pointee.ns.flatMap { $0.pointee.href }.map { String(cString: $0) }
        let form = policy.form(namespace)
        let maximum = policy.maximumSignatures(rootNamespace: namespace)
        let existing = DocumentScan(root: root)
        if existing.signatures.count >= maximum {
            throw SigningFailure(diagnostics: [SignatureProblem.cannotSign.diagnostic(LocalizedText(
                ru: "документ уже содержит подписей: \(existing.signatures.count), больше не допускается",
                en: "the document already carries \(existing.signatures.count) signature(s), the most it may"),
                at: existing.signatures.last)])
        }
        for signature in existing.signatures {
            let placed = existing.isPlacedByProfile(signature)
            let parsed = try? ParsedSignature.parse(signature, root: root).get()
            if !placed || parsed?.removesAllSignatures != true {
                throw SigningFailure(diagnostics: [SignatureProblem.cannotSign.diagnostic(LocalizedText(
                    ru: "имеющаяся подпись не вычитает другие подписи, вторая подпись нарушила бы её",
                    en: "the existing signature does not subtract other signatures; a second one would break it"),
                    at: signature)])
            }
        }
        if let (value, node) = existing.duplicateIds.first {
            throw SigningFailure(diagnostics: [SignatureProblem.duplicateIds.diagnostic(LocalizedText(
                ru: "значение «\(value)»", en: "the value '\(value)'"), at: node)])
        }

        let algorithm = identity.key.algorithm
        let template = SignatureTemplate(document: document, root: root)
        let built = template.build(algorithm: algorithm, form: form, certificates: encodedCertificates,
                                   existing: existing.signatures)

        // Digest of what the reference covers, with the new signature (and for two-party documents every
        // signature) left out.
        let excluded = form == .subtractAll ? existing.signatures + [built.signature] : [built.signature]
        let reference = XMLCanonicalizer(method: .exclusive(prefixes: []), scope: .document, excluding: excluded)
        let digest: [UInt8]
        switch DigestStream.digest(reference, document, algorithm.digest) {
        case .failure(let e):
            xmlUnlinkNode(built.signature)
            xmlFreeNode(built.signature)
            throw SigningFailure(diagnostics: [Diagnostic(code: e.code, message: e.message)])
        case .success(let d): digest = d
        }
        xmlNodeSetContent(built.digestValue, Base64.encode(digest))

        let signedInfo = XMLCanonicalizer(method: .exclusive(prefixes: []), scope: .subtree(built.signedInfo))
        guard let bytes = signedInfo.bytes(document) else {
            throw SigningFailure(diagnostics: [SignatureProblem.cannotSign.diagnostic()])
        }
        do {
            let value = try bytes.withUnsafeBytes { raw in Result { () throws(CryptoError) in try identity.key.sign(raw) } }.get()
            xmlNodeSetContent(built.signatureValue, Base64.encode(value))
        } catch {
            throw SigningFailure(diagnostics: [Diagnostic(code: error.code, message: error.message)])
        }
        return built.signature
    }
}

/// Builds the ds:Signature element in the document, indented like the document around it.
struct SignatureTemplate {
    let document: XMLDocument
    let root: xmlNodePtr

    struct Built {
        var signature: xmlNodePtr
        var signedInfo: xmlNodePtr
        var digestValue: xmlNodePtr
        var signatureValue: xmlNodePtr
    }

    /// The indentation of the root's children (`"  "`), or nil for a document written without whitespace.
    var indentUnit: String? { indentUnitBytes.map { String(decoding: $0, as: UTF8.self) } }

    /// The same as bytes: what follows the last line end of the text before the first child element that has
    /// a line end before it.
    var indentUnitBytes: [UInt8]? {
        var cursor = root.pointee.children
        var lastText: UnsafePointer<xmlChar>?
        while let node = cursor {
            if node.pointee.type == XML_TEXT_NODE { lastText = node.pointee.content.map { UnsafePointer($0) } }
            if node.pointee.type == XML_ELEMENT_NODE {
                if let text = lastText,
                   let lineEnd = strrchr(UnsafeRawPointer(text).assumingMemoryBound(to: CChar.self), 0x0A) {
                    let start = UnsafeRawPointer(lineEnd).assumingMemoryBound(to: UInt8.self) + 1
                    return Array(UnsafeBufferPointer(start: start, count: strlen(lineEnd) - 1))
                }
                lastText = nil
            }
            cursor = node.pointee.next
        }
        return nil
    }

    /// The root's closing whitespace: its last child when that is whitespace-only text. A new signature goes
    /// right before it.
    var trailingWhitespace: xmlNodePtr? {
        guard let last = xmlGetLastChild(root), last.pointee.type == XML_TEXT_NODE else { return nil }
        // XML whitespace (the usual line end and indentation) answers without a string; other Unicode spaces
        // count too, as they always have.
        let node = XMLNode(pointer: last)
        guard node.isBlankText || node.text.allSatisfy(\.isWhitespace) else { return nil }
        return last
    }

    private func place(_ signature: xmlNodePtr, indent unit: String?) {
        let doc = document.pointer
        if let trailing = trailingWhitespace {
            xmlAddPrevSibling(trailing, signature)
            if let unit { xmlAddPrevSibling(signature, xmlNewDocText(doc, "\n" + unit)) }
        } else {
            if let unit { xmlAddChild(root, xmlNewDocText(doc, "\n" + unit)) }
            xmlAddChild(root, signature)
            if unit != nil { xmlAddChild(root, xmlNewDocText(doc, "\n")) }
        }
    }

    func build(algorithm: SignatureAlgorithm, form: SignatureForm, certificates: [String], existing: [xmlNodePtr]) -> Built {
        let doc = document.pointer
        let unit = indentUnit
        let signature = xmlNewDocNode(doc, nil, "Signature", nil)!
        let ns = xmlNewNs(signature, DSig.namespace, "ds")
        xmlSetNs(signature, ns)

        // Place it last among the root's elements, before the root's closing whitespace. A second signature
        // goes right after the first: any text between them would be content the first one covers.
        if let previous = existing.last {
            xmlAddNextSibling(previous, signature)
        } else {
            place(signature, indent: unit)
        }

        func indent(_ depth: Int) -> String? { unit.map { "\n" + String(repeating: $0.isEmpty ? "  " : $0, count: depth) } }
        @discardableResult
        func add(_ parent: xmlNodePtr, _ name: String, depth: Int, text: String? = nil, algorithm: String? = nil) -> xmlNodePtr {
            if let ws = indent(depth) { xmlAddChild(parent, xmlNewDocText(doc, ws)) }
            let child = xmlNewDocNode(doc, ns, name, nil)!
            xmlAddChild(parent, child)
            if let algorithm { xmlNewProp(child, "Algorithm", algorithm) }
            if let text { xmlAddChild(child, xmlNewDocText(doc, text)) }
            return child
        }
        func close(_ parent: xmlNodePtr, depth: Int) {
            if let ws = indent(depth) { xmlAddChild(parent, xmlNewDocText(doc, ws)) }
        }

        let signedInfo = add(signature, "SignedInfo", depth: 2)
        add(signedInfo, "CanonicalizationMethod", depth: 3, algorithm: DSig.exclusiveC14N)
        add(signedInfo, "SignatureMethod", depth: 3, algorithm: algorithm.uri)
        let reference = add(signedInfo, "Reference", depth: 3)
        xmlNewProp(reference, "URI", "")
        let transforms = add(reference, "Transforms", depth: 4)
        switch form {
        case .enveloped:
            add(transforms, "Transform", depth: 5, algorithm: DSig.envelopedSignature)
        case .subtractAll:
            let t = add(transforms, "Transform", depth: 5, algorithm: DSig.filter2)
            if let ws = indent(6) { xmlAddChild(t, xmlNewDocText(doc, ws)) }
            let xpath = xmlNewDocNode(doc, nil, "XPath", nil)!
            xmlAddChild(t, xpath)
            xmlSetNs(xpath, xmlNewNs(xpath, DSig.filter2, "dsig-xpath"))
            xmlNewProp(xpath, "Filter", "subtract")
            xmlAddChild(xpath, xmlNewDocText(doc, "//ds:Signature"))
            close(t, depth: 5)
        }
        add(transforms, "Transform", depth: 5, algorithm: DSig.exclusiveC14N)
        close(transforms, depth: 4)
        add(reference, "DigestMethod", depth: 4, algorithm: algorithm.digest.uri)
        let digestValue = add(reference, "DigestValue", depth: 4, text: "")
        close(reference, depth: 3)
        close(signedInfo, depth: 2)
        let signatureValue = add(signature, "SignatureValue", depth: 2, text: "")
        let keyInfo = add(signature, "KeyInfo", depth: 2)
        let x509Data = add(keyInfo, "X509Data", depth: 3)
        for cert in certificates { add(x509Data, "X509Certificate", depth: 4, text: cert) }
        close(x509Data, depth: 3)
        close(keyInfo, depth: 2)
        close(signature, depth: 1)
        return Built(signature: signature, signedInfo: signedInfo, digestValue: digestValue, signatureValue: signatureValue)
    }
}

/// Text appended to bytes as UTF-8, for the signature's text.
extension [UInt8] {
    mutating func append(_ text: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append(contentsOf: $0) }
    }
}
