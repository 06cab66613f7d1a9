import DocgateCore
import DocgateGateway
import FoundationEssentials
import Glibc
import Logging

/// Opens the journal a configuration names: the SQLite file (its directory made when `makeDirectory`), or the
/// PostgreSQL database with its password from `password_file` or `password_env`. DG5023 (``JournalError``) when
/// it cannot be used.
public enum JournalOpener {
    /// The journal of `config`.
    public static func open(_ config: GatewayConfig, makeDirectory: Bool = false, logger: Logger = Logger(label: "docgate.journal")) throws -> any Journal {
        guard let location = config.postgres else {
            if makeDirectory { try Directory.makeParent(of: config.journal) }
            return try SQLiteJournal(path: config.journal)
        }
        return try PostgresJournal(location: location, password: try password(location), logger: logger)
    }

    /// The password: the first line of `password_file` (a file of the owner's alone), or `password_env`'s value
    /// (which must be set); nil when neither is configured (trust, peer or certificate authentication).
    public static func password(_ location: PostgresLocation, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String? {
        func refuse(_ ru: String, _ en: String) -> JournalError { JournalError(code: "DG5023", message: LocalizedText(ru: ru, en: en)) }
        if let file = location.passwordFile {
            switch PrivateFile.read(file, allowGroupReadable: false, limit: 4096) {
            case .success(let bytes):
                let line = bytes.prefix { $0 != 0x0A && $0 != 0x0D }
                guard let text = String(validating: line, as: UTF8.self), !text.isEmpty else {
                    throw refuse("\(file): в первой строке нет пароля (UTF-8)", "\(file): no password (UTF-8) on the first line")
                }
                return text
            case .failure(.unreadable(let code)):
                let reason = String(cString: strerror(code))
                throw refuse("файл пароля журнала \(file) не прочитан: \(reason)", "the journal's password file \(file) cannot be read: \(reason)")
            case .failure(.exposed(let mode)):
                let octal = String(mode & 0o777, radix: 8)
                throw refuse("файл пароля журнала \(file) доступен не только владельцу (права 0\(octal)): выполните chmod 600",
                             "the journal's password file \(file) is open to others than its owner (mode 0\(octal)): run chmod 600")
            }
        }
        if let name = location.passwordEnv {
            guard let value = environment[name], !value.isEmpty else {
                throw refuse("переменная окружения \(name) с паролем журнала не задана", "the environment variable \(name) holding the journal's password is not set")
            }
            return value
        }
        return nil
    }
}
