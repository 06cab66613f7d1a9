import CLibXML2

/// The exclusive canonical form (C14N without comments) of a document, written while the parser reads it, of the
/// document less every element with a given name that is a child of the root — for XMLDSig, the signatures, which
/// the profile places there. Signing and verifying then digest these bytes instead of walking the tree again.
///
/// The bytes equal what `XMLCanonicalizer` gives for the same node set (the tests hold the two together). The
/// capture gives up — `withBytes` returns nil and the caller canonicalizes the tree — where the events do not carry what
/// the canonical form needs: an attribute value with a reference in it (libxml2 hands such values over with
/// `&#38;` unresolved), a relative namespace URI, or output beyond `limit` bytes.
public final class CanonicalCapture {
    // The parser calls in for every event on one thread; the checks of exclusive access on these (a
    // thread-local access set) cost more than the work itself.
    @exclusivity(unchecked)
    private var writer: TreeCanonicalWriter
    private let excludedNamespace: [UInt8]
    private let excludedName: [UInt8]
    private let limit: Int
    @exclusivity(unchecked)
    private var depth = 0
    /// Depth of the excluded element being skipped, 0 when none.
    @exclusivity(unchecked)
    private var skipping = 0
    @exclusivity(unchecked)
    private var rootSeen = false
    @exclusivity(unchecked)
    private var failed = false

    /// Offsets of the root element's canonical form in the output (document-level processing instructions lie
    /// outside it).
    @exclusivity(unchecked)
    public private(set) var rootRange: Range<Int> = 0..<0
    /// Excluded elements found as children of the root, and elements with the same name elsewhere (those are in
    /// the output).
    @exclusivity(unchecked)
    public private(set) var excludedAtRoot = 0
    @exclusivity(unchecked)
    public private(set) var sameNameElsewhere = 0

    public init(excludingRootChildren namespace: String, _ localName: String, expectedSize: Int, limit: Int = 16 << 20) {
        excludedNamespace = Array(namespace.utf8)
        excludedName = Array(localName.utf8)
        self.limit = limit
        writer = TreeCanonicalWriter(growingFrom: min(expectedSize + expectedSize / 8, limit))
    }

    /// Runs `body` on the canonical form of the whole document; nil when the capture gave up.
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R? {
        failed ? nil : try body(writer.contents)
    }

    private func matches(_ s: UnsafePointer<xmlChar>?, _ expected: [UInt8]) -> Bool {
        guard let s else { return false }
        for (i, b) in expected.enumerated() where s[i] != b { return false }
        return s[expected.count] == 0
    }

    private func giveUp() {
        failed = true
    }

    private func checkLimit() {
        if writer.position > limit { giveUp() }
    }

    func startElement(localname: UnsafePointer<xmlChar>?, prefix: UnsafePointer<xmlChar>?, uri: UnsafePointer<xmlChar>?,
                      attributeCount: Int32, attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        depth += 1
        if failed || skipping > 0 { return }
        guard let localname else { giveUp(); return }
        if matches(localname, excludedName), matches(uri, excludedNamespace) {
            if depth == 2 {
                excludedAtRoot += 1
                skipping = depth
                return
            }
            sameNameElsewhere += 1
        }
        if depth == 1 { rootRange = writer.position..<writer.position }
        if !writer.startElement(localname: localname, prefix: prefix, uri: uri, attributeCount: Int(attributeCount),
                                attributes: attributes) {
            giveUp()
        }
        checkLimit()
    }

    func endElement(localname: UnsafePointer<xmlChar>?, prefix: UnsafePointer<xmlChar>?) {
        defer { depth -= 1 }
        if failed { return }
        if skipping > 0 {
            if depth == skipping { skipping = 0 }
            return
        }
        guard let localname else { giveUp(); return }
        writer.endElement(localname: localname, prefix: prefix)
        if depth == 1 {
            rootSeen = true
            writer.flush()
            rootRange = rootRange.lowerBound..<writer.position
        }
    }

    func characters(_ text: UnsafePointer<xmlChar>?, _ count: Int32) {
        guard !failed, skipping == 0, depth > 0, let text, count > 0 else { return }
        writer.text(text, count: Int(count))
        checkLimit()
    }

    func processingInstruction(target: UnsafePointer<xmlChar>?, data: UnsafePointer<xmlChar>?) {
        guard !failed, skipping == 0, let target else { return }
        if depth == 0, rootSeen { writer.newline() }
        writer.processingInstruction(target: target, data: data)
        if depth == 0, !rootSeen { writer.newline() }
    }

    /// After the parse: everything written out.
    func finish() {
        if !failed { writer.flush() }
        if depth != 0 { giveUp() }
    }
}
