import DocgateCore
import TOMLKit

/// The `journal` key and the `[journal]` table.
extension Reader {
    /// `journal`: the SQLite file, relative to the configuration's directory; or a PostgreSQL URL
    /// (`postgresql://…`), or the `[journal]` table for PostgreSQL with its password and pool. Any other URL
    /// (`scheme:…`) is refused: taken for a relative path it would give each instance a private journal beside its
    /// configuration.
    mutating func journal(_ table: TOMLTable) -> (String, PostgresLocation?) {
        if let sub = table["journal"]?.table {
            unknownKeys(sub, allowed: ["url", "password_file", "password_env", "pool_size", "ca_file"], prefix: "journal")
            guard let url = string(sub, "url", "journal", required: true), var location = postgres(url, key: "journal.url") else { return ("", nil) }
            location.passwordFile = path(sub, "password_file", "journal")
            location.passwordEnv = string(sub, "password_env", "journal")
            if location.passwordFile != nil && location.passwordEnv != nil {
                problem("journal.password_env", ru: "задайте что-то одно: password_file или password_env",
                        en: "set one of password_file and password_env, not both")
            }
            location.poolSize = Int(number(sub, "pool_size", "journal", default: 4, range: 1...64))
            location.caFile = path(sub, "ca_file", "journal")
            if location.caFile != nil && location.tls != .verifyFull {
                problem("journal.ca_file", ru: "ca_file проверяет сертификат сервера только при sslmode=verify-full",
                        en: "ca_file checks the server's certificate only with sslmode=verify-full")
            }
            return (location.display, location)
        }
        guard let text = string(table, "journal", "", required: true) else { return ("", nil) }
        if let scheme = Self.urlScheme(text) {
            if scheme == "postgresql" || scheme == "postgres" {
                guard let location = postgres(text, key: "journal") else { return ("", nil) }
                return (location.display, location)
            }
            problem("journal", ru: "«\(scheme):» — это URL, а не путь к журналу: журнал — файл SQLite (его путь; имя с двоеточием записывается как ./имя) или postgresql://…",
                    en: "'\(scheme):' makes this a URL, not a journal path: the journal is an SQLite file (its path; a file name with a colon is written ./name) or postgresql://…")
        }
        return (resolve(text), nil)
    }

    /// A PostgreSQL URL, or nil with the problem recorded.
    mutating func postgres(_ text: String, key: String) -> PostgresLocation? {
        switch PostgresLocation.parse(text) {
        case .success(let location): return location
        case .failure(let invalid):
            problem(key, ru: invalid.reason.ru, en: invalid.reason.en)
            return nil
        }
    }
}
