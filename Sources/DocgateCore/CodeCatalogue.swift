/// Every code docgate reports, each once: its severity and its meaning in Russian and English. The code table of
/// docs/codes.md is this catalogue (`docgate codes --format markdown` prints it; a test compares the two).
///
/// Codes never change meaning once published: DG1xxx parse, DG2xxx schema and the JSON form, DG3xxx business rules,
/// DG4xxx signatures, DG5xxx files, configuration and the gateway.
public enum Code: String, CaseIterable, Sendable, Hashable, Codable {
    case DG1001, DG1002, DG1003, DG1004, DG1005, DG1006, DG1007, DG1008, DG1009, DG1010, DG1011, DG1012, DG1013
    case DG1014, DG1015, DG1016, DG1017, DG2001, DG2002, DG2003, DG2004, DG2005, DG2099, DG2100, DG2101, DG2102
    case DG2103, DG2104, DG2105, DG2106, DG2107, DG2108, DG2109, DG2110, DG3001, DG3002, DG3003, DG3004, DG3005
    case DG3006, DG3007, DG3010, DG3011, DG3012, DG3013, DG3020, DG3021, DG3022, DG3023, DG3030, DG3031, DG3032
    case DG3033, DG3034, DG3040, DG3041, DG3042, DG3043, DG3044, DG3050, DG3051, DG3052, DG3060, DG3061, DG3062
    case DG3063, DG3064, DG3065, DG3066, DG3067, DG3068, DG3069, DG3070, DG3080, DG3081, DG3090, DG3091, DG3092
    case DG3093, DG3094, DG3095, DG3096, DG3098, DG3099, DG3100, DG3101, DG3102, DG3103, DG3104, DG3105, DG3106
    case DG3107, DG3108, DG3109, DG4001, DG4002, DG4003, DG4004, DG4005, DG4006, DG4007, DG4010, DG4011, DG4012
    case DG4013, DG4014, DG4020, DG4021, DG4022, DG4023, DG4024, DG4025, DG4026, DG4027, DG4028, DG4029, DG4030
    case DG4031, DG4032, DG4033, DG4034, DG4035, DG4036, DG4040, DG5001, DG5002, DG5003, DG5010, DG5011, DG5012
    case DG5013, DG5014, DG5015, DG5016, DG5017, DG5020, DG5021, DG5022, DG5023, DG5024, DG5025, DG5026, DG5027
    case DG5028, DG5030, DG5031, DG5032, DG5033, DG5034, DG5035, DG5036, DG5037, DG5038, DG5039, DG5040, DG5041
    case DG5042, DG5043, DG5044, DG5045, DG5046, DG5047, DG5048, DG5049, DG5050, DG5051, DG5052, DG5053, DG5054
    case DG5055, DG5056, DG5057, DG5058, DG5059, DG5060, DG5061, DG5062, DG5063
    /// The catalogue's entry for this code.
    public var entry: CodeEntry { CodeCatalogue.byCode[self]! }
    /// The severity of this code's findings, as catalogued.
    public var severity: CodeSeverity { entry.severity }
    /// What the code means, in Russian and English.
    public var meaning: LocalizedText { entry.meaning }
}

/// How serious a code's findings are: always an error, always a warning, or either by circumstance (a duplicate is
/// a warning, a conflict an error).
public enum CodeSeverity: String, Sendable, Hashable, Codable {
    /// Always an error.
    case error
    /// Always a warning.
    case warning
    /// A warning or an error, depending on the finding.
    case either = "warning / error"

    /// The severity's name in `language`, as the code table shows it ("warning / error", "предупреждение / ошибка").
    public func label(_ language: Language) -> String {
        switch (self, language) {
        case (.error, .en): "error"
        case (.warning, .en): "warning"
        case (.either, .en): "warning / error"
        case (.error, .ru): "ошибка"
        case (.warning, .ru): "предупреждение"
        case (.either, .ru): "предупреждение / ошибка"
        }
    }
}

/// One line of the catalogue.
public struct CodeEntry: Sendable, Hashable {
    /// The code this line describes.
    public let code: Code
    /// How serious its findings are.
    public let severity: CodeSeverity
    /// What it means, in Russian and English.
    public let meaning: LocalizedText

    init(_ code: Code, _ severity: CodeSeverity, ru: String, en: String) {
        self.code = code
        self.severity = severity
        meaning = LocalizedText(ru: ru, en: en)
    }
}

/// The catalogue, kept by concern in `CodeCatalogue+*.swift`.
public enum CodeCatalogue {
    /// Every entry in code order.
    public static let entries: [CodeEntry] = (parse + rules + signature + operation).sorted { $0.code.rawValue < $1.code.rawValue }

    static let byCode: [Code: CodeEntry] = Dictionary(entries.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })

    /// The catalogue as a Markdown table (docs/codes.md's, in English).
    public static func markdown(_ language: Language) -> String {
        let head = language == .ru ? "| код | серьёзность | значение |\n| --- | --- | --- |\n" : "| code | severity | meaning |\n| --- | --- | --- |\n"
        return head + entries.map { "| \($0.code.rawValue) | \($0.severity.label(language)) | \($0.meaning[language]) |\n" }.joined()
    }
}
