import DocgateCore
import DocgateCrypto
import DocgateXML
import Glibc

/// Why a document could not be signed.
public struct SigningFailure: Error, Sendable {
    /// What refused it: the profile's codes (DG40xx), or the key's.
    public var diagnostics: [Diagnostic]
}

/// Appends a profile signature to documents: algorithms from the key, the single-signer form or, for documents
/// two parties sign, the form that subtracts every ds:Signature so that the second signature leaves the first
/// intact. Thread-safe: one signer serves a whole batch.
public final class DocumentSigner: Sendable {
    /// The key and certificate (and its CA chain) signatures are made with.
    public let identity: SigningIdentity
    /// Whether the CA certificates of the identity travel beside the signer's in X509Data.
    public let includeChain: Bool
    /// The limits documents are parsed with.
    public let limits: XMLLimits
    /// The form each kind of document is signed in, and how many signatures it may carry.
    public let policy: SignaturePolicy
    /// The certificates X509Data carries, in base64 (the same for every document).
    let encodedCertificates: [String]

    /// A signer for a whole batch; the policy says the form and how many signatures each kind may carry.
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
        let signature: XMLNode
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
    func appendSignature(_ document: XMLDocument) throws(SigningFailure) -> XMLNode {
        guard let root = document.root else {
            throw SigningFailure(diagnostics: [SignatureProblem.cannotSign.diagnostic()])
        }
        let namespace = root.namespaceURI
        let form = policy.form(namespace)
        let maximum = policy.maximumSignatures(rootNamespace: namespace)
        let existing = DocumentScan(root: root)
        try Self.refuseUnlessSignable(existing, root: root, maximum: maximum)

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
            built.signature.unlinkAndFree()
            throw SigningFailure(diagnostics: [Diagnostic(code: e.code, message: e.message)])
        case .success(let d): digest = d
        }
        built.digestValue.setContent(Base64.encode(digest))

        let signedInfo = XMLCanonicalizer(method: .exclusive(prefixes: []), scope: .subtree(built.signedInfo))
        guard let bytes = signedInfo.bytes(document) else {
            throw SigningFailure(diagnostics: [SignatureProblem.cannotSign.diagnostic()])
        }
        do {
            let value = try bytes.withUnsafeBytes { raw in Result { () throws(CryptoError) in try identity.key.sign(raw) } }.get()
            built.signatureValue.setContent(Base64.encode(value))
        } catch {
            throw SigningFailure(diagnostics: [Diagnostic(code: error.code, message: error.message)])
        }
        return built.signature
    }

    /// Refuses a document that already carries `maximum` signatures, one whose signature a new one would break (not
    /// placed by the profile, or not subtracting the others), or one with duplicated ids.
    private static func refuseUnlessSignable(_ existing: DocumentScan, root: XMLNode, maximum: Int) throws(SigningFailure) {
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
    }
}

/// Builds the ds:Signature element in the document, indented like the document around it.
struct SignatureTemplate {
    let document: XMLDocument
    let root: XMLNode

    struct Built {
        var signature: XMLNode
        var signedInfo: XMLNode
        var digestValue: XMLNode
        var signatureValue: XMLNode
    }

    /// The indentation of the root's children (`"  "`), or nil for a document written without whitespace.
    var indentUnit: String? { indentUnitBytes.map { String(decoding: $0, as: UTF8.self) } }

    /// The same as bytes: what follows the last line end of the text before the first child element that has
    /// a line end before it.
    var indentUnitBytes: [UInt8]? {
        var cursor = root.firstChild
        var lastText: XMLNode?
        while let node = cursor {
            if node.isTextNode { lastText = node }
            if node.isElement {
                let unit = lastText?.withOwnContent { text -> [UInt8]? in
                    guard let lineEnd = text.lastIndex(of: 0x0A) else { return nil }
                    return Array(text[(lineEnd + 1)...])
                }
                if let unit = unit ?? nil { return unit }
                lastText = nil
            }
            cursor = node.nextSibling
        }
        return nil
    }

    /// The root's closing whitespace: its last child when that is whitespace-only text. A new signature goes
    /// right before it.
    var trailingWhitespace: XMLNode? {
        guard let last = root.lastChild, last.isTextNode else { return nil }
        // XML whitespace (the usual line end and indentation) answers without a string; other Unicode spaces
        // count too, as they always have.
        guard last.isBlankText || last.text.allSatisfy(\.isWhitespace) else { return nil }
        return last
    }

    private func place(_ signature: XMLNode, indent unit: String?) {
        if let trailing = trailingWhitespace {
            trailing.addPreviousSibling(signature)
            if let unit { signature.addPreviousText("\n" + unit) }
        } else {
            if let unit { root.appendText("\n" + unit) }
            root.appendChild(signature)
            if unit != nil { root.appendText("\n") }
        }
    }

    func build(algorithm: SignatureAlgorithm, form: SignatureForm, certificates: [String], existing: [XMLNode]) -> Built {
        let signature = document.newElement("Signature")!
        let ns = signature.declareNamespace(DSig.namespace, prefix: "ds")
        signature.setNamespace(ns)
        let writer = Writer(document: document, namespace: ns, unit: indentUnit)

        // Place it last among the root's elements, before the root's closing whitespace. A second signature
        // goes right after the first: any text between them would be content the first one covers.
        if let previous = existing.last {
            previous.addNextSibling(signature)
        } else {
            place(signature, indent: writer.unit)
        }

        let (signedInfo, digestValue) = writer.signedInfo(in: signature, algorithm: algorithm, form: form)
        let signatureValue = writer.add(signature, "SignatureValue", depth: 2, text: "")
        let keyInfo = writer.add(signature, "KeyInfo", depth: 2)
        let x509Data = writer.add(keyInfo, "X509Data", depth: 3)
        for cert in certificates { writer.add(x509Data, "X509Certificate", depth: 4, text: cert) }
        writer.close(x509Data, depth: 3)
        writer.close(keyInfo, depth: 2)
        writer.close(signature, depth: 1)
        return Built(signature: signature, signedInfo: signedInfo, digestValue: digestValue, signatureValue: signatureValue)
    }

    /// Adds the signature's elements, each on a line of its own at its depth when the document is indented.
    private struct Writer {
        let document: XMLDocument
        let namespace: XMLNamespace?
        /// The document's indentation step; nil for a document written without whitespace.
        let unit: String?

        func indent(_ depth: Int) -> String? { unit.map { "\n" + String(repeating: $0.isEmpty ? "  " : $0, count: depth) } }

        /// A ds element appended to `parent` after the indentation of `depth`, with an Algorithm attribute and text.
        @discardableResult
        func add(_ parent: XMLNode, _ name: String, depth: Int, text: String? = nil, algorithm: String? = nil) -> XMLNode {
            if let ws = indent(depth) { parent.appendText(ws) }
            let child = document.newElement(name, namespace: namespace)!
            parent.appendChild(child)
            if let algorithm { child.addAttribute("Algorithm", value: algorithm) }
            if let text { child.appendText(text) }
            return child
        }

        /// The indentation before `parent`'s end tag.
        func close(_ parent: XMLNode, depth: Int) {
            if let ws = indent(depth) { parent.appendText(ws) }
        }

        /// SignedInfo with its one reference (DigestValue empty, for the digest); returns it and the DigestValue.
        func signedInfo(in signature: XMLNode, algorithm: SignatureAlgorithm, form: SignatureForm) -> (XMLNode, XMLNode) {
            let signedInfo = add(signature, "SignedInfo", depth: 2)
            add(signedInfo, "CanonicalizationMethod", depth: 3, algorithm: DSig.exclusiveC14N)
            add(signedInfo, "SignatureMethod", depth: 3, algorithm: algorithm.uri)
            let reference = add(signedInfo, "Reference", depth: 3)
            reference.addAttribute("URI", value: "")
            let transforms = add(reference, "Transforms", depth: 4)
            switch form {
            case .enveloped:
                add(transforms, "Transform", depth: 5, algorithm: DSig.envelopedSignature)
            case .subtractAll:
                subtractAllSignatures(in: transforms)
            }
            add(transforms, "Transform", depth: 5, algorithm: DSig.exclusiveC14N)
            close(transforms, depth: 4)
            add(reference, "DigestMethod", depth: 4, algorithm: algorithm.digest.uri)
            let digestValue = add(reference, "DigestValue", depth: 4, text: "")
            close(reference, depth: 3)
            close(signedInfo, depth: 2)
            return (signedInfo, digestValue)
        }

        /// The XPath Filter 2.0 transform that subtracts every ds:Signature.
        func subtractAllSignatures(in transforms: XMLNode) {
            let t = add(transforms, "Transform", depth: 5, algorithm: DSig.filter2)
            if let ws = indent(6) { t.appendText(ws) }
            let xpath = document.newElement("XPath")!
            t.appendChild(xpath)
            xpath.setNamespace(xpath.declareNamespace(DSig.filter2, prefix: "dsig-xpath"))
            xpath.addAttribute("Filter", value: "subtract")
            xpath.appendText("//ds:Signature")
            close(t, depth: 5)
        }
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
