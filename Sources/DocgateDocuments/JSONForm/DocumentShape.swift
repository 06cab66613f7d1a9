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
    /// The kind whose schema this is.
    public let kind: DocumentKind
    /// The root element (`socialOrder`, `agreement`, …), always of complex content.
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
    /// What the reader could not understand (English), with the schema file when it is known.
    public var message: String
}

/// The built-in type a simple type restricts, which decides its JSON form.
public enum ShapeBase: String, Sendable, Hashable {
    /// The XSD built-ins by family: `string` also stands for `normalizedString`, `token`, `NMTOKEN`; `integer` for
    /// `int`, `long` and the non-negative integers; `year` is `xs:gYear`, `base64` is `xs:base64Binary`.
    case string, decimal, integer, year, date, dateTime, boolean, anyURI, base64

    /// Numbers in JSON; everything else is a string.
    public var isNumeric: Bool { self == .decimal || self == .integer || self == .year }
}

/// A simple type with the facets that matter for messages and JSON Schema.
public struct ShapeSimpleType: Sendable, Hashable {
    /// The type's name in the schema (`InnUlType`); nil for an anonymous type.
    public var name: String?
    /// The built-in type it finally restricts.
    public var base: ShapeBase
    /// `xs:enumeration` values, in schema order; empty when any value of the base is allowed.
    public var enumeration: [String] = []
    /// `xs:pattern` regular expressions (XSD syntax); a value must match each.
    public var patterns: [String] = []
    /// `xs:length`, in characters.
    public var length: Int?
    /// `xs:minLength`, in characters.
    public var minLength: Int?
    /// `xs:maxLength`, in characters.
    public var maxLength: Int?
    /// `xs:totalDigits`: most significant digits of a number.
    public var totalDigits: Int?
    /// `xs:fractionDigits`: most digits after the point.
    public var fractionDigits: Int?
    /// `xs:minInclusive`, as written in the schema.
    public var minInclusive: String?
    /// `xs:maxInclusive`, as written in the schema.
    public var maxInclusive: String?
    /// The type's `xs:documentation` (Russian), trimmed.
    public var documentation: String?

    init(name: String? = nil, base: ShapeBase) {
        self.name = name
        self.base = base
    }
}

/// An attribute of a complex type.
public struct ShapeAttribute: Sendable {
    /// The attribute's name.
    public var name: String
    /// Its simple type.
    public var type: ShapeSimpleType
    /// True for `use="required"`.
    public var required: Bool
    /// Its `xs:documentation` (Russian).
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
    /// The element's local name; empty for the `xs:any` of extensions.
    public var name: String
    /// `minOccurs`: 0 for an optional element.
    public var minOccurs: Int
    /// nil: unbounded.
    public var maxOccurs: Int?
    /// What it holds.
    public var content: ShapeContent
    /// Its `xs:documentation` (Russian).
    public var documentation: String?
    /// Inside an `xs:choice`: required only when its branch is taken.
    public var inChoice = false

    /// True when it may occur more than once (an array in JSON).
    public var isRepeated: Bool { maxOccurs != 1 }
}

/// A complex type: attributes, then either text of a simple type or child elements in sequence order.
public final class ShapeType: Sendable {
    /// The type's name in the schema; nil for an anonymous type.
    public let name: String?
    /// Attributes, in schema order (those of attribute groups and base types included).
    public let attributes: [ShapeAttribute]
    /// The type of the text when the type has simple content; nil when it has child elements.
    public let simpleContent: ShapeSimpleType?
    /// Child elements in sequence order, the branches of choices in place.
    public let children: [ShapeElement]
    /// The alternatives of each `xs:choice`: for every branch, the names of its elements.
    public let choices: [[[String]]]
    /// Its `xs:documentation` (Russian).
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
    /// An attribute.
    case attribute(ShapeAttribute)
    /// A child element.
    case element(ShapeElement)
    /// The text of an element with simple content (member ``ShapeType/valueKey``).
    case value(ShapeSimpleType)
}
