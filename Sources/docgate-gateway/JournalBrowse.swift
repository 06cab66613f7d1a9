import ArgumentParser
import DocgateCommandLine
import DocgateCore
import DocgateGateway
import FoundationEssentials

/// `journal list`, `journal show` and `journal requeue`: the journal as the operator browses it (the console asks
/// the same ``Journal`` queries).
extension JournalCommand {
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "The latest documents, newest first; filters narrow the list, --before pages through it.",
            discussion: """
                Every filter given must hold. A page ends with the oldest entry shown: pass its id to --before for \
                the next page.
                """)
        @OptionGroup var options: Options
        @Option(name: .long, help: "How many (1 to 500).") var limit = 50
        @Option(name: .long, help: "Only this outcome: delivered, rejected, duplicate, conflict.") var outcome: String?
        @Flag(name: .long, help: "Only documents still on their way.") var unfinished = false
        @Option(name: .customLong("document-id"), help: ArgumentHelp("Only the document with this root id (any case).", valueName: "id"))
        var documentId: String?
        @Option(name: .customLong("file"), help: ArgumentHelp("Only files whose name starts with this (% and _ are plain characters).", valueName: "prefix"))
        var file: String?
        @Option(name: .long, help: ArgumentHelp("Only documents naming a party with this ИНН (10 or 12 digits).", valueName: "inn"))
        var inn: String?
        @Option(name: .long, help: ArgumentHelp("Only this kind of document (socialOrder, agreement, contract, …).", valueName: "kind"))
        var kind: String?
        @Option(name: .long, help: ArgumentHelp("Only this route.", valueName: "name")) var route: String?
        @Option(name: .long, help: ArgumentHelp("Only documents received at or after: a date (midnight UTC) or an instant with its offset.", valueName: "date"))
        var from: String?
        @Option(name: .long, help: ArgumentHelp("Only documents received before: a date (midnight UTC) or an instant with its offset.", valueName: "date"))
        var to: String?
        @Option(name: .long, help: ArgumentHelp("The next page: the last id shown (entries after it in the list's order).", valueName: "id"))
        var before: Int64?

        func validate() throws {
            if let outcome, Outcome(rawValue: outcome) == nil { throw ValidationError("unknown outcome \(SafeText.escaped(outcome))") }
            if let inn, !(inn.count == 10 || inn.count == 12) || !inn.allSatisfy({ $0.isASCII && $0.isNumber }) {
                throw ValidationError("--inn \(SafeText.escaped(inn)): an ИНН is 10 or 12 digits")
            }
            for (name, value) in [("--from", from), ("--to", to)] {
                if let value, Retention.instant(value) == nil {
                    throw ValidationError("\(name) \(SafeText.escaped(value)): expected a date (2025-01-31) or an instant (2025-01-31T12:00:00+07:00)")
                }
            }
            if !(1...500).contains(limit) { throw ValidationError("--limit must be between 1 and 500") }
        }

        /// The options as the journal's query.
        var query: JournalQuery {
            JournalQuery(documentId: documentId, fileName: file, inn: inn, kind: kind, outcome: outcome.flatMap(Outcome.init(rawValue:)),
                         unfinished: unfinished, route: route, from: from.flatMap(Retention.instant), to: to.flatMap(Retention.instant),
                         before: before, limit: limit)
        }

        func run() throws {
            let (_, journal) = try options.open()
            let entries = try journal.search(query)
            if options.format == .json {
                Terminal.out(JournalCommand.safeJSON(JSONText.array(entries.map(JournalCommand.json))) + "\n")
            } else {
                Terminal.out((["id\treceived\troute\tstage\toutcome\tkind\tfile"] + entries.map(JournalCommand.line)).joined(separator: "\n") + "\n")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Everything the journal knows about one document, and its history.")
        @OptionGroup var options: Options
        @Argument(help: "Journal id.") var id: Int64

        func run() throws {
            let (_, journal) = try options.open()
            guard let e = try journal.entry(id) else {
                Terminal.error(.DG5042, "no journal entry \(id)")
                throw Exit.failure
            }
            let history = try journal.history(id)
            if options.format == .json {
                let object = JournalCommand.json(e).dropLast() + ", \"history\": " + JSONText.array(history.map(JournalCommand.json)) + "}"
                Terminal.out(JournalCommand.safeJSON(String(object)) + "\n")
            } else {
                let rows: [(String, String?)] = [
                    ("id", String(e.id)), ("route", e.route), ("file", e.fileName), ("sha256", e.sha256), ("size", String(e.size)),
                    ("document id", e.documentId), ("kind", e.kind), ("stage", e.stage.rawValue), ("outcome", e.outcome?.rawValue),
                    ("owner", e.owner), ("attempt", String(e.attempt)), ("output", e.outputName), ("receipt", e.receiptName),
                    ("archive", e.archivePath), ("received", Clock.iso(e.receivedAt)), ("finished", e.finishedAt.map(Clock.iso)),
                    ("findings", e.errors),
                ]
                var lines = rows.compactMap { k, v in v.map { k.padding(toLength: 12, withPad: " ", startingAt: 0) + " " + JournalCommand.safe($0) } }
                if !history.isEmpty { lines += ["history"] + history.map { "  " + JournalCommand.safe(JournalCommand.line($0)) } }
                Terminal.out(lines.joined(separator: "\n") + "\n")
            }
        }
    }

    struct Requeue: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "requeue",
            abstract: "Send a rejected or conflicting document through its route again (after the cause was fixed).",
            discussion: """
                Moves the document's copy from errors/ back into the route's inbox; the gateway then treats it as a new \
                arrival. The action is recorded in the entry's history (actor cli); an entry is requeued once (DG5063).
                """
        )
        @OptionGroup var options: Options
        @Argument(help: "Journal id.") var id: Int64

        func run() throws {
            let (cfg, journal) = try options.open()
            do throws(RequeueError) {
                let done = try DocgateGateway.Requeue.run(entryId: id, config: cfg, journal: journal, actor: "cli", now: Clock.now())
                Terminal.out(JournalCommand.safe(done) + "\n")
            } catch {
                Terminal.error(code: error.code, JournalCommand.safe(error.message[options.language]))
                throw error.code == "DG5023" ? Exit.failure : Exit.invalid
            }
        }
    }

    /// One event of `journal show`: time, action, stages, outcome, attempt, owner, actor, note.
    static func line(_ e: JournalEvent) -> String {
        var parts = [Clock.iso(e.at), e.action]
        if let to = e.to { parts.append((e.from.map { $0.rawValue + " → " } ?? "→ ") + to.rawValue) }
        if let outcome = e.outcome { parts.append(outcome.rawValue) }
        if let attempt = e.attempt { parts.append("attempt \(attempt)") }
        if let owner = e.owner { parts.append(owner) }
        if let actor = e.actor { parts.append("by " + actor) }
        if let note = e.note { parts.append(note) }
        return parts.joined(separator: "  ")
    }

    static func json(_ e: JournalEvent) -> String {
        JSONText.object([
            ("id", String(e.id)), ("at", JSONText.string(Clock.iso(e.at))), ("action", JSONText.string(e.action)),
            ("from", JSONText.optional(e.from?.rawValue)), ("to", JSONText.optional(e.to?.rawValue)),
            ("outcome", JSONText.optional(e.outcome?.rawValue)), ("attempt", e.attempt.map { String($0) } ?? "null"),
            ("owner", JSONText.optional(e.owner)), ("actor", JSONText.optional(e.actor)), ("note", JSONText.optional(e.note)),
        ])
    }
}
