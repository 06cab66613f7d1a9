import FoundationEssentials

extension Computations {
    /// The input of a computation is not the expected JSON: what is wrong, naming the field
    /// (`elements[0].categories[1].groups[0].c0`). DG5026 on the command line.
    public struct InputError: Error, Sendable, CustomStringConvertible {
        /// The explanation, naming the field.
        public var description: String
    }

    /// The largest input read: far beyond any service's groups and territories.
    public static let maxInputBytes = 16 << 20

    /// Decodes a computation's input from JSON bytes.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(InputError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw InputError(description: explain(error))
        }
    }

    private static func explain(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined().drop { $0 == "." }.description
        }
        guard let e = error as? DecodingError else { return "not the expected JSON: \(error)" }
        switch e {
        case .keyNotFound(let key, let context):
            let at = path(context.codingPath + [key])
            return "the field \(at) is required and missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let at = path(context.codingPath)
            return "the field \(at.isEmpty ? "(the document)" : at) has the wrong type: " + context.debugDescription
        case .dataCorrupted(let context):
            let at = path(context.codingPath)
            return (at.isEmpty ? "not JSON: " : "the field \(at): ") + context.debugDescription
        @unknown default:
            return "not the expected JSON: \(error)"
        }
    }
}
