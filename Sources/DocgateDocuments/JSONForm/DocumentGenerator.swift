import DocgateCore
import DocgateXML
import Synchronization

/// The shapes of the kinds, each read from the schema directory the first time it is asked for.
public final class ShapeLibrary: Sendable {
    /// The directory the schemas are read from.
    public let schemaDirectory: String
    private let shapes = Mutex<[DocumentKind: Result<DocumentShape, ShapeError>]>([:])

    /// An empty library; nothing is read until a shape is asked for.
    public init(schemaDirectory: String) {
        self.schemaDirectory = schemaDirectory
    }

    /// The shape of `kind`, read once and kept (a failure too); DG2109 when the schema cannot be read as a shape.
    public func shape(_ kind: DocumentKind) throws(ShapeProblem) -> DocumentShape {
        let result = shapes.withLock { cache in
            if let known = cache[kind] { return known }
            let loaded: Result<DocumentShape, ShapeError>
            do throws(ShapeError) { loaded = .success(try DocumentShape.load(kind: kind, schemaDirectory: schemaDirectory)) } catch { loaded = .failure(error) }
            cache[kind] = loaded
            return loaded
        }
        switch result {
        case .success(let s): return s
        case .failure(let e):
            throw ShapeProblem(code: "DG2109", path: "$", message: LocalizedText(ru: "схема не читается: " + e.message, en: "the schema cannot be read: " + e.message))
        }
    }
}

/// `docgate generate`: a document from its JSON form. The inverse of `DocumentExport`: `generate(export(d))` is
/// `d` after canonicalisation.
public struct DocumentGenerator: Sendable {
    /// The shape of the kind generated.
    public let shape: DocumentShape
    /// The encoding the document is written in (UTF-8 by default, or windows-1251).
    public var encoding: XMLWriter.Encoding

    /// A generator of documents of `shape`'s kind in `encoding`.
    public init(shape: DocumentShape, encoding: XMLWriter.Encoding = .utf8) {
        self.shape = shape
        self.encoding = encoding
    }

    /// A generated document and where its lines came from.
    public struct Output: Sendable {
        /// The document, encoded, with its XML declaration.
        public var bytes: [UInt8]
        /// The root `id`: the one given, or the new one.
        public var id: String
        /// The JSON path each element's line came from, by line (ascending).
        public var lines: [(line: Int, path: String)]

        /// The JSON path of the element on `line` (or of the closest element before it).
        public func path(atLine line: Int) -> String? {
            var lo = 0, hi = lines.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if lines[mid].line <= line { lo = mid + 1 } else { hi = mid }
            }
            return lo > 0 ? lines[lo - 1].path : nil
        }
    }

    /// Root members that may be left out: `id` (a new UUID) and `formatVersion` (1.0).
    public static let rootDefaults: Set<String> = ["id", "formatVersion"]
    /// The root member whose `createdAt` may be left out (the time of generation).
    public static let headerMember = "header"
    /// Members of the header that may be left out: `createdAt` (the time of generation).
    public static let headerDefaults: Set<String> = ["createdAt"]

    /// The document `value` describes, members written in schema order; every mismatch with the shape is reported at
    /// once (DG21xx, with its JSON path). A missing `id` becomes `newID`, a missing `formatVersion` "1.0", a missing
    /// `header.createdAt` the time `now`.
    public func generate(_ value: JSONValue, newID: String, now: String) throws(ShapeProblems) -> Output {
        var state = State(encoding: encoding)
        guard case .object(var members) = value else {
            throw ShapeProblems(list: [ShapeProblem(code: "DG2103", path: "$", message: LocalizedText(ru: "ожидался объект JSON, а не \(value.typeName)",
                                                                                                     en: "a JSON object expected, not \(value.typeName)"))])
        }
        // Members are written in schema order whatever their order here, so defaults are simply appended.
        var id = newID
        if case .string(let given)? = value["id"] { id = given } else if value["id"] == nil { members.append(("id", .string(newID))) }
        if value["formatVersion"] == nil { members.append(("formatVersion", .string("1.0"))) }
        if case .object(var header)? = value[Self.headerMember], header.allSatisfy({ $0.0 != "createdAt" }),
           let i = members.firstIndex(where: { $0.0 == Self.headerMember }) {
            header.append(("createdAt", .string(now)))
            members[i].1 = .object(header)
        }
        state.element(shape.root, .object(members), path: "$", namespace: shape.kind.namespace)
        if !state.problems.isEmpty { throw ShapeProblems(list: state.problems) }
        return Output(bytes: state.emitter.finish(), id: id, lines: state.lines)
    }

    private struct State {
        var emitter: XMLEmitter
        var lines: [(line: Int, path: String)] = []
        var problems: [ShapeProblem] = []

        init(encoding: XMLWriter.Encoding) {
            emitter = XMLEmitter(encoding: encoding)
        }

        mutating func fail(_ code: String, _ path: String, _ ru: String, _ en: String) {
            if problems.count < 100 { problems.append(ShapeProblem(code: code, path: path, message: LocalizedText(ru: ru, en: en))) }
        }

        /// The text of a scalar member, or nil (and a problem) when the JSON type does not fit.
        mutating func scalar(_ value: JSONValue, _ type: ShapeSimpleType, path: String) -> String? {
            switch value {
            case .string(let s): return s
            case .number(let n) where type.base.isNumeric: return n
            case .bool(let b) where type.base == .boolean: return b ? "true" : "false"
            default:
                let expected = type.base.isNumeric ? "number" : type.base == .boolean ? "boolean" : "string"
                fail("DG2104", path, "ожидалось значение типа \(expected), а не \(value.typeName)", "a \(expected) expected, not \(value.typeName)")
                return nil
            }
        }

        mutating func forbidden(_ e: XMLEmitter.ForbiddenCharacter, _ path: String) {
            let hex = "U+" + String(e.scalar, radix: 16, uppercase: true)
            fail("DG2105", path, "символ \(hex) недопустим в XML", "character \(hex) is not allowed in XML")
        }

        mutating func element(_ element: ShapeElement, _ value: JSONValue, path: String, namespace: String? = nil) {
            switch element.content {
            case .signature:
                return
            case .empty:
                guard case .bool(let on) = value else {
                    fail("DG2104", path, "ожидалось true (признак), а не \(value.typeName)", "true expected (a flag), not \(value.typeName)")
                    return
                }
                if on { lines.append((emitter.start(element.name), path)); emitter.end(element.name) }
            case .simple(let type):
                guard let text = scalar(value, type, path: path) else { return }
                lines.append((emitter.start(element.name), path))
                do { try emitter.text(text) } catch { forbidden(error, path) }
                emitter.end(element.name)
            case .foreign:
                guard case .array(let fragments) = value else {
                    fail("DG2104", path, "ожидался массив фрагментов XML, а не \(value.typeName)", "an array of XML fragments expected, not \(value.typeName)")
                    return
                }
                lines.append((emitter.start(element.name), path))
                for (i, fragment) in fragments.enumerated() {
                    guard case .string(let xml) = fragment else {
                        fail("DG2104", path + "[\(i)]", "ожидалась строка с фрагментом XML", "a string with an XML fragment expected")
                        continue
                    }
                    if let reason = ForeignFragment.check(xml) {
                        fail("DG2106", path + "[\(i)]", "фрагмент XML не годится: " + reason.ru, "the XML fragment is unusable: " + reason.en)
                        continue
                    }
                    lines.append((emitter.line + 1, path + "[\(i)]"))
                    do { try emitter.raw(xml) } catch { forbidden(error, path + "[\(i)]") }
                }
                emitter.end(element.name)
            case .complex(let type):
                guard case .object(let members) = value else {
                    fail("DG2104", path, "ожидался объект, а не \(value.typeName)", "an object expected, not \(value.typeName)")
                    return
                }
                complex(element.name, type, members, path: path, namespace: namespace)
            }
        }

        mutating func complex(_ name: String, _ type: ShapeType, _ members: [(String, JSONValue)], path: String, namespace: String?) {
            var given: [String: JSONValue] = [:]
            for (key, v) in members {
                if case .null = v { continue }
                guard type.field(key) != nil, key != "Signature" else {
                    let known = type.fieldNames.joined(separator: ", ")
                    fail("DG2107", path + "." + key, "неизвестное поле «\(key)»; возможны: \(known)", "unknown member '\(key)'; expected one of: \(known)")
                    continue
                }
                given[key] = v
            }
            lines.append((emitter.start(name, namespace: namespace), path))
            for a in type.attributes {
                guard let v = given[a.name] else {
                    if a.required { fail("DG2108", path + "." + a.name, "нет обязательного поля «\(a.name)»", "required member '\(a.name)' is missing") }
                    continue
                }
                guard let text = scalar(v, a.type, path: path + "." + a.name) else { continue }
                do { try emitter.attribute(a.name, text) } catch { forbidden(error, path + "." + a.name) }
            }
            if let simple = type.simpleContent {
                if let v = given[ShapeType.valueKey], let text = scalar(v, simple, path: path + "." + ShapeType.valueKey) {
                    do { try emitter.text(text) } catch { forbidden(error, path + "." + ShapeType.valueKey) }
                } else if given[ShapeType.valueKey] == nil {
                    fail("DG2108", path + "." + ShapeType.valueKey, "нет обязательного поля «value»", "required member 'value' is missing")
                }
            }
            for child in type.children {
                guard let v = given[child.name] else {
                    if child.minOccurs > 0 && !child.inChoice, !child.name.isEmpty {
                        if case .signature = child.content { continue }
                        fail("DG2108", path + "." + child.name, "нет обязательного поля «\(child.name)»", "required member '\(child.name)' is missing")
                    }
                    continue
                }
                if child.isRepeated {
                    guard case .array(let items) = v else {
                        fail("DG2104", path + "." + child.name, "ожидался массив, а не \(v.typeName)", "an array expected, not \(v.typeName)")
                        continue
                    }
                    if items.count < child.minOccurs || (child.maxOccurs.map { items.count > $0 } ?? false) {
                        let bound = child.maxOccurs.map { "\(child.minOccurs)–\($0)" } ?? "≥ \(child.minOccurs)"
                        fail("DG2108", path + "." + child.name, "элементов \(items.count), а нужно \(bound)", "\(items.count) items, \(bound) needed")
                    }
                    for (i, item) in items.enumerated() { element(child, item, path: path + "." + child.name + "[\(i)]") }
                } else {
                    element(child, v, path: path + "." + child.name)
                }
            }
            emitter.end(name)
        }
    }
}

/// An extension fragment must be one well-formed element in a namespace of its own.
enum ForeignFragment {
    static func check(_ xml: String) -> LocalizedText? {
        guard xml.hasPrefix("<"), !xml.hasPrefix("<?"), !xml.hasPrefix("<!") else {
            return LocalizedText(ru: "фрагмент должен начинаться с элемента", en: "the fragment must start with an element")
        }
        let parsed: Result<XMLDocument, XMLParseFailure> = Array(xml.utf8).withUnsafeBytes { XMLDocument.parse($0) }
        guard case .success(let doc) = parsed, let root = doc.root else {
            return LocalizedText(ru: "это не один правильно построенный элемент", en: "it is not one well-formed element")
        }
        guard let ns = root.namespaceURI, !ns.isEmpty, DocumentKind(namespace: ns) == nil else {
            return LocalizedText(ru: "элемент расширения должен быть в своём пространстве имён", en: "an extension element must be in a namespace of its own")
        }
        return nil
    }
}
