import DocgateCore

/// A requeue refused or failed: a stable code and the reason in both languages.
public struct RequeueError: Error, Sendable, CustomStringConvertible {
    /// DG5042 (no such entry, not a finished rejected or conflicting document, its copy cannot be moved), DG5063
    /// (already requeued), DG5023 (the journal cannot be read or written).
    public var code: String
    /// What is wrong, in Russian and English.
    public var message: LocalizedText

    /// An error from its code and message.
    public init(code: String, message: LocalizedText) {
        self.code = code
        self.message = message
    }

    /// The English reason alone.
    public var description: String { message.en }
}

/// Sends a rejected or conflicting document through its route again, after its cause was fixed: its copy moves from
/// errors/ back into the route's inbox under its original name, and the gateway takes it as a new arrival. The action
/// is recorded in the entry's history with who did it; an entry is requeued once (a second requeue is refused:
/// its copy left errors/ with the first).
public enum Requeue {
    /// Requeues entry `entryId` of the journal for `actor` (`cli`, or the console user's name) at `now`; returns
    /// what was moved where (`requeued ERRORS/NAME → INBOX/NAME`).
    public static func run(entryId: Int64, config: GatewayConfig, journal: any Journal, actor: String, now: Double) throws(RequeueError) -> String {
        let entry: JournalEntry?
        let history: [JournalEvent]
        do {
            entry = try journal.entry(entryId)
            history = entry == nil ? [] : try journal.history(entryId)
        } catch {
            throw journalFailure(error)
        }
        guard let e = entry, e.stage == .done, e.outcome == .rejected || e.outcome == .conflict,
              let name = e.outputName, let route = config.routes.first(where: { $0.name == e.route }) else {
            throw RequeueError(code: "DG5042", message: LocalizedText(
                ru: "запись журнала \(entryId) — не завершённый отклонённый или конфликтующий документ",
                en: "journal entry \(entryId) is not a finished rejected or conflicting document"))
        }
        if let done = history.first(where: { $0.action == EventAction.requeue }) {
            throw alreadyRequeued(entryId, by: done.actor)
        }
        // The names come from the journal, which another instance or a hand may have written: a name with a path
        // would move a file out of errors/ or the inbox (a rejected document into the outbox).
        guard Directory.isPlainName(name), Directory.isPlainName(e.fileName) else {
            throw RequeueError(code: "DG5042", message: LocalizedText(
                ru: "запись журнала \(entryId): имя файла с путём («\(SafeText.escaped(name))», «\(SafeText.escaped(e.fileName))») — не возвращается",
                en: "journal entry \(entryId): a file name with a path ('\(SafeText.escaped(name))', '\(SafeText.escaped(e.fileName))') is not requeued"))
        }
        do throws(FileError) {
            let errors = try Directory(route.errors, create: false)
            let inbox = try Directory(route.inbox, create: false)
            try errors.move(name, to: e.fileName, in: inbox)
            errors.remove(name + ".reason.txt")
            try inbox.sync()
        } catch {
            throw RequeueError(code: "DG5042", message: LocalizedText(ru: "не удалось вернуть документ во входящие: \(error)",
                                                                       en: "cannot requeue: \(error)"))
        }
        let note = "\(route.errors)/\(name) → \(route.inbox)/\(e.fileName)"
        do {
            try journal.recordAction(entryId: entryId, actor: actor, action: EventAction.requeue, note: note, now: now)
        } catch let error as JournalError where error.code == "DG5063" {
            throw alreadyRequeued(entryId, by: nil)
        } catch {
            throw RequeueError(code: "DG5023", message: LocalizedText(
                ru: "документ возвращён во входящие (\(note)), но действие не записано в журнал: \(error)",
                en: "the document was requeued (\(note)) but the action was not recorded in the journal: \(error)"))
        }
        return "requeued " + note
    }

    private static func alreadyRequeued(_ id: Int64, by actor: String?) -> RequeueError {
        let who = actor.map { " (\($0))" } ?? ""
        return RequeueError(code: "DG5063", message: LocalizedText(
            ru: "запись журнала \(id) уже возвращена во входящие\(who); повторно не возвращается",
            en: "journal entry \(id) was requeued before\(who); it is not requeued twice"))
    }

    private static func journalFailure(_ error: any Error) -> RequeueError {
        let message = (error as? JournalError)?.message ?? LocalizedText(ru: "\(error)", en: "\(error)")
        return RequeueError(code: "DG5023", message: message)
    }
}
