import DocgateCore

/// A signature as the printed form shows it at the end: who signed, for which party, with which certificate, and
/// the verdict. Made from the verifier's report by the caller (docgate's signature layer sits above this one).
public struct FormSignature: Sendable, Hashable {
    /// The party the signature stands for, in Russian («Уполномоченный орган», «Исполнитель»); nil when unknown.
    public var party: String?
    /// The signer: the certificate subject's name (surname and given names, or the common name).
    public var signer: String
    /// The organisation in the certificate, when it names one.
    public var organization: String?
    /// The organisation's identifiers from the certificate, «ИНН ЮЛ 2466012340, ОГРН 1022401123458».
    public var identifiers: String?
    /// The person's identifiers from the certificate (СНИЛС, personal ИНН, ОГРНИП): an organisation's qualified
    /// certificate names its official too. Hidden with the other personal data.
    public var personIdentifiers: String?
    /// The certificate's serial number in hex.
    public var serial: String
    /// The certificate's validity, «с 01.01.2025 по 31.12.2025».
    public var validity: String
    /// True when the signature verifies and is the right party's.
    public var valid: Bool
    /// The verdict in Russian: «Подпись действительна», or what is wrong with it.
    public var verdict: String
    /// The signer is a natural person (a consumer): masked with the other personal data.
    public var isPerson: Bool

    /// A signature's line.
    public init(party: String?, signer: String, organization: String?, identifiers: String?, serial: String,
                validity: String, valid: Bool, verdict: String, isPerson: Bool = false, personIdentifiers: String? = nil) {
        self.isPerson = isPerson
        self.personIdentifiers = personIdentifiers
        self.party = party
        self.signer = signer
        self.organization = organization
        self.identifiers = identifiers
        self.serial = serial
        self.validity = validity
        self.valid = valid
        self.verdict = verdict
    }
}

/// How a form is printed.
public struct FormOptions: Sendable, Hashable {
    /// Names, СНИЛС, birth dates and identity documents of people are masked (a console viewer's form).
    public var maskPersonalData: Bool
    /// The signatures were verified; when false the form says they were not checked.
    public var signaturesChecked: Bool

    /// Options; by default nothing is masked and the signatures count as checked.
    public init(maskPersonalData: Bool = false, signaturesChecked: Bool = true) {
        self.maskPersonalData = maskPersonalData
        self.signaturesChecked = signaturesChecked
    }
}

/// What a form is made of: the document's identity, its model and its signatures.
public struct FormInput: Sendable {
    /// The document's kind.
    public var kind: DocumentKind
    /// The root `id`.
    public var documentId: String?
    /// The header (number, date, version, status).
    public var header: DocumentHeader?
    /// What the document says.
    public var model: DocumentModel
    /// The signatures, in document order.
    public var signatures: [FormSignature]
    /// The validator's findings (errors and warnings), printed before the signatures; empty for a clean document.
    public var findings: [Diagnostic]

    /// A form's input.
    public init(kind: DocumentKind, documentId: String?, header: DocumentHeader?, model: DocumentModel,
                signatures: [FormSignature], findings: [Diagnostic] = []) {
        self.findings = findings
        self.kind = kind
        self.documentId = documentId
        self.header = header
        self.model = model
        self.signatures = signatures
    }

    /// The input from a validation report that has a model (one that passed the schema, read with records kept).
    public init?(report: ValidationReport, signatures: [FormSignature]) {
        guard let kind = report.kind, let model = report.model else { return nil }
        self.init(kind: kind, documentId: report.documentId, header: report.header, model: model, signatures: signatures,
                  findings: report.diagnostics)
    }
}

/// Each kind of document as the printed form people know, in Russian: the title and the header's requisites, the
/// kind's own sections and tables, the signatures at the end.
public enum PrintableForm {
    /// The whole page, ready to open in a browser or to print to PDF.
    public static func html(_ input: FormInput, options: FormOptions = FormOptions()) -> String {
        FormPage.html(title: title(input), landscape: isWide(input.kind)) { w in
            var form = FormWriter(writer: w, options: options)
            form.body(input)
            w = form.writer
        }
    }

    /// The form's content alone (no page around it), for a page of the console.
    public static func fragment(_ input: FormInput, options: FormOptions = FormOptions()) -> String {
        var form = FormWriter(writer: HTMLWriter(), options: options)
        form.writer.element("div", ["class": "form"]) { w in
            var inner = FormWriter(writer: w, options: options)
            inner.body(input)
            w = inner.writer
        }
        return form.writer.html
    }

    /// A receipt's status as the form words it («доставлен», «отклонён» …), for pages that show it apart.
    public static func receiptStatusName(_ status: String) -> String { FormWriter.receiptStatus(status) }

    /// The kinds whose tables need the page turned.
    static func isWide(_ kind: DocumentKind) -> Bool {
        kind == .socialOrder || kind == .executionReport || kind == .serviceAssignment
    }

    /// «Соглашение № 12/2025 от 20 января 2025 г.», the tab's and the file's title.
    public static func title(_ input: FormInput) -> String {
        var t = input.kind.title.ru
        if let number = input.header?.number, !number.isEmpty { t += " №\u{00A0}" + number }
        if let date = input.header?.date { t += " от " + RussianFormat.date(date) }
        return t
    }
}

/// Writes a form: the parts every kind shares, and the kind's own sections (in the `…Form.swift` files).
struct FormWriter {
    var writer: HTMLWriter
    let options: FormOptions

    mutating func body(_ input: FormInput) {
        if input.header?.test == true {
            writer.element("p", ["class": "test-mark"], text: "ТЕСТОВЫЙ ДОКУМЕНТ — юридической силы не имеет")
        }
        switch input.model {
        case .socialOrder(let m): socialOrder(m, input)
        case .agreement(let m): agreement(m, input)
        case .contract(let m): contract(m, input)
        case .contractNotice(let m): contractNotice(m, input)
        case .socialCertificate(let m): certificate(m, input)
        case .executionReport(let m): executionReport(m, input)
        case .serviceAssignment(let m): serviceAssignment(m, input)
        case .receipt(let m): receipt(m, input)
        }
        findings(input.findings)
        signatures(input)
    }

    /// The validator's findings: code, kind, line and element, message.
    mutating func findings(_ list: [Diagnostic]) {
        guard !list.isEmpty else { return }
        let errors = list.filter { $0.severity == .error }.count
        section(errors > 0 ? "Документ не прошёл проверку: ошибок \(errors)" : "Замечания проверки")
        let rows = list.map { d -> [FormCell] in
            [.text(d.code), .text(d.severity == .error ? "ошибка" : "предупреждение"),
             .text([d.line.map { "строка \($0)" }, d.path].compactMap { $0 }.joined(separator: "\n")),
             .text(options.maskPersonalData ? PersonalData.masked(d.message.ru) : d.message.ru)]
        }
        table(head: [[.head("Код"), .head("Вид"), .head("Место"), .head("Сообщение")]], rows: rows)
    }

    /// The title block: the kind's name, its number and date, and the header's requisites.
    mutating func heading(_ input: FormInput, subtitle: String? = nil) {
        writer.element("h1", text: PrintableForm.title(input))
        if let subtitle { writer.element("p", ["class": "subtitle"], text: subtitle) }
        guard let h = input.header else { return }
        var rows: [(String, String?)] = [
            ("Версия", String(h.version)),
            ("Статус", Self.statusName(h.status)),
            ("Сформирован", RussianFormat.dateTime(h.createdAt)),
        ]
        if let p = h.previousVersionId { rows.append(("Предыдущая версия", p)) }
        if let s = h.source {
            rows.append(("Источник", [s.system, s.documentId.map { "документ " + $0 }].compactMap { $0 }.joined(separator: ", ")))
        }
        rows.append(("Идентификатор", input.documentId))
        fields(rows)
    }

    /// A two-column table of labels and values; rows without a value are left out.
    mutating func fields(_ rows: [(String, String?)]) {
        let present = rows.compactMap { label, value in value.flatMap { $0.isEmpty ? nil : (label, $0) } }
        guard !present.isEmpty else { return }
        writer.element("table", ["class": "fields"]) { t in
            for (label, value) in present {
                t.element("tr") { r in
                    r.element("td", ["class": "label"], text: label)
                    r.element("td", text: value)
                }
            }
        }
    }

    /// A section's heading.
    mutating func section(_ title: String) {
        writer.element("h2", text: title)
    }

    /// An organisation: its full name, then its requisites.
    mutating func organization(_ role: String, _ o: Organization?) {
        guard let o else { return }
        section(role)
        // An entrepreneur is a person: the name and the personal ИНН and ОГРНИП are a viewer's to see no more.
        if options.maskPersonalData && (o.innFl != nil || o.ogrnip != nil) {
            fields([("Наименование", "индивидуальный предприниматель (сведения скрыты)"), ("ОКТМО", o.oktmo ?? o.okato)])
            return
        }
        fields([
            ("Наименование", o.fullName),
            ("Сокращённое наименование", o.shortName),
            ("ИНН", o.inn ?? o.innFl),
            ("КПП", o.kpp),
            (o.ogrnip != nil ? "ОГРНИП" : "ОГРН", o.ogrn ?? o.ogrnip),
            ("Код по Сводному реестру", o.consRegCode),
            ("Глава по БК", o.budgetChapter),
            ("ОКТМО", o.oktmo ?? o.okato),
            ("Адрес", o.address),
        ])
    }

    /// A person: masked for a viewer (initials only, no СНИЛС, birth date or identity document).
    mutating func person(_ role: String, _ p: Person?) {
        guard let p else { return }
        section(role)
        if options.maskPersonalData {
            fields([("Ф. И. О.", Self.masked(p)), ("СНИЛС", p.snils == nil ? nil : "***-***-*** **")])
            return
        }
        let id = p.identityDocument.map { d in
            [Self.identityName(d.type), d.series.map { "серия " + $0 }, "№\u{00A0}" + d.number,
             d.issueDate.map { "выдан " + RussianFormat.shortDate($0) }, d.issuer].compactMap { $0 }.joined(separator: ", ")
        }
        fields([
            ("Ф. И. О.", p.fullName),
            ("Дата рождения", p.birthDate.map(RussianFormat.date)),
            ("СНИЛС", p.snils),
            ("Документ, удостоверяющий личность", id),
        ])
    }

    /// «Фамилия И. О.» with the surname reduced to its first letter: «И*** П. С.».
    static func masked(_ p: Person) -> String {
        let initial: (String) -> String = { $0.first.map { "\($0)." } ?? "" }
        let surname = p.lastName.first.map { "\($0)***" } ?? "***"
        return [surname, initial(p.firstName), p.middleName.map(initial)].compactMap { $0 }.joined(separator: " ")
    }

    /// The signatures at the end: who signed for whom, the certificate and the verdict.
    mutating func signatures(_ input: FormInput) {
        let options = options
        writer.element("section", ["class": "signatures"]) { w in
            w.element("h2", text: "Электронные подписи")
            if input.signatures.isEmpty {
                w.element("p", text: "Документ не подписан.")
                return
            }
            if !options.signaturesChecked {
                w.element("p", text: "Подписи не проверялись.")
            }
            w.element("table") { t in
                t.element("thead") { h in
                    h.element("tr") { r in
                        for title in ["№", "Сторона", "Подписант", "Сертификат", "Результат проверки"] { r.element("th", text: title) }
                    }
                }
                t.element("tbody") { b in
                    for (i, s) in input.signatures.enumerated() {
                        Self.signatureRow(&b, i + 1, s, checked: options.signaturesChecked, masked: options.maskPersonalData)
                    }
                }
            }
        }
    }

    private static func signatureRow(_ b: inout HTMLWriter, _ n: Int, _ s: FormSignature, checked: Bool, masked: Bool) {
        b.element("tr") { r in
            r.element("td", ["class": "number"], text: String(n))
            r.element("td", text: s.party ?? "—")
            r.element("td") { c in
                // A viewer sees no person: neither the consumer who signed nor the official named in an
                // organisation's certificate.
                c.text(!masked ? s.signer : s.isPerson ? "физическое лицо (сведения скрыты)" : "должностное лицо (сведения скрыты)")
                let lines = masked ? [s.organization, s.isPerson ? nil : s.identifiers] : [s.organization, s.identifiers, s.personIdentifiers]
                for line in lines.compactMap({ $0 }) {
                    c.void("br")
                    c.text(line)
                }
            }
            r.element("td") { c in
                c.text("№\u{00A0}" + s.serial)
                c.void("br")
                c.text(s.validity)
            }
            let verdictClass = !checked ? "verdict" : s.valid ? "verdict valid" : "verdict invalid"
            r.element("td", ["class": verdictClass], text: checked ? s.verdict : "не проверялась")
        }
    }

    static func statusName(_ status: String) -> String {
        switch status {
        case "draft": "проект"
        case "approved": "утверждён"
        case "amended": "изменён"
        case "cancelled": "отменён"
        default: status
        }
    }

    static func identityName(_ code: String) -> String {
        switch code {
        case "21": "паспорт гражданина Российской Федерации"
        case "03": "свидетельство о рождении"
        default: "документ (код \(code))"
        }
    }
}
