import CLibXML2
import CXMLShims
import DocgateCore
import Synchronization

/// Process-wide set-up of libxml2, done once before any parse (TOOLCHAIN.md §4):
/// `xmlInitParser`, `xmlSchemaInitTypes` (lazy and not thread-safe otherwise), a deny-all external entity
/// loader that admits only registered schema directories, and silenced default error channels so nothing
/// libxml2 says reaches stderr.
public enum XMLLibrary {
    private static let ready: Bool = {
        xmlInitParser()
        xmlSchemaInitTypes()
        docgate_xml_silence_generic_errors()
        xmlThrDefSetStructuredErrorFunc(nil, dropStructuredError)
        xmlSetStructuredErrorFunc(nil, dropStructuredError)
        xmlSetExternalEntityLoader(guardedEntityLoader)
        return true
    }()

    /// Makes sure libxml2 is initialised. Cheap after the first call.
    public static func initialize() {
        _ = ready
    }

    /// The libxml2 version this process runs with, e.g. `2.9.14`.
    public static var version: String {
        initialize()
        return LIBXML_DOTTED_VERSION
    }

    private static let allowedDirectories = Mutex<[String]>([])

    /// Lets the entity loader read files below `directory` (used for `xs:include`/`xs:import` of schemas).
    /// Everything else — network, `file://` elsewhere, catalogs — stays refused.
    static func allowEntityLoads(below directory: String) {
        let canonical = canonicalPath(directory) ?? directory
        allowedDirectories.withLock { dirs in
            if !dirs.contains(canonical) { dirs.append(canonical) }
        }
    }

    static func isAllowed(path: String) -> Bool {
        guard let canonical = canonicalPath(path) else { return false }
        return allowedDirectories.withLock { dirs in
            dirs.contains { canonical.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
        }
    }

    static func canonicalPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

private let dropStructuredError: xmlStructuredErrorFunc = { _, _ in }

/// Refuses every external resource except files below the registered schema directories.
private let guardedEntityLoader: xmlExternalEntityLoader = { url, _, context in
    guard let url else { return nil }
    var path = String(cString: url)
    if path.hasPrefix("file://") {
        path.removeFirst("file://".count)
        if let decoded = PercentEncoding.decoded(Substring(path)) { path = decoded }
    }
    guard path.hasPrefix("/"), XMLLibrary.isAllowed(path: path) else { return nil }
    return xmlNewInputFromFile(context, path)
}

