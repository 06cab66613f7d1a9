import DocgateTestSupport
import Foundation
import Testing
@testable import DocgateXML

/// The direct tree walk (`TreeCanonicalWriter`) against known canonical forms and, over many documents and node
/// sets, against libxml2's `xmlC14NExecute`.
@Suite struct CanonicalizationTests {
    static let methods: [XMLCanonicalizer.Method] = [.exclusive(prefixes: []), .inclusive]

    /// The walk's own output, and whether it wrote it (rather than leaving it to libxml2).
    static func walk(_ document: XMLDocument, _ method: XMLCanonicalizer.Method, _ scope: XMLCanonicalizer.Scope,
                     excluding excluded: [XMLNode] = []) -> (bytes: [UInt8], written: Bool) {
        var out: [UInt8] = []
        var prefixes: [String] = []
        if case .exclusive(let list) = method { prefixes = list }
        let exclusive = if case .exclusive = method { true } else { false }
        let outcome = withUnsafeMutablePointer(to: &out) { target in
            var writer = TreeCanonicalWriter(exclusive: exclusive, inclusivePrefixes: prefixes, excluded: excluded) {
                target.pointee.append(contentsOf: $0)
            }
            switch scope {
            case .document: return writer.writeDocument(document.pointer)
            case .subtree(let node): return writer.writeElement(node.pointer)
            }
        }
        return (out, outcome == .written)
    }

    static func parse(_ text: String) throws -> XMLDocument {
        try Array(text.utf8).withUnsafeBytes { XMLDocument.parse($0) }.get()
    }

    static func elements(_ document: XMLDocument) -> [XMLNode] {
        var out: [XMLNode] = []
        func visit(_ node: XMLNode) {
            if node.isElement { out.append(node) }
            var c = node.firstChild
            while let child = c { visit(child); c = child.nextSibling }
        }
        if let root = document.root { visit(root) }
        return out
    }

    /// Every scope the signature code uses on this document — the whole document, the whole document less a
    /// subtree, and single elements — gives the bytes libxml2 gives.
    static func expectSameAsLibXML2(_ document: XMLDocument, file: String, methods: [XMLCanonicalizer.Method] = methods,
                                    elementLimit: Int = 60) {
        let all = elements(document)
        for method in methods {
            var scopes: [(XMLCanonicalizer.Scope, [XMLNode])] = [(.document, [])]
            // Leave out the last element of the root (where signatures sit), and a subtree from the middle.
            if all.count > 2 { scopes.append((.document, [all[all.count / 2]])) }
            if let last = all[0].lastChild, last.isElement { scopes.append((.document, [last])) }
            let step = max(1, all.count / elementLimit)
            for i in stride(from: 0, to: all.count, by: step) { scopes.append((.subtree(all[i]), [])) }
            for (scope, excluded) in scopes {
                let reference = XMLCanonicalizer(method: method, scope: scope, excluding: excluded).bytesWithLibXML2(document)
                var walked = walk(document, method, scope, excluding: excluded)
                #expect(reference != nil)
                if !walked.written {
                    // The one hand-over these documents may cause: inclusive C14N of an element below xml:* attributes.
                    let inherits = method == .inclusive && document.serialized().contains(Array("xml:".utf8))
                    #expect(inherits, "\(file) \(method) \(scope)")
                    walked.bytes = XMLCanonicalizer(method: method, scope: scope, excluding: excluded).bytes(document) ?? []
                }
                if let reference, walked.bytes != reference {
                    Issue.record("\(file) \(method) \(scope): walk\n\(String(decoding: walked.bytes, as: UTF8.self))\nlibxml2\n\(String(decoding: reference, as: UTF8.self))")
                    return
                }
            }
        }
    }

    @Test func knownCanonicalForms() throws {
        // Attribute order, namespace declarations, escaping, empty elements, comments and PIs around the root.
        let doc = try Self.parse("""
            <?xml version="1.0" encoding="UTF-8"?>
            <?first one?>
            <!-- before -->
            <r xmlns="urn:d" xmlns:b="urn:b" xmlns:a="urn:a" xmlns:unused="urn:u" z="1" b:y="2" a:y="3" a="4">
              <e/><b:x attr="&quot;&lt;&amp;&#9;&#10;&#13;>">t &amp; &lt; &gt; &#13; "q"<![CDATA[<c>]]></b:x><!-- inside -->
              <n xmlns=""><m xmlns="urn:d"/></n>
            </r>
            <?last?>
            """)
        let exclusive = Self.walk(doc, .exclusive(prefixes: []), .document)
        #expect(exclusive.written)
        #expect(String(decoding: exclusive.bytes, as: UTF8.self) == """
            <?first one?>
            <r xmlns="urn:d" xmlns:a="urn:a" xmlns:b="urn:b" a="4" z="1" a:y="3" b:y="2">
              <e></e><b:x attr="&quot;&lt;&amp;&#x9;&#xA;&#xD;>">t &amp; &lt; &gt; &#xD; "q"&lt;c&gt;</b:x>
              <n xmlns=""><m xmlns="urn:d"></m></n>
            </r>
            <?last?>
            """)
        let inclusive = Self.walk(doc, .inclusive, .document)
        #expect(String(decoding: inclusive.bytes, as: UTF8.self).hasPrefix(
            "<?first one?>\n<r xmlns=\"urn:d\" xmlns:a=\"urn:a\" xmlns:b=\"urn:b\" xmlns:unused=\"urn:u\" a=\"4\" z=\"1\" a:y=\"3\" b:y=\"2\">\n  <e></e><b:x attr="))

        // A subtree carries the namespaces it needs (exclusive) or every namespace in scope (inclusive).
        let x = try #require(Self.elements(doc).first { $0.name == "x" })
        #expect(String(decoding: Self.walk(doc, .exclusive(prefixes: []), .subtree(x)).bytes, as: UTF8.self).hasPrefix(
            "<b:x xmlns:b=\"urn:b\" attr="))
        // Exclusive C14N renders a prefix where it is first used, not where it is declared.
        let n = try #require(Self.elements(doc).first { $0.name == "n" })
        #expect(String(decoding: Self.walk(doc, .exclusive(prefixes: []), .subtree(n)).bytes, as: UTF8.self) ==
            "<n><m xmlns=\"urn:d\"></m></n>")
        #expect(String(decoding: Self.walk(doc, .inclusive, .subtree(x)).bytes, as: UTF8.self).hasPrefix(
            "<b:x xmlns=\"urn:d\" xmlns:a=\"urn:a\" xmlns:b=\"urn:b\" xmlns:unused=\"urn:u\" attr="))
        // InclusiveNamespaces: listed prefixes are rendered where they are in scope, #default included.
        #expect(String(decoding: Self.walk(doc, .exclusive(prefixes: ["unused", "#default"]), .subtree(x)).bytes, as: UTF8.self).hasPrefix(
            "<b:x xmlns=\"urn:d\" xmlns:b=\"urn:b\" xmlns:unused=\"urn:u\" attr="))
    }

    @Test func samplesAndVectorMatchLibXML2() throws {
        var files: [String] = []
        for folder in ["valid", "warnings", "invalid", "report", "compute"] { files += TestPaths.sampleFiles(folder) }
        for vectors in ["/xmlsec-gost2012-256", "/xmlsec-gost2012-512"].map({ TestPaths.vectors + $0 }) {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: vectors)) ?? [] where name.hasSuffix(".xml") {
                files.append(vectors + "/" + name)
            }
        }
        #expect(files.count >= 20)
        var compared = 0
        for file in files {
            guard case .success(let document) = try XMLDocument.parse(file: file) else { continue }
            Self.expectSameAsLibXML2(document, file: file)
            compared += 1
        }
        #expect(compared >= 20)
    }

    @Test func namespaceEdgeCasesMatchLibXML2() throws {
        let cases = [
            // Default namespace switched off and on again, redeclared with the same and another URI.
            "<a xmlns='urn:1'><b xmlns=''><c xmlns='urn:1'><d xmlns='urn:1'/><e xmlns='urn:2'/></c></b><b2 xmlns=''/></a>",
            // Prefix rebound below, used by an attribute only, declared and unused, declared twice on a path.
            "<p:a xmlns:p='urn:p' xmlns:q='urn:q'><p:b xmlns:p='urn:p2' q:at='1'><c p:at='2' xmlns:p='urn:p'/></p:b><q:d xmlns:q='urn:q'/></p:a>",
            // No namespace at all under a default one; attributes in several namespaces sorted by URI then name.
            "<a xmlns:z='urn:a' xmlns:y='urn:b' y:k='1' z:k='2' k='3' z:a='4'><n xmlns=''><m/></n><x xmlns='urn:x' y:k='5'/></a>",
            // xml:* attributes (never a declaration), PIs and comments inside, text with every escaped character.
            "<a xml:lang='ru' xmlns='urn:a'><?pi data?><!--c--><b xml:space='preserve'>&amp;&lt;&gt;&#13;&#xE9;Привет</b><?empty?></a>",
            // Deep nesting and many siblings.
            "<a xmlns='urn:a'>" + (0..<40).map { "<b i='\($0)'><c xmlns:n='urn:n\($0 % 3)'><n:d/></c></b>" }.joined() + "</a>",
        ]
        for (i, text) in cases.enumerated() {
            let document = try Self.parse(text)
            Self.expectSameAsLibXML2(document, file: "case \(i)", elementLimit: 1000)
            for prefixes in [["p", "#default"], ["q", "z", "n"]] {
                Self.expectSameAsLibXML2(document, file: "case \(i) \(prefixes)", methods: [.exclusive(prefixes: prefixes)], elementLimit: 1000)
            }
        }
    }

    /// Where the walk stops (an inherited xml:* attribute in inclusive C14N of a subtree), the canonicalizer starts
    /// again with libxml2 and the caller's partial output is dropped.
    @Test func theWalkHandsOverToLibXML2WhereItStops() throws {
        let document = try Self.parse("<a xml:lang='ru' xmlns='urn:a'><b><c>text</c></b></a>")
        let b = try #require(Self.elements(document).first { $0.name == "b" })
        #expect(!Self.walk(document, .inclusive, .subtree(b)).written)
        let canonicalizer = XMLCanonicalizer(method: .inclusive, scope: .subtree(b))
        var restarts = 0
        var out: [UInt8] = []
        #expect(canonicalizer.run(document, restart: { restarts += 1; out.removeAll() }) { out.append(contentsOf: $0) })
        #expect(restarts == 1)
        #expect(out == canonicalizer.bytesWithLibXML2(document))
        #expect(String(decoding: out, as: UTF8.self) == "<b xmlns=\"urn:a\" xml:lang=\"ru\"><c>text</c></b>")
        // Exclusive C14N inherits nothing: the walk writes it.
        let exclusive = Self.walk(document, .exclusive(prefixes: []), .subtree(b))
        #expect(exclusive.written)
        #expect(String(decoding: exclusive.bytes, as: UTF8.self) == "<b xmlns=\"urn:a\"><c>text</c></b>")
    }

    /// Output larger than the walk's buffer arrives in pieces and whole.
    @Test func largeOutputIsStreamedInPieces() throws {
        let text = "<a>" + (0..<5000).map { "<b n='\($0)'>&amp;value \($0)</b>" }.joined() + "</a>"
        let document = try Self.parse(text)
        var pieces = 0
        var out: [UInt8] = []
        let ok = XMLCanonicalizer(method: .exclusive(prefixes: []), scope: .document)
            .run(document, restart: { Issue.record("no restart expected") }) { pieces += 1; out.append(contentsOf: $0) }
        #expect(ok)
        #expect(pieces > 1)
        #expect(out == XMLCanonicalizer(method: .exclusive(prefixes: []), scope: .document).bytesWithLibXML2(document))
    }
}
