import DocgateCore

extension Checker {
    /// What of a person the notice and the contract disagree on — full name, birth date, СНИЛС — named, never
    /// quoted: a finding reaches the journal, the logs, the receipt and a console viewer, none of whom may read a
    /// person's name or birth date. Empty when they agree or either side names nobody.
    static func personDifferences(_ a: Person?, _ b: Person?) -> (ru: [String], en: [String]) {
        guard let a, let b else { return ([], []) }
        var out: (ru: [String], en: [String]) = ([], [])
        let fields: [(String, String, String?, String?)] = [
            ("ФИО", "full name", a.fullName, b.fullName),
            ("дата рождения", "birth date", a.birthDate.map { "\($0)" }, b.birthDate.map { "\($0)" }),
            ("СНИЛС", "СНИЛС", digits(a.snils), digits(b.snils)),
        ]
        for (ru, en, x, y) in fields where x != y {
            out.ru.append(ru)
            out.en.append(en)
        }
        return out
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
    func noticeRules(_ d: ContextDocument, _ n: ContractNotice, _ out: inout [Diagnostic]) {
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
        differs("идентификатор сертификата", "certificate id", n.certificateId?.lowercased(), c.certificateId?.lowercased())
        differs("исполнитель", "executor", Self.digits(n.executor?.taxNumber), Self.digits(c.executor?.taxNumber))
        let person = Self.personDifferences(n.consumer, c.consumer)
        if !person.ru.isEmpty {
            out.append(Self.finding("DG3109", ru: "уведомление и договор \(named.file) расходятся — потребитель: не совпадают \(person.ru.joined(separator: ", "))",
                                    en: "the notice and the contract \(named.file) disagree on the consumer: \(person.en.joined(separator: ", ")) differ"))
        }
        differs("начало срока", "start of the term", n.term?.from.map { "\($0)" }, c.term?.from.map { "\($0)" })
        differs("окончание срока", "end of the term", n.term?.to.map { "\($0)" }, c.term?.to.map { "\($0)" })
        let noticeLines = Set(n.services.map { "\($0.regNum) \($0.indicator.okei): \($0.volume), \($0.amountFromCertificate)" })
        let contractLines = Set(c.services.map { "\($0.service.regNum) \($0.indicator.okei): \($0.volume), \($0.amountFromCertificate)" })
        if noticeLines != contractLines {
            differs("услуги (номер, ОКЕИ: объём, за счёт сертификата)", "services (number, ОКЕИ: volume, from the certificate)",
                    noticeLines.sorted().joined(separator: "; "), contractLines.sorted().joined(separator: "; "))
        }
        // The notice goes to the body that issued the certificate.
        let certs = (c.certificateId.flatMap { byId[$0] } ?? certificatesByNumber[c.certificateNumber] ?? []).filter { $0.kind == .socialCertificate }
        if let cert = Self.latest(certs), case .socialCertificate(let sc) = cert.model,
           let issuer = Self.digits(sc.issuer?.taxNumber), let body = Self.digits(n.authorizedBody?.taxNumber), issuer != body {
            out.append(Self.finding("DG3109", ru: "уведомление адресовано ИНН \(body), а сертификат \(c.certificateNumber) выдал ИНН \(issuer)",
                                    en: "the notice is addressed to ИНН \(body); certificate \(c.certificateNumber) was issued by ИНН \(issuer)"))
        }
        // One notice of each kind per contract (a corrected one is a new version of it).
        let chain = versionChain(of: d)
        for other in (n.contractKey.flatMap { noticesByContract[$0] } ?? []) where !chain.contains(other.id) {
            if case .contractNotice(let o) = other.model, o.type == n.type {
                out.append(Self.finding("DG3109", ru: "об этом уже уведомили: \(other.file)", en: "this was already notified: \(other.file)"))
            }
        }
        guard case .contract(let now) = latest.model else { return }
        if n.type == "termination", now.event != "terminated" {
            out.append(Self.finding("DG3109", ru: "уведомление о расторжении, а договор \(what) не расторгнут (последняя версия: \(latest.file), «\(now.event)»)",
                                    en: "a termination notice, but the contract \(whatEn) is not terminated (latest version: \(latest.file), '\(now.event)')"))
        }
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
