/// A reason the input gate refused an input before (or while) libxml2 parsed it.
public enum GateProblem: Sendable, Hashable, Error {
    case empty
    case notXML(start: String)
    case doctype(line: Int)
    case tooDeep(line: Int, limit: Int)
    case tooManyAttributes(line: Int, limit: Int)
    case textTooLong(line: Int, limit: Int)
    case nulByte(line: Int)
    case invalidUTF8(line: Int)
    case unsupportedEncoding(label: String)
    case mislabelledEncoding(declared: String, actual: String)
    case truncated(line: Int)
    case tooLarge(size: Int, limit: Int)
    /// UTF-16 input with an odd number of bytes: the last code unit is incomplete.
    case oddLengthUTF16(line: Int)
    /// More elements than ``XMLLimits/maxElements`` (tree parsing only); the line of the first one too many.
    case tooManyElements(line: Int, limit: Int)

    /// The line the problem was found on, for the problems that have one.
    public var line: Int? {
        switch self {
        case .doctype(let l), .tooDeep(let l, _), .tooManyAttributes(let l, _), .textTooLong(let l, _),
             .nulByte(let l), .invalidUTF8(let l), .truncated(let l), .oddLengthUTF16(let l),
             .tooManyElements(let l, _):
            l
        default:
            nil
        }
    }
}

/// Runs the input gate alone over a buffer (for benchmarks and tools): the problem it finds, if any.
public enum XMLGateProbe {
    /// The first problem the gate finds in the whole buffer, or nil.
    public static func scan(_ bytes: UnsafeRawBufferPointer, limits: XMLLimits = .default) -> GateProblem? {
        switch Prolog.detect(UnsafeRawBufferPointer(rebasing: bytes.prefix(512))) {
        case .failure(let p): return p
        case .success(let prolog):
            var gate = InputGate(prolog: prolog, limits: limits)
            gate.feed(bytes)
            return gate.finish()
        }
    }
}
