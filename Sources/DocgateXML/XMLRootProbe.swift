/// Reads the namespace of the document element from the first bytes, before any parser runs, so that the
/// right schema can be picked (and compiled only when first needed).
///
/// It understands the prolog's comments and processing instructions and the root's start tag with its
/// `xmlns` declarations. It returns `nil` whenever it is not sure (a start tag longer than the chunk, UTF-16);
/// the caller then falls back to the schema of every kind.
public enum XMLRootProbe {
    /// The namespace URI the root element's start tag declares for its own prefix, or nil when not sure.
    public static func namespace(in bytes: UnsafeRawBufferPointer, encoding: InputEncoding) -> String? {
        guard !encoding.isSixteenBit else { return nil }
        let b = bytes.bindMemory(to: UInt8.self)
        guard let i = rootStart(b), b[i] == UInt8(ascii: "<") else { return nil }
        // The element's QName.
        var j = i + 1
        while j < b.count, !isSpace(b[j]), b[j] != UInt8(ascii: ">"), b[j] != UInt8(ascii: "/") { j += 1 }
        guard j < b.count else { return nil }
        let qname = Array(b[(i + 1)..<j])
        let prefix: [UInt8]? = qname.firstIndex(of: UInt8(ascii: ":")).map { Array(qname[..<$0]) }
        guard let declarations = attributes(b, from: j) else { return nil }
        let key = prefix.map { Array("xmlns:".utf8) + $0 } ?? Array("xmlns".utf8)
        guard let uri = declarations[key] else { return nil }
        // Only plain URIs: anything with an entity or character reference is left to the parser.
        guard !uri.contains(UInt8(ascii: "&")) else { return nil }
        return String(decoding: uri, as: UTF8.self)
    }

    private static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    private static func find(_ pattern: [UInt8], in b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        let n = b.count
        guard pattern.count <= n else { return nil }
        var j = start
        while j + pattern.count <= n {
            if b[j] == pattern[0], (1..<pattern.count).allSatisfy({ b[j + $0] == pattern[$0] }) { return j }
            j += 1
        }
        return nil
    }

    /// Where the root's start tag begins, past the prolog (BOM, whitespace, `<?…?>`, `<!--…-->`); nil when the
    /// chunk ends first or holds something else.
    private static func rootStart(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        var i = 0
        let n = b.count
        while i < n {
            if b[i] == 0xEF || b[i] == 0xBB || b[i] == 0xBF || isSpace(b[i]) { i += 1; continue }
            guard b[i] == UInt8(ascii: "<"), i + 1 < n else { return nil }
            if b[i + 1] == UInt8(ascii: "?") {
                guard let end = find(Array("?>".utf8), in: b, from: i + 2) else { return nil }
                i = end + 2
            } else if b[i + 1] == UInt8(ascii: "!") {
                guard find(Array("<!--".utf8), in: b, from: i) == i, let end = find(Array("-->".utf8), in: b, from: i + 4) else { return nil }
                i = end + 3
            } else {
                break
            }
        }
        return i < n ? i : nil
    }

    /// The start tag's attributes from `j` up to its `>` or `/`: name = "value" | 'value'; nil when the chunk ends
    /// first or a value is not quoted.
    private static func attributes(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> [[UInt8]: [UInt8]]? {
        var j = start
        let n = b.count
        var declarations: [[UInt8]: [UInt8]] = [:]
        while j < n {
            while j < n, isSpace(b[j]) { j += 1 }
            guard j < n else { return nil }
            if b[j] == UInt8(ascii: ">") || b[j] == UInt8(ascii: "/") { break }
            let nameStart = j
            while j < n, b[j] != UInt8(ascii: "="), !isSpace(b[j]) { j += 1 }
            let name = Array(b[nameStart..<j])
            while j < n, isSpace(b[j]) || b[j] == UInt8(ascii: "=") { j += 1 }
            guard j < n, b[j] == UInt8(ascii: "\"") || b[j] == UInt8(ascii: "'") else { return nil }
            let quote = b[j]
            let valueStart = j + 1
            j = valueStart
            while j < n, b[j] != quote { j += 1 }
            guard j < n else { return nil }
            declarations[name] = Array(b[valueStart..<j])
            j += 1
        }
        return j < n ? declarations : nil
    }
}
