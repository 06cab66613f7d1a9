import CLibXML2
import DocgateCore

/// The DG1xxx (parse) and DG2xxx (schema) catalogue: turns gate problems and libxml2 messages into
/// ``Diagnostic`` values with stable codes and Russian and English text.
public enum XMLDiagnostics {
    /// Every parse and schema code docgate emits, with a one-line description (for the messages and `--help`).
    public static let catalogue: [(code: String, ru: String, en: String)] = [
        ("DG1001", "Пустой файл", "Empty file"),
        ("DG1002", "Файл не является XML-документом", "Not an XML document"),
        ("DG1003", "Нарушена правильность построения XML", "XML is not well-formed"),
        ("DG1004", "Документ обрезан", "Document is truncated"),
        ("DG1005", "DOCTYPE и DTD запрещены", "DOCTYPE and DTDs are not allowed"),
        ("DG1006", "Ссылка на сущность запрещена", "Entity reference not allowed"),
        ("DG1007", "XInclude запрещён", "XInclude is not allowed"),
        ("DG1008", "Слишком глубокая вложенность", "Nesting too deep"),
        ("DG1009", "Слишком много атрибутов", "Too many attributes"),
        ("DG1010", "Слишком длинный текстовый узел", "Text node too long"),
        ("DG1011", "Недопустимая последовательность UTF-8", "Invalid UTF-8"),
        ("DG1012", "Кодировка указана неверно", "Mislabelled encoding"),
        ("DG1013", "Недопустимый символ (в том числе NUL)", "Invalid character (including NUL)"),
        ("DG1014", "Неподдерживаемая кодировка", "Unsupported encoding"),
        ("DG1015", "Файл слишком большой", "File too large"),
        ("DG1016", "Нечётное число байтов в UTF-16", "Odd number of bytes in UTF-16"),
        ("DG1017", "Слишком много элементов", "Too many elements"),
        ("DG2001", "Неизвестный вид документа", "Unknown document kind"),
        ("DG2002", "Нарушена структура документа", "Document structure violates the schema"),
        ("DG2003", "Недопустимое значение", "Invalid value"),
        ("DG2004", "Ошибка в атрибуте", "Attribute error"),
        ("DG2005", "Иная ошибка проверки по схеме", "Other schema error"),
        ("DG2099", "Слишком много ошибок", "Too many errors"),
    ]

    // MARK: Parse failures

    /// The findings for a document that could not be parsed.
    public static func diagnostics(for failure: XMLParseFailure) -> [Diagnostic] {
        switch failure {
        case .gate(let problem):
            return [diagnostic(for: problem)]
        case .xinclude(let line):
            return [Diagnostic(code: "DG1007", line: line, message: LocalizedText(
                ru: "Элемент XInclude: docgate не выполняет включение внешних документов",
                en: "XInclude element: docgate never includes external documents"))]
        case .malformed(let issues):
            guard !issues.isEmpty else {
                return [Diagnostic(code: "DG1003", message: LocalizedText(
                    ru: "Документ не является правильно построенным XML",
                    en: "The document is not well-formed XML"))]
            }
            // The first error is the cause; libxml2's later ones are its consequences.
            return issues.prefix(1).map(diagnostic(forParseIssue:))
        }
    }

    static func diagnostic(for problem: GateProblem) -> Diagnostic {
        switch problem {
        case .empty:
            return Diagnostic(code: "DG1001", message: LocalizedText(
                ru: "Файл пуст", en: "The file is empty"))
        case .notXML(let start):
            return Diagnostic(code: "DG1002", line: 1, column: 1, message: LocalizedText(
                ru: "Файл не является XML-документом: он начинается с «\(start)», а не с «<»",
                en: "Not an XML document: it starts with '\(start)', not '<'"))
        case .doctype(let line):
            return Diagnostic(code: "DG1005", line: line, message: LocalizedText(
                ru: "Объявление DOCTYPE (DTD, сущности) запрещено: docgate не обрабатывает DTD",
                en: "A DOCTYPE declaration (DTD, entities) is not allowed: docgate never processes DTDs"))
        case .tooDeep(let line, let limit):
            return Diagnostic(code: "DG1008", line: line, message: LocalizedText(
                ru: "Вложенность элементов глубже \(limit) уровней",
                en: "Elements are nested deeper than \(limit) levels"))
        case .tooManyAttributes(let line, let limit):
            return Diagnostic(code: "DG1009", line: line, message: LocalizedText(
                ru: "У элемента больше \(limit) атрибутов",
                en: "An element has more than \(limit) attributes"))
        case .textTooLong(let line, let limit):
            return Diagnostic(code: "DG1010", line: line, message: LocalizedText(
                ru: "Текстовый узел длиннее \(limit) символов",
                en: "A text node is longer than \(limit) characters"))
        case .nulByte(let line):
            return Diagnostic(code: "DG1013", line: line, message: LocalizedText(
                ru: "Байт NUL (0x00) недопустим в XML",
                en: "A NUL byte (0x00) is not allowed in XML"))
        case .invalidUTF8(let line):
            return Diagnostic(code: "DG1011", line: line, message: LocalizedText(
                ru: "Недопустимая последовательность байтов UTF-8; если файл в кодировке windows-1251, укажите её в объявлении <?xml … encoding=\"windows-1251\"?>",
                en: "Invalid UTF-8 byte sequence; if the file is in windows-1251, declare it: <?xml … encoding=\"windows-1251\"?>"))
        case .unsupportedEncoding(let label):
            return Diagnostic(code: "DG1014", line: 1, message: LocalizedText(
                ru: "Кодировка «\(label)» не поддерживается; допустимы UTF-8, UTF-16 и windows-1251",
                en: "Encoding '\(label)' is not supported; use UTF-8, UTF-16 or windows-1251"))
        case .mislabelledEncoding(let declared, let actual):
            return Diagnostic(code: "DG1012", line: 1, message: LocalizedText(
                ru: "В объявлении указана кодировка «\(declared)», но содержимое файла в кодировке \(actual)",
                en: "The declaration says '\(declared)' but the content is \(actual)"))
        case .truncated(let line):
            return Diagnostic(code: "DG1004", line: line, message: LocalizedText(
                ru: "Документ обрывается: не все элементы закрыты",
                en: "The document ends before all elements are closed"))
        case .oddLengthUTF16(let line):
            return Diagnostic(code: "DG1016", line: line, message: LocalizedText(
                ru: "Файл в кодировке UTF-16 содержит нечётное число байтов: последний символ неполон (файл обрезан или повреждён)",
                en: "The UTF-16 file has an odd number of bytes: its last character is incomplete (the file is cut or damaged)"))
        case .tooManyElements(let line, let limit):
            return Diagnostic(code: "DG1017", line: line, message: LocalizedText(
                ru: "В документе больше \(limit) элементов: такой документ не разбирается в дерево",
                en: "The document has more than \(limit) elements: too many to parse into a tree"))
        case .tooLarge(let size, let limit):
            return Diagnostic(code: "DG1015", message: LocalizedText(
                ru: "Размер файла \(size) байт больше допустимого (\(limit) байт)",
                en: "The file has \(size) bytes, more than the limit of \(limit)"))
        }
    }

    static func diagnostic(forParseIssue issue: XMLIssue) -> Diagnostic {
        let code: String
        let ru: String
        // libxml2's own limits and encoding checks, met when the gate scanned only the prolog.
        if issue.message.contains("not proper UTF-8") {
            return Diagnostic(code: "DG1011", line: issue.line, column: issue.column, message: LocalizedText(
                ru: "Недопустимая последовательность байтов UTF-8; если файл в кодировке windows-1251, укажите её в объявлении <?xml … encoding=\"windows-1251\"?> (libxml2: \(issue.message))",
                en: issue.message))
        }
        if issue.message.contains("Excessive depth") {
            return Diagnostic(code: "DG1008", line: issue.line, column: issue.column, message: LocalizedText(
                ru: "Слишком глубокая вложенность элементов (libxml2: \(issue.message))", en: issue.message))
        }
        if issue.message.contains("huge text node") {
            return Diagnostic(code: "DG1010", line: issue.line, column: issue.column, message: LocalizedText(
                ru: "Слишком длинный текстовый узел (libxml2: \(issue.message))", en: issue.message))
        }
        switch issue.code {
        case Int32(XML_ERR_UNDECLARED_ENTITY.rawValue), Int32(XML_WAR_UNDECLARED_ENTITY.rawValue),
             Int32(XML_ERR_ENTITY_LOOP.rawValue), Int32(XML_ERR_ENTITYREF_SEMICOL_MISSING.rawValue):
            code = "DG1006"
            ru = "Ссылка на неизвестную сущность: допускаются только &lt; &gt; &amp; &quot; &apos; и ссылки на символы"
        case Int32(XML_ERR_INVALID_CHAR.rawValue), Int32(XML_ERR_INVALID_CHARREF.rawValue),
             Int32(XML_ERR_INVALID_DEC_CHARREF.rawValue), Int32(XML_ERR_INVALID_HEX_CHARREF.rawValue):
            code = "DG1013"
            ru = "Недопустимый в XML символ"
        case Int32(XML_ERR_INVALID_ENCODING.rawValue):
            code = "DG1011"
            ru = "Байты не соответствуют объявленной кодировке"
        case Int32(XML_ERR_UNSUPPORTED_ENCODING.rawValue), Int32(XML_ERR_UNKNOWN_ENCODING.rawValue):
            code = "DG1014"
            ru = "Неподдерживаемая кодировка"
        case Int32(XML_ERR_DOCUMENT_END.rawValue), Int32(XML_ERR_TAG_NOT_FINISHED.rawValue),
             Int32(XML_ERR_DOCUMENT_EMPTY.rawValue):
            code = "DG1004"
            ru = "Документ обрывается до закрытия всех элементов"
        default:
            code = "DG1003"
            ru = "Нарушена правильность построения XML"
        }
        return Diagnostic(code: code, line: issue.line, column: issue.column, path: issue.path,
                          message: LocalizedText(ru: "\(ru) (libxml2: \(issue.message))", en: issue.message))
    }

    // MARK: Schema findings

    /// The findings for libxml2's schema messages, plus one DG2099 when some were dropped.
    public static func diagnostics(forSchemaIssues issues: [XMLIssue], dropped: Int) -> [Diagnostic] {
        var out = issues.map(diagnostic(forSchemaIssue:))
        if dropped > 0 {
            out.append(Diagnostic(code: "DG2099", message: LocalizedText(
                ru: "И ещё \(dropped) ошибок проверки по схеме не показаны",
                en: "\(dropped) more schema errors not shown")))
        }
        return out
    }

    static func diagnostic(forSchemaIssue issue: XMLIssue) -> Diagnostic {
        let code: String
        switch issue.code {
        case 1822...1840, 1874: code = "DG2003"
        case 1861...1870, 1814, 1820, 1821: code = "DG2004"
        case 1801...1813, 1815, 1841...1860, 1871...1873: code = "DG2002"
        default: code = "DG2005"
        }
        let english = stripNamespaces(issue.message)
        return Diagnostic(code: code, severity: issue.isWarning ? .warning : .error, line: issue.line,
                          column: issue.column, path: issue.path,
                          message: LocalizedText(ru: SchemaMessageTranslator.russian(english), en: english))
    }

    /// `Element '{urn://docgate/x/1}item'` → `Element 'item'`: namespaces make messages unreadable. Braces that
    /// hold quoted values (the set of an enumeration facet) stay.
    static func stripNamespaces(_ message: String) -> String {
        var out = ""
        var rest = Substring(message)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let inside = rest[rest.index(after: open)..<close]
            if inside.contains("'") || inside.contains("\"") || inside.contains(" ") {
                out += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}
