import CLibXML2
import Dispatch
import Glibc
import Synchronization

/// What a parse needs that can outlive it: a SAX handler, a libxml2 dictionary shared by successive parses
/// (so element names keep their pointers and the name table stays warm), record buffers, and a validation
/// context per schema. Parses check one out and return it; a batch on two threads keeps two.
final class StreamResources: @unchecked Sendable {
    let handler: UnsafeMutablePointer<xmlSAXHandler>
    private(set) var dictionary: OpaquePointer?
    private(set) var state: SAXState
    private var validatorSchema: ObjectIdentifier?
    private var validatorContext: xmlSchemaValidCtxtPtr?

    /// Names beyond this many and the dictionary starts afresh, so a long-running process that sees
    /// arbitrary names cannot grow it without bound.
    static let dictionaryLimit = 20_000

    private static let pool = Mutex<[StreamResources]>([])

    static func checkOut() -> StreamResources {
        let r = pool.withLock { $0.popLast() } ?? StreamResources()
        r.refreshIfNeeded()
        return r
    }

    /// Starts a fresh dictionary (and name table) once the shared one has grown past the limit.
    private func refreshIfNeeded() {
        guard let d = dictionary, xmlDictSize(d) > Self.dictionaryLimit else { return }
        xmlDictFree(d)
        dictionary = xmlDictCreate()
        state = SAXState(names: NameTable())
    }

    static func checkIn(_ r: StreamResources) {
        r.state.reset(consumer: nil)
        pool.withLock { if $0.count < 16 { $0.append(r) } }
    }

    private init() {
        handler = .allocate(capacity: 1)
        handler.initialize(to: xmlSAXHandler())
        handler.pointee.initialized = UInt32(truncatingIfNeeded: XML_SAX2_MAGIC)
        handler.pointee.startElementNs = saxStart
        handler.pointee.endElementNs = saxEnd
        handler.pointee.characters = saxCharacters
        handler.pointee.cdataBlock = saxCharacters
        dictionary = xmlDictCreate()
        state = SAXState(names: NameTable())
    }

    deinit {
        handler.deallocate()
        if let dictionary { xmlDictFree(dictionary) }
        if let validatorContext { xmlSchemaFreeValidCtxt(validatorContext) }
    }

    /// A validation context for `schema`, reused from the previous parse when it was for the same schema.
    func validator(for schema: XMLSchema) -> xmlSchemaValidCtxtPtr? {
        if validatorSchema != ObjectIdentifier(schema) || validatorContext == nil {
            if let validatorContext { xmlSchemaFreeValidCtxt(validatorContext) }
            validatorContext = xmlSchemaNewValidCtxt(schema.pointer)
            validatorSchema = ObjectIdentifier(schema)
            // The context keeps the schema alive no longer than we do: hold the schema too.
            heldSchema = schema
        }
        if let validatorContext {
            xmlSchemaValidateSetLocator(validatorContext, saxLocator, Unmanaged.passUnretained(state).toOpaque())
        }
        return validatorContext
    }

    private var heldSchema: XMLSchema?

    /// Makes the new parser intern names in the shared dictionary instead of its own fresh one.
    func adoptDictionary(_ ctxt: xmlParserCtxtPtr) {
        guard let dictionary else { return }
        xmlDictFree(ctxt.pointee.dict)
        xmlDictReference(dictionary)
        ctxt.pointee.dict = dictionary
        ctxt.pointee.str_xml = xmlDictLookup(dictionary, "xml", 3)
        ctxt.pointee.str_xmlns = xmlDictLookup(dictionary, "xmlns", 5)
        ctxt.pointee.str_xml_ns = xmlDictLookup(dictionary, "http://www.w3.org/XML/1998/namespace", 36)
    }
}
