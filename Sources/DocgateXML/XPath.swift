import CLibXML2

/// An XPath expression could not be compiled or evaluated.
public struct XPathError: Error, Sendable {
    /// The expression.
    public var expression: String
    /// libxml2's messages.
    public var issues: [XMLIssue]
}

/// XPath 1.0 queries over one document, with namespace prefixes bound by the caller.
public struct XPathQuery {
    private let document: XMLDocument
    private let namespaces: [String: String]

    /// - Parameters:
    ///   - document: the tree to query; it must outlive the results.
    ///   - namespaces: prefix → namespace URI, usable in expressions.
    public init(_ document: XMLDocument, namespaces: [String: String] = [:]) {
        self.document = document
        self.namespaces = namespaces
    }

    /// Elements (and attributes' parent elements are not included: attributes come back as nodes of their own).
    public func nodes(_ expression: String, relativeTo context: XMLNode? = nil) throws(XPathError) -> [XMLNode] {
        try evaluate(expression, relativeTo: context) { object in
            guard object.pointee.type == XPATH_NODESET, let set = object.pointee.nodesetval else { return [] }
            let count = Int(set.pointee.nodeNr)
            return (0..<count).compactMap { i in set.pointee.nodeTab[i].map(XMLNode.init(pointer:)) }
        }
    }

    /// The string value of an expression (XPath `string()` semantics).
    public func string(_ expression: String, relativeTo context: XMLNode? = nil) throws(XPathError) -> String {
        try evaluate("string(\(expression))", relativeTo: context) { object in
            object.pointee.stringval.map { String(cString: $0) } ?? ""
        }
    }

    /// The number value of an expression, `nil` when it is NaN.
    public func number(_ expression: String, relativeTo context: XMLNode? = nil) throws(XPathError) -> Double? {
        try evaluate("number(\(expression))", relativeTo: context) { object in
            object.pointee.floatval.isNaN ? nil : object.pointee.floatval
        }
    }

    private func evaluate<T>(_ expression: String, relativeTo context: XMLNode?,
                             _ read: (xmlXPathObjectPtr) -> T) throws(XPathError) -> T {
        let collector = IssueCollector(limit: 20)
        let result: T? = collector.capture {
            guard let ctxt = xmlXPathNewContext(document.pointer) else { return nil }
            defer { xmlXPathFreeContext(ctxt) }
            for (prefix, uri) in namespaces {
                xmlXPathRegisterNs(ctxt, prefix, uri)
            }
            if let context { ctxt.pointee.node = context.pointer }
            guard let object = xmlXPathEvalExpression(expression, ctxt) else { return nil }
            defer { xmlXPathFreeObject(object) }
            return read(object)
        }
        guard let result else { throw XPathError(expression: expression, issues: collector.issues) }
        return result
    }
}
