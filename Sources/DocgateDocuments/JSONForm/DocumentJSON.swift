import DocgateCore
import DocgateXML
import Synchronization

/// A problem turning a document into JSON or JSON into a document, at a JSON path (`$.header.number`) or an XML
/// line.
public struct ShapeProblem: Error, Sendable, Hashable {
    /// DG2101–DG2109: stable codes of the JSON form.
    public var code: String
    /// The JSON path of the value concerned (`$`, `$.header.number`, `$.service[2].volume`).
    public var path: String
    /// The line in the XML document (export), when known.
    public var line: Int?
    /// What is wrong, in Russian and English.
    public var message: LocalizedText

    /// A problem from its code, place and message.
    public init(code: String, path: String, line: Int? = nil, message: LocalizedText) {
        self.code = code
        self.path = path
        self.line = line
        self.message = message
    }
}

/// Every problem found in one input (at most a hundred).
public struct ShapeProblems: Error, Sendable {
    /// The problems, in the order found.
    public var list: [ShapeProblem]
}

/// `docgate export`: a document's data as JSON, in the shape its schema gives it.
///
/// Members follow the XSD: attributes, then child elements in sequence order, under their XML names; an element
/// that may repeat is an array; text next to attributes is `value`; a flag element is `true`; numbers keep their
/// exact text; extensions are XML fragments (exclusive canonical form, so each carries its namespaces). Signatures,
/// comments and processing instructions are not data and are left out.
public enum DocumentExport {
    /// An exported document.
    public struct Result {
        /// The document's kind, told by its root namespace.
        public var kind: DocumentKind
        /// The document's data: a JSON object in the shape of the kind's schema.
        public var value: JSONValue
        /// Signatures left out.
        public var signaturesOmitted: Int
    }

    /// The JSON form of `document`; DG2101 when its root is not a docgate document, DG2109 when its schema cannot be
    /// read, DG2102 when the document does not fit its shape.
    public static func export(_ document: XMLDocument, shapes: ShapeLibrary) throws(ShapeProblem) -> Result {
        guard let root = document.root else {
            throw ShapeProblem(code: "DG2101", path: "$", message: LocalizedText(ru: "нет корневого элемента", en: "no root element"))
        }
        guard let ns = root.namespaceURI, let kind = DocumentKind(namespace: ns), root.name == kind.rootName else {
            throw ShapeProblem(code: "DG2101", path: "$", line: root.line,
                               message: LocalizedText(ru: "корневой элемент {\(root.namespaceURI ?? "")}\(root.name) — не документ docgate",
                                                      en: "root element {\(root.namespaceURI ?? "")}\(root.name) is not a docgate document"))
        }
        let shape = try shapes.shape(kind)
        var walker = Walker(document: document, namespace: ns)
        let value = try walker.complex(root, shape.rootType, path: "$")
        return Result(kind: kind, value: value, signaturesOmitted: walker.signatures)
    }

    private struct Walker {
        let document: XMLDocument
        let namespace: String
        var signatures = 0

        init(document: XMLDocument, namespace: String) {
            self.document = document
            self.namespace = namespace
        }

        func problem(_ node: XMLNode, _ path: String, _ ru: String, _ en: String) -> ShapeProblem {
            ShapeProblem(code: "DG2102", path: path, line: node.line, message: LocalizedText(ru: ru, en: en))
        }

        /// The text of a simple element; element children are an error.
        func text(_ node: XMLNode, path: String) throws(ShapeProblem) -> String {
            if let c = node.firstElementChild {
                throw problem(c, path, "элемент <\(c.name)> внутри простого значения", "element <\(c.name)> inside a simple value")
            }
            return node.text
        }

        func scalar(_ text: String, _ type: ShapeSimpleType) -> JSONValue {
            type.base.isNumeric && JSONValue.isNumberLiteral(text) ? .number(text) : .string(text)
        }

        mutating func value(_ node: XMLNode, _ element: ShapeElement, path: String) throws(ShapeProblem) -> JSONValue {
            switch element.content {
            case .simple(let type):
                if node.hasAttributes {
                    throw problem(node, path, "у простого элемента <\(element.name)> есть атрибуты", "simple element <\(element.name)> has attributes")
                }
                return scalar(try text(node, path: path), type)
            case .empty:
                if node.hasAttributes || !node.trimmedText.isEmpty || node.firstElementChild != nil {
                    throw problem(node, path, "элемент-признак <\(element.name)> должен быть пустым", "flag element <\(element.name)> must be empty")
                }
                return .bool(true)
            case .foreign:
                var fragments: [JSONValue] = []
                for c in node.childNodes {
                    switch c.kind {
                    case .text:
                        if !c.text.trimmingXMLSpace.isEmpty {
                            throw problem(c, path, "текст внутри <\(element.name)>", "text inside <\(element.name)>")
                        }
                    case .other:
                        continue
                    case .element:
                        guard let bytes = XMLCanonicalizer(method: .exclusive(prefixes: []), scope: .element(c)).bytes(document) else {
                            throw problem(c, path, "фрагмент не приводится к каноническому виду", "the fragment cannot be canonicalised")
                        }
                        fragments.append(.string(String(decoding: bytes, as: UTF8.self)))
                    }
                }
                return .array(fragments)
            case .complex(let type):
                return try complex(node, type, path: path)
            case .signature:
                return .null
            }
        }

        mutating func complex(_ node: XMLNode, _ type: ShapeType, path: String) throws(ShapeProblem) -> JSONValue {
            var members: [(String, JSONValue)] = []
            var attributes: [String: String] = [:]
            for a in node.attributes {
                if a.namespaceURI != nil {
                    throw problem(node, path, "атрибут из другого пространства имён: \(a.name)", "attribute in another namespace: \(a.name)")
                }
                attributes[a.name] = a.value
            }
            for a in type.attributes {
                if let v = attributes.removeValue(forKey: a.name) { members.append((a.name, scalar(v, a.type))) }
            }
            if let unknown = attributes.keys.sorted().first {
                throw problem(node, path + "." + unknown, "неизвестный атрибут \(unknown)", "unknown attribute \(unknown)")
            }
            if let simple = type.simpleContent {
                members.append((ShapeType.valueKey, scalar(try text(node, path: path), simple)))
                return .object(members)
            }
            var collected: [String: [JSONValue]] = [:]
            for c in node.childNodes {
                switch c.kind {
                case .text:
                    if !c.text.trimmingXMLSpace.isEmpty {
                        throw problem(c, path, "текст там, где ожидаются элементы", "text where elements are expected")
                    }
                    continue
                case .other:
                    continue
                case .element:
                    break
                }
                let name = c.name
                let ns = c.namespaceURI
                if ns == Signatures.namespace && name == "Signature" && type.children.contains(where: { if case .signature = $0.content { true } else { false } }) {
                    signatures += 1
                    continue
                }
                guard ns == namespace, let element = type.children.first(where: { $0.name == name }), !element.name.isEmpty else {
                    throw problem(c, path + "." + name, "элемент <\(name)> здесь не предусмотрен схемой",
                                  "element <\(name)> is not allowed here by the schema")
                }
                let index = collected[name, default: []].count
                if !element.isRepeated && index > 0 {
                    throw problem(c, path + "." + name, "элемент <\(name)> повторяется", "element <\(name)> appears twice")
                }
                let childPath = element.isRepeated ? path + "." + name + "[\(index)]" : path + "." + name
                collected[name, default: []].append(try value(c, element, path: childPath))
            }
            for element in type.children {
                guard let values = collected[element.name] else { continue }
                members.append((element.name, element.isRepeated ? .array(values) : values[0]))
            }
            return .object(members)
        }
    }
}
