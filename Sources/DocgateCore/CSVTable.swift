/// A CSV file as RFC 4180 writes it: comma-separated (a semicolon is taken when the header line has semicolons and
/// no commas, as spreadsheets in a Russian locale save), fields in double quotes may hold commas, quotes (doubled)
/// and line breaks; CRLF or LF; a UTF-8 byte-order mark is skipped. Blank lines are ignored.
///
/// docgate's own rather than a mirrored library's: every row keeps the line it starts on (a quoted field may span
/// lines), which the messages about a table need (DG2110, DG5027) and neither SwiftCSV 0.10 nor CSV.swift 2.5 gives.
public struct CSVTable: Sendable {
    /// One data line: the line it starts on (1-based, the header is line 1 unless blank lines precede it) and its fields.
    public struct Row: Sendable {
        /// 1-based line the row starts on.
        public var line: Int
        /// The fields as written, untrimmed; a row may have fewer fields than the header has columns, never more.
        public var fields: [String]
    }

    /// The column names of the first non-blank line, trimmed; no name but the empty one appears twice.
    public var header: [String]
    /// 1-based line of the header.
    public var headerLine: Int
    /// The data rows in file order, blank lines left out.
    public var rows: [Row]

    /// The table could not be read: not UTF-8, an unterminated quote, an empty file, a repeated column name, or a row
    /// with more fields than there are columns.
    public struct Failure: Error, Sendable {
        /// 1-based line of the fault.
        public var line: Int
        /// What is wrong, in Russian and English.
        public var message: LocalizedText
    }

    /// Reads a table; the first non-blank line names the columns (trimmed).
    public static func parse(_ input: [UInt8]) throws(Failure) -> CSVTable {
        guard let text = String(validating: input.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(input.dropFirst(3)) : input, as: UTF8.self) else {
            throw Failure(line: 1, message: LocalizedText(ru: "файл не в кодировке UTF-8", en: "the file is not UTF-8"))
        }
        let firstLine = text.prefix { $0 != "\n" && $0 != "\r\n" }
        let separator: Unicode.Scalar = firstLine.contains(";") && !firstLine.contains(",") ? ";" : ","
        var records: [Row] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var quoted = false
        var line = 1
        var recordLine = 1
        var afterQuote = false
        func endRecord() {
            fields.append(String(field))
            field = String.UnicodeScalarView()
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Row(line: recordLine, fields: fields)) }
            fields = []
        }
        for c in text.unicodeScalars {
            if quoted {
                if c == "\"" { quoted = false; afterQuote = true; continue }
                if c == "\n" { line += 1 }
                field.append(c)
                continue
            }
            if afterQuote && c == "\"" { field.append("\""); quoted = true; afterQuote = false; continue }
            afterQuote = false
            switch c {
            case "\"":
                quoted = true
            case separator:
                fields.append(String(field))
                field = String.UnicodeScalarView()
            case "\r":
                continue
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            default:
                field.append(c)
            }
        }
        if quoted { throw Failure(line: recordLine, message: LocalizedText(ru: "кавычка не закрыта", en: "unterminated quote")) }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        guard let head = records.first else {
            throw Failure(line: 1, message: LocalizedText(ru: "файл пуст", en: "the file is empty"))
        }
        let names = head.fields.map { $0.trimmingSpaces }
        var seen: Set<String> = []
        for name in names where !name.isEmpty && !seen.insert(name).inserted {
            throw Failure(line: head.line, message: LocalizedText(ru: "столбец «\(name)» повторяется", en: "column '\(name)' appears twice"))
        }
        for r in records.dropFirst() where r.fields.count > names.count {
            throw Failure(line: r.line, message: LocalizedText(ru: "в строке \(r.fields.count) полей, а столбцов \(names.count)",
                                                               en: "the line has \(r.fields.count) fields for \(names.count) columns"))
        }
        return CSVTable(header: names, headerLine: head.line, rows: Array(records.dropFirst()))
    }

    /// The index of the column `name`.
    public func column(_ name: String) -> Int? { header.firstIndex(of: name) }

    /// The trimmed value of column `index` in `row`, nil when the cell is missing or blank.
    public func value(_ row: Row, _ index: Int?) -> String? {
        guard let index, index < row.fields.count else { return nil }
        let s = row.fields[index].trimmingSpaces
        return s.isEmpty ? nil : s
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line breaks.
    public var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
