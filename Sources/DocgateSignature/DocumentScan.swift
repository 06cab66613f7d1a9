import DocgateCore
import DocgateCrypto
import DocgateXML

/// One walk over the tree: every ds:Signature and every id-like attribute value.
struct DocumentScan {
    let root: XMLNode
    var signatures: [XMLNode] = []
    var duplicateIds: [(String, XMLNode)] = []

    init(root: XMLNode) {
        self.root = root
        let found = Self.collect(below: root)
        signatures = found.elements
        duplicateIds = Self.duplicates(among: found.attributes)
    }

    /// What `init(root:)` would find, from a walk that digested the root less `only` (its census) and a look
    /// inside `only`: nil unless the document has no other signature and no duplicated id (then the scan is
    /// made for the report).
    init?(only: XMLNode, root: XMLNode, census: XMLCanonicalizer.Census) {
        guard census.complete, census.elements.isEmpty else { return nil }
        let inside = Self.collect(below: only)
        guard inside.elements == [only], Self.duplicates(among: census.attributes + inside.attributes).isEmpty else { return nil }
        self.root = root
        signatures = [only]
    }

    /// Every ds:Signature and every id-like attribute at or below `top`, in document order: the census a
    /// canonical walk takes, taken by a walk of its own.
    private static func collect(below top: XMLNode) -> XMLCanonicalizer.Census {
        let found = census()
        Tree.forEachElement(top) { element in
            found.note(element)
            var attr = element.firstAttribute
            while let a = attr {
                found.note(a)
                attr = a.next
            }
        }
        return found
    }

    /// The one ds:Signature among the root's children, when there is exactly one.
    static func soleSignatureChild(of root: XMLNode) -> XMLNode? {
        var found: XMLNode?
        var child = root.firstChild
        while let node = child {
            if Tree.isDSig(node, "Signature") {
                if found != nil { return nil }
                found = node
            }
            child = node.nextSibling
        }
        return found
    }

    /// Each value held by more than one of `attributes`, once, with the element of its second holder.
    static func duplicates(among attributes: [XMLAttributeNode]) -> [(String, XMLNode)] {
        guard attributes.count > 1 else { return [] }
        var seen: Set<String> = []
        var duplicates: [(String, XMLNode)] = []
        for a in attributes {
            let value = a.value
            if !seen.insert(value).inserted, !duplicates.contains(where: { $0.0 == value }), let element = a.element {
                duplicates.append((value, element))
            }
        }
        return duplicates
    }

    /// What the scan looks for, for a canonical walk to note on its way (or the scan's own walk): ds:Signature
    /// elements, and `id`, `Id`, `ID` (and `iD`), the attribute names signers use as XML ids.
    static func census() -> XMLCanonicalizer.Census { XMLCanonicalizer.Census(censusPattern) }

    private static let censusPattern = XMLCanonicalizer.Census.Pattern(
        elementNamespace: DSig.namespace, localName: "Signature", attributeNames: ["id", "Id", "ID", "iD"])

    /// A child of the root followed by nothing but other signatures (and whitespace or comments).
    func isPlacedByProfile(_ signature: XMLNode) -> Bool {
        guard signature.parentNode == root else { return false }
        var cursor = signature.nextSibling
        while let node = cursor {
            if node.isElement, !Tree.isDSig(node, "Signature") { return false }
            cursor = node.nextSibling
        }
        return true
    }
}

/// Digests canonical output as libxml2 produces it, without holding it in memory.
enum DigestStream {
    static func digest(_ canonicalizer: XMLCanonicalizer, _ document: XMLDocument, _ algorithm: DigestAlgorithm)
        -> Result<[UInt8], CryptoError> {
        var hasher: IncrementalDigest
        do { hasher = try IncrementalDigest(algorithm) } catch { return .failure(error) }
        var restartFailure: CryptoError?
        let ok = canonicalizer.run(document, restart: {
            do throws(CryptoError) { hasher = try IncrementalDigest(algorithm) } catch { restartFailure = error }
        }) { hasher.update($0) }
        if let restartFailure { return .failure(restartFailure) }
        guard ok else {
            return .failure(CryptoError(code: SignatureProblem.malformed.code, message: LocalizedText(
                ru: "Документ не приводится к каноническому виду", en: "The document cannot be canonicalized")))
        }
        return Result { () throws(CryptoError) in try hasher.finish() }
    }
}
