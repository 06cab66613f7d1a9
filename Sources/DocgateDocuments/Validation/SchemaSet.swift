import DocgateXML
import Glibc
import Synchronization

/// docgate's schemas, compiled on first use and then shared by every thread: one per document kind, and
/// `docgate.xsd` (every kind at once) for documents whose kind cannot be told from their first bytes. A batch of
/// one kind compiles one small schema instead of all seven.
public final class SchemaSet: Sendable {
    /// The directory the schema files are read from.
    public let directory: String
    private let compiled = Mutex<[String: XMLSchema]>([:])

    /// Fails when a schema file is missing.
    public init(directory: String) throws(ValidatorSetupError) {
        self.directory = directory
        for file in ["docgate.xsd", "common.xsd", "xmldsig-core-schema.xsd"] + DocumentKind.allCases.map(\.schemaFile)
        where access(directory + "/" + file, R_OK) != 0 {
            throw .schemasNotFound(searched: [directory + "/" + file])
        }
    }

    /// The schema for documents of `kind`, or for every kind when `kind` is nil.
    public func schema(for kind: DocumentKind?) throws(ValidatorSetupError) -> XMLSchema {
        let file = kind?.schemaFile ?? "docgate.xsd"
        let result: Result<XMLSchema, XMLSchemaError> = compiled.withLock { cache in
            if let s = cache[file] { return .success(s) }
            do throws(XMLSchemaError) {
                let s = try XMLSchema(path: directory + "/" + file)
                cache[file] = s
                return .success(s)
            } catch {
                return .failure(error)
            }
        }
        switch result {
        case .success(let s): return s
        case .failure(let e): throw .schema(e)
        }
    }

    /// The schema for a root namespace as the probe read it: the kind's own when known, else all kinds.
    func schema(forRootNamespace namespace: String?) -> XMLSchema? {
        try? schema(for: namespace.flatMap(DocumentKind.init(namespace:)))
    }
}
