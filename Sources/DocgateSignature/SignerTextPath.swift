import CLibXML2
import DocgateCore
import DocgateCrypto
import DocgateXML
import Glibc

extension DocumentSigner {
    /// The first signature of an indented document, written as text straight into the input's bytes: the same
    /// bytes `signByTree` gives (the tests hold the two together), without building the signature's nodes, dumping
    /// them and canonicalizing SignedInfo from the tree. The document's digest covers the indentation placed with
    /// the signature as if it stood in the tree. nil where this does not apply — a document signed already, one
    /// written without indentation, mixed content before the root's end, an input the canonical walk leaves to
    /// libxml2 — and `signByTree` does it (and reports any refusal). The tree is not changed.
    func signAsText(_ document: XMLDocument, parsedFrom input: [UInt8]) -> Result<[UInt8], SigningFailure>? {
        guard document.inputEncoding == .utf8 || document.inputEncoding == .windows1251,
              let root = xmlDocGetRootElement(document.pointer) else { return nil }
        let template = SignatureTemplate(document: document, root: root)
        guard let unit = template.indentUnitBytes, unit.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { return nil }
        // Where the tree path places it: before the root's closing whitespace, after a node that is not text
        // (text would merge with the indentation).
        let trailing = template.trailingWhitespace
        guard let neighbour = trailing != nil ? trailing!.pointee.prev : xmlGetLastChild(root),
              neighbour.pointee.type != XML_TEXT_NODE,
              let (at, _) = Splice.insertionPoint(input, root: root) else { return nil }
        let before = [0x0A] + unit
        let after: [UInt8] = trailing == nil ? [0x0A] : []

        let algorithm = identity.key.algorithm
        let namespace = root.pointee.ns.flatMap { $0.pointee.href }.map { String(cString: $0) }
        let form = policy.form(namespace)
        // The walk for the digest also finds earlier signatures and duplicated ids (either sends the document to
        // the tree path), so the document is not walked twice.
        let census = DocumentScan.census()
        let reference = XMLCanonicalizer(method: .exclusive(prefixes: []), scope: .document,
                                         inserting: .init(parent: root, before: trailing, text: String(decoding: before + after, as: UTF8.self)),
                                         census: census)
        guard case .success(let digest) = DigestStream.digest(reference, document, algorithm.digest),
              census.complete, census.elements.isEmpty, DocumentScan.duplicates(among: census.attributes).isEmpty
        else { return nil }

        // A line end and six steps of indentation: a line at depth d starts with the line end and d steps.
        let step: [UInt8] = unit.isEmpty ? [0x20, 0x20] : unit
        var indentation: [UInt8] = [0x0A]
        for _ in 0..<6 { indentation += step }
        func indent(_ depth: Int, _ s: inout [UInt8]) {
            s.append(contentsOf: indentation[0..<(1 + depth * step.count)])
        }
        // SignedInfo, canonical (what is signed) or as written; both straight into bytes.
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
        var canonical: [UInt8] = []
        canonical.reserveCapacity(1024)
        signedInfo(canonical: true, into: &canonical)
        let signed = canonical.withUnsafeBytes { raw in
            Result { () throws(CryptoError) in try identity.key.sign(raw) }
        }
        let value: [UInt8]
        switch signed {
        case .success(let v): value = v
        case .failure(let error): return .failure(SigningFailure(diagnostics: [Diagnostic(code: error.code, message: error.message)]))
        }
        var text: [UInt8] = []
        text.reserveCapacity(2048 + encodedCertificates.reduce(0) { $0 + $1.utf8.count + 64 })
        text.append("<ds:Signature xmlns:ds=\""); text.append(DSig.namespace); text.append("\">"); indent(2, &text)
        signedInfo(canonical: false, into: &text)
        indent(2, &text); text.append("<ds:SignatureValue>"); Base64.encode(value, into: &text); text.append("</ds:SignatureValue>")
        indent(2, &text); text.append("<ds:KeyInfo>"); indent(3, &text); text.append("<ds:X509Data>")
        for certificate in encodedCertificates {
            indent(4, &text); text.append("<ds:X509Certificate>"); text.append(certificate); text.append("</ds:X509Certificate>")
        }
        indent(3, &text); text.append("</ds:X509Data>"); indent(2, &text); text.append("</ds:KeyInfo>")
        indent(1, &text); text.append("</ds:Signature>")

        return .success(Splice.write(input, at: at, before, text, after))
    }
}

/// The signed document as the input's own bytes with the signature's text inserted where the tree got it, so that
/// nothing the signer did not add changes (quoting, character references, line ends, the prolog) and the tree need
/// not be serialised again. Applies when the input is ASCII-compatible (UTF-8, windows-1251) and the root ends
/// with the new signature followed by whitespace only; otherwise the caller serialises the tree.
enum Splice {
    static func insert(_ signature: xmlNodePtr, of document: XMLDocument, into input: [UInt8]) -> [UInt8]? {
        guard document.inputEncoding == .utf8 || document.inputEncoding == .windows1251,
              let root = signature.pointee.parent, root == xmlDocGetRootElement(document.pointer) else { return nil }
        // After the signature: nothing, or one whitespace-only text node.
        if let next = signature.pointee.next {
            guard next.pointee.type == XML_TEXT_NODE, next.pointee.next == nil,
                  XMLNode(pointer: next).isBlankText else { return nil }
        }
        // Before it: the indentation docgate added (a text node it created), or the previous signature.
        var prefix: [UInt8] = []
        guard let previous = signature.pointee.prev else { return nil }
        if Tree.isDSig(previous, "Signature") {
            // A second signature goes right after the first.
        } else if previous.pointee.type == XML_TEXT_NODE, previous.pointee.prev != nil,
                  XMLNode(pointer: previous).isBlankText,
                  previous.pointee.prev!.pointee.type != XML_TEXT_NODE {
            prefix = Array(XMLNode(pointer: previous).text.utf8)
        } else {
            return nil
        }
        guard let (at, closed) = insertionPoint(input, root: root), let text = dump(signature, document) else { return nil }
        // The root's closing whitespace follows the signature: the input's own when it had some, else the line
        // end docgate placed after the signature (it is signed content and must be in the output).
        var suffix: [UInt8] = []
        if closed, let next = signature.pointee.next {
            suffix = Array(XMLNode(pointer: next).text.utf8)
        }
        return write(input, at: at, prefix, text, suffix)
    }

    /// Where a new last child of the root goes in the input: before the whitespace that precedes the root's end
    /// tag; `closed` when there is no such whitespace (the end tag follows the content directly).
    static func insertionPoint(_ input: [UInt8], root: xmlNodePtr) -> (at: Int, closed: Bool)? {
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
    static func rootEndTag(_ input: [UInt8], root: xmlNodePtr) -> Int? {
        input.withUnsafeBufferPointer { bytes -> Int? in
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
            var tag = Array("</".utf8)
            if let ns = root.pointee.ns, let p = ns.pointee.prefix {
                tag += UnsafeBufferPointer(start: p, count: strlen(UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self)))
                tag.append(UInt8(ascii: ":"))
            }
            if let name = root.pointee.name {
                tag += UnsafeBufferPointer(start: name, count: strlen(UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self)))
            }
            guard endsWith(tag) else { return nil }
            return i - tag.count
        }
    }

    private static let commentStart = Array("<!--".utf8), commentEnd = Array("-->".utf8)
    private static let piStart = Array("<?".utf8), piEnd = Array("?>".utf8), tagEnd = Array(">".utf8)

    private static func dump(_ node: xmlNodePtr, _ document: XMLDocument) -> [UInt8]? {
        guard let buffer = xmlBufferCreate() else { return nil }
        defer { xmlBufferFree(buffer) }
        guard xmlNodeDump(buffer, document.pointer, node, 0, 0) >= 0, let content = xmlBufferContent(buffer) else { return nil }
        let bytes = UnsafeBufferPointer(start: content, count: Int(xmlBufferLength(buffer)))
        // The signature is ASCII (base64, algorithm URIs); anything else would need the document's encoding.
        for b in bytes where b >= 0x80 { return nil }
        return Array(bytes)
    }
}
