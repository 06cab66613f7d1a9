import DocgateCore
import DocgateDocuments
import FoundationEssentials
import Glibc
import TOMLKit

/// One mistake in a configuration file (or a warning about a usable but doubtful value): the key, the line it is
/// on, and what is wrong, in both languages.
public struct ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    public var key: String
    public var line: Int?
    public var message: LocalizedText
    /// DG5020 for a mistake; DG5028 for a warning (the listen address is not a loopback address).
    public var code: String = "DG5020"

    public var description: String { (line.map { "line \($0): " } ?? "") + key + ": " + message.en }

    public func text(_ language: Language) -> String {
        let place = line.map { language == .ru ? "строка \($0): " : "line \($0): " } ?? ""
        return code + " " + place + key + ": " + message[language]
    }
}

/// Why a configuration cannot be used: every mistake found, not just the first.
public struct ConfigError: Error, Sendable {
    public var file: String
    public var problems: [ConfigProblem]
}

/// The output encoding of delivered documents.
public enum OutputEncoding: String, Sendable, Hashable {
    /// The document's own bytes (signed documents keep their encoding too).
    case asIs = "as-is"
    case utf8 = "utf-8"
    case windows1251 = "windows-1251"
}

/// A route: one inbox of the planning system to one outbox of the finance system, with its receipts, errors and
/// archive directories and what it does to documents on the way.
public struct Route: Sendable, Hashable {
    public var name: String
    public var inbox: String
    public var outbox: String
    public var receipts: String
    public var errors: String
    public var archive: String
    /// Document kinds accepted (all when the configuration does not narrow them).
    public var accept: Set<DocumentKind>
    /// Kinds signed with the gateway's key before delivery.
    public var sign: Set<DocumentKind>
    /// Whether an inbound document must carry signatures that verify against the trust store.
    public var requireSignature: Bool
    public var encoding: OutputEncoding
    /// How long size and modification time must stay unchanged, from the first sighting, before a file that did
    /// not arrive by rename is taken.
    public var quietPeriod: Double
    /// Whether the rules across documents (DG3100–DG3106) apply to what arrives, against the registry of what the
    /// gateway delivered before.
    public var contextRules: Bool
    /// Largest inbox file taken at all, in bytes (checked with `fstat` before anything is read); a larger one is
    /// moved to errors/ unread, with a receipt.
    public var maxSize: Int = 64 << 20
    /// Largest document parsed into a tree on a route that signs, verifies or converts (a tree costs about 34× the
    /// file); a larger one is refused with its code.
    public var maxTreeSize: Int = 4 << 20
}

/// The gateway's key for signing documents and receipts.
public struct SigningConfig: Sendable, Hashable {
    public var key: String?
    public var cert: String?
    public var pkcs12: String?
    public var passphraseEnv: String?
    public var passphraseFile: String?
    /// Key, PKCS#12 and passphrase files readable by group or others are refused unless this is set.
    public var allowGroupReadable: Bool = false
}

/// `gateway.toml`, checked.
public struct GatewayConfig: Sendable, Hashable {
    public var file: String
    public var gatewayId: String
    public var journal: String
    public var listen: String?
    public var trust: String?
    /// CRL files or directories beside those in `trust`.
    public var crl: [String] = []
    public var schemas: String?
    public var signing: SigningConfig?
    public var logFormat: String
    public var rescanInterval: Double
    /// How many documents share one journal commit and one round of directory fsyncs.
    public var batchSize: Int
    public var routes: [Route]
    /// Most bytes of inbox files held in memory by one batch (a batch ends at `batchSize` files or this many bytes).
    public var batchBytes: Int = 64 << 20
    /// Modes of the files and directories the gateway creates (outputs, receipts, errors, archive days).
    public var fileMode: UInt32 = 0o640
    public var dirMode: UInt32 = 0o750
    /// Finished journal entries older than this many days are pruned.
    public var retentionDays: Double = 400
    /// HTTP: an idle connection is closed after this many seconds; at most this many connections at once.
    public var httpIdleTimeout: Double = 30
    public var httpMaxConnections: Int = 128
    /// Values that are usable but probably not meant (DG5028): shown by `config check` and logged at start.
    public var warnings: [ConfigProblem] = []

    /// Reads and checks a configuration file; relative paths are taken from the file's directory.
    public static func load(_ path: String) throws(ConfigError) -> GatewayConfig {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, problems: [ConfigProblem(key: "-", line: nil, message: LocalizedText(
                ru: "файл не читается: \(String(cString: strerror(errno)))", en: "cannot read the file: \(String(cString: strerror(errno)))"))])
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(ConfigError) -> GatewayConfig {
        let lines = KeyLines(text)
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(file: file, problems: [ConfigProblem(key: "-", line: error.source.begin.line, message: LocalizedText(
                ru: "синтаксическая ошибка TOML: \(error.description)", en: "TOML syntax error: \(error.description)"))])
        } catch {
            throw ConfigError(file: file, problems: [ConfigProblem(key: "-", line: nil, message: LocalizedText(
                ru: "синтаксическая ошибка TOML", en: "TOML syntax error"))])
        }
        var reader = Reader(lines: lines, base: Self.directory(of: file))
        guard var config = reader.read(table, file: file), reader.problems.isEmpty else {
            throw ConfigError(file: file, problems: reader.problems)
        }
        config.warnings = reader.warnings
        return config
    }

    static func directory(of file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return "." }
        let dir = String(file[..<slash])
        return dir.isEmpty ? "/" : dir
    }
}

/// Finds the line of `key` inside a section (`[signing]`, the n-th `[[route]]`), for messages.
struct KeyLines {
    /// (section, index of the array-of-tables entry, key) → line
    private var lines: [String: Int] = [:]

    init(_ text: String) {
        var section = ""
        var counts: [String: Int] = [:]
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = trim(raw)
            if line.hasPrefix("[[") , let end = line.range(of: "]]") {
                let name = trim(line[line.index(line.startIndex, offsetBy: 2)..<end.lowerBound])
                let index = counts[name, default: -1] + 1
                counts[name] = index
                section = "\(name)[\(index)]"
                lines[section] = number + 1
            } else if line.hasPrefix("["), let end = line.firstIndex(of: "]") {
                section = trim(line[line.index(after: line.startIndex)..<end])
                lines[section] = number + 1
            } else if let eq = line.firstIndex(of: "="), !line.hasPrefix("#") {
                let key = trim(line[..<eq], extra: "\"'")
                lines[section.isEmpty ? key : section + "." + key] = number + 1
            }
        }
    }

    private func trim(_ s: some StringProtocol, extra: String = "") -> String {
        let drop: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || extra.contains($0) }
        guard let a = s.firstIndex(where: { !drop($0) }), let b = s.lastIndex(where: { !drop($0) }) else { return "" }
        return String(s[a...b])
    }

    func line(_ key: String) -> Int? {
        if let l = lines[key] { return l }
        // A missing key: point at its section.
        if let dot = key.lastIndex(of: ".") { return lines[String(key[..<dot])] }
        return nil
    }
}

/// Reads values, collecting every problem.
struct Reader {
    let lines: KeyLines
    let base: String
    var problems: [ConfigProblem] = []
    var warnings: [ConfigProblem] = []

    mutating func problem(_ key: String, ru: String, en: String) {
        problems.append(ConfigProblem(key: key, line: lines.line(key), message: LocalizedText(ru: ru, en: en)))
    }

    mutating func warning(_ key: String, code: String, ru: String, en: String) {
        warnings.append(ConfigProblem(key: key, line: lines.line(key), message: LocalizedText(ru: ru, en: en), code: code))
    }

    mutating func unknownKeys(_ table: TOMLTable, allowed: Set<String>, prefix: String) {
        for key in table.keys where !allowed.contains(key) {
            let full = prefix.isEmpty ? key : prefix + "." + key
            let suggestion = allowed.min { distance($0, key) < distance($1, key) }.flatMap { distance($0, key) <= 3 ? $0 : nil }
            problem(full, ru: "неизвестный ключ" + (suggestion.map { " (возможно, \($0))" } ?? ""),
                    en: "unknown key" + (suggestion.map { " (did you mean \($0)?)" } ?? ""))
        }
    }

    mutating func string(_ table: TOMLTable, _ key: String, _ prefix: String, required: Bool = false) -> String? {
        let full = prefix.isEmpty ? key : prefix + "." + key
        guard let value = table[key] else {
            if required { problem(full, ru: "обязательный ключ не задан", en: "required key is missing") }
            return nil
        }
        guard let s = value.string, !s.isEmpty else {
            problem(full, ru: "ожидается непустая строка", en: "a non-empty string is expected")
            return nil
        }
        return s
    }

    mutating func path(_ table: TOMLTable, _ key: String, _ prefix: String, required: Bool = false) -> String? {
        guard let s = string(table, key, prefix, required: required) else { return nil }
        return s.hasPrefix("/") ? s : base + "/" + s
    }

    mutating func number(_ table: TOMLTable, _ key: String, _ prefix: String, default value: Double, range: ClosedRange<Double>) -> Double {
        let full = prefix.isEmpty ? key : prefix + "." + key
        guard let v = table[key] else { return value }
        let d = v.double ?? v.int.map(Double.init)
        guard let d, range.contains(d) else {
            problem(full, ru: "ожидается число от \(range.lowerBound) до \(range.upperBound)",
                    en: "a number from \(range.lowerBound) to \(range.upperBound) is expected")
            return value
        }
        return d
    }

    /// A size in bytes: an integer, or a string with a K, M or G suffix (`"64M"`).
    mutating func size(_ table: TOMLTable, _ key: String, _ prefix: String, default value: Int, range: ClosedRange<Int>) -> Int {
        let full = prefix.isEmpty ? key : prefix + "." + key
        guard let v = table[key] else { return value }
        var parsed: Int?
        if let i = v.int {
            parsed = i
        } else if let s = v.string.map({ String($0.filter { $0 != " " }).uppercased() }), !s.isEmpty {
            let units: [Character: Int] = ["K": 1 << 10, "M": 1 << 20, "G": 1 << 30]
            if let unit = units[s.last!], let n = Int(s.dropLast()) { parsed = n.multipliedReportingOverflow(by: unit).overflow ? nil : n * unit } else { parsed = Int(s) }
        }
        guard let parsed, range.contains(parsed) else {
            problem(full, ru: "ожидается размер в байтах от \(range.lowerBound) до \(range.upperBound) (число или строка вида \"64M\")",
                    en: "a size in bytes from \(range.lowerBound) to \(range.upperBound) is expected (a number or a string like \"64M\")")
            return value
        }
        return parsed
    }

    /// A file or directory mode as an octal string (`"0640"`); never writable by others, and a directory the owner
    /// can enter.
    mutating func mode(_ table: TOMLTable, _ key: String, default value: UInt32, directory: Bool) -> UInt32 {
        guard let v = table[key] else { return value }
        guard let s = v.string, let m = UInt32(s, radix: 8), m <= 0o777, m & 0o002 == 0, m & 0o600 == 0o600,
              !directory || m & 0o100 != 0 else {
            problem(key, ru: "ожидается восьмеричный режим в кавычках, например \"0640\"; без записи для прочих, чтение и запись для владельца",
                    en: "an octal mode in quotes is expected, e.g. \"0640\"; not writable by others, readable and writable by the owner")
            return value
        }
        return m
    }

    mutating func bool(_ table: TOMLTable, _ key: String, _ prefix: String, default value: Bool) -> Bool {
        guard let v = table[key] else { return value }
        guard let b = v.bool else {
            problem(prefix + "." + key, ru: "ожидается true или false", en: "true or false is expected")
            return value
        }
        return b
    }

    mutating func kinds(_ table: TOMLTable, _ key: String, _ prefix: String, default value: Set<DocumentKind>) -> Set<DocumentKind> {
        let full = prefix + "." + key
        guard let v = table[key] else { return value }
        guard let array = v.array else {
            problem(full, ru: "ожидается список видов документов", en: "a list of document kinds is expected")
            return value
        }
        var out: Set<DocumentKind> = []
        for item in array {
            guard let name = item.string, let kind = DocumentKind(rawValue: name) else {
                let known = DocumentKind.allCases.map(\.rawValue).joined(separator: ", ")
                problem(full, ru: "неизвестный вид документа \(item.string ?? "?") (известны: \(known))",
                        en: "unknown document kind \(item.string ?? "?") (known: \(known))")
                continue
            }
            out.insert(kind)
        }
        return out
    }

    mutating func read(_ table: TOMLTable, file: String) -> GatewayConfig? {
        unknownKeys(table, allowed: ["gateway_id", "journal", "listen", "trust", "crl", "schemas", "signing", "route",
                                     "log_format", "rescan_interval", "batch_size", "batch_bytes", "file_mode", "dir_mode",
                                     "retention_days", "http_idle_timeout", "http_max_connections"], prefix: "")
        let id = string(table, "gateway_id", "", required: true) ?? "docgate"
        if id.utf8.count > 64 || !id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) {
            problem("gateway_id", ru: "допустимы буквы, цифры, «-», «_», «.» (до 64)", en: "letters, digits, '-', '_', '.' (up to 64)")
        }
        let journal = path(table, "journal", "", required: true) ?? ""
        let listen = string(table, "listen", "")
        if let listen {
            if let address = Listen.parse(listen) {
                if !Listen.isLoopback(address.host) {
                    warning("listen", code: "DG5028",
                            ru: "\(address.host) — не адрес обратной петли: /health, /ready и /metrics ответят любому, кто достучится до порта, без проверки подлинности (127.0.0.1 или [::1], а извне — через обратный прокси)",
                            en: "\(address.host) is not a loopback address: /health, /ready and /metrics answer anyone who reaches the port, without authentication (use 127.0.0.1 or [::1], and a reverse proxy for access from outside)")
                }
            } else {
                problem("listen", ru: "ожидается адрес:порт — IPv4 (127.0.0.1:8089), IPv6 в квадратных скобках ([::1]:8089) или имя (localhost:8089), порт от 1 до 65535",
                        en: "address:port expected — IPv4 (127.0.0.1:8089), IPv6 in brackets ([::1]:8089) or a host name (localhost:8089), port 1 to 65535")
            }
        }
        let trust = path(table, "trust", "")
        var crl: [String] = []
        if let value = table["crl"] {
            let items = value.array.map { Array($0) } ?? [value]
            for item in items {
                guard let s = item.string, !s.isEmpty else {
                    problem("crl", ru: "ожидается путь или список путей к спискам отзыва", en: "a path or a list of paths to CRLs is expected")
                    continue
                }
                crl.append(s.hasPrefix("/") ? s : base + "/" + s)
            }
            if trust == nil { problem("crl", ru: "списки отзыва проверяются вместе с ключом trust", en: "CRLs are checked with the trust key") }
        }
        let schemas = path(table, "schemas", "")
        let logFormat = string(table, "log_format", "") ?? "text"
        if logFormat != "text" && logFormat != "json" { problem("log_format", ru: "text или json", en: "text or json") }
        let rescan = number(table, "rescan_interval", "", default: 2, range: 0.05...3600)
        let batch = Int(number(table, "batch_size", "", default: 64, range: 1...10_000))
        let batchBytes = size(table, "batch_bytes", "", default: 64 << 20, range: (1 << 20)...(4 << 30))
        let fileMode = mode(table, "file_mode", default: 0o640, directory: false)
        let dirMode = mode(table, "dir_mode", default: 0o750, directory: true)
        let retention = number(table, "retention_days", "", default: 400, range: 1...36_500)
        let idle = number(table, "http_idle_timeout", "", default: 30, range: 1...3600)
        let connections = Int(number(table, "http_max_connections", "", default: 128, range: 1...100_000))
        var signing: SigningConfig?
        if let value = table["signing"] {
            if let t = value.table {
                unknownKeys(t, allowed: ["key", "cert", "pkcs12", "passphrase_env", "passphrase_file", "allow_group_readable"],
                            prefix: "signing")
                let s = SigningConfig(key: path(t, "key", "signing"), cert: path(t, "cert", "signing"), pkcs12: path(t, "pkcs12", "signing"),
                                      passphraseEnv: string(t, "passphrase_env", "signing"), passphraseFile: path(t, "passphrase_file", "signing"),
                                      allowGroupReadable: bool(t, "allow_group_readable", "signing", default: false))
                if s.pkcs12 == nil && (s.key == nil || s.cert == nil) {
                    problem("signing", ru: "нужны key и cert либо pkcs12", en: "key and cert, or pkcs12, are needed")
                }
                signing = s
            } else {
                problem("signing", ru: "ожидается таблица [signing]", en: "a [signing] table is expected")
            }
        }
        var routes: [Route] = []
        if let value = table["route"] {
            if let array = value.array {
                for (i, item) in array.enumerated() {
                    let prefix = "route[\(i)]"
                    guard let t = item.table else {
                        problem(prefix, ru: "ожидается таблица [[route]]", en: "a [[route]] table is expected")
                        continue
                    }
                    unknownKeys(t, allowed: ["name", "inbox", "outbox", "receipts", "errors", "archive", "accept", "sign",
                                             "require_signature", "encoding", "quiet_period", "context_rules", "max_size",
                                             "max_tree_size"], prefix: prefix)
                    let name = string(t, "name", prefix, required: true) ?? "route\(i)"
                    var dirs: [String: String] = [:]
                    for key in ["inbox", "outbox", "receipts", "errors", "archive"] {
                        dirs[key] = path(t, key, prefix, required: true) ?? ""
                    }
                    let accept = kinds(t, "accept", prefix, default: Set(DocumentKind.allCases))
                    let sign = kinds(t, "sign", prefix, default: [])
                    if !sign.isEmpty && signing == nil {
                        problem(prefix + ".sign", ru: "подписание задано, а ключа [signing] нет", en: "signing asked for, but there is no [signing] key")
                    }
                    for kind in sign.subtracting(accept) {
                        problem(prefix + ".sign", ru: "\(kind.rawValue) подписывается, но не принимается (accept)",
                                en: "\(kind.rawValue) is signed but not accepted (accept)")
                    }
                    let require = bool(t, "require_signature", prefix, default: false)
                    if require && trust == nil {
                        problem(prefix + ".require_signature", ru: "проверка подписей требует ключа trust", en: "verifying signatures needs the trust key")
                    }
                    let encodingName = string(t, "encoding", prefix) ?? "as-is"
                    let encoding = OutputEncoding(rawValue: encodingName.lowercased()) ?? .asIs
                    if OutputEncoding(rawValue: encodingName.lowercased()) == nil {
                        problem(prefix + ".encoding", ru: "as-is, utf-8 или windows-1251", en: "as-is, utf-8 or windows-1251")
                    }
                    let quiet = number(t, "quiet_period", prefix, default: 2, range: Route.minimumQuietPeriod...86_400)
                    let contextRules = bool(t, "context_rules", prefix, default: false)
                    let maxSize = size(t, "max_size", prefix, default: 64 << 20, range: 1...(1 << 40))
                    let maxTreeSize = size(t, "max_tree_size", prefix, default: 4 << 20, range: 1...(1 << 30))
                    routes.append(Route(name: name, inbox: dirs["inbox"]!, outbox: dirs["outbox"]!, receipts: dirs["receipts"]!,
                                        errors: dirs["errors"]!, archive: dirs["archive"]!, accept: accept, sign: sign,
                                        requireSignature: require, encoding: encoding, quietPeriod: quiet,
                                        contextRules: contextRules, maxSize: maxSize, maxTreeSize: maxTreeSize))
                }
            } else {
                problem("route", ru: "ожидаются таблицы [[route]]", en: "[[route]] tables are expected")
            }
        }
        if routes.isEmpty && table["route"] == nil { problem("route", ru: "не задано ни одного маршрута [[route]]", en: "no [[route]] is configured") }
        checkDirectories(routes, journal: journal)
        return GatewayConfig(file: file, gatewayId: id, journal: journal, listen: listen, trust: trust, crl: crl, schemas: schemas,
                             signing: signing, logFormat: logFormat, rescanInterval: rescan, batchSize: batch, routes: routes,
                             batchBytes: batchBytes, fileMode: fileMode, dirMode: dirMode, retentionDays: retention,
                             httpIdleTimeout: idle, httpMaxConnections: connections)
    }

    /// Route names unique; no two route directories the same or one inside the other, compared after resolving
    /// symbolic links — within a route and across routes — and the journal inside none of them. Otherwise receipts
    /// written into an inbox come back as documents without end, rejected documents land in the finance system's
    /// import directory, an outbox inside an inbox feeds deliveries back in. One exception: several routes may
    /// share an errors directory, or an archive directory — names written there are numbered on a collision, never
    /// replaced (`RENAME_NOREPLACE`), staging names carry the journal id, and the journal records the name each
    /// document got; an inbox, outbox or receipts directory is never shared.
    mutating func checkDirectories(_ routes: [Route], journal: String) {
        var names: Set<String> = []
        struct Use {
            var key: String
            var route: Int
            var role: String
            var shown: String
            var resolved: [String]
        }
        var uses: [Use] = []
        for (i, r) in routes.enumerated() {
            if !names.insert(r.name).inserted { problem("route[\(i)].name", ru: "имя маршрута повторяется", en: "the route name is repeated") }
            for (role, dir) in [("inbox", r.inbox), ("outbox", r.outbox), ("receipts", r.receipts), ("errors", r.errors), ("archive", r.archive)]
            where !dir.isEmpty {
                let key = "route[\(i)].\(role)"
                let resolved = Self.resolve(dir)
                let shown = Self.show(resolved)
                for other in uses {
                    let rule = (ru: "каталоги маршрутов не должны совпадать или лежать один в другом; общими у маршрутов могут быть только errors или только archive",
                                en: "route directories must be neither the same nor one inside another; routes may share only an errors or only an archive directory")
                    if resolved == other.resolved {
                        if other.route != i, other.role == role, role == "errors" || role == "archive" { continue }
                        problem(key, ru: "тот же каталог \(shown), что и \(other.key) (\(rule.ru))",
                                en: "the same directory \(shown) as \(other.key) (\(rule.en))")
                    } else if Self.isInside(resolved, other.resolved) {
                        problem(key, ru: "\(shown) лежит внутри \(other.key) (\(other.shown)) (\(rule.ru))",
                                en: "\(shown) is inside \(other.key) (\(other.shown)) (\(rule.en))")
                    } else if Self.isInside(other.resolved, resolved) {
                        problem(key, ru: "\(shown) содержит \(other.key) (\(other.shown)) (\(rule.ru))",
                                en: "\(shown) contains \(other.key) (\(other.shown)) (\(rule.en))")
                    }
                }
                uses.append(Use(key: key, route: i, role: role, shown: shown, resolved: resolved))
            }
        }
        guard !journal.isEmpty else { return }
        let file = Self.resolve(journal)
        for use in uses where Self.isInside(file, use.resolved) || file == use.resolved {
            problem("journal", ru: "журнал \(Self.show(file)) лежит в каталоге маршрута \(use.key) (\(use.shown)): шлюз принял бы его за документ или переместил; выберите каталог вне маршрутов",
                    en: "the journal \(Self.show(file)) is inside the route directory \(use.key) (\(use.shown)): the gateway would take it for a document or move it; choose a directory outside the routes")
        }
    }

    /// A path's components after resolving symbolic links: the longest prefix that exists goes through
    /// `realpath`, the rest (not created yet) is appended, `.` and `..` in it taken by name.
    static func resolve(_ path: String) -> [String] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let root = path.hasPrefix("/") ? "/" : "."
        for n in stride(from: parts.count, through: 0, by: -1) {
            let prefix = n == 0 ? root : (path.hasPrefix("/") ? "/" : "") + parts[..<n].joined(separator: "/")
            guard let real = realpath(prefix, nil) else { continue }
            var out = String(cString: real).split(separator: "/").map(String.init)
            free(real)
            for p in parts[n...] {
                if p == "." { continue }
                if p == ".." { if !out.isEmpty { out.removeLast() }; continue }
                out.append(p)
            }
            return out
        }
        // Not even the root resolves (no current directory): take the path by name.
        var out: [String] = []
        for p in parts where p != "." { if p == ".." { if !out.isEmpty { out.removeLast() } } else { out.append(p) } }
        return out
    }

    static func show(_ components: [String]) -> String { "/" + components.joined(separator: "/") }

    /// Whether `a` lies strictly inside `b` (by whole components: /x/in2 is not inside /x/in).
    static func isInside(_ a: [String], _ b: [String]) -> Bool {
        a.count > b.count && Array(a[..<b.count]) == b
    }

    func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        var row = Array(0...y.count)
        for i in 1...max(1, x.count) where !x.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(1, y.count) where !y.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (x[i - 1] == y[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[y.count]
    }
}

extension GatewayConfig {
    /// The address HTTP binds to: the host without the brackets of an IPv6 address.
    public var listenAddress: (host: String, port: Int)? { listen.flatMap(Listen.parse) }
}

extension Route {
    /// Below half a second a file still being copied in can look finished between two looks.
    public static let minimumQuietPeriod = 0.5
}

/// `listen`: `IPv4:port`, `[IPv6]:port` or `name:port`; nothing else.
public enum Listen {
    public static func parse(_ s: String) -> (host: String, port: Int)? {
        let host: Substring
        let portText: Substring
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { return nil }
            host = s[s.index(after: s.startIndex)..<close]
            let rest = s[s.index(after: close)...]
            guard rest.first == ":", isIPv6(host) else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = s.lastIndex(of: ":") else { return nil }
            host = s[..<colon]
            portText = s[s.index(after: colon)...]
            // An IPv6 address needs its brackets: "::1:8089" is ambiguous.
            guard !host.contains(":"), isIPv4(host) || isHostName(host) else { return nil }
        }
        guard (1...5).contains(portText.count), portText.allSatisfy({ ("0"..."9").contains($0) }), let port = Int(portText),
              (1...65_535).contains(port) else { return nil }
        return (String(host), port)
    }

    /// 127.0.0.0/8, ::1, ::ffff:127.x.x.x, `localhost` and names under `.localhost`.
    public static func isLoopback(_ host: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            let b = withUnsafeBytes(of: v6) { Array($0) }
            if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return true }
            return b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF && b[12] == 127
        }
        let name = host.lowercased()
        return name == "localhost" || name.hasSuffix(".localhost")
    }

    static func isIPv4(_ host: Substring) -> Bool {
        var a = in_addr()
        return inet_pton(AF_INET, String(host), &a) == 1
    }

    static func isIPv6(_ host: Substring) -> Bool {
        var a = in6_addr()
        return inet_pton(AF_INET6, String(host), &a) == 1
    }

    /// Letters, digits and hyphens in dot-separated labels of 1 to 63 characters, no hyphen at a label's ends, and
    /// a last label that is not all digits (so that a mistyped IPv4 address is not taken for a name).
    static func isHostName(_ host: Substring) -> Bool {
        guard (1...253).contains(host.utf8.count) else { return false }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-",
                  label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else { return false }
        }
        return !labels.last!.allSatisfy { $0.isNumber }
    }
}
