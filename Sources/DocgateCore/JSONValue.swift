/// A JSON value that keeps numbers as they were written.
///
/// Foundation's JSON readers turn every number into a binary floating-point value, which loses kopecks and
/// trailing zeros ("1500.10" comes back as 1500.1, "0.1" as 0.1000000000000000055…). Documents carry money and
/// volumes as exact decimals, so docgate keeps the literal text of each number and lets the schema decide.
public indirect enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// The number's literal text, exactly as in the input (`1500.00`, `-3e2`).
    case number(String)
    /// A string, unescaped.
    case string(String)
    /// An array, elements in order.
    case array([JSONValue])
    /// Members in the order written; duplicate keys are rejected by the parser.
    case object([(String, JSONValue)])

    /// Equal when of the same kind with equal contents: numbers by their literal text (`1.0` is not `1`), objects
    /// member by member in order.
    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// Hashes what `==` compares: the kind's contents, object members in order.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        case .number(let n): hasher.combine(n)
        case .string(let s): hasher.combine(s)
        case .array(let a): hasher.combine(a)
        case .object(let o): for (k, v) in o { hasher.combine(k); hasher.combine(v) }
        }
    }

    /// The member `key` of an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// What kind of value this is, for messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// Whether `text` is a number literal as JSON writes them (RFC 8259 §6).
    public static func isNumberLiteral(_ text: String) -> Bool {
        var u = Substring(text).utf8[...]
        func digits() -> Int {
            var n = 0
            while let c = u.first, c >= 0x30, c <= 0x39 { u = u.dropFirst(); n += 1 }
            return n
        }
        if u.first == UInt8(ascii: "-") { u = u.dropFirst() }
        guard let first = u.first else { return false }
        if first == UInt8(ascii: "0") { u = u.dropFirst() } else if digits() == 0 { return false }
        if u.first == UInt8(ascii: ".") {
            u = u.dropFirst()
            if digits() == 0 { return false }
        }
        if let e = u.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            u = u.dropFirst()
            if let s = u.first, s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { u = u.dropFirst() }
            if digits() == 0 { return false }
        }
        return u.isEmpty
    }

    /// The value written as indented JSON (two spaces), members in their order, ending without a newline.
    public func rendered(indent: Int = 0) -> String {
        var out = ""
        render(into: &out, level: indent)
        return out
    }

    private func render(into out: inout String, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): out += JSONText.string(s)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += String(repeating: "  ", count: level + 1)
                item.render(into: &out, level: level + 1)
                out += i + 1 < items.count ? ",\n" : "\n"
            }
            out += String(repeating: "  ", count: level) + "]"
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, (key, value)) in members.enumerated() {
                out += String(repeating: "  ", count: level + 1) + JSONText.string(key) + ": "
                value.render(into: &out, level: level + 1)
                out += i + 1 < members.count ? ",\n" : "\n"
            }
            out += String(repeating: "  ", count: level) + "}"
        }
    }
}

/// Where a value came from: a line and column of a JSON file, or a line and column name of a CSV file.
public struct SourcePosition: Sendable, Hashable, CustomStringConvertible {
    /// 1-based line.
    public var line: Int
    /// 1-based column in a JSON file; nil for a CSV cell, which has ``field`` instead.
    public var column: Int?
    /// The CSV column's name, when the value came from a table.
    public var field: String?

    /// A position from its line and, when known, its column or CSV column name.
    public init(line: Int, column: Int? = nil, field: String? = nil) {
        self.line = line
        self.column = column
        self.field = field
    }

    /// `line 3, column amount` for a CSV cell, `line 3:14` for a JSON value, `line 3` otherwise.
    public var description: String {
        if let field { return "line \(line), column \(field)" }
        if let column { return "line \(line):\(column)" }
        return "line \(line)"
    }
}

/// A JSON text could not be read.
public struct JSONParseError: Error, Sendable, Hashable {
    /// Where the reader stopped.
    public var position: SourcePosition
    /// What is wrong, in Russian and English.
    public var message: LocalizedText
}

/// A strict JSON reader (RFC 8259): one value, no comments, no trailing commas, no duplicate keys, nesting at
/// most `maxDepth`; it records where each value starts, by its path (`$.header.number`, `$.item[2]`).
public struct JSONReader {
    /// Where each value of the last text read starts, by its path (`$` for the whole, `$.header.number`, `$.item[2]`).
    public private(set) var positions: [String: SourcePosition] = [:]
    /// The deepest nesting of arrays and objects accepted; deeper is an error ("nesting too deep").
    public var maxDepth = 200
    private var bytes: [UInt8] = []
    private var index = 0
    private var line = 1
    private var lineStart = 0

    /// A reader with the default depth limit.
    public init() {}

    /// Reads one JSON text (UTF-8, an optional byte-order mark).
    public mutating func read(_ input: [UInt8]) throws(JSONParseError) -> JSONValue {
        bytes = input
        index = input.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        line = 1
        lineStart = index
        positions = [:]
        skipSpace()
        let value = try parseValue(path: "$", depth: 0)
        skipSpace()
        if index < bytes.count { throw failure("лишний текст после значения JSON", "unexpected text after the JSON value") }
        return value
    }

    private var here: SourcePosition { SourcePosition(line: line, column: index - lineStart + 1) }

    private func failure(_ ru: String, _ en: String) -> JSONParseError {
        JSONParseError(position: here, message: LocalizedText(ru: ru, en: en))
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0D: index += 1
            case 0x0A: index += 1; line += 1; lineStart = index
            default: return
            }
        }
    }

    private mutating func expect(_ word: String, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        let start = index
        for b in word.utf8 {
            guard index < bytes.count, bytes[index] == b else {
                index = start
                throw failure("неизвестное слово (ожидалось \(word))", "unknown literal (\(word) expected)")
            }
            index += 1
        }
        return value
    }

    private mutating func parseValue(path: String, depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maxDepth else { throw failure("слишком глубокая вложенность", "nesting too deep") }
        guard index < bytes.count else { throw failure("JSON оборван", "the JSON ends too early") }
        positions[path] = here
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(path: path, depth: depth)
        case UInt8(ascii: "["): return try parseArray(path: path, depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        default: return try parseNumber()
        }
    }

    private mutating func parseObject(path: String, depth: Int) throws(JSONParseError) -> JSONValue {
        index += 1
        var members: [(String, JSONValue)] = []
        var seen: Set<String> = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object([]) }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw failure("ожидалось имя поля в кавычках", "a quoted member name expected")
            }
            let keyStart = (index, line, lineStart)
            let key = try parseString()
            guard seen.insert(key).inserted else {
                (index, line, lineStart) = keyStart
                throw failure("поле «\(key)» повторяется", "member '\(key)' appears twice")
            }
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw failure("ожидалось «:»", "':' expected") }
            index += 1
            skipSpace()
            members.append((key, try parseValue(path: path + "." + key, depth: depth + 1)))
            skipSpace()
            guard index < bytes.count else { throw failure("JSON оборван", "the JSON ends too early") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            throw failure("ожидалось «,» или «}»", "',' or '}' expected")
        }
    }

    private mutating func parseArray(path: String, depth: Int) throws(JSONParseError) -> JSONValue {
        index += 1
        var items: [JSONValue] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array([]) }
        while true {
            skipSpace()
            items.append(try parseValue(path: path + "[\(items.count)]", depth: depth + 1))
            skipSpace()
            guard index < bytes.count else { throw failure("JSON оборван", "the JSON ends too early") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            throw failure("ожидалось «,» или «]»", "',' or ']' expected")
        }
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        while index < bytes.count {
            let c = bytes[index]
            guard (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "-") || c == UInt8(ascii: "+") || c == UInt8(ascii: ".")
                || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") else { break }
            index += 1
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard JSONValue.isNumberLiteral(text) else {
            index = start
            throw failure("ожидалось значение JSON", "a JSON value expected")
        }
        return .number(text)
    }

    private mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("неполная последовательность \\u", "incomplete \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw failure("неверная последовательность \\u", "bad \\u escape")
            }
            v = v * 16 + d
            index += 1
        }
        return v
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        index += 1
        var out: [UInt8] = []
        var runStart = index
        while true {
            guard index < bytes.count else { throw failure("строка не закрыта", "unterminated string") }
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                out.append(contentsOf: bytes[runStart..<index])
                index += 1
                break
            }
            if c < 0x20 { throw failure("управляющий символ в строке (нужна последовательность \\n, \\t, …)", "control character in a string (escape it)") }
            if c != UInt8(ascii: "\\") { index += 1; continue }
            out.append(contentsOf: bytes[runStart..<index])
            index += 1
            guard index < bytes.count else { throw failure("строка не закрыта", "unterminated string") }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw failure("одиночный суррогат в \\u", "lone surrogate in \\u escape")
                    }
                    index += 2
                    let low = try hex4()
                    guard low >= 0xDC00 && low < 0xE000 else { throw failure("одиночный суррогат в \\u", "lone surrogate in \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    throw failure("одиночный суррогат в \\u", "lone surrogate in \\u escape")
                }
                guard let u = Unicode.Scalar(scalar) else { throw failure("неверный символ", "bad character") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default:
                throw failure("неизвестная последовательность \\\(Character(Unicode.Scalar(e)))", "unknown escape")
            }
            runStart = index
        }
        guard let s = String(validating: out, as: UTF8.self) else {
            throw failure("строка не в UTF-8", "the string is not UTF-8")
        }
        return s
    }
}
