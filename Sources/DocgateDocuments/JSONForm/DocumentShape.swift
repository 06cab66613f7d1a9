import DocgateCore
import DocgateXML

/// The shape of one kind of document, read from its XSD: which fields it has, in which order, how often, and of
/// which simple type. It drives the JSON form of documents (`docgate export`, `docgate generate`), the CSV
/// columns of the tabular form, and the JSON Schema files in `Schemas/json/` — one source, the XSD, for all four.
///
/// Only the constructs docgate's own schemas use are understood: named and anonymous complex types with a
/// sequence (possibly holding choices), simple content with attributes, complex content extending a named
/// type, attribute groups, `xs:any` for extensions, and simple types restricting a built-in or named type.
public final class DocumentShape: Sendable {
    public let kind: DocumentKind
    public let root: ShapeElement

    init(kind: DocumentKind, root: ShapeElement) {
        self.kind = kind
        self.root = root
    }

    /// The root's complex type.
    public var rootType: ShapeType {
        guard case .complex(let t) = root.content else { preconditionFailure("a document root is complex") }
        return t
    }

    /// Reads the shape of `kind` from the schema directory.
    public static func load(kind: DocumentKind, schemaDirectory: String) throws(ShapeError) -> DocumentShape {
        var reader = XSDReader(directory: schemaDirectory)
        try reader.load(file: kind.schemaFile)
        guard let decl = reader.globalElements[kind.rootName] else {
            throw ShapeError(message: "\(kind.schemaFile): no element \(kind.rootName)")
        }
        let root = try reader.element(decl)
        return DocumentShape(kind: kind, root: root)
    }
}

/// The schema could not be read as a shape (a construct docgate's reader does not know).
public struct ShapeError: Error, Sendable {
    public var message: String
}

/// The built-in type a simple type restricts, which decides its JSON form.
public enum ShapeBase: String, Sendable, Hashable {
    case string, decimal, integer, year, date, dateTime, boolean, anyURI, base64

    /// Numbers in JSON; everything else is a string.
    public var isNumeric: Bool { self == .decimal || self == .integer || self == .year }
}

/// A simple type with the facets that matter for messages and JSON Schema.
public struct ShapeSimpleType: Sendable, Hashable {
    public var name: String?
    public var base: ShapeBase
    public var enumeration: [String] = []
    public var patterns: [String] = []
    public var length: Int?
    public var minLength: Int?
    public var maxLength: Int?
    public var totalDigits: Int?
    public var fractionDigits: Int?
    public var minInclusive: String?
    public var maxInclusive: String?
    public var documentation: String?

    init(name: String? = nil, base: ShapeBase) {
        self.name = name
        self.base = base
    }
}

/// An attribute of a complex type.
public struct ShapeAttribute: Sendable {
    public var name: String
    public var type: ShapeSimpleType
    public var required: Bool
    public var documentation: String?
}

/// What an element holds.
public enum ShapeContent: Sendable {
    /// Text of a simple type.
    case simple(ShapeSimpleType)
    /// Attributes and child elements, or attributes and text.
    case complex(ShapeType)
    /// Nothing: a flag that is there or not (`<test/>`), `true` in JSON.
    case empty
    /// Elements of other namespaces (`extensions`), each one an XML fragment string in JSON.
    case foreign
    /// An XML signature: never part of the data.
    case signature
}

/// A child element in its place in the sequence.
public struct ShapeElement: Sendable {
    public var name: String
    public var minOccurs: Int
    /// nil: unbounded.
    public var maxOccurs: Int?
    public var content: ShapeContent
    public var documentation: String?
    /// Inside an `xs:choice`: required only when its branch is taken.
    public var inChoice = false

    public var isRepeated: Bool { maxOccurs != 1 }
}

/// A complex type: attributes, then either text of a simple type or child elements in sequence order.
public final class ShapeType: Sendable {
    public let name: String?
    public let attributes: [ShapeAttribute]
    public let simpleContent: ShapeSimpleType?
    public let children: [ShapeElement]
    /// The alternatives of each `xs:choice`: for every branch, the names of its elements.
    public let choices: [[[String]]]
    public let documentation: String?

    init(name: String?, attributes: [ShapeAttribute], simpleContent: ShapeSimpleType?, children: [ShapeElement],
         choices: [[[String]]], documentation: String?) {
        self.name = name
        self.attributes = attributes
        self.simpleContent = simpleContent
        self.children = children
        self.choices = choices
        self.documentation = documentation
    }

    /// The JSON member that carries simple content next to attributes.
    public static let valueKey = "value"

    /// The child element or attribute named `key`.
    public func field(_ key: String) -> ShapeField? {
        if let a = attributes.first(where: { $0.name == key }) { return .attribute(a) }
        if let c = children.first(where: { $0.name == key }) { return .element(c) }
        if key == Self.valueKey, let s = simpleContent { return .value(s) }
        return nil
    }

    /// Every JSON member name, in the order the document writes them.
    public var fieldNames: [String] {
        attributes.map(\.name) + (simpleContent == nil ? [] : [Self.valueKey])
            + children.filter { if case .signature = $0.content { false } else { true } }.map(\.name)
    }
}

/// One JSON member of an object: an attribute, an element, or the text next to attributes.
public enum ShapeField: Sendable {
    case attribute(ShapeAttribute)
    case element(ShapeElement)
    case value(ShapeSimpleType)
}
