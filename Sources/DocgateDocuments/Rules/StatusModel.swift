import DocgateCore

/// How documents move through their lives (docs/documents.md, "Documents through their lives"): the events each kind may
/// follow a version with, the state a social certificate is left in by each event, and what a later version may
/// not change.
public enum StatusModel {
    /// The events that may follow an event in the next version of the same document; an event with no successor
    /// ends the document's life (a terminated contract, a redeemed or cancelled certificate).
    public static let transitions: [DocumentKind: [String: Set<String>]] = [
        .agreement: ["draft": ["draft", "concluded"], "concluded": ["amended", "terminated"],
                     "amended": ["amended", "terminated"], "terminated": []],
        .contract: ["draft": ["draft", "concluded"], "concluded": ["amended", "terminated"], "amended": ["amended", "terminated"],
                    "terminated": []],
        .socialCertificate: ["issued": ["changed", "suspended", "redeemed", "cancelled"],
                             "changed": ["changed", "suspended", "redeemed", "cancelled"],
                             "suspended": ["changed", "cancelled"],
                             "redeemed": [], "cancelled": []],
    ]

    /// The states a certificate may be in after each event: issued or changed — active (a change may also be made
    /// while it is suspended); suspended, redeemed, cancelled — that state.
    public static let certificateStates: [String: Set<String>] = [
        "issued": ["active"], "changed": ["active", "suspended"], "suspended": ["suspended"],
        "redeemed": ["redeemed"], "cancelled": ["cancelled"],
    ]

    /// DG3081: within one document, the header's status agrees with the event — a draft (`status` draft) is the
    /// event draft and nothing else, a certificate is never a draft — and a draft carries no more signatures than
    /// its first party's: an agreement or contract both parties signed is concluded, not a draft.
    static func checkWithin(kind: DocumentKind, event: String?, status: String, version: Int, signatures: Int, findings f: Findings,
                            at: Location?) {
        // A notice is sent when the contract was concluded or terminated: it is never a draft.
        if kind == .contractNotice, status == "draft" {
            f.add(.statusConsistency, at: at, ru: "Уведомление не бывает проектом (status draft): оно сообщает о совершившемся",
                  en: "A notice is never a draft (status draft): it reports what has happened")
        }
        guard let event, transitions[kind] != nil else { return }
        if (status == "draft") != (event == "draft") {
            f.add(.statusConsistency, at: at,
                  ru: "Статус «\(status)» не согласуется с событием «\(event)»: проект (status draft) — это событие draft, и только он",
                  en: "Status '\(status)' disagrees with the event '\(event)': a draft (status draft) is the event draft, and only it is")
        }
        if version == 1, let first = firstEvents[kind], !first.contains(event) {
            f.add(.statusConsistency, at: at,
                  ru: "Первая версия не может нести событие «\(event)»: жизнь документа начинается с \(first.sorted().joined(separator: " или "))",
                  en: "A first version cannot carry the event '\(event)': a document's life begins with \(first.sorted().joined(separator: " or "))")
        }
        if event == "draft", kind.isTwoParty, signatures > 1 {
            f.add(.statusConsistency, at: at,
                  ru: "Проект подписан \(signatures) раз: документ, подписанный обеими сторонами, заключён (event concluded), а не проект",
                  en: "A draft with \(signatures) signatures: a document both parties signed is concluded (event concluded), not a draft")
        }
    }

    /// The event a document's version carries.
    static func event(of model: DocumentModel) -> String? {
        switch model {
        case .agreement(let a): a.event
        case .contract(let c): c.event
        case .socialCertificate(let c): c.event
        default: nil
        }
    }

    /// The parties a later version may not change: an agreement's grantor and executor, a contract's executor and
    /// consumer, a certificate's issuer and recipient.
    static func parties(of model: DocumentModel) -> [(LocalizedText, String?)] {
        func org(_ o: Organization?) -> String? { o?.taxNumber }
        func person(_ p: Person?) -> String? { p?.snils.map { $0.filter(\.isNumber) } }
        switch model {
        case .agreement(let a):
            return [(LocalizedText(ru: "получатель средств", en: "grantor"), org(a.grantor)),
                    (LocalizedText(ru: "исполнитель", en: "executor"), org(a.executor))]
        case .contract(let c):
            return [(LocalizedText(ru: "исполнитель", en: "executor"), org(c.executor)),
                    (LocalizedText(ru: "потребитель", en: "consumer"), person(c.consumer))]
        case .socialCertificate(let c):
            return [(LocalizedText(ru: "уполномоченный орган", en: "issuer"), org(c.issuer)),
                    (LocalizedText(ru: "получатель", en: "recipient"), person(c.recipient))]
        default:
            return []
        }
    }

    /// What no later version may change: the parties, and a contract's number and certificate, a certificate's number
    /// (an agreement's additional agreements carry numbers of their own).
    static func fixed(_ d: ContextDocument) -> [(LocalizedText, String?)] {
        var out = parties(of: d.model)
        switch d.model {
        case .contract(let c):
            out.append((LocalizedText(ru: "номер договора", en: "contract number"), d.header?.number))
            out.append((LocalizedText(ru: "сертификат", en: "certificate"), c.certificateNumber))
        case .socialCertificate:
            out.append((LocalizedText(ru: "номер сертификата", en: "certificate number"), d.header?.number))
        default:
            break
        }
        return out
    }

    /// The events a document's first version may carry: its life begins as a draft or concluded (an agreement, a
    /// contract), or issued (a certificate).
    public static let firstEvents: [DocumentKind: Set<String>] = [
        .agreement: ["draft", "concluded"], .contract: ["draft", "concluded"], .socialCertificate: ["issued"],
    ]

    /// DG3108: the step from the previous version to this one — an event the table allows after the previous one,
    /// the same parties.
    static func check(_ next: ContextDocument, after previous: ContextDocument) -> [Diagnostic] {
        var out: [Diagnostic] = []
        // A certificate is judged by the state the previous version left it in when that is "suspended" (a change
        // made while suspended keeps it suspended): only a resumption (changed) or a cancellation follows.
        var before = event(of: previous.model)
        if case .socialCertificate(let c) = previous.model, c.state == "suspended" { before = "suspended" }
        if let table = transitions[next.kind], let before, let after = event(of: next.model),
           let allowed = table[before], !allowed.contains(after) {
            let list = allowed.isEmpty ? "ничего (документ завершён)" : allowed.sorted().joined(separator: ", ")
            let listEn = allowed.isEmpty ? "nothing (the document's life has ended)" : allowed.sorted().joined(separator: ", ")
            out.append(Diagnostic(code: "DG3108", severity: .error, message: LocalizedText(
                ru: "Переход состояния не допускается: после «\(before)» (\(previous.file)) следует «\(after)»; допустимо: \(list)",
                en: "A transition the status model does not allow: '\(before)' (\(previous.file)) followed by '\(after)'; allowed: \(listEn)")))
        }
        for ((label, was), (_, now)) in zip(fixed(previous), fixed(next)) {
            if let was, let now, was != now {
                out.append(Diagnostic(code: "DG3108", severity: .error, message: LocalizedText(
                    ru: "Новая версия меняет то, что менять нельзя, — \(label.ru): было \(was) (\(previous.file)), стало \(now)",
                    en: "The new version changes what it may not — the \(label.en): \(was) (\(previous.file)), now \(now)")))
            }
        }
        return out
    }
}
