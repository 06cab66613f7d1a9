import Testing
import DocgateXML

/// The node API the modules above DocgateXML use instead of libxml2: navigation over every node type, namespaces,
/// attributes by identity, text read in place, building and serialising — tested through the public API only.
@Suite struct XMLNodeAPITests {
    static func parse(_ text: String) throws -> XMLDocument {
        try Array(text.utf8).withUnsafeBytes { XMLDocument.parse($0) }.get()
    }

    static func string(_ buffer: UnsafeBufferPointer<UInt8>) -> String { String(decoding: buffer, as: UTF8.self) }

    @Test func navigatesEveryNodeType() throws {
        let document = try Self.parse("<r>a<!--c--><?pi data?><e/><![CDATA[x]]></r>")
        let root = try #require(document.root)
        let text = try #require(root.firstChild)
        #expect(text.isTextNode && text.kind == .text && !text.isCDATA)
        let comment = try #require(text.nextSibling)
        #expect(comment.isComment && comment.kind == .other && !comment.isProcessingInstruction)
        let instruction = try #require(comment.nextSibling)
        #expect(instruction.isProcessingInstruction && instruction.kind == .other)
        #expect(instruction.withOwnContent(Self.string) == "data")
        let element = try #require(instruction.nextSibling)
        #expect(element.isElement && element.kind == .element && element.name == "e")
        let cdata = try #require(root.lastChild)
        #expect(cdata.isCDATA && !cdata.isTextNode && cdata.kind == .text)
        #expect(cdata.nextSibling == nil && text.previousSibling == nil)
        #expect(cdata.previousSibling == element && element.previousSibling == instruction)
        // Identity: the same node reached two ways is one value; different nodes differ.
        #expect(element.parentNode == root && comment.parentNode == root)
        #expect(Set([text, comment, instruction, element, cdata, try #require(element.parentNode?.firstChild)]).count == 5)
        // The root's parent is the document node: a node, but not an element.
        let top = try #require(root.parentNode)
        #expect(!top.isElement && root.parent == nil && top.firstChild == root)
        // Line numbers.
        let lines = try Self.parse("<r>\n\n  <e/>\n</r>")
        #expect(lines.root?.line == 1 && lines.root?.firstElementChild?.line == 3)
    }

    @Test func resolvesNamespacesAndPrefixes() throws {
        let document = try Self.parse("""
            <a xmlns="urn:d" xmlns:p="urn:p"><p:b xmlns:p="urn:q"><c/></p:b></a>
            """)
        let a = try #require(document.root)
        let b = try #require(a.firstElementChild)
        let c = try #require(b.firstElementChild)
        #expect(a.namespaceURI(forPrefix: "p") == "urn:p")
        #expect(c.namespaceURI(forPrefix: "p") == "urn:q")
        #expect(c.namespaceURI(forPrefix: nil) == "urn:d")
        #expect(c.namespaceURI(forPrefix: "none") == nil)
        #expect(b.namespacePrefix == "p" && b.namespaceURI == "urn:q" && b.isInNamespace("urn:q") && !b.isInNamespace("urn:p"))
        #expect(c.namespacePrefix == nil && c.isInNamespace("urn:d"))
        var names: [UInt8] = []
        b.appendQualifiedName(to: &names)
        names.append(0x20)
        c.appendQualifiedName(to: &names)
        #expect(String(decoding: names, as: UTF8.self) == "p:b c")
        let plain = try Self.parse("<r/>")
        #expect(plain.root?.namespaceURI(forPrefix: nil) == nil && plain.root?.isInNamespace("") == false)
    }

    @Test func attributesAreIdentifiedByNode() throws {
        let document = try Self.parse("<r id='1' x:k='v' xmlns:x='urn:x'><e id='1' v='a &amp; b'/></r>")
        let root = try #require(document.root)
        let e = try #require(root.firstElementChild)
        func attributes(_ node: XMLNode) -> [XMLAttributeNode] {
            var out: [XMLAttributeNode] = []
            var a = node.firstAttribute
            while let attribute = a { out.append(attribute); a = attribute.next }
            return out
        }
        let onRoot = attributes(root), onE = attributes(e)
        #expect(onRoot.map(\.name) == ["id", "k"] && onRoot.map(\.namespaceURI) == [nil, "urn:x"])
        #expect(onE.map(\.value) == ["1", "a & b"])
        // Equal values on different elements are different attributes; the same attribute found again is equal.
        #expect(onRoot[0].value == onE[0].value && onRoot[0] != onE[0])
        #expect(attributes(root) == onRoot && Set(onRoot + onE + attributes(e)).count == 4)
        #expect(onRoot[0].element == root && onE[1].element == e)
        // Only elements have attributes: a text node has none.
        let text = try Self.parse("<r a='1'>t</r>")
        #expect(text.root?.firstAttribute?.name == "a" && text.root?.firstChild?.firstAttribute == nil)
    }

    @Test func readsTextChunksInPlace() throws {
        let document = try Self.parse("<v>ab<![CDATA[c&d]]><!--skip--><i>inner</i>e&amp;f</v>")
        let v = try #require(document.root)
        var chunks: [String] = []
        #expect(v.withTextChunks { chunks.append(Self.string($0)); return true })
        #expect(chunks == ["ab", "c&d", "e&f"])
        // A false answer stops the walk and is returned.
        var seen = 0
        #expect(!v.withTextChunks { _ in seen += 1; return seen < 2 })
        #expect(seen == 2)
        // One text child: the fast path; anything else: nil without calling the body.
        #expect(v.withSoleTextChild { _ in true } == nil)
        let single = try Self.parse("<v>xyz</v>")
        #expect(single.root?.withSoleTextChild(Self.string) == "xyz")
        let cdata = try Self.parse("<v><![CDATA[xyz]]></v>")
        #expect(cdata.root?.withSoleTextChild { _ in true } == nil)
        #expect(cdata.root?.withTextChunks { Self.string($0) == "xyz" } == true)
        // An element has no content of its own.
        #expect(v.withOwnContent { $0.count } == 0)
    }

    @Test func buildsAndSerialisesATree() throws {
        let document = try Self.parse("<r><old/></r>")
        let root = try #require(document.root)
        let s = try #require(document.newElement("s"))
        let ns = s.declareNamespace("urn:x", prefix: "x")
        #expect(ns?.uri == "urn:x" && ns?.prefix == "x")
        s.setNamespace(ns)
        root.appendChild(s)
        let c = try #require(document.newElement("c", namespace: ns))
        s.appendChild(c)
        c.addAttribute("k", value: "a<b")
        c.appendText("1 < 2")
        s.appendText("\n")
        s.appendText("  ")
        #expect(s.lastChild?.previousSibling == c)                  // adjacent text merged into one node
        let first = try #require(document.newElement("first"))
        c.addPreviousSibling(first)
        c.addPreviousText("t")
        let last = try #require(document.newElement("last"))
        c.addNextSibling(last)
        #expect(String(decoding: try #require(s.serializedBytes()), as: UTF8.self)
            == "<x:s xmlns:x=\"urn:x\"><first/>t<x:c k=\"a&lt;b\">1 &lt; 2</x:c><last/>\n  </x:s>")
        // setContent parses references (a literal & must be written &amp;).
        c.setContent("x &amp; y")
        #expect(c.text == "x & y")
        try #require(root.firstElementChild).unlinkAndFree()
        #expect(root.firstElementChild == s)
        #expect(String(decoding: try #require(root.serializedBytes()), as: UTF8.self)
            == "<r><x:s xmlns:x=\"urn:x\"><first/>t<x:c k=\"a&lt;b\">x &amp; y</x:c><last/>\n  </x:s></r>")
        let text = try #require(document.newText("loose & free"))
        last.appendChild(text)
        #expect(last.serializedBytes().map { String(decoding: $0, as: UTF8.self) } == "<last>loose &amp; free</last>")
    }

    /// The canonicalizer takes and gives nodes: excluded subtrees, an insertion point and the census's findings.
    @Test func canonicalizerSpeaksNodes() throws {
        let document = try Self.parse("""
            <r xmlns="urn:r" id="1"><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"/><e Id="1" other="1"/></r>
            """)
        let root = try #require(document.root)
        let signature = try #require(root.firstElementChild)
        let e = try #require(signature.nextElementSibling)
        let census = XMLCanonicalizer.Census(.init(elementNamespace: "http://www.w3.org/2000/09/xmldsig#", localName: "Signature",
                                                   attributeNames: ["id", "Id"]))
        let whole = XMLCanonicalizer(method: .exclusive(prefixes: []), scope: .document,
                                     inserting: .init(parent: root, before: e, text: "&"), census: census)
        #expect(whole.bytes(document).map { String(decoding: $0, as: UTF8.self) }
            == "<r xmlns=\"urn:r\" id=\"1\"><ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"></ds:Signature>&amp;<e Id=\"1\" other=\"1\"></e></r>")
        #expect(census.complete && census.elements == [signature])
        #expect(census.attributes == [try #require(root.firstAttribute), try #require(e.firstAttribute)])
        let less = XMLCanonicalizer(method: .exclusive(prefixes: []), scope: .subtree(root), excluding: [signature])
        #expect(less.bytes(document).map { String(decoding: $0, as: UTF8.self) }
            == "<r xmlns=\"urn:r\" id=\"1\"><e Id=\"1\" other=\"1\"></e></r>")
        #expect(less.bytesWithLibXML2(document) == less.bytes(document))
    }
}
