import DocgateCore

/// Where a PostgreSQL journal lives and how to reach it: `journal = "postgresql://…"`, or the `[journal]` table
/// with `url`, `password_file` or `password_env`, `pool_size` and `ca_file`. The password never sits in the URL
/// (configuration files are read by many); it comes from a file of the owner's or from the environment.
public struct PostgresLocation: Sendable, Hashable {
    /// How the connection is protected: libpq's `sslmode` names, the three that mean something here.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP (or a Unix socket): for loopback and sockets only.
        case disable
        /// TLS, the server's certificate not checked (encryption against a passive listener only).
        case require
        /// TLS with the server's certificate checked against `ca_file` (or the system's CAs) and its name.
        case verifyFull = "verify-full"
    }

    /// The host name or address; nil with `socketDirectory`.
    public var host: String?
    /// The TCP port, or the number in the socket's name (`.s.PGSQL.<port>`); 5432 by default.
    public var port: Int = 5432
    /// The directory of the server's Unix socket (`?host=/run/postgresql`); nil for TCP.
    public var socketDirectory: String?
    /// The role to log in as.
    public var user: String
    /// The database.
    public var database: String
    /// `?sslmode=`: disable (the default on a socket or loopback), require, verify-full (the default elsewhere).
    public var tls: TLSMode
    /// `ca_file`: the CA certificates that sign the server's certificate (verify-full); nil: the system's.
    public var caFile: String?
    /// `password_file`: a file of the owner's alone holding the password (its first line).
    public var passwordFile: String?
    /// `password_env`: the environment variable holding the password.
    public var passwordEnv: String?
    /// `pool_size`: connections the instance keeps open at most (1–64, default 4).
    public var poolSize: Int = 4

    /// The URL as the operator may see it (no password is ever in it).
    public var display: String {
        let shownHost = (host ?? "").contains(":") ? "[\(host ?? "")]" : (host ?? "")
        let place = socketDirectory.map { "\(user)@:\(port)/\(database)?host=\($0)" } ?? "\(user)@\(shownHost):\(port)/\(database)"
        return "postgresql://" + place
    }

    /// The Unix socket's path, when the journal is reached through one.
    public var socketPath: String? { socketDirectory.map { "\($0)/.s.PGSQL.\(port)" } }

    /// Parses `postgresql://user@host:port/database?host=/dir&sslmode=…` (also `postgres://`); the reason in both
    /// languages when it is not one. Percent-escapes are decoded in the user and the database.
    public static func parse(_ text: String) -> Result<PostgresLocation, Invalid> {
        func fail(_ ru: String, _ en: String) -> Result<PostgresLocation, Invalid> { .failure(Invalid(reason: LocalizedText(ru: ru, en: en))) }
        var rest = Substring(text)
        if rest.hasPrefix("postgresql://") { rest = rest.dropFirst(13) } else if rest.hasPrefix("postgres://") { rest = rest.dropFirst(11) } else {
            return fail("ожидается URL вида postgresql://пользователь@узел:порт/база", "a URL like postgresql://user@host:port/database is expected")
        }
        var query: Substring = ""
        if let q = rest.firstIndex(of: "?") { query = rest[rest.index(after: q)...]; rest = rest[..<q] }
        guard let slash = rest.firstIndex(of: "/") else { return fail("не указана база данных (/база)", "the database is missing (/database)") }
        let authority = rest[..<slash]
        guard let database = percentDecoded(rest[rest.index(after: slash)...]), !database.isEmpty, !database.contains("/") else {
            return fail("не указана база данных (/база)", "the database is missing (/database)")
        }
        guard let at = authority.lastIndex(of: "@"), let user = percentDecoded(authority[..<at]), !user.isEmpty else {
            return fail("не указан пользователь (пользователь@узел)", "the user is missing (user@host)")
        }
        if user.contains(":") {
            return fail("пароль в URL не допускается: задайте password_file или password_env в таблице [journal]",
                        "a password in the URL is not allowed: set password_file or password_env in the [journal] table")
        }
        var location = PostgresLocation(user: user, database: database, tls: .disable)
        var hostPart = authority[authority.index(after: at)...]
        // An IPv6 address goes in brackets: without them its colons could not be told from the port's.
        if !hostPart.hasPrefix("["), hostPart.filter({ $0 == ":" }).count > 1 {
            return fail("адрес IPv6 записывается в квадратных скобках: [2001:db8::1]:5432", "an IPv6 address goes in brackets: [2001:db8::1]:5432")
        }
        if let colon = hostPart.lastIndex(of: ":"), !hostPart[colon...].contains("]") {
            guard let port = Int(hostPart[hostPart.index(after: colon)...]), (1...65535).contains(port) else {
                return fail("порт — число от 1 до 65535", "the port is a number from 1 to 65535")
            }
            location.port = port
            hostPart = hostPart[..<colon]
        }
        if hostPart.hasPrefix("[") && hostPart.hasSuffix("]") { hostPart = hostPart.dropFirst().dropLast() }
        location.host = hostPart.isEmpty ? nil : String(hostPart)
        var sslmode: TLSMode?
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let value = percentDecoded(parts[1]) else {
                return fail("параметр «\(pair)» без значения", "the parameter '\(pair)' has no value")
            }
            switch parts[0] {
            case "host" where value.hasPrefix("/"): location.socketDirectory = value
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    return fail("sslmode: ожидается disable, require или verify-full", "sslmode: disable, require or verify-full is expected")
                }
                sslmode = mode
            default:
                return fail("неизвестный параметр «\(parts[0])» (известны host=/каталог_сокета и sslmode)",
                            "unknown parameter '\(parts[0])' (known: host=/socket_directory and sslmode)")
            }
        }
        guard location.host != nil || location.socketDirectory != nil else {
            return fail("не указан узел (или ?host=/каталог_сокета)", "the host is missing (or ?host=/socket_directory)")
        }
        if location.socketDirectory != nil { location.host = nil }
        let local = location.socketDirectory != nil || ["localhost", "127.0.0.1", "::1"].contains(location.host ?? "")
        location.tls = sslmode ?? (local ? .disable : .verifyFull)
        if location.socketDirectory != nil && location.tls != .disable {
            return fail("через Unix-сокет TLS не используется: уберите sslmode", "TLS is not used over a Unix socket: remove sslmode")
        }
        return .success(location)
    }

    /// Why a text is not a PostgreSQL URL docgate takes.
    public struct Invalid: Error, Sendable {
        /// The reason, in both languages.
        public var reason: LocalizedText
    }

    private init(user: String, database: String, tls: TLSMode) {
        self.user = user
        self.database = database
        self.tls = tls
    }

    /// `%XX` escapes decoded; nil when one is malformed or the result is not UTF-8 or holds a control character.
    static func percentDecoded(_ s: Substring) -> String? {
        guard let text = PercentEncoding.decoded(s), !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        return text
    }
}
