import DocgateCore
import DocgateCrypto
import DocgateXML

extension DocumentSigner {
    /// The first signature of an indented document, written as text straight into the input's bytes: the same
    /// bytes `signByTree` gives (the tests hold the two together), without building the signature's nodes, dumping
    /// them and canonicalizing SignedInfo from the tree. The document's digest covers the indentation placed with
    /// the signature as if it stood in the tree. nil where this does not apply — a document signed already, one
    /// written without indentation, mixed content before the root's end, an input the canonical walk leaves to
    /// libxml2 — and `signByTree` does it (and reports any refusal). The tree is not changed.
    func signAsText(_ document: XMLDocument, parsedFrom input: [UInt8]) -> Result<[UInt8], SigningFailure>? {
        guard let placement = TextPlacement(document, input) else { return nil }
        let algorithm = identity.key.algorithm
        let form = policy.form(placement.root.namespaceURI)
        // The walk for the digest also finds earlier signatures and duplicated ids (either sends the document to
        // the tree path), so the document is not walked twice.
        let census = DocumentScan.census()
        let reference = XMLCanonicalizer(method: .exclusive(prefixes: []), scope: .document,
                                         inserting: .init(parent: placement.root, before: placement.trailing,
                                                          text: String(decoding: placement.before + placement.after, as: UTF8.self)),
                                         census: census)
        guard case .success(let digest) = DigestStream.digest(reference, document, algorithm.digest),
              census.complete, census.elements.isEmpty, DocumentScan.duplicates(among: census.attributes).isEmpty
        else { return nil }

        let writer = SignatureText(unit: placement.unit, algorithm: algorithm, form: form, digest: digest)
        var canonical: [UInt8] = []
        canonical.reserveCapacity(1024)
        writer.signedInfo(canonical: true, into: &canonical)
        let signed = canonical.withUnsafeBytes { raw in
            Result { () throws(CryptoError) in try identity.key.sign(raw) }
        }
        let value: [UInt8]
        switch signed {
        case .success(let v): value = v
        case .failure(let error): return .failure(SigningFailure(diagnostics: [Diagnostic(code: error.code, message: error.message)]))
        }
        let text = writer.signature(value: value, certificates: encodedCertificates)
        return .success(Splice.write(input, at: placement.at, placement.before, text, placement.after))
    }
}

/// Where the text path puts the signature, as the tree path would place it: before the root's closing whitespace,
/// after a node that is not text (text would merge with the indentation), indented with the document's step.
private struct TextPlacement {
    let root: XMLNode
    /// The indentation step of the root's children (spaces or tabs only).
    let unit: [UInt8]
    /// The root's closing whitespace, which the signature goes before; nil when the root has none.
    let trailing: XMLNode?
    /// The offset in the input where the signature's text goes.
    let at: Int
    /// The text before the signature (a line end and one step) and after it (a line end when the root had no
    /// closing whitespace).
    let before: [UInt8], after: [UInt8]

    init?(_ document: XMLDocument, _ input: [UInt8]) {
        guard document.inputEncoding == .utf8 || document.inputEncoding == .windows1251, let root = document.root else { return nil }
        let template = SignatureTemplate(document: document, root: root)
        guard let unit = template.indentUnitBytes, unit.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { return nil }
        let trailing = template.trailingWhitespace
        guard let neighbour = trailing != nil ? trailing!.previousSibling : root.lastChild, !neighbour.isTextNode,
              let (at, _) = Splice.insertionPoint(input, root: root) else { return nil }
        self.root = root
        self.unit = unit
        self.trailing = trailing
        self.at = at
        before = [0x0A] + unit
        after = trailing == nil ? [0x0A] : []
    }
}

/// The signature's text, written straight into bytes: SignedInfo canonical (what is signed) or as written, and the
/// whole ds:Signature element, indented with the document's step.
private struct SignatureText {
    let algorithm: SignatureAlgorithm
    let form: SignatureForm
    let digest: [UInt8]
    /// A line end and six steps of indentation: a line at depth d starts with the line end and d steps.
    let indentation: [UInt8]
    let stepCount: Int

    init(unit: [UInt8], algorithm: SignatureAlgorithm, form: SignatureForm, digest: [UInt8]) {
        let step: [UInt8] = unit.isEmpty ? [0x20, 0x20] : unit
        var indentation: [UInt8] = [0x0A]
        for _ in 0..<6 { indentation += step }
        self.indentation = indentation
        stepCount = step.count
        self.algorithm = algorithm
        self.form = form
        self.digest = digest
    }

    func indent(_ depth: Int, _ s: inout [UInt8]) {
        s.append(contentsOf: indentation[0..<(1 + depth * stepCount)])
    }

    /// SignedInfo, canonical or as written.
    func signedInfo(canonical: Bool, into s: inout [UInt8]) {
        func empty(_ name: StaticString, _ uri: String) {
            s.append("<ds:"); s.append(name); s.append(" Algorithm=\""); s.append(uri)
            if canonical { s.append("\"></ds:"); s.append(name); s.append(">") } else { s.append("\"/>") }
        }
        if canonical { s.append("<ds:SignedInfo xmlns:ds=\""); s.append(DSig.namespace); s.append("\">") } else { s.append("<ds:SignedInfo>") }
        indent(3, &s); empty("CanonicalizationMethod", DSig.exclusiveC14N)
        indent(3, &s); empty("SignatureMethod", algorithm.uri)
        indent(3, &s); s.append("<ds:Reference URI=\"\">"); indent(4, &s); s.append("<ds:Transforms>")
        switch form {
        case .enveloped:
            indent(5, &s); empty("Transform", DSig.envelopedSignature)
        case .subtractAll:
            indent(5, &s); s.append("<ds:Transform Algorithm=\""); s.append(DSig.filter2); s.append("\">"); indent(6, &s)
            s.append("<dsig-xpath:XPath xmlns:dsig-xpath=\""); s.append(DSig.filter2)
            s.append("\" Filter=\"subtract\">//ds:Signature</dsig-xpath:XPath>")
            indent(5, &s); s.append("</ds:Transform>")
        }
        indent(5, &s); empty("Transform", DSig.exclusiveC14N); indent(4, &s); s.append("</ds:Transforms>")
        indent(4, &s); empty("DigestMethod", algorithm.digest.uri)
        indent(4, &s); s.append("<ds:DigestValue>"); Base64.encode(digest, into: &s); s.append("</ds:DigestValue>")
        indent(3, &s); s.append("</ds:Reference>"); indent(2, &s); s.append("</ds:SignedInfo>")
    }

    /// The whole ds:Signature as written, with the signature value and the certificates (base64).
    func signature(value: [UInt8], certificates: [String]) -> [UInt8] {
        var text: [UInt8] = []
        text.reserveCapacity(2048 + certificates.reduce(0) { $0 + $1.utf8.count + 64 })
        text.append("<ds:Signature xmlns:ds=\""); text.append(DSig.namespace); text.append("\">"); indent(2, &text)
        signedInfo(canonical: false, into: &text)
        indent(2, &text); text.append("<ds:SignatureValue>"); Base64.encode(value, into: &text); text.append("</ds:SignatureValue>")
        indent(2, &text); text.append("<ds:KeyInfo>"); indent(3, &text); text.append("<ds:X509Data>")
        for certificate in certificates {
            indent(4, &text); text.append("<ds:X509Certificate>"); text.append(certificate); text.append("</ds:X509Certificate>")
        }
        indent(3, &text); text.append("</ds:X509Data>"); indent(2, &text); text.append("</ds:KeyInfo>")
        indent(1, &text); text.append("</ds:Signature>")
        return text
    }
}

/// The signed document as the input's own bytes with the signature's text inserted where the tree got it, so that
/// nothing the signer did not add changes (quoting, character references, line ends, the prolog) and the tree need
/// not be serialised again. Applies when the input is ASCII-compatible (UTF-8, windows-1251) and the root ends
/// with the new signature followed by whitespace only; otherwise the caller serialises the tree.
enum Splice {
    static func insert(_ signature: XMLNode, of document: XMLDocument, into input: [UInt8]) -> [UInt8]? {
        guard document.inputEncoding == .utf8 || document.inputEncoding == .windows1251,
              let root = signature.parentNode, root == document.root else { return nil }
        // After the signature: nothing, or one whitespace-only text node.
        if let next = signature.nextSibling {
            guard next.isTextNode, next.nextSibling == nil, next.isBlankText else { return nil }
        }
        // Before it: the indentation docgate added (a text node it created), or the previous signature.
        var prefix: [UInt8] = []
        guard let previous = signature.previousSibling else { return nil }
        if Tree.isDSig(previous, "Signature") {
            // A second signature goes right after the first.
        } else if previous.isTextNode, let beforeText = previous.previousSibling, previous.isBlankText, !beforeText.isTextNode {
            prefix = Array(previous.text.utf8)
        } else {
            return nil
        }
        guard let (at, closed) = insertionPoint(input, root: root), let text = dump(signature) else { return nil }
        // The root's closing whitespace follows the signature: the input's own when it had some, else the line
        // end docgate placed after the signature (it is signed content and must be in the output).
        var suffix: [UInt8] = []
        if closed, let next = signature.nextSibling {
            suffix = Array(next.text.utf8)
        }
        return write(input, at: at, prefix, text, suffix)
    }

    /// Where a new last child of the root goes in the input: before the whitespace that precedes the root's end
    /// tag; `closed` when there is no such whitespace (the end tag follows the content directly).
    static func insertionPoint(_ input: [UInt8], root: XMLNode) -> (at: Int, closed: Bool)? {
        guard let end = rootEndTag(input, root: root) else { return nil }
        var at = end
        while at > 0, isXMLSpace(input[at - 1]) { at -= 1 }
        return (at, at == end)
    }

    /// The input with `parts` written at `at`.
    static func write(_ input: [UInt8], at: Int, _ parts: [UInt8]...) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count + parts.reduce(0) { $0 + $1.count })
        out.append(contentsOf: input[0..<at])
        for part in parts { out.append(contentsOf: part) }
        out.append(contentsOf: input[at...])
        return out
    }

    /// The offset of `</` of the root's end tag: the last markup, after which only whitespace, comments and
    /// processing instructions may follow.
    static func rootEndTag(_ input: [UInt8], root: XMLNode) -> Int? {
        var tag = Array("</".utf8)
        root.appendQualifiedName(to: &tag)
        return input.withUnsafeBufferPointer { bytes -> Int? in
            var i = bytes.count
            func skipSpace() { while i > 0, isXMLSpace(bytes[i - 1]) { i -= 1 } }
            func endsWith(_ s: [UInt8]) -> Bool {
                guard i >= s.count else { return false }
                for k in 0..<s.count where bytes[i - s.count + k] != s[k] { return false }
                return true
            }
            func back(to s: [UInt8]) -> Bool {
                var j = i - s.count
                while j >= 0 {
                    if bytes[j] == s[0], (0..<s.count).allSatisfy({ bytes[j + $0] == s[$0] }) { i = j; return true }
                    j -= 1
                }
                return false
            }
            while true {
                skipSpace()
                if endsWith(commentEnd) { guard back(to: commentStart) else { return nil }; continue }
                if endsWith(piEnd) { guard back(to: piStart) else { return nil }; continue }
                break
            }
            guard endsWith(tagEnd) else { return nil }
            i -= 1
            skipSpace()
            guard endsWith(tag) else { return nil }
            return i - tag.count
        }
    }

    private static let commentStart = Array("<!--".utf8), commentEnd = Array("-->".utf8)
    private static let piStart = Array("<?".utf8), piEnd = Array("?>".utf8), tagEnd = Array(">".utf8)

    private static func dump(_ node: XMLNode) -> [UInt8]? {
        guard let bytes = node.serializedBytes() else { return nil }
        // The signature is ASCII (base64, algorithm URIs); anything else would need the document's encoding.
        for b in bytes where b >= 0x80 { return nil }
        return bytes
    }
}
