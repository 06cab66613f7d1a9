/// Bounds on untrusted input, enforced before libxml2 sees the bytes.
///
/// libxml2 2.9 has its own hard limits (depth 256 and 10 MB text nodes without `XML_PARSE_HUGE`), but it checks
/// duplicate attributes quadratically: a start tag with 100 000 attributes keeps it busy for 15 s. The input gate
/// (``InputGate``) counts attributes, depth, text length and (for trees) elements as the bytes stream past and stops
/// the parse early.
public struct XMLLimits: Sendable, Hashable {
    /// Largest input accepted at all, in bytes.
    public var maxInputBytes: Int
    /// Files larger than this are validated with the streaming reader instead of a tree.
    public var streamingThreshold: Int
    /// Deepest element nesting accepted.
    public var maxDepth: Int
    /// Most attributes (namespace declarations included) on one element.
    public var maxAttributes: Int
    /// Longest run of character data between two tags, in code units.
    public var maxTextLength: Int
    /// Most findings kept per document; the rest are counted.
    public var maxIssues: Int
    /// Most elements in a document parsed into a tree (``XMLDocument/parse(_:limits:)``): a tree costs about 34×
    /// the file, and a small file can hold millions of tiny elements (a 10 KB document has about 300). The
    /// streaming validator keeps constant memory and does not apply it.
    public var maxElements: Int
    /// Largest input parsed into a tree, in bytes (signing, verification, inspect, export): text-heavy input passes
    /// ``maxElements``, and a tree holds its text besides the bytes read. The streaming validator, which keeps
    /// constant memory, is bound by ``maxInputBytes`` only; the gateway narrows this per route (`max_tree_size`).
    public var maxTreeBytes: Int

    /// The most bytes read for a tree: the smaller of the two byte limits.
    public var maxTreeInputBytes: Int { min(maxInputBytes, maxTreeBytes) }

    /// Limits with the defaults: 4 GB streamed, trees of 1 GB and 1 000 000 elements, depth 256, 256 attributes,
    /// text runs of 10 000 000 code units, 200 findings.
    public init(maxInputBytes: Int = 4 << 30, streamingThreshold: Int = 16 << 20, maxDepth: Int = 256,
                maxAttributes: Int = 256, maxTextLength: Int = 10_000_000, maxIssues: Int = 200,
                maxElements: Int = 1_000_000, maxTreeBytes: Int = 1 << 30) {
        self.maxInputBytes = maxInputBytes
        self.streamingThreshold = streamingThreshold
        self.maxDepth = maxDepth
        self.maxAttributes = maxAttributes
        self.maxTextLength = maxTextLength
        self.maxIssues = maxIssues
        self.maxElements = maxElements
        self.maxTreeBytes = maxTreeBytes
    }

    /// The defaults (see `init`).
    public static let `default` = XMLLimits()
}
