import CLibXML2
import Glibc

/// A schema could not be compiled.
public struct XMLSchemaError: Error, Sendable {
    /// The schema file.
    public var path: String
    /// libxml2's messages about it.
    public var issues: [XMLIssue]
}

/// A compiled XSD, shared by every thread.
///
/// libxml2 allows one compiled `xmlSchema` to be used by many validation contexts at once, provided
/// `xmlSchemaInitTypes` ran first (``XMLLibrary``); each validation creates its own context.
public final class XMLSchema: @unchecked Sendable {
    let pointer: xmlSchemaPtr
    /// The file it was compiled from.
    public let path: String

    /// Compiles the schema at `path`; files it includes or imports are read from its directory only.
    public init(path given: String) throws(XMLSchemaError) {
        XMLLibrary.initialize()
        // The entity loader admits absolute paths below allowed directories only.
        let path = XMLPaths.canonical(given) ?? given
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        XMLLibrary.allowEntityLoads(below: directory.isEmpty ? "." : directory)
        let collector = IssueCollector(limit: 50)
        let compiled: xmlSchemaPtr? = collector.capture {
            guard let parser = xmlSchemaNewParserCtxt(path) else { return nil }
            defer { xmlSchemaFreeParserCtxt(parser) }
            return xmlSchemaParse(parser)
        }
        guard let compiled else { throw XMLSchemaError(path: path, issues: collector.issues) }
        self.pointer = compiled
        self.path = path
    }

    deinit {
        xmlSchemaFree(pointer)
    }

    /// Validates a whole tree.
    ///
    /// - Returns: libxml2's findings, at most `limit` of them, and how many more there were.
    public func validate(_ document: XMLDocument, limit: Int = 200) -> (issues: [XMLIssue], dropped: Int) {
        let collector = IssueCollector(limit: limit)
        collector.capture {
            guard let ctxt = xmlSchemaNewValidCtxt(pointer) else { return }
            defer { xmlSchemaFreeValidCtxt(ctxt) }
            _ = xmlSchemaValidateDoc(ctxt, document.pointer)
        }
        return (collector.issues, collector.dropped)
    }
}
