import DocgateCore

/// The findings the gateway recorded in the journal when it decided (`errors`: a JSON array of code, severity,
/// line, path and the message in both languages).
enum RecordedFindings {
    static func parse(_ text: String?) -> [Diagnostic] {
        guard let text, !text.isEmpty else { return [] }
        var reader = JSONReader()
        guard case .array(let items)? = try? reader.read(Array(text.utf8)) else {
            // An entry from before the findings were recorded as JSON: its text as it is.
            return [Diagnostic(code: "", severity: .error, line: nil, path: nil, message: LocalizedText(ru: text, en: text))]
        }
        return items.compactMap { item in
            guard case .string(let code)? = item["code"] else { return nil }
            func string(_ key: String) -> String? { if case .string(let s)? = item[key] { return s } else { return nil } }
            var line: Int?
            if case .number(let n)? = item["line"] { line = Int(n) }
            return Diagnostic(code: code, severity: string("severity") == "warning" ? .warning : .error, line: line,
                              path: string("path"), message: LocalizedText(ru: string("ru") ?? "", en: string("en") ?? ""))
        }
    }

    /// One line per finding: «DG3100 сообщение».
    static func summary(_ text: String?) -> String {
        let list = parse(text)
        return list.isEmpty ? "—" : list.map { ($0.code.isEmpty ? "" : $0.code + " ") + $0.message.ru }.joined(separator: "\n")
    }
}
