import DocgateCore
import DocgateCrypto
import Glibc

/// Certificates named by fingerprint, for PKIs whose certificates carry no ИНН/ОГРН/СНИЛС: a text file (or a
/// directory of `*.txt` / `*.signers` files), one line per certificate:
///
///     # ИНН or СНИЛС (or "gateway")   SHA-256 of the certificate (hex, colons allowed)
///     2466012340    3f5a…e1
///     112-233-445 95  9c04…7d
///     gateway       ab12…ff
///
/// An identifier may have several certificates; a certificate may serve several identifiers.
public struct SignerMapping: Sendable, Hashable {
    /// The identifier of the gateway's own certificate (receipts).
    public static let gatewayKey = "gateway"
    private var fingerprints: [String: Set<String>] = [:]

    public init() {}

    /// How many (identifier, certificate) pairs it lists.
    public var count: Int { fingerprints.values.reduce(0) { $0 + $1.count } }

    /// Whether the mapping lists this certificate (SHA-256, lower-case hex) for this ИНН, СНИЛС or `gateway`.
    public func lists(_ fingerprint: String, for identifier: String) -> Bool {
        fingerprints[identifier]?.contains(fingerprint) ?? false
    }

    /// Adds a certificate for an identifier (the gateway adds its own signing certificate as `gateway`).
    public mutating func add(_ fingerprint: String, for identifier: String) {
        fingerprints[identifier, default: []].insert(fingerprint.lowercased())
    }

    /// The mapping in a file or the `*.txt` / `*.signers` files of a directory.
    public init(path: String) throws(SignerMappingError) {
        var st = stat()
        guard stat(path, &st) == 0 else { throw SignerMappingError(path: path, line: nil, reason: .unreadable(String(cString: strerror(errno)))) }
        var files = [path]
        if (st.st_mode & S_IFMT) == S_IFDIR {
            guard let names = directoryEntries(path) else {
                throw SignerMappingError(path: path, line: nil, reason: .unreadable(String(cString: strerror(errno))))
            }
            files = names.filter { !$0.hasPrefix(".") && ($0.hasSuffix(".txt") || $0.hasSuffix(".signers")) }.map { path + "/" + $0 }
        }
        for file in files {
            guard let bytes = readSmallFile(file, limit: 16 << 20) else {
                throw SignerMappingError(path: file, line: nil, reason: .unreadable(String(cString: strerror(errno))))
            }
            try read(bytes, file: file)
        }
    }

    /// Adds the lines of one mapping file's bytes (`file` names it in errors): DG4033 for text that is not UTF-8, a
    /// line that does not end with a fingerprint, or an identifier that is not an ИНН, a СНИЛС or `gateway`.
    public mutating func read(_ bytes: [UInt8], file: String) throws(SignerMappingError) {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw SignerMappingError(path: file, line: nil, reason: .notUTF8) }
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line: Substring = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words: [String] = line.split(whereSeparator: { (c: Character) -> Bool in c == " " || c == "\t" || c == "\r" }).map(String.init)
            if words.isEmpty { continue }
            // A СНИЛС may be written with its space: "112-233-445 95".
            let identifierWords = words.dropLast()
            guard let fingerprint = Self.fingerprint(words.last!), !identifierWords.isEmpty else {
                throw SignerMappingError(path: file, line: index + 1, reason: .badFingerprint)
            }
            let identifier = identifierWords.count == 1 && identifierWords[identifierWords.startIndex] == Self.gatewayKey
                ? Self.gatewayKey : Self.identifier(identifierWords.joined(separator: " "))
            guard let identifier else { throw SignerMappingError(path: file, line: index + 1, reason: .badIdentifier) }
            add(fingerprint, for: identifier)
        }
    }

    /// Digits of an ИНН (10 or 12) or a СНИЛС (11, hyphens and a space allowed), or nil.
    static func identifier(_ text: String) -> String? {
        let digits = Self.digits(text)
        guard text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-" || $0 == " ") }), [10, 11, 12].contains(digits.count) else { return nil }
        return digits
    }

    static func digits(_ text: String) -> String { text.filter { $0.isASCII && $0.isNumber } }

    /// A SHA-256 fingerprint: 64 hexadecimal digits, optionally in colon-separated pairs; lower-cased.
    static func fingerprint(_ text: String) -> String? {
        let hex = text.filter { $0 != ":" }.lowercased()
        guard hex.count == 64, hex.allSatisfy({ $0.isHexDigit }) else { return nil }
        return hex
    }
}

/// A mapping file that cannot be used (DG4033).
public struct SignerMappingError: Error, Sendable, Equatable {
    /// What is wrong with the file.
    public enum Reason: Sendable, Equatable {
        case unreadable(String)
        case notUTF8
        case badFingerprint
        case badIdentifier
    }

    /// The file.
    public var path: String
    /// The line, 1-based, where one line is at fault.
    public var line: Int?
    /// What is wrong.
    public var reason: Reason
    /// Always DG4033.
    public var code: String { "DG4033" }

    /// The file, the line and what is wrong, in Russian and English.
    public var message: LocalizedText {
        let place = path + (line.map { ":\($0)" } ?? "")
        let why: LocalizedText = switch reason {
        case .unreadable(let e): LocalizedText(ru: "не читается (\(e))", en: "cannot be read (\(e))")
        case .notUTF8: LocalizedText(ru: "не в UTF-8", en: "is not UTF-8")
        case .badFingerprint: LocalizedText(ru: "строка должна кончаться отпечатком SHA-256 сертификата (64 шестнадцатеричные цифры)",
                                            en: "a line must end with the certificate's SHA-256 fingerprint (64 hexadecimal digits)")
        case .badIdentifier: LocalizedText(ru: "идентификатор — ИНН (10 или 12 цифр), СНИЛС (11 цифр) или gateway",
                                           en: "the identifier is an ИНН (10 or 12 digits), a СНИЛС (11 digits) or gateway")
        }
        return LocalizedText(ru: "Файл соответствия подписантов \(place): " + why.ru, en: "Signer mapping file \(place): " + why.en)
    }
}
