import DocgateCore

extension Checker {
    /// The ids of every version of `d`'s document: back through the previous versions, forward through the later.
    func versionChain(of d: ContextDocument) -> Set<String> {
        var ids: Set<String> = [d.id]
        var back = d.header?.previousVersionId
        while let id = back, ids.insert(id).inserted { back = (byId[id] ?? []).first { $0.kind == d.kind }?.header?.previousVersionId }
        var front = [d.id]
        while let id = front.popLast() {
            for next in byPrevious[id] ?? [] where next.kind == d.kind && ids.insert(next.id).inserted { front.append(next.id) }
        }
        return ids
    }

    /// The contract a notice reports on: the version its reference names by id, else the latest version of that
    /// number on the notice's certificate; and the latest version of its chain (what the contract has become since).
    func noticedContract(_ n: ContractNotice) -> (named: ContextDocument, latest: ContextDocument)? {
        guard let ref = n.contractRef else { return nil }
        var named: ContextDocument?
        if let id = ref.id {
            named = Self.latest((byId[id] ?? []).filter { $0.kind == .contract })
        } else {
            let keys = [n.certificateId, "#" + n.certificateNumber].compactMap { $0 }
            let candidates = keys.flatMap { contractsByCertificate[$0] ?? [] }.filter { $0.header?.number == ref.number }
            named = Self.latest(candidates)
        }
        guard let named else { return nil }
        // Follow the chain forward: each later version names the one before it.
        var latest = named
        var seen: Set<String> = [named.id]
        while let next = Self.latest((byPrevious[latest.id] ?? []).filter { $0.kind == .contract }), seen.insert(next.id).inserted {
            latest = next
        }
        return (named, latest)
    }

    /// DG3109: a notice reports on a contract the registry knows, says what that contract says (its number and
    /// date, certificate, executor, consumer, term and services), notifies a conclusion only of a contract that
    /// was concluded, and a termination with the date the terminated contract gives.
    func noticeRules(_ n: ContractNotice, _ out: inout [Diagnostic]) {
        let what = n.contractRef.map { "\($0.number) от \($0.date.map { "\($0)" } ?? "?")" } ?? "?"
        let whatEn = n.contractRef.map { "\($0.number) of \($0.date.map { "\($0)" } ?? "?")" } ?? "?"
        guard let (named, latest) = noticedContract(n), case .contract(let c) = named.model else {
            out.append(Self.finding("DG3109", ru: "договор \(what), о котором уведомление, неизвестен",
                                    en: "the contract \(whatEn) the notice reports on is not known"))
            return
        }
        func differs(_ ru: String, _ en: String, _ notice: String?, _ contract: String?) {
            guard let notice, let contract, notice != contract else { return }
            out.append(Self.finding("DG3109", ru: "уведомление и договор \(named.file) расходятся — \(ru): \(notice) и \(contract)",
                                    en: "the notice and the contract \(named.file) disagree on the \(en): \(notice) against \(contract)"))
        }
        differs("номер договора", "contract number", n.contractRef?.number, named.header?.number)
        differs("дата договора", "contract date", n.contractRef?.date.map { "\($0)" }, named.header?.date.map { "\($0)" })
        differs("номер сертификата", "certificate number", n.certificateNumber, c.certificateNumber)
        differs("исполнитель", "executor", Self.digits(n.executor?.taxNumber), Self.digits(c.executor?.taxNumber))
        differs("СНИЛС потребителя", "consumer's СНИЛС", Self.digits(n.consumer?.snils), Self.digits(c.consumer?.snils))
        differs("начало срока", "start of the term", n.term?.from.map { "\($0)" }, c.term?.from.map { "\($0)" })
        differs("окончание срока", "end of the term", n.term?.to.map { "\($0)" }, c.term?.to.map { "\($0)" })
        let noticeLines = Set(n.services.map { "\($0.regNum) \($0.indicator.okei): \($0.volume), \($0.amountFromCertificate)" })
        let contractLines = Set(c.services.map { "\($0.service.regNum) \($0.indicator.okei): \($0.volume), \($0.amountFromCertificate)" })
        if noticeLines != contractLines {
            differs("услуги (номер, ОКЕИ: объём, за счёт сертификата)", "services (number, ОКЕИ: volume, from the certificate)",
                    noticeLines.sorted().joined(separator: "; "), contractLines.sorted().joined(separator: "; "))
        }
        guard case .contract(let now) = latest.model else { return }
        if now.event == "draft" {
            out.append(Self.finding("DG3109", ru: "договор \(what) — ещё проект (\(latest.file)): уведомлять не о чем",
                                    en: "the contract \(whatEn) is still a draft (\(latest.file)): there is nothing to notify"))
        }
        if n.type == "termination", let date = n.terminationDate, let ended = now.terminationDate, date != ended {
            out.append(Self.finding("DG3109", ru: "дата расторжения в уведомлении \(date), а в расторгнутом договоре (\(latest.file)) \(ended)",
                                    en: "the notice's termination date is \(date); the terminated contract (\(latest.file)) gives \(ended)"))
        }
    }
}
