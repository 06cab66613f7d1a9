import DocgateCore
import DocgateXML

/// Reads docgate's XSD files (a kind's schema and the common one it includes) into shapes.
struct XSDReader {
    let directory: String
    var globalElements: [String: XMLNode] = [:]
    var complexTypes: [String: XMLNode] = [:]
    var simpleTypes: [String: XMLNode] = [:]
    var attributeGroups: [String: XMLNode] = [:]
    var documents: [XMLDocument] = []
    var builtComplex: [String: ShapeType] = [:]
    var builtSimple: [String: ShapeSimpleType] = [:]
    var loaded: Set<String> = []

    init(directory: String) {
        self.directory = directory
    }

    mutating func load(file: String) throws(ShapeError) {
        guard loaded.insert(file).inserted else { return }
        let parsed: Result<XMLDocument, XMLParseFailure>
        do { parsed = try XMLDocument.parse(file: directory + "/" + file) } catch {
            throw ShapeError(message: "\(directory)/\(file): cannot read")
        }
        guard case .success(let doc) = parsed, let root = doc.root else {
            throw ShapeError(message: "\(directory)/\(file): not a well-formed schema")
        }
        documents.append(doc)
        for node in root.children {
            let name = node.attribute("name") ?? ""
            switch node.name {
            case "include":
                if let location = node.attribute("schemaLocation") { try load(file: location) }
            case "element": globalElements[name] = node
            case "complexType": complexTypes[name] = node
            case "simpleType": simpleTypes[name] = node
            case "attributeGroup": attributeGroups[name] = node
            default: break
            }
        }
    }

    static func documentation(_ node: XMLNode) -> String? {
        node.child("annotation")?.child("documentation")?.trimmedText
    }

    static func local(_ qname: String) -> (prefix: String?, name: String) {
        guard let colon = qname.firstIndex(of: ":") else { return (nil, qname) }
        return (String(qname[..<colon]), String(qname[qname.index(after: colon)...]))
    }

    static func builtin(_ name: String) -> ShapeBase? {
        switch name {
        case "string", "normalizedString", "token", "NMTOKEN": .string
        case "decimal": .decimal
        case "integer", "positiveInteger", "nonNegativeInteger", "int", "long": .integer
        case "gYear": .year
        case "date": .date
        case "dateTime": .dateTime
        case "boolean": .boolean
        case "anyURI": .anyURI
        case "base64Binary": .base64
        default: nil
        }
    }

    mutating func simpleType(named qname: String) throws(ShapeError) -> ShapeSimpleType {
        let (prefix, name) = Self.local(qname)
        if prefix == "xs", let base = Self.builtin(name) { return ShapeSimpleType(base: base) }
        if let built = builtSimple[name] { return built }
        guard let node = simpleTypes[name] else { throw ShapeError(message: "unknown simple type \(qname)") }
        var type = try simpleType(node)
        type.name = name
        builtSimple[name] = type
        return type
    }

    /// An `xs:simpleType` (named or anonymous): a restriction with facets.
    mutating func simpleType(_ node: XMLNode) throws(ShapeError) -> ShapeSimpleType {
        guard let restriction = node.child("restriction"), let base = restriction.attribute("base") else {
            throw ShapeError(message: "simple type \(node.attribute("name") ?? "") is not a restriction")
        }
        var type = try simpleType(named: base)
        type.name = nil
        try applyFacets(restriction, to: &type)
        type.documentation = Self.documentation(node) ?? type.documentation
        return type
    }

    func applyFacets(_ restriction: XMLNode, to type: inout ShapeSimpleType) throws(ShapeError) {
        var enumeration: [String] = []
        for facet in restriction.children {
            let value = facet.attribute("value") ?? ""
            switch facet.name {
            case "enumeration": enumeration.append(value)
            case "pattern": type.patterns.append(value)
            case "length": type.length = Int(value)
            case "minLength": type.minLength = Int(value)
            case "maxLength": type.maxLength = Int(value)
            case "totalDigits": type.totalDigits = Int(value)
            case "fractionDigits": type.fractionDigits = Int(value)
            case "minInclusive": type.minInclusive = value
            case "maxInclusive": type.maxInclusive = value
            case "whiteSpace", "annotation", "attribute", "attributeGroup": break
            default: throw ShapeError(message: "unknown facet \(facet.name)")
            }
        }
        if !enumeration.isEmpty { type.enumeration = enumeration }
    }

    mutating func complexType(named qname: String) throws(ShapeError) -> ShapeType {
        let name = Self.local(qname).name
        if let built = builtComplex[name] { return built }
        guard let node = complexTypes[name] else { throw ShapeError(message: "unknown complex type \(qname)") }
        let type = try complexType(node, name: name)
        builtComplex[name] = type
        return type
    }

    /// The parts a complex type is made of, gathered before the type is frozen.
    struct Parts {
        var attributes: [ShapeAttribute] = []
        var children: [ShapeElement] = []
        var choices: [[[String]]] = []
        var simpleContent: ShapeSimpleType?
        var foreign = false
    }

    mutating func complexType(_ node: XMLNode, name: String?) throws(ShapeError) -> ShapeType {
        var parts = Parts()
        try collect(node, into: &parts)
        return ShapeType(name: name, attributes: parts.attributes, simpleContent: parts.simpleContent,
                         children: parts.children, choices: parts.choices, documentation: Self.documentation(node))
    }

    mutating func collect(_ node: XMLNode, into parts: inout Parts) throws(ShapeError) {
        for child in node.children {
            switch child.name {
            case "sequence": try particles(child, into: &parts, inChoice: false)
            case "choice": try choice(child, into: &parts)
            case "attribute": parts.attributes.append(try attribute(child))
            case "attributeGroup":
                guard let ref = child.attribute("ref"), let group = attributeGroups[Self.local(ref).name] else {
                    throw ShapeError(message: "unknown attribute group")
                }
                try collect(group, into: &parts)
            case "simpleContent":
                guard let ext = child.child("extension"), let base = ext.attribute("base") else {
                    throw ShapeError(message: "simple content without an extension")
                }
                parts.simpleContent = try simpleType(named: base)
                try collect(ext, into: &parts)
            case "complexContent":
                guard let ext = child.child("extension"), let base = ext.attribute("base") else {
                    throw ShapeError(message: "complex content without an extension")
                }
                let baseType = try complexType(named: base)
                parts.attributes += baseType.attributes
                parts.children += baseType.children
                parts.choices += baseType.choices
                try collect(ext, into: &parts)
            case "annotation": break
            default: throw ShapeError(message: "unknown construct xs:\(child.name)")
            }
        }
    }

    mutating func particles(_ sequence: XMLNode, into parts: inout Parts, inChoice: Bool) throws(ShapeError) {
        for p in sequence.children {
            switch p.name {
            case "element":
                var e = try element(p)
                e.inChoice = inChoice
                parts.children.append(e)
            case "sequence": try particles(p, into: &parts, inChoice: inChoice)
            case "choice": try choice(p, into: &parts)
            case "any":
                parts.children.append(ShapeElement(name: "", minOccurs: 0, maxOccurs: nil, content: .foreign))
            case "annotation": break
            default: throw ShapeError(message: "unknown particle xs:\(p.name)")
            }
        }
    }

    mutating func choice(_ node: XMLNode, into parts: inout Parts) throws(ShapeError) {
        var branches: [[String]] = []
        for branch in node.children where branch.name != "annotation" {
            let before = parts.children.count
            if branch.name == "sequence" {
                try particles(branch, into: &parts, inChoice: true)
            } else if branch.name == "element" {
                var e = try element(branch)
                e.inChoice = true
                parts.children.append(e)
            } else {
                throw ShapeError(message: "unknown choice branch xs:\(branch.name)")
            }
            branches.append(parts.children[before...].map(\.name))
        }
        // An optional choice (minOccurs="0") may take none of its branches: an empty branch says so.
        if node.attribute("minOccurs") == "0" { branches.append([]) }
        parts.choices.append(branches)
    }

    mutating func attribute(_ node: XMLNode) throws(ShapeError) -> ShapeAttribute {
        guard let name = node.attribute("name") else { throw ShapeError(message: "attribute without a name") }
        let type: ShapeSimpleType
        if let t = node.attribute("type") {
            type = try simpleType(named: t)
        } else if let inline = node.child("simpleType") {
            type = try simpleType(inline)
        } else {
            type = ShapeSimpleType(base: .string)
        }
        return ShapeAttribute(name: name, type: type, required: node.attribute("use") == "required",
                              documentation: Self.documentation(node))
    }

    mutating func element(_ node: XMLNode) throws(ShapeError) -> ShapeElement {
        let minOccurs = Int(node.attribute("minOccurs") ?? "1") ?? 1
        let maxText = node.attribute("maxOccurs") ?? "1"
        let maxOccurs = maxText == "unbounded" ? nil : Int(maxText)
        if let ref = node.attribute("ref") {
            let (prefix, name) = Self.local(ref)
            guard prefix == "ds", name == "Signature" else { throw ShapeError(message: "unknown element reference \(ref)") }
            return ShapeElement(name: "Signature", minOccurs: minOccurs, maxOccurs: maxOccurs, content: .signature)
        }
        guard let name = node.attribute("name") else { throw ShapeError(message: "element without a name") }
        let content: ShapeContent
        if let t = node.attribute("type") {
            let (prefix, local) = Self.local(t)
            if prefix == "xs" || simpleTypes[local] != nil {
                content = .simple(try simpleType(named: t))
            } else {
                content = Self.classify(try complexType(named: t))
            }
        } else if let inline = node.child("complexType") {
            content = Self.classify(try complexType(inline, name: nil))
        } else if let inline = node.child("simpleType") {
            content = .simple(try simpleType(inline))
        } else {
            content = .simple(ShapeSimpleType(base: .string))
        }
        return ShapeElement(name: name, minOccurs: minOccurs, maxOccurs: maxOccurs, content: content,
                            documentation: Self.documentation(node))
    }

    /// A type with neither attributes nor content is a flag; one holding only `xs:any` is a foreign container.
    static func classify(_ type: ShapeType) -> ShapeContent {
        if type.attributes.isEmpty && type.simpleContent == nil {
            if type.children.isEmpty { return .empty }
            if type.children.count == 1, case .foreign = type.children[0].content { return .foreign }
        }
        return .complex(type)
    }
}
