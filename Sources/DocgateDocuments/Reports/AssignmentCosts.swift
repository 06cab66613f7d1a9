/// The costs of a service assignment and its normatives (Tomsk, Annex 1: З-1, З-2.1, З-2.2), beside the
/// regulation's other computations.
extension Computations {
    /// The costs of an assignment by КЭК article (З-1.1 … З-1.7) and its normatives.
    public struct AssignmentCosts: Sendable, Hashable, Codable {
        /// Costs per КЭК article (210, 220, 230, 240, 250, 260, 290) or sub-article (211, 212 … counted in their
        /// article).
        public var byKEK: [String: DecimalValue]
        /// The actual recipients of the year: Σ П-1, the recipients of every category (persons, never a sum over
        /// quarters), for З-2.1 — the base rule DG3063 uses too.
        public var recipients: DecimalValue
        /// People reached by mass events (Р-2.2), for З-2.2; zero (or left out) when there are none.
        public var reachedByEvents: DecimalValue
        /// The part of the costs that serves the mass events; required when people were reached by them.
        public var eventCosts: DecimalValue?

        /// Costs from their parts; no mass events unless given.
        public init(byKEK: [String: DecimalValue], recipients: DecimalValue, reachedByEvents: DecimalValue = .zero, eventCosts: DecimalValue? = nil) {
            self.byKEK = byKEK
            self.recipients = recipients
            self.reachedByEvents = reachedByEvents
            self.eventCosts = eventCosts
        }

        private enum CodingKeys: String, CodingKey, CaseIterable { case byKEK, recipients, reachedByEvents, eventCosts }

        /// `reachedByEvents` and `eventCosts` may be left out.
        public init(from decoder: any Decoder) throws {
            try Computations.refuseUnknownKeys(decoder, known: CodingKeys.allCases.map(\.stringValue))
            let c = try decoder.container(keyedBy: CodingKeys.self)
            byKEK = try c.decode([String: DecimalValue].self, forKey: .byKEK)
            recipients = try c.decode(DecimalValue.self, forKey: .recipients)
            reachedByEvents = try c.decodeIfPresent(DecimalValue.self, forKey: .reachedByEvents) ?? .zero
            eventCosts = try c.decodeIfPresent(DecimalValue.self, forKey: .eventCosts)
        }
    }

    /// What `compute assignment` gives: З-1 by article and in all, and the normatives З-2.1 and З-2.2.
    public struct AssignmentNormatives: Sendable, Hashable, Codable {
        /// З-1.k by article (sub-articles counted in theirs), to kopecks.
        public var byArticle: [String: DecimalValue]
        /// З-1 = Σ З-1.k, to kopecks (0.00 when there are no costs).
        public var total: DecimalValue
        /// З-2.1 = З-1 / recipients, to kopecks; nil without recipients.
        public var perRecipient: DecimalValue?
        /// З-2.2 = event costs / people reached, to kopecks; nil when no one was reached.
        public var perReached: DecimalValue?
    }

    /// The КЭК articles of З-1.1…З-1.7, in order.
    public static let kekArticles = ["210", "220", "230", "240", "250", "260", "290"]

    /// The article of З-1 a КЭК code counts in: an article itself (210) or one of its sub-articles (211 → 210);
    /// nil for a code outside З-1 (340, 310, 2100).
    public static func kekArticle(_ code: String) -> String? {
        let c = Array(code.utf8)
        guard c.count == 3, c.allSatisfy({ (48...57).contains($0) }) else { return nil }
        let article = String(decoding: c.prefix(2) + [UInt8(ascii: "0")], as: UTF8.self)
        return kekArticles.contains(article) ? article : nil
    }

    /// З-2.1, the normative per actual recipient: З-1 / Σ П-1, to kopecks; nil without recipients. One definition,
    /// for `compute assignment` and rule DG3063.
    public static func normativePerRecipient(costs: DecimalValue, recipients: DecimalValue) -> DecimalValue? {
        recipients.isZero ? nil : costs.divided(by: recipients, places: 2)
    }

    /// З-1 and its normatives from the costs: no cost below zero; an article and its own sub-articles together, a code
    /// outside З-1, event costs without anyone reached or above З-1 are `unused`; people reached without event costs,
    /// `missing`.
    public static func assignment(_ a: AssignmentCosts) throws(Failure) -> AssignmentNormatives {
        var byArticle: [String: DecimalValue] = [:]
        var total = DecimalValue(significand: 0, scale: 2)
        for code in a.byKEK.keys.sorted() where a.byKEK.keys.contains(where: { $0 != code && kekArticle($0) == code }) {
            throw .unused("byKEK[\"\(code)\"] beside its own sub-articles: give the article or its sub-articles, not both (they would be counted twice)")
        }
        for code in a.byKEK.keys.sorted() {
            guard let article = kekArticle(code), let value = a.byKEK[code] else {
                throw .unused("byKEK[\"\(code)\"]: not an article of З-1 (210, 220, 230, 240, 250, 260, 290) or one of their sub-articles")
            }
            try nonNegative(value, "byKEK[\"\(code)\"]")
            byArticle[article] = try add(byArticle[article] ?? DecimalValue(significand: 0, scale: 2), value, "З-1 (КЭК \(article))")
            total = try add(total, value, "З-1")
        }
        try nonNegative(a.recipients, "recipients")
        try nonNegative(a.reachedByEvents, "reachedByEvents")
        var perReached: DecimalValue?
        if a.reachedByEvents.isZero, let events = a.eventCosts, !events.isZero {
            throw .unused("eventCosts = \(events) without anyone reached by mass events (reachedByEvents)")
        }
        if !a.reachedByEvents.isZero {
            guard let events = a.eventCosts else {
                throw .missing("eventCosts: the costs of the mass events, for З-2.2 = eventCosts / reachedByEvents (\(a.reachedByEvents) reached)")
            }
            try nonNegative(events, "eventCosts")
            if total < events { throw .unused("eventCosts = \(events) is more than all the costs, З-1 = \(total)") }
            perReached = events.divided(by: a.reachedByEvents, places: 2)
        }
        return AssignmentNormatives(byArticle: byArticle.mapValues { $0.rounded(2) }, total: total.rounded(2),
                                    perRecipient: normativePerRecipient(costs: total, recipients: a.recipients), perReached: perReached)
    }
}
