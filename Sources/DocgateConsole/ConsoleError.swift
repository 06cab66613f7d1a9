import DocgateCore

/// Why an operation of the console's access layer could not be done: a stable code (DG5053–DG5056, DG5002) and
/// what went wrong and how to remedy it, in Russian and English. Two errors are equal when their codes are.
public struct ConsoleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The catalogue's code.
    public let code: Code
    /// What went wrong and what to do, in both languages.
    public let message: LocalizedText

    /// An error with its code and message.
    public init(_ code: Code, ru: String, en: String) {
        self.code = code
        message = LocalizedText(ru: ru, en: en)
    }

    /// `CODE message` in English.
    public var description: String { code.rawValue + " " + message.en }

    /// `CODE message` in `language`.
    public func text(_ language: Language) -> String { code.rawValue + " " + message[language] }

    /// Equal by code only: the wording may change, the code does not.
    public static func == (a: ConsoleError, b: ConsoleError) -> Bool { a.code == b.code }

    /// Hashed by code only, like ``==(_:_:)``.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
