/// How serious a finding is. An `error` makes a document invalid; a `warning` is reported but does not.
public enum Severity: String, Sendable, Hashable, Codable, CaseIterable {
    /// Makes the document invalid.
    case error
    /// Reported, but the document stays valid.
    case warning
}

/// The two languages docgate speaks to people in.
public enum Language: String, Sendable, Hashable, Codable, CaseIterable {
    /// Russian.
    case ru
    /// English.
    case en

    /// The language a locale string such as `LANG=ru_RU.UTF-8` asks for: Russian for `ru*`, English otherwise.
    public static func from(locale: String?) -> Language {
        guard let locale, !locale.isEmpty else { return .en }
        return locale.lowercased().hasPrefix("ru") ? .ru : .en
    }
}

/// A message in Russian and English.
public struct LocalizedText: Sendable, Hashable, Codable {
    /// The Russian text.
    public var ru: String
    /// The English text.
    public var en: String

    /// A message from its two texts.
    public init(ru: String, en: String) {
        self.ru = ru
        self.en = en
    }

    /// The text in `language`.
    public subscript(language: Language) -> String {
        switch language {
        case .ru: ru
        case .en: en
        }
    }
}

/// One finding about a document: a stable code, a severity, where it is and what it means.
///
/// Codes never change meaning once published: DG1xxx parse, DG2xxx schema, DG3xxx business rule,
/// DG4xxx signature, DG5xxx transport and configuration.
public struct Diagnostic: Error, Sendable, Hashable, Codable {
    /// The stable code, `DG` and four digits (docs/codes.md).
    public var code: String
    /// Whether the finding makes the document invalid (error) or is only reported (warning).
    public var severity: Severity
    /// 1-based line in the source file, when known.
    public var line: Int?
    /// 1-based column, when known (libxml2 gives columns for parse errors only).
    public var column: Int?
    /// Element path such as `/executionReport/volumeDetail/item[3]/factValue`, when it applies.
    public var path: String?
    /// What is wrong, in Russian and English.
    public var message: LocalizedText

    /// A finding; an error unless told otherwise, without a position unless one is given.
    public init(code: String, severity: Severity = .error, line: Int? = nil, column: Int? = nil,
                path: String? = nil, message: LocalizedText) {
        self.code = code
        self.severity = severity
        self.line = line
        self.column = column
        self.path = path
        self.message = message
    }

    /// True when the finding makes the document invalid.
    public var isError: Bool { severity == .error }
}

extension Array where Element == Diagnostic {
    /// True when no finding is an error.
    public var allowsValidity: Bool { !contains(where: \.isError) }
}
