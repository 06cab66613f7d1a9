import DocgateCore

/// The inputs on which toml++ (inside TOMLKit 0.6.0) asserts instead of reporting an error — an abort in a debug
/// build, undefined behaviour in a release one — found here first, each as a syntax error with its line (both were
/// found by the fuzzer: Tests/FuzzRegressions/config):
/// - a table header with no name before its end or a comment (`[[ # …`, `[`, `[:`);
/// - a `}` where an array expects a value (`[1, }`, `[}`).
/// The scan follows strings (basic, literal, multi-line) and comments, and which brackets are arrays.
enum TOMLPrecheck {
    struct Trap {
        var line: Int
        var message: LocalizedText
    }

    static func trap(in text: String) -> Trap? {
        var line = 1
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var i = 0
        /// Open brackets of values: true for an array, false for an inline table.
        var stack: [Bool] = []
        /// After `[` or `,` in an array: the next value-bearing character must not be `}`.
        var wantValue = false
        var atLineStart = true
        func peek(_ k: Int) -> Unicode.Scalar? { i + k < scalars.count ? scalars[i + k] : nil }
        while i < scalars.count {
            let c = scalars[i]
            if c == "\n" { line += 1; atLineStart = true; i += 1; continue }
            if c == " " || c == "\t" || c == "\r" { i += 1; continue }
            if c == "#" {
                while i < scalars.count, scalars[i] != "\n" { i += 1 }
                continue
            }
            if atLineStart && stack.isEmpty && c == "[" {
                // A table header: a name must follow the bracket(s).
                var k = i + 1
                if peek(1) == "[" { k += 1 }
                while k < scalars.count, scalars[k] == " " || scalars[k] == "\t" { k += 1 }
                let n: Unicode.Scalar? = k < scalars.count ? scalars[k] : nil
                guard let n, n.isASCII, n.properties.isAlphabetic || ("0"..."9").contains(n) || n == "_" || n == "-" || n == "\"" || n == "'" else {
                    return Trap(line: line, message: LocalizedText(ru: "заголовок таблицы без имени", en: "a table header without a table name"))
                }
                while i < scalars.count, scalars[i] != "\n" { i += 1 }
                continue
            }
            atLineStart = false
            if wantValue {
                wantValue = false
                if c == "}" {
                    return Trap(line: line, message: LocalizedText(ru: "в массиве ожидается значение, а не «}»", en: "a value expected in the array, not '}'"))
                }
            }
            switch c {
            case "\"", "'":
                let triple = peek(1) == c && peek(2) == c
                i += triple ? 3 : 1
                while i < scalars.count {
                    let s = scalars[i]
                    if s == "\n" { line += 1 }
                    if c == "\"" && s == "\\" { i += 2; continue }
                    if s == c && (!triple || (peek(1) == c && peek(2) == c)) { i += triple ? 3 : 1; break }
                    if s == "\n" && !triple { break }
                    i += 1
                }
                continue
            case "[":
                stack.append(true)
                wantValue = true
            case "{":
                stack.append(false)
            case "]", "}":
                if !stack.isEmpty { stack.removeLast() }
            case ",":
                wantValue = stack.last == true
            default:
                break
            }
            i += 1
        }
        return nil
    }
}
