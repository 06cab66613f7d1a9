import DocgateCore
import DocgateDocuments
import DocgateSignature
import FoundationEssentials
import Glibc
import TOMLKit

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

    /// A path from the configuration, relative ones taken from the configuration file's directory.
    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : base + "/" + path
    }

    mutating func path(_ table: TOMLTable, _ key: String, _ prefix: String, required: Bool = false) -> String? {
        guard let s = string(table, key, prefix, required: required) else { return nil }
        return resolve(s)
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
        unknownKeys(table, allowed: ["gateway_id", "journal", "listen", "trust", "crl", "signers", "certificate_policies",
                                     "trust_partial_chain", "crl_allow_stale", "schemas", "signing", "route",
                                     "log_format", "rescan_interval", "batch_size", "batch_bytes", "file_mode", "dir_mode",
                                     "ocsp", "ocsp_url", "ocsp_timeout",
                                     "retention_days", "http_idle_timeout", "http_max_connections", "claim_lease", "console"], prefix: "")
        let id = string(table, "gateway_id", "", required: true) ?? "docgate"
        if id.utf8.count > 64 || !id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }) {
            problem("gateway_id", ru: "допустимы буквы, цифры, «-», «_», «.» (до 64)", en: "letters, digits, '-', '_', '.' (up to 64)")
        }
        let (journal, postgres) = self.journal(table)
        let listen = self.listen(table)
        let trust = path(table, "trust", "")
        let crl = crls(table, trust: trust)
        let signers = path(table, "signers", "")
        let policies = certificatePolicies(table, "")
        let partialChain = bool(table, "trust_partial_chain", "", default: false)
        let allowStale = bool(table, "crl_allow_stale", "", default: false)
        for (key, given) in [("signers", signers != nil), ("certificate_policies", policies != nil), ("trust_partial_chain", partialChain),
                             ("crl_allow_stale", allowStale)]
        where given && trust == nil {
            problem(key, ru: "действует вместе с ключом trust", en: "applies with the trust key")
        }
        let ocsp = self.ocsp(table, trust: trust)
        let schemas = path(table, "schemas", "")
        if let schemas, access(schemas + "/docgate.xsd", R_OK) != 0 {
            problem("schemas", ru: "в каталоге \(schemas) нет схем docgate (docgate.xsd)", en: "\(schemas) holds no docgate schemas (docgate.xsd)")
        }
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
        let lease = number(table, "claim_lease", "", default: 120, range: 10...3600)
        let signing = self.signing(table)
        let routes = self.routes(table, signing: signing, trust: trust)
        if routes.isEmpty && table["route"] == nil { problem("route", ru: "не задано ни одного маршрута [[route]]", en: "no [[route]] is configured") }
        checkDirectories(routes, journal: postgres == nil ? journal : "")
        var config = GatewayConfig(file: file, gatewayId: id, journal: journal, listen: listen, trust: trust, crl: crl, signers: signers,
                                   certificatePolicies: policies ?? [], crlAllowStale: allowStale, trustPartialChain: partialChain, schemas: schemas,
                                   signing: signing, logFormat: logFormat, rescanInterval: rescan, batchSize: batch, routes: routes,
                                   batchBytes: batchBytes, fileMode: fileMode, dirMode: dirMode, retentionDays: retention,
                                   httpIdleTimeout: idle, httpMaxConnections: connections)
        (config.ocsp, config.ocspURL, config.ocspTimeout) = ocsp
        config.claimLease = lease
        config.postgres = postgres
        config.console = console(table, listen: listen, routes: routes)
        return config
    }

    /// The scheme of a URL (RFC 3986: a letter, then letters, digits, `+`, `-` or `.`, then `:`), or nil for a path.
    static func urlScheme(_ text: String) -> String? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let scheme = text[..<colon]
        guard let first = scheme.first, first.isASCII, first.isLetter,
              scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }) else { return nil }
        return String(scheme)
    }

    /// `listen`: the address of /health, /ready and /metrics; a warning (DG5028) when it is not loopback.
    mutating func listen(_ table: TOMLTable) -> String? {
        guard let listen = string(table, "listen", "") else { return nil }
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
        return listen
    }

    /// `crl`: a path or a list of paths to CRLs, relative to the configuration's directory; checked with `trust`.
    mutating func crls(_ table: TOMLTable, trust: String?) -> [String] {
        var crl: [String] = []
        if let value = table["crl"] {
            let items = value.array.map { Array($0) } ?? [value]
            for item in items {
                guard let s = item.string, !s.isEmpty else {
                    problem("crl", ru: "ожидается путь или список путей к спискам отзыва", en: "a path or a list of paths to CRLs is expected")
                    continue
                }
                crl.append(resolve(s))
            }
            if trust == nil { problem("crl", ru: "списки отзыва проверяются вместе с ключом trust", en: "CRLs are checked with the trust key") }
        }
        return crl
    }

    /// `[signing]`: the gateway's own key, for receipts and the routes that sign.
    mutating func signing(_ table: TOMLTable) -> SigningConfig? {
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
                return s
            } else {
                problem("signing", ru: "ожидается таблица [signing]", en: "a [signing] table is expected")
            }
        }
        return nil
    }

    /// `[[route]]`: each inbox and where its documents go.
    mutating func routes(_ table: TOMLTable, signing: SigningConfig?, trust: String?) -> [Route] {
        guard let value = table["route"] else { return [] }
        guard let array = value.array else {
            problem("route", ru: "ожидаются таблицы [[route]]", en: "[[route]] tables are expected")
            return []
        }
        var routes: [Route] = []
        for (i, item) in array.enumerated() {
            guard let t = item.table else {
                problem("route[\(i)]", ru: "ожидается таблица [[route]]", en: "a [[route]] table is expected")
                continue
            }
            routes.append(route(t, index: i, signing: signing, trust: trust))
        }
        return routes
    }

    /// One `[[route]]` table.
    mutating func route(_ t: TOMLTable, index i: Int, signing: SigningConfig?, trust: String?) -> Route {
        let prefix = "route[\(i)]"
        unknownKeys(t, allowed: ["name", "inbox", "outbox", "receipts", "errors", "archive", "accept", "sign",
                                 "require_signature", "certificate_policies", "encoding", "quiet_period",
                                 "held_open_warning", "context_rules", "max_size", "max_tree_size"], prefix: prefix)
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
        let routePolicies = certificatePolicies(t, prefix)
        if routePolicies != nil && !require {
            problem(prefix + ".certificate_policies", ru: "политики проверяются вместе с require_signature = true",
                    en: "policies are checked with require_signature = true")
        }
        let encodingName = string(t, "encoding", prefix) ?? "as-is"
        let encoding = OutputEncoding(rawValue: encodingName.lowercased()) ?? .asIs
        if OutputEncoding(rawValue: encodingName.lowercased()) == nil {
            problem(prefix + ".encoding", ru: "as-is, utf-8 или windows-1251", en: "as-is, utf-8 or windows-1251")
        }
        let quiet = number(t, "quiet_period", prefix, default: 2, range: Route.minimumQuietPeriod...86_400)
        let contextRules = bool(t, "context_rules", prefix, default: false)
        let heldOpen = number(t, "held_open_warning", prefix, default: 600, range: 1...604_800)
        let maxSize = size(t, "max_size", prefix, default: 64 << 20, range: 1...(1 << 40))
        let maxTreeSize = size(t, "max_tree_size", prefix, default: 4 << 20, range: 1...(1 << 30))
        var route = Route(name: name, inbox: dirs["inbox"]!, outbox: dirs["outbox"]!, receipts: dirs["receipts"]!,
                            errors: dirs["errors"]!, archive: dirs["archive"]!, accept: accept, sign: sign,
                            requireSignature: require, encoding: encoding, quietPeriod: quiet,
                            contextRules: contextRules, maxSize: maxSize, maxTreeSize: maxTreeSize,
                            certificatePolicies: routePolicies)
        route.heldOpenWarning = heldOpen
        return route
    }

    /// `certificate_policies = ["КС2", "1.2.643.100.113.3"]`: OIDs or the class names; nil when the key is absent.
    mutating func certificatePolicies(_ table: TOMLTable, _ prefix: String) -> Set<String>? {
        guard let value = table["certificate_policies"] else { return nil }
        let key = prefix.isEmpty ? "certificate_policies" : prefix + ".certificate_policies"
        guard let items = value.array.map({ Array($0) }), !items.isEmpty else {
            problem(key, ru: "ожидается непустой список OID или классов КС1, КС2, КС3", en: "a non-empty list of OIDs or the classes КС1, КС2, КС3 is expected")
            return []
        }
        var oids: Set<String> = []
        for item in items {
            guard let text = item.string, let oid = CertificatePolicyName.oid(text) else {
                problem(key, ru: "«\(item.string ?? "?")» — не OID и не класс КС1, КС2, КС3", en: "'\(item.string ?? "?")' is neither an OID nor a class КС1, КС2, КС3")
                continue
            }
            oids.insert(oid)
        }
        return oids
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
