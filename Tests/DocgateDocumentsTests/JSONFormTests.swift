import DocgateCore
import DocgateTestSupport
import DocgateXML
import Testing
@testable import DocgateDocuments

/// A small deterministic generator (SplitMix64), so a failing case can be replayed from its seed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random documents of a kind, built from its shape: every optional part present or not, repeats from the
/// minimum to three, a random branch of each choice, values of every lexical form the type allows (including
/// ones JSON cannot write as numbers), text with markup characters, tabs, line breaks, carriage returns, Cyrillic
/// and characters beyond the BMP, extensions in foreign namespaces, comments, and either a default namespace or a
/// prefix. They follow the schema's structure; their values need not pass the business rules.
struct RandomDocument {
    var rng: SplitMix
    let prefix: String?
    var out = ""

    init(seed: UInt64) {
        rng = SplitMix(state: seed)
        prefix = Bool.random(using: &rng) ? "d" : nil
    }

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &rng) < p }
    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &rng)] }

    static let alphabet: [String] = ["a", "Z", "Я", "ё", "№", " ", "&amp;", "&lt;", "&gt;", "\"", "'", "\t", "\n", "&#xD;", "€", "𝄞", "1", "-", "«", "»"]

    mutating func text(_ type: ShapeSimpleType) -> String {
        if !type.enumeration.isEmpty { return pick(type.enumeration) }
        switch type.base {
        case .decimal:
            let whole = String(Int.random(in: 0...999_999, using: &rng))
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: return whole
            case 1: return whole + "." + String(Int.random(in: 0...99, using: &rng))
            case 2: return whole + ".50"
            case 3: return "+" + whole
            case 4: return "." + String(Int.random(in: 1...9, using: &rng))
            default: return "00" + whole + ".0"
            }
        case .integer: return chance(0.8) ? String(Int.random(in: 1...40, using: &rng)) : "0" + String(Int.random(in: 1...9, using: &rng))
        case .year: return String(Int.random(in: 2000...2100, using: &rng))
        case .date: return "20\(Int.random(in: 10...40, using: &rng))-0\(Int.random(in: 1...9, using: &rng))-1\(Int.random(in: 0...9, using: &rng))"
        case .dateTime: return "2025-03-04T10:0\(Int.random(in: 0...9, using: &rng)):00" + pick(["Z", "+07:00", "-03:30"])
        case .boolean: return pick(["true", "false", "1", "0"])
        case .anyURI: return pick(["urn:docgate:test", "https://example.org/a?b=c&amp;d=e"])
        case .base64: return pick(["AAEC", "SGVsbG8=", "MIIB\nAAAA"])
        case .string:
            var s = "x"
            for _ in 0..<Int.random(in: 0...10, using: &rng) { s += pick(Self.alphabet) }
            if chance(0.5) { s = String(s.dropFirst()) + "q" }
            return s
        }
    }

    mutating func name(_ local: String) -> String { prefix.map { $0 + ":" + local } ?? local }

    mutating func space() {
        if chance(0.1) { out += "<!-- комментарий -->" }
        out += pick(["", "\n", "\n  ", " \t"])
    }

    mutating func attributeValue(_ type: ShapeSimpleType) -> String {
        text(type).replacingOccurrences(of: "\n", with: "&#10;").replacingOccurrences(of: "\t", with: "&#9;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    mutating func element(_ e: ShapeElement, namespaceDeclaration: String? = nil) {
        let tag = name(e.name)
        switch e.content {
        case .signature: return
        case .simple(let t):
            out += "<\(tag)>\(text(t).replacingOccurrences(of: "\"", with: "&quot;"))</\(tag)>"
        case .empty:
            out += chance(0.5) ? "<\(tag)/>" : "<\(tag)></\(tag)>"
        case .foreign:
            out += "<\(tag)>"
            for i in 0..<Int.random(in: 0...2, using: &rng) {
                space()
                out += "<x:ext\(i) xmlns:x=\"urn:example:ext\" a=\"\(i)\">текст &amp; <x:inner b=\"2\"/></x:ext\(i)>"
            }
            out += "</\(tag)>"
        case .complex(let type):
            out += "<\(tag)" + (namespaceDeclaration ?? "")
            for a in type.attributes where a.required || chance(0.5) {
                out += " \(a.name)=\"\(attributeValue(a.type))\""
            }
            out += ">"
            if let simple = type.simpleContent {
                out += text(simple)
                out += "</\(tag)>"
                return
            }
            var taken: Set<String> = []
            for choice in type.choices { taken.formUnion(pick(choice)) }
            var wroteChild = false
            for child in type.children {
                if child.inChoice && !taken.contains(child.name) { continue }
                let most = child.maxOccurs.map { min($0, 3) } ?? 3
                let count = child.minOccurs == 0 && !child.inChoice && chance(0.4) ? 0 : Int.random(in: max(child.minOccurs, 1)...max(most, 1), using: &rng)
                for _ in 0..<count {
                    space()
                    element(child)
                    wroteChild = true
                }
            }
            // Whitespace between elements is not data; inside an element without children it would be text.
            if wroteChild { space() }
            out += "</\(tag)>"
        }
    }

    static func make(_ shape: DocumentShape, seed: UInt64) -> String {
        var g = RandomDocument(seed: seed)
        let declaration = g.prefix.map { " xmlns:\($0)=\"\(shape.kind.namespace)\"" } ?? " xmlns=\"\(shape.kind.namespace)\""
        g.out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        g.element(shape.root, namespaceDeclaration: declaration)
        return g.out
    }
}

extension String {
    func replacingOccurrences(of a: String, with b: String) -> String {
        split(separator: a, omittingEmptySubsequences: false).joined(separator: b)
    }
}

@Suite struct JSONFormTests {
    static let shapes = ShapeLibrary(schemaDirectory: TestPaths.schemas)

    static func parse(_ text: String) throws -> XMLDocument {
        try parse(Array(text.utf8))
    }

    static func parse(_ bytes: [UInt8]) throws -> XMLDocument {
        let result = bytes.withUnsafeBytes { XMLDocument.parse($0) }
        switch result {
        case .success(let d): return d
        case .failure(let f): throw ShapeError(message: "\(f)")
        }
    }

    /// The property: for random documents of every kind, export then generate gives the same document after
    /// canonicalisation, and exporting the result gives the same JSON again.
    @Test(arguments: DocumentKind.allCases)
    func exportThenGenerateGivesTheSameDocument(_ kind: DocumentKind) throws {
        let shape = try Self.shapes.shape(kind)
        for seed in UInt64(1)...60 {
            let xml = RandomDocument.make(shape, seed: seed &* 7919 &+ UInt64(kind.rawValue.count))
            let original = try Self.parse(xml)
            let exported = try DocumentExport.export(original, shapes: Self.shapes)
            #expect(exported.kind == kind)
            let generated = try DocumentGenerator(shape: shape).generate(exported.value, newID: "unused", now: "unused")
            let regenerated = try Self.parse(generated.bytes)
            let a = try #require(original.canonicalData())
            let b = try #require(regenerated.canonicalData())
            #expect(a == b, "seed \(seed):\n\(xml)\n---\n\(String(decoding: generated.bytes, as: UTF8.self))")
            let again = try DocumentExport.export(try Self.parse(generated.bytes), shapes: Self.shapes)
            #expect(again.value == exported.value, "seed \(seed)")
            // The JSON text reads back to the same value, numbers and all.
            var reader = JSONReader()
            #expect(try reader.read(Array(exported.value.rendered().utf8)) == exported.value)
            if a != b { return }
        }
    }

    @Test func windows1251OutputCarriesTheSameData() throws {
        let shape = try Self.shapes.shape(.socialCertificate)
        for seed in UInt64(100)...120 {
            let original = try Self.parse(RandomDocument.make(shape, seed: seed))
            let exported = try DocumentExport.export(original, shapes: Self.shapes)
            let generated = try DocumentGenerator(shape: shape, encoding: .windows1251).generate(exported.value, newID: "x", now: "x")
            #expect(generated.bytes.starts(with: Array("<?xml version=\"1.0\" encoding=\"windows-1251\"?>".utf8)))
            let back = try Self.parse(generated.bytes)
            #expect(back.inputEncoding == .windows1251)
            #expect(try #require(back.canonicalData()) == (try #require(original.canonicalData())))
        }
    }

    @Test func numbersKeepTheirExactText() throws {
        var reader = JSONReader()
        let value = try reader.read(Array(#"{"a": 1500.10, "b": [0.1, -3e2, 100000000000000000001], "c": "x"}"#.utf8))
        #expect(value["a"] == .number("1500.10"))
        #expect(value["b"] == .array([.number("0.1"), .number("-3e2"), .number("100000000000000000001")]))
        #expect(reader.positions["$.b[1]"] == SourcePosition(line: 1, column: 27))
    }

    @Test(arguments: [
        (#"{"a": 1,}"#, 1, 9), (#"{"a": 1, "a": 2}"#, 1, 10), ("[01]", 1, 2), (#"{"a": "\x"}"#, 1, 10),
        ("{\n  \"a\": tru\n}", 2, 8), (#"["\ud800"]"#, 1, 9), ("[1] 2", 1, 5), ("{\"a\": \"tab\there\"}", 1, 11),
    ])
    func malformedJSONIsRefusedWithItsPlace(_ text: String, _ line: Int, _ column: Int) {
        var reader = JSONReader()
        #expect {
            try reader.read(Array(text.utf8))
        } throws: { error in
            guard let e = error as? JSONParseError else { return false }
            return e.position.line == line && e.position.column == column && !e.message.ru.isEmpty
        }
    }

    @Test func generatorNamesEveryShapeProblemByPath() throws {
        let shape = try Self.shapes.shape(.receipt)
        var reader = JSONReader()
        let value = try reader.read(Array(#"{"id": 5, "statusX": "delivered", "createdAt": "2025-01-01T00:00:00Z", "error": {"message": "x"}}"#.utf8))
        #expect {
            try DocumentGenerator(shape: shape).generate(value, newID: "n", now: "2025-01-01T00:00:00Z")
        } throws: { error in
            guard let list = (error as? ShapeProblems)?.list else { return false }
            let found = Set(list.map { $0.code + " " + $0.path })
            return found.contains("DG2104 $.id") && found.contains("DG2107 $.statusX") && found.contains("DG2108 $.gateway")
                && found.contains("DG2104 $.error")
        }
    }

    @Test func hostileJSONIsRefusedWithoutHarm() throws {
        // Nesting far beyond any document: refused by the reader's depth limit, not by the stack.
        var reader = JSONReader()
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try reader.read(Array(deep.utf8)) }
        // A character XML cannot carry, and an extension that would smuggle markup in.
        let shape = try Self.shapes.shape(.socialOrder)
        let value = try reader.read(Array(#"{"activityArea": "a\u0000b", "extensions": ["<?xml version=\"1.0\"?><x:a xmlns:x=\"urn:x\"/>", "</receipt><receipt>"]}"#.utf8))
        #expect {
            try DocumentGenerator(shape: shape).generate(value, newID: "n", now: "2025-01-01T00:00:00Z")
        } throws: { error in
            guard let list = (error as? ShapeProblems)?.list else { return false }
            let found = Set(list.map { $0.code + " " + $0.path })
            return found.contains("DG2105 $.activityArea") && found.contains("DG2106 $.extensions[0]") && found.contains("DG2106 $.extensions[1]")
        }
    }

    @Test func exportRefusesStructureTheSchemaDoesNotHave() throws {
        let doc = try Self.parse("<receipt xmlns=\"urn://docgate/receipt/1\" id=\"1\">\n<createdAt>x</createdAt>\n<bogus/></receipt>")
        #expect {
            try DocumentExport.export(doc, shapes: Self.shapes)
        } throws: { error in
            guard let p = error as? ShapeProblem else { return false }
            return p.code == "DG2102" && p.path == "$.bogus" && p.line == 3
        }
    }

    @Test func windows1251TableMatchesTheCodePage() throws {
        // Every byte 0x80–0xFF decodes (through libxml2's own converter) to the character the table names.
        var bytes = Array("<?xml version=\"1.0\" encoding=\"windows-1251\"?><a>".utf8)
        let range = (0x80...0xFF).filter { $0 != 0x98 }
        bytes += range.map(UInt8.init)
        bytes += Array("</a>".utf8)
        let doc = try Self.parse(bytes)
        let scalars = Array(try #require(doc.root).text.unicodeScalars).map(\.value)
        #expect(scalars == range.map { b in b >= 0xC0 ? UInt32(0x0410 + b - 0xC0) : Windows1251.upperHalf[b - 0x80] })
        for (b, s) in zip(range, scalars) { #expect(Windows1251.byte(for: s) == UInt8(b)) }
    }
}
