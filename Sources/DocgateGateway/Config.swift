import DocgateCore
import DocgateDocuments
import FoundationEssentials
import Glibc
import TOMLKit

/// One mistake in a configuration file (or a warning about a usable but doubtful value): the key, the line it is
/// on, and what is wrong, in both languages.
public struct ConfigProblem: Sendable, Hashable, CustomStringConvertible {
    /// The key as written, with its table (`route[0].encoding`, `signing`), or `-` for the file as a whole.
    public var key: String
    /// 1-based line of the key in the file, when known.
    public var line: Int?
    /// What is wrong, in Russian and English.
    public var message: LocalizedText
    /// DG5020 for a mistake; DG5028 for a warning (the listen address is not a loopback address).
    public var code: String = "DG5020"

    /// `line N: key: message` in English.
    public var description: String { (line.map { "line \($0): " } ?? "") + key + ": " + message.en }

    /// `CODE line N: key: message` in `language`, as `config check` prints it.
    public func text(_ language: Language) -> String {
        let place = line.map { language == .ru ? "строка \($0): " : "line \($0): " } ?? ""
        return code + " " + place + key + ": " + message[language]
    }
}

/// Why a configuration cannot be used: every mistake found, not just the first.
public struct ConfigError: Error, Sendable {
    /// The configuration file's path.
    public var file: String
    /// Every mistake, in the order found.
    public var problems: [ConfigProblem]
}

/// The output encoding of delivered documents.
public enum OutputEncoding: String, Sendable, Hashable {
    /// The document's own bytes (signed documents keep their encoding too).
    case asIs = "as-is"
    /// Re-encoded to UTF-8.
    case utf8 = "utf-8"
    /// Re-encoded to Windows-1251.
    case windows1251 = "windows-1251"
}

/// A route: one inbox of the planning system to one outbox of the finance system, with its receipts, errors and
/// archive directories and what it does to documents on the way.
public struct Route: Sendable, Hashable {
    /// `name`: the route's name in logs, metrics, the journal and receipts.
    public var name: String
    /// `inbox`: the planning system's export directory, where documents arrive.
    public var inbox: String
    /// `outbox`: the finance system's import directory, where documents are delivered.
    public var outbox: String
    /// `receipts`: where a receipt for each document is written.
    public var receipts: String
    /// `errors`: where rejected files are moved, each with its `.reason.txt`.
    public var errors: String
    /// `archive`: where originals of delivered and duplicate documents go, under `YYYY/MM/DD/`.
    public var archive: String
    /// Document kinds accepted (all when the configuration does not narrow them).
    public var accept: Set<DocumentKind>
    /// Kinds signed with the gateway's key before delivery.
    public var sign: Set<DocumentKind>
    /// Whether an inbound document must carry signatures that verify against the trust store.
    public var requireSignature: Bool
    /// `encoding`: how delivered documents are encoded (`as-is` by default).
    public var encoding: OutputEncoding
    /// How long size and modification time must stay unchanged, from the first sighting, before a file that did
    /// not arrive by rename is taken.
    public var quietPeriod: Double
    /// `held_open_warning`: seconds an inbox file may stay open for writing by another process before the gateway
    /// warns (DG5050, once per file) and counts it in `docgate_inbox_held_open`; it is still not taken while open.
    public var heldOpenWarning: Double = 600
    /// Whether the rules across documents (DG3100–DG3109) apply to what arrives, against the registry of what the
    /// gateway delivered before.
    public var contextRules: Bool
    /// Largest inbox file taken at all, in bytes (checked with `fstat` before anything is read); a larger one is
    /// moved to errors/ unread, with a receipt.
    public var maxSize: Int = 64 << 20
    /// Largest document parsed into a tree on a route that signs, verifies or converts (a tree costs about 34× the
    /// file); a larger one is refused with its code.
    public var maxTreeSize: Int = 4 << 20
    /// Certificate policies a signer's certificate must carry on this route (one of them), instead of the
    /// gateway's `certificate_policies`.
    public var certificatePolicies: Set<String>? = nil
}

/// The gateway's key for signing documents and receipts.
public struct SigningConfig: Sendable, Hashable {
    /// `key`: the PEM or DER private key file (with `cert`), resolved against the configuration's directory.
    public var key: String?
    /// `cert`: the certificate file that goes with `key`.
    public var cert: String?
    /// `pkcs12`: a PKCS#12 bundle instead of `key` and `cert`.
    public var pkcs12: String?
    /// `passphrase_env`: the environment variable holding the key's passphrase.
    public var passphraseEnv: String?
    /// `passphrase_file`: the file whose first line is the key's passphrase.
    public var passphraseFile: String?
    /// Key, PKCS#12 and passphrase files readable by group or others are refused unless this is set.
    public var allowGroupReadable: Bool = false
    /// How an operator allows them anyway, as DG5017's message says.
    public static let allowance = "[signing] allow_group_readable = true"
}

/// `gateway.toml`, checked.
public struct GatewayConfig: Sendable, Hashable {
    /// The configuration file's path, as given.
    public var file: String
    /// `gateway_id`: this instance's name, in receipts and as the journal owner (letters, digits, `-`, `_`, `.`; ≤ 64).
    public var gatewayId: String
    /// `journal`: the SQLite journal file; with ``postgres``, the PostgreSQL URL as shown to the operator.
    public var journal: String
    /// The PostgreSQL journal (`journal = "postgresql://…"` or `[journal]`); nil: the SQLite file ``journal``.
    public var postgres: PostgresLocation? = nil
    /// `listen`: `host:port` of the HTTP endpoints (/health, /ready, /metrics); nil: no HTTP.
    public var listen: String?
    /// `trust`: the trusted CA certificates, a file or directory (CRLs beside them); nil: nothing can be verified.
    public var trust: String?
    /// CRL files or directories beside those in `trust`.
    public var crl: [String] = []
    /// The signer mapping (ИНН/СНИЛС to certificate fingerprints), a file or a directory; reloaded when it changes.
    public var signers: String?
    /// Certificate policies a signer's certificate must carry (one of them), on every route that verifies.
    public var certificatePolicies: Set<String> = []
    /// Whether a CRL past its nextUpdate is used (with a warning) instead of failing closed.
    public var crlAllowStale: Bool = false
    /// Whether a trusted intermediate CA ends a chain by itself.
    public var trustPartialChain: Bool = false
    /// OCSP for every certificate of a signer's path but the trusted one (`ocsp`, `ocsp_url`, `ocsp_timeout`;
    /// ConfigOCSP.swift).
    public var ocsp = false
    /// `ocsp_url`: the one OCSP responder asked about every certificate; nil: each certificate's own.
    public var ocspURL: String?
    /// `ocsp_timeout`: seconds one OCSP exchange may take, connection included (1–300).
    public var ocspTimeout: Int = 5
    /// `schemas`: docgate's schema directory; nil: found beside the executable.
    public var schemas: String?
    /// `[signing]`: the gateway's key; nil when the gateway signs nothing (receipts go unsigned).
    public var signing: SigningConfig?
    /// `log_format`: `text` or `json`.
    public var logFormat: String
    /// `rescan_interval`: seconds between scans of the inboxes beside inotify (0.05–3600, default 2).
    public var rescanInterval: Double
    /// How many documents share one journal commit and one round of directory fsyncs.
    public var batchSize: Int
    /// `[[route]]`: the routes, in the file's order.
    public var routes: [Route]
    /// Most bytes of inbox files held in memory by one batch (a batch ends at `batchSize` files or this many bytes).
    public var batchBytes: Int = 64 << 20
    /// Modes of the files and directories the gateway creates (outputs, receipts, errors, archive days).
    public var fileMode: UInt32 = 0o640
    /// `dir_mode`: mode of the directories the gateway creates (default 0750).
    public var dirMode: UInt32 = 0o750
    /// Finished journal entries older than this many days are pruned.
    public var retentionDays: Double = 400
    /// HTTP: an idle connection is closed after this many seconds; at most this many connections at once.
    public var httpIdleTimeout: Double = 30
    /// `http_max_connections`: HTTP connections served at once (lowered at start when descriptors are short).
    public var httpMaxConnections: Int = 128
    /// `claim_lease`: seconds a claim holds without its instance renewing it (renewed every third of it while the
    /// instance runs); after a crash another instance takes the claims over once it has run out.
    public var claimLease: Double = 120
    /// `[console]`: the operator's browser console; nil (the default) when the table is absent.
    public var console: ConsoleConfig? = nil
    /// Values that are usable but probably not meant (DG5028, DG5052): shown by `config check` and logged at start.
    public var warnings: [ConfigProblem] = []

    /// Reads and checks a configuration file; relative paths are taken from the file's directory.
    public static func load(_ path: String) throws(ConfigError) -> GatewayConfig {
        let text: String
        switch BoundedFile.read(path, limit: 1 << 20) {
        case .success(let bytes):
            guard let decoded = String(validating: bytes, as: UTF8.self) else {
                throw ConfigError(file: path, problems: [ConfigProblem(key: "-", line: nil, message: LocalizedText(
                    ru: "файл не в кодировке UTF-8", en: "the file is not UTF-8"))])
            }
            text = decoded
        case .failure(let failure):
            throw ConfigError(file: path, problems: [ConfigProblem(key: "-", line: nil, message: LocalizedText(
                ru: "файл не читается: " + failure.reason, en: "cannot read the file: " + failure.reason))])
        }
        return try parse(text, file: path)
    }

    /// Checks the text of a configuration file named `file` (for messages and relative paths); every mistake is
    /// reported at once.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> GatewayConfig {
        let lines = KeyLines(text)
        if let trap = TOMLPrecheck.trap(in: text) {
            throw ConfigError(file: file, problems: [ConfigProblem(key: "-", line: trap.line, message: LocalizedText(
                ru: "синтаксическая ошибка TOML: " + trap.message.ru, en: "TOML syntax error: " + trap.message.en))])
        }
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
