import ArgumentParser
import DocgateCommandLine
import DocgateCore
import DocgateGateway
import DocgatePostgres
import FoundationEssentials
import Glibc

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Проверить конфигурацию шлюза / Check a gateway configuration.",
        subcommands: [Check.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Explain every mistake in a configuration file, with its key and line. Exit 0 when usable, 2 when not."
        )

        @Option(name: .long, help: "Language of messages: ru or en.")
        var lang: Language?

        @Argument(help: ArgumentHelp("The TOML configuration.", valueName: "file"))
        var file: String

        func run() throws {
            let language = lang ?? Language.from(locale: ProcessInfo.processInfo.environment["LANG"])
            let cfg = try ConfigLoader.load(file, language)
            let ru = language == .ru
            var lines = ["\(file): " + (ru ? "конфигурация в порядке" : "configuration is usable"),
                         "  gateway_id  \(cfg.gatewayId)", "  journal     \(cfg.journal)"]
            if let listen = cfg.listen { lines.append("  listen      \(listen)") }
            if let trust = cfg.trust { lines.append("  trust       \(trust)") }
            if let console = cfg.console { lines.append(SafeText.escaped("  console     \(console.listen), users \(console.users)")) }
            for r in cfg.routes {
                lines.append(SafeText.escaped("  route \(r.name): \(r.inbox) → \(r.outbox)"))
                lines.append("    accept \(r.accept.map(\.rawValue).sorted().joined(separator: ", "))")
                if !r.sign.isEmpty { lines.append("    sign   \(r.sign.map(\.rawValue).sorted().joined(separator: ", "))") }
                lines.append("    receipts \(r.receipts), errors \(r.errors), archive \(r.archive)")
                lines.append("    require_signature \(r.requireSignature), encoding \(r.encoding.rawValue), quiet_period \(r.quietPeriod) s, held_open_warning \(r.heldOpenWarning) s")
            }
            Terminal.out(lines.joined(separator: "\n") + "\n")
        }
    }
}

struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Журнал шлюза / The gateway's journal: list, show, stats, requeue, prune.",
        subcommands: [List.self, Show.self, Stats.self, Requeue.self, Prune.self]
    )

    struct Options: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp("The gateway's TOML configuration (for the journal's location).", valueName: "file"))
        var config: String

        @Option(name: .long, help: "Output format: text or json.")
        var format: OutputFormat = .text

        var language: Language { Language.from(locale: ProcessInfo.processInfo.environment["LANG"]) }

        func open() throws -> (GatewayConfig, any Journal) {
            let language = self.language
            let cfg = try ConfigLoader.load(config, language)
            do {
                return (cfg, try JournalOpener.open(cfg))
            } catch {
                // A JournalError names its file (the journal, its -wal or its -shm).
                let reason = (error as? JournalError)?.message[language] ?? "\(cfg.journal): \(error)"
                Terminal.error(.DG5023, "" + SafeText.escaped(reason))
                throw Exit.failure
            }
        }
    }

    /// Text from the journal (file names, ids, findings: whatever a sender chose) as it may reach a terminal.
    static func safe(_ s: String) -> String { SafeText.escaped(s) }

    /// JSON as it may reach a terminal: every character `SafeText` escapes (controls, line separators, bidi
    /// controls) written as `\uXXXX`. The stored findings are embedded as they are, and `JSONText` leaves C1 and
    /// bidi controls as they are; both are still the same JSON.
    static func safeJSON(_ json: String) -> String {
        func unsafe(_ c: Unicode.Scalar) -> Bool {
            (c.value < 0x20 || c.value >= 0x7F) && SafeText.escaped(String(c)) != String(c)
        }
        var out = String.UnicodeScalarView()
        var inString = false, escaping = false
        for c in json.unicodeScalars {
            if inString {
                if escaping { escaping = false } else if c == "\\" { escaping = true } else if c == "\"" { inString = false }
            } else if c == "\"" {
                inString = true
            }
            // Whitespace between tokens stays (the output's own line ends); anything else unsafe is escaped (all
            // such characters are in the Basic Multilingual Plane: one UTF-16 unit).
            if unsafe(c) && (inString || !(c == "\n" || c == "\t" || c == "\r")) {
                let hex = String(c.value, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex).unicodeScalars)
            } else {
                out.append(c)
            }
        }
        return String(out)
    }

    static func json(_ e: JournalEntry) -> String {
        JSONText.object([
            ("id", String(e.id)), ("route", JSONText.string(e.route)), ("file", JSONText.string(e.fileName)),
            ("sha256", JSONText.string(e.sha256)), ("size", String(e.size)), ("documentId", JSONText.optional(e.documentId)),
            ("kind", JSONText.optional(e.kind)), ("stage", JSONText.string(e.stage.rawValue)),
            ("outcome", JSONText.optional(e.outcome?.rawValue)), ("owner", JSONText.string(e.owner)), ("attempt", String(e.attempt)),
            ("output", JSONText.optional(e.outputName)), ("receipt", JSONText.optional(e.receiptName)),
            ("archive", JSONText.optional(e.archivePath)), ("receivedAt", JSONText.string(Clock.iso(e.receivedAt))),
            ("finishedAt", JSONText.optional(e.finishedAt.map(Clock.iso))), ("errors", e.errors ?? "[]"),
        ])
    }

    /// One row of `journal list`: a name with a newline or a tab cannot forge a row or a column.
    static func line(_ e: JournalEntry) -> String {
        "\(e.id)\t\(Clock.iso(e.receivedAt))\t\(safe(e.route))\t\(e.stage.rawValue)\t\(e.outcome?.rawValue ?? "-")\t\(safe(e.kind ?? "-"))\t\(safe(e.fileName))"
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "stats", abstract: "Counts by outcome, documents in flight, the instances holding them and their leases.")
        @OptionGroup var options: Options

        func run() throws {
            let (_, journal) = try options.open()
            let s = try journal.stats()
            if options.format == .json {
                Terminal.out(JSONText.object([("total", String(s.total)), ("inFlight", String(s.inFlight)),
                                              ("byOutcome", JSONText.object(s.byOutcome.sorted { $0.key < $1.key }.map { ($0.key, String($0.value)) })),
                                              ("oldestInFlight", JSONText.optional(s.oldestInFlight.map(Clock.iso))),
                                              ("instances", JSONText.array(s.instances.map { i in
                                                  JSONText.object([("owner", JSONText.string(i.owner)), ("claims", String(i.claims)),
                                                                   ("leaseUntil", JSONText.string(Clock.iso(i.leaseUntil)))])
                                              }))]) + "\n")
            } else {
                var lines = ["total \(s.total)", "in flight \(s.inFlight)"]
                for (k, v) in s.byOutcome.sorted(by: { $0.key < $1.key }) { lines.append("\(JournalCommand.safe(k)) \(v)") }
                if let o = s.oldestInFlight { lines.append("oldest in flight since \(Clock.iso(o))") }
                for i in s.instances {
                    lines.append("instance \(JournalCommand.safe(i.owner)): \(i.claims) claims, lease until \(Clock.iso(i.leaseUntil))")
                }
                Terminal.out(lines.joined(separator: "\n") + "\n")
            }
        }
    }

    struct Prune: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prune",
            abstract: "Delete finished entries and registry documents older than the retention (retention_days).",
            discussion: """
                Deletes finished entries that finished before the cutoff, and the registry documents the rules across \
                documents can no longer need (superseded by a later version, or their period over, for longer than the \
                retention); documents still on their way are kept. A document delivered before the cutoff and sent again \
                is no longer recognised as a duplicate. Works in transactions of 10 000 rows, so it may run beside the \
                gateway. Prints what it deleted (with --dry-run: what it would delete) by kind of row.
                """
        )
        @OptionGroup var options: Options
        @Option(name: .long, help: ArgumentHelp("Cutoff: a date (midnight UTC) or an instant with its offset.", valueName: "date"))
        var before: String?
        @Option(name: .long, help: ArgumentHelp("Cutoff: this many days ago (default: retention_days).", valueName: "n"))
        var days: Double?
        @Flag(name: .long, help: "Count only; delete nothing.") var dryRun = false

        func validate() throws {
            if before != nil && days != nil { throw ValidationError("--before and --days exclude each other") }
            if let before, Retention.instant(before) == nil {
                throw ValidationError("--before \(SafeText.escaped(before)): expected a date (2025-01-31) or an instant (2025-01-31T12:00:00+07:00)")
            }
            if let days, !(days >= 1 && days <= 36_500) { throw ValidationError("--days must be between 1 and 36500") }
        }

        func run() throws {
            let (cfg, journal) = try options.open()
            let now = Clock.now()
            let cutoff = before.flatMap(Retention.instant) ?? Retention.cutoff(now: now, days: days ?? cfg.retentionDays)
            // Entries of the last day are what identity checks need most; a cutoff that late is a mistake.
            guard cutoff <= Retention.cutoff(now: now, days: 1) else {
                throw ValidationError("--before \(SafeText.escaped(before ?? "")): the cutoff must be at least a day ago")
            }
            let result: PruneResult
            do {
                result = try Retention(journal: journal, days: cfg.retentionDays).run(before: cutoff, dryRun: dryRun)
            } catch {
                let ru = options.language == .ru
                Terminal.error(.DG5041, "" + SafeText.escaped((ru ? "журнал не сокращён: " : "the journal was not pruned: ") + "\(error)"))
                throw Exit.failure
            }
            let entries = result.entries.sorted { $0.key < $1.key }
            if options.format == .json {
                Terminal.out(JSONText.object([
                    ("before", JSONText.string(Clock.iso(result.cutoff))), ("dryRun", String(result.dryRun)),
                    ("entries", JSONText.object([("total", String(result.entriesTotal))] + entries.map { ($0.key, String($0.value)) })),
                    ("registry", JSONText.object([("superseded", String(result.registrySuperseded)), ("expired", String(result.registryExpired))])),
                    ("freedPages", String(result.freedPages)),
                ]) + "\n")
            } else {
                var lines = [(result.dryRun ? "would delete, finished before " : "deleted, finished before ") + Clock.iso(result.cutoff),
                             "entries \(result.entriesTotal)"]
                for (k, v) in entries { lines.append("entries \(JournalCommand.safe(k)) \(v)") }
                lines.append("registry superseded \(result.registrySuperseded)")
                lines.append("registry expired \(result.registryExpired)")
                if !result.dryRun { lines.append("freed pages \(result.freedPages)") }
                Terminal.out(lines.joined(separator: "\n") + "\n")
            }
        }
    }
}
