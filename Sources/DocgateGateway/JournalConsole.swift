import DocgateCore

/// A search of the journal (the operator's console, `journal list`): every filter given must hold; results are
/// newest first, `limit` at a time, the next page asked for with `before` set to the last number of the page before
/// (keyset pagination: each page costs the same however deep it is).
///
/// Newest first is by entry number, except in a search the time received drives (``ordersByTimeReceived``): there
/// by the time received, then the number. The two orders agree as long as the instances' clocks do; the second
/// reads one page of the time index however wide the range, where the first would sort the whole range.
public struct JournalQuery: Sendable, Hashable {
    /// The document's root `id`, exactly but in any case (UUIDs are written in either).
    public var documentId: String?
    /// A prefix of the file name as stored (percent-escaped when not UTF-8); `%`, `_` and `\` are characters like
    /// any other, not patterns.
    public var fileName: String?
    /// An ИНН (10 or 12 digits) of any party the document names.
    public var inn: String?
    /// The document kind's name (``DocgateDocuments/DocumentKind`` raw value: `socialOrder`, `agreement`, …).
    public var kind: String?
    /// Only entries with this outcome.
    public var outcome: Outcome?
    /// Only entries not yet `done`.
    public var unfinished: Bool
    /// Only entries of this route.
    public var route: String?
    /// Only entries received at or after this instant, seconds since 1970.
    public var from: Double?
    /// Only entries received before this instant, seconds since 1970.
    public var to: Double?
    /// Keyset: only entries after this one in the order of the results (the last number of the page before): with
    /// a lower number, or, when ordered by the time received, received earlier or at the same instant with a lower
    /// number. An entry that is gone (pruned) counts as received when the entry just below its number was.
    public var before: Int64?
    /// How many at most, 1 to 500 (clamped).
    public var limit: Int

    /// A query; every filter is off unless given, 50 entries a page.
    public init(documentId: String? = nil, fileName: String? = nil, inn: String? = nil, kind: String? = nil,
                outcome: Outcome? = nil, unfinished: Bool = false, route: String? = nil, from: Double? = nil,
                to: Double? = nil, before: Int64? = nil, limit: Int = 50) {
        (self.documentId, self.fileName, self.inn, self.kind, self.outcome) = (documentId, fileName, inn, kind, outcome)
        (self.unfinished, self.route, self.from, self.to, self.before, self.limit) = (unfinished, route, from, to, before, limit)
    }

    /// `limit` within 1...500.
    public var clampedLimit: Int { min(500, max(1, limit)) }

    /// The time received drives the search: a range of it is given and no sharper filter (an ИНН, the document's id,
    /// a file name, the unfinished entries) picks the entries first. The results are then in the order of the time
    /// received, newest first, then by number.
    public var ordersByTimeReceived: Bool {
        (from != nil || to != nil) && inn == nil && documentId == nil && fileNameRange == nil && !unfinished
    }

    /// The one exclusive upper end of a search by the time received, as a key (received_at, id): the lower of the
    /// range's end (`to`, before any number) and the page's key (`before`, received at `keyTime`); nil when neither
    /// is given. One bound, not two: with `received_at < to` beside the key, SQLite (without statistics) started at
    /// the range's end and read down to the key, 0.4 s for a page deep in a million entries.
    ///
    /// `keyTime` is when entry `before` was received (or, if it is gone, the entry just below its number); the
    /// journal looks it up first. Nil (not looked up) makes the key no bound on the time.
    package func timeUpperBound(keyTime: Double?) -> (at: Double, id: Int64)? {
        var bound: (at: Double, id: Int64)? = to.map { ($0, Int64.min) }
        if let before {
            let key = (at: keyTime ?? .infinity, id: before)
            if let b = bound { if key < b { bound = key } } else { bound = key }
        }
        return bound
    }

    /// The file-name prefix as a range of stored names, `lower ..< upper` in the order of their bytes (UTF-8), or
    /// nil when there is no prefix to look for. Every name that starts with the prefix, and no other, is in the
    /// range: `upper` is the prefix with its last character raised by one (a last character that cannot be raised
    /// is dropped first). Nil `upper`: no name is above the range.
    package var fileNameRange: (lower: String, upper: String?)? {
        guard let prefix = fileName, !prefix.isEmpty else { return nil }
        var scalars = Array(prefix.unicodeScalars)
        while let last = scalars.popLast() {
            var next = last.value + 1
            if next == 0xD800 { next = 0xE000 }   // surrogates are no characters
            if let raised = Unicode.Scalar(next) {
                scalars.append(raised)
                var upper = String.UnicodeScalarView()
                upper.append(contentsOf: scalars)
                return (prefix, String(upper))
            }
        }
        return (prefix, nil)
    }
}

/// One step in an entry's life, or an operator's action: what ``Journal/history(_:)`` and
/// ``Journal/actions(limit:before:)`` return.
public struct JournalEvent: Sendable, Hashable {
    /// The event's number (rising in the order the events were written).
    public var id: Int64
    /// The entry it belongs to; nil for an operator's action on no entry (an upload).
    public var entryId: Int64?
    /// When, seconds since 1970.
    public var at: Double
    /// What happened: `claim`, `step` (a transition), `recover` (taken over after a lease ran out) for the
    /// gateway; the operator's action otherwise (`requeue`, `upload`, …).
    public var action: String
    /// The stage before (nil for a claim and an operator's action).
    public var from: Stage?
    /// The stage after (nil for an operator's action).
    public var to: Stage?
    /// The entry's outcome after the step, once decided.
    public var outcome: Outcome?
    /// The entry's attempt number after the step.
    public var attempt: Int?
    /// The instance that made the step (`gateway_id@hostname`).
    public var owner: String?
    /// Who acted: nil for the gateway, the user's name for an operator (`cli` from the command line).
    public var actor: String?
    /// A short note (what was moved where, whose lease ran out).
    public var note: String?

    /// An event from its fields (a journal reading its rows).
    package init(id: Int64, entryId: Int64?, at: Double, action: String, from: Stage? = nil, to: Stage? = nil,
                 outcome: Outcome? = nil, attempt: Int? = nil, owner: String? = nil, actor: String? = nil, note: String? = nil) {
        (self.id, self.entryId, self.at, self.action, self.from, self.to) = (id, entryId, at, action, from, to)
        (self.outcome, self.attempt, self.owner, self.actor, self.note) = (outcome, attempt, owner, actor, note)
    }
}

/// One bar of the console's dashboard: how many entries of one outcome an hour saw.
public struct HourlyCount: Sendable, Hashable {
    /// The hour's start, seconds since 1970 (a multiple of 3 600).
    public var hour: Double
    /// An ``Outcome`` raw value, `closed` for a finished entry without one, or `unfinished` for entries received that
    /// hour and not yet `done`.
    public var outcome: String
    /// How many.
    public var count: Int

    /// A count from its parts.
    public init(hour: Double, outcome: String, count: Int) {
        (self.hour, self.outcome, self.count) = (hour, outcome, count)
    }
}

/// The events' `action` names the gateway writes, and the one an operator's action may be recorded only once for.
package enum EventAction {
    static let claim = "claim"
    static let step = "step"
    static let recover = "recover"
    /// An entry's document sent through its route again (``Requeue``): at most once per entry.
    package static let requeue = "requeue"
}

extension JournalError {
    /// DG5063: the action was already recorded for the entry (a second requeue).
    package static func alreadyRecorded(_ action: String, entry: Int64?) -> JournalError {
        let which = entry.map { "\($0)" } ?? "-"
        return JournalError(code: "DG5063", message: LocalizedText(
            ru: "запись журнала \(which): действие «\(action)» уже выполнено, повторно не выполняется",
            en: "journal entry \(which): \(action) was done before; it is not done twice"))
    }
}
