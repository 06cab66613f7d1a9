import DocgateCore

/// The JSON Schema (draft 2020-12) of a kind's JSON form, written from the same shape that drives `export` and
/// `generate`, so the documented shape and the code cannot drift apart. Shipped in `Schemas/json/`.
public enum JSONSchemaWriter {
    /// The `$schema` of every file written: JSON Schema draft 2020-12.
    public static let draft = "https://json-schema.org/draft/2020-12/schema"

    /// The file name in `Schemas/json/`: `social-order.schema.json`.
    public static func fileName(_ kind: DocumentKind) -> String {
        String(kind.schemaFile.dropLast(4)) + ".schema.json"
    }

    /// The JSON Schema of `shape`'s kind, `$id` `<namespace>/json`, titled in Russian and English.
    public static func schema(_ shape: DocumentShape) -> JSONValue {
        let kind = shape.kind
        var members: [(String, JSONValue)] = [
            ("$schema", .string(draft)),
            ("$id", .string(kind.namespace + "/json")),
            ("title", .string(kind.title.ru + " / " + kind.title.en)),
            ("description", .string(
                (shape.root.documentation.map { $0 + "\n\n" } ?? "")
                + "JSON form of <\(kind.rootName) xmlns=\"\(kind.namespace)\">, as `docgate export` writes it and `docgate generate \(kind.rawValue)` "
                + "reads it: attributes and child elements under their XML names in schema order, arrays for elements that may repeat, "
                + "`value` for text next to attributes, true for flag elements, exact decimals as JSON numbers or strings. "
                + "On input, id, formatVersion and header.createdAt may be left out (a new UUID, 1.0 and the current time are used)."
            )),
        ]
        if case .object(let body) = complex(shape.rootType, isRoot: true, defaulted: DocumentGenerator.rootDefaults) { members += body }
        return .object(members)
    }

    /// - Parameter defaulted: members `generate` fills in when they are left out, so not required here.
    static func complex(_ type: ShapeType, isRoot: Bool = false, defaulted: Set<String> = []) -> JSONValue {
        var properties: [(String, JSONValue)] = []
        var required: [JSONValue] = []
        for a in type.attributes {
            properties.append((a.name, simple(a.type, documentation: a.documentation)))
            if a.required && !defaulted.contains(a.name) { required.append(.string(a.name)) }
        }
        if let s = type.simpleContent {
            properties.append((ShapeType.valueKey, simple(s, documentation: "Значение элемента / The element's text.")))
            required.append(.string(ShapeType.valueKey))
        }
        for c in type.children {
            guard let schema = element(c, defaulted: isRoot && c.name == DocumentGenerator.headerMember ? DocumentGenerator.headerDefaults : []) else { continue }
            properties.append((c.name, schema))
            if c.minOccurs > 0 && !c.inChoice && !defaulted.contains(c.name) {
                required.append(.string(c.name))
            }
        }
        var out: [(String, JSONValue)] = []
        if let d = type.documentation, !isRoot { out.append(("description", .string(d))) }
        out.append(("type", .string("object")))
        out.append(("properties", .object(properties)))
        if !required.isEmpty { out.append(("required", .array(required))) }
        out.append(("additionalProperties", .bool(false)))
        let choices: [JSONValue] = type.choices.compactMap { branches in
            let alternatives: [JSONValue] = branches.map { names in
                // The empty branch of an optional choice: none of the other branches' elements.
                if names.isEmpty {
                    let others = branches.joined().map { JSONValue.object([("required", .array([.string($0)]))]) }
                    return .object([("not", .object([("anyOf", .array(others))]))])
                }
                let needed = names.filter { name in type.children.first { $0.name == name }.map { $0.minOccurs > 0 } ?? false }
                return .object([("required", .array(needed.map(JSONValue.string)))])
            }
            return .object([("oneOf", .array(alternatives))])
        }
        if choices.count == 1, case .object(let m) = choices[0] { out += m } else if !choices.isEmpty { out.append(("allOf", .array(choices))) }
        return .object(out)
    }

    static func element(_ e: ShapeElement, defaulted: Set<String> = []) -> JSONValue? {
        var item: JSONValue
        switch e.content {
        case .signature: return nil
        case .simple(let s): item = simple(s, documentation: e.documentation)
        case .empty:
            item = .object([("description", .string((e.documentation.map { $0 + " " } ?? "") + "true — элемент есть / the element is present.")),
                            ("type", .string("boolean"))])
        case .foreign:
            item = .object([
                ("description", .string((e.documentation.map { $0 + " " } ?? "") + "Каждый элемент — фрагмент XML в своём пространстве имён / each item is an XML fragment in a namespace of its own.")),
                ("type", .string("array")), ("items", .object([("type", .string("string"))])),
            ])
            return item
        case .complex(let t):
            item = complex(t, defaulted: defaulted)
            if let d = e.documentation, case .object(var m) = item {
                if let i = m.firstIndex(where: { $0.0 == "description" }) { m[i].1 = .string(d) } else { m.insert(("description", .string(d)), at: 0) }
                item = .object(m)
            }
        }
        guard e.isRepeated else { return item }
        var array: [(String, JSONValue)] = [("type", .string("array")), ("items", item)]
        if e.minOccurs > 0 { array.append(("minItems", .number(String(e.minOccurs)))) }
        if let max = e.maxOccurs { array.append(("maxItems", .number(String(max)))) }
        return .object(array)
    }

    static func simple(_ s: ShapeSimpleType, documentation: String?) -> JSONValue {
        var m: [(String, JSONValue)] = []
        if let d = documentation ?? s.documentation { m.append(("description", .string(d))) }
        switch s.base {
        case .decimal, .integer, .year:
            m.append(("type", .array([.string(s.base == .decimal ? "number" : "integer"), .string("string")])))
            let pattern = s.base == .decimal ? "^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)$" : "^[+-]?[0-9]+$"
            m.append(("pattern", .string(pattern)))
            if let v = s.minInclusive, JSONValue.isNumberLiteral(v) { m.append(("minimum", .number(v))) }
            if let v = s.maxInclusive, JSONValue.isNumberLiteral(v) { m.append(("maximum", .number(v))) }
            if let f = s.fractionDigits { m.append(("x-fractionDigits", .number(String(f)))) }
            if let t = s.totalDigits { m.append(("x-totalDigits", .number(String(t)))) }
        case .boolean:
            m.append(("type", .string("boolean")))
        default:
            m.append(("type", .string("string")))
            switch s.base {
            case .date: m.append(("format", .string("date")))
            case .dateTime: m.append(("format", .string("date-time")))
            case .anyURI: m.append(("format", .string("uri-reference")))
            case .base64: m.append(("contentEncoding", .string("base64")))
            default: break
            }
            if let l = s.length { m.append(("minLength", .number(String(l)))); m.append(("maxLength", .number(String(l)))) }
            if s.length == nil, let l = s.minLength { m.append(("minLength", .number(String(l)))) }
            if s.length == nil, let l = s.maxLength { m.append(("maxLength", .number(String(l)))) }
            if s.patterns.count == 1 {
                m.append(("pattern", .string("^(?:" + s.patterns[0] + ")$")))
            } else if s.patterns.count > 1 {
                m.append(("allOf", .array(s.patterns.map { .object([("pattern", .string("^(?:" + $0 + ")$"))]) })))
            }
        }
        if !s.enumeration.isEmpty { m.append(("enum", .array(s.enumeration.map(JSONValue.string)))) }
        return .object(m)
    }
}
