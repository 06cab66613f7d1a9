import DocgateCore
import DocgateTestSupport
import DocgateXML
import Foundation
import Testing
@testable import DocgateDocuments

/// The printable forms: what each kind shows, figures as people write them, people masked for viewers, findings
/// and signatures at the end, and a document's content never becoming markup.
@Suite struct PrintableFormTests {
    static let validator = try! DocumentValidator(schemaDirectory: TestPaths.schemas)

    static func form(_ file: String, signatures: [FormSignature] = [], options: FormOptions = FormOptions()) throws -> String {
        let report = try validator.validate(file: file, retainRecords: true)
        let input = try #require(FormInput(report: report, signatures: signatures), "\(file) has no model")
        return PrintableForm.html(input, options: options)
    }

    static func sample(_ prefix: String) -> String {
        TestPaths.sampleFiles("valid").first { ($0 as NSString).lastPathComponent.hasPrefix(prefix) }!
    }

    @Test(arguments: TestPaths.sampleFiles("valid"))
    func everyValidSampleHasItsKindsForm(_ file: String) throws {
        let report = try Self.validator.validate(file: file, retainRecords: true)
        let kind = try #require(report.kind)
        let html = try Self.form(file)
        #expect(html.contains("<h1>" + HTMLWriter.escape(kind.title.ru)))
        #expect(html.contains("Электронные подписи"))
        #expect(html.contains("Документ не подписан."))
        #expect(!html.contains("Документ не прошёл проверку"))
        let wide = kind == .socialOrder || kind == .executionReport || kind == .serviceAssignment
        #expect(html.contains("A4 landscape") == wide)
    }

    @Test func theSocialOrderHasItsThreeSectionsAndYears() throws {
        let html = try Self.form(Self.sample("SOCORDER_ACKFIN24_ACKPLAN24_20241220"))
        for part in ["I. Общие сведения о социальном заказе", "II. Сведения об объёме оказания услуг",
                     "III. Сведения о показателях, характеризующих качество", "на 2025 год (очередной финансовый год)",
                     "на 2026 год (первый год планового периода)", "на плановый период 2026 и 2027 годов",
                     "Социальный заказ №\u{00A0}24-СЗ/2025-01 от 20\u{00A0}декабря\u{00A0}2024\u{00A0}г.",
                     // Section I, 2025: 3 450 in all, 2 730 by budget and autonomous institutions.
                     ">3\u{202F}450<", ">2\u{202F}730<"] {
            #expect(html.contains(part), "\(part)")
        }
    }

    @Test func theAgreementShowsItsPartiesAmountsAndSchedule() throws {
        let file = Self.sample("AGREEMENT_ACKFIN24_ACKPLAN24_20250120")
        let report = try Self.validator.validate(file: file, retainRecords: true)
        guard case .agreement(let a)? = report.model else { Issue.record("no agreement model"); return }
        let html = try Self.form(file)
        #expect(html.contains(HTMLWriter.escape(try #require(a.grantor?.fullName))))
        #expect(html.contains(HTMLWriter.escape(try #require(a.executor?.fullName))))
        // Every amount as roubles with kopecks, and the years' total.
        for line in a.services { for y in line.yearValues { #expect(html.contains(">" + RussianFormat.money(y.amount) + "<")) } }
        let total = try #require(a.yearTotals.values.map { $0 }.sum())
        if a.yearTotals.count > 1 { #expect(html.contains(">" + RussianFormat.money(total) + "<")) }
    }

    @Test func aViewerSeesNoNameNorSNILSOfAPerson() throws {
        let file = Self.sample("CONTRACT_ACKFIN24_RPGU24_20250207")
        let report = try Self.validator.validate(file: file, retainRecords: true)
        guard case .contract(let c)? = report.model, let consumer = c.consumer else { Issue.record("no consumer"); return }
        let open = try Self.form(file)
        let masked = try Self.form(file, options: FormOptions(maskPersonalData: true))
        for secret in [consumer.lastName, consumer.firstName, consumer.snils ?? "—"] + [consumer.middleName].compactMap({ $0 }) {
            #expect(open.contains(HTMLWriter.escape(secret)), "\(secret)")
            #expect(!masked.contains(HTMLWriter.escape(secret)), "\(secret)")
        }
        #expect(masked.contains(String(consumer.lastName.first!) + "***"))
    }

    @Test func aSignatureOfAPersonIsMaskedForAViewer() throws {
        let signature = FormSignature(party: "Потребитель", signer: "SN=Иванова, G=Мария Петровна", organization: nil,
                                      identifiers: "СНИЛС 11223344595", serial: "0A", validity: "с 01.01.2025 по 31.12.2025",
                                      valid: true, verdict: "Подпись верна", isPerson: true)
        let file = Self.sample("CONTRACT_ACKFIN24_RPGU24_20250207")
        let open = try Self.form(file, signatures: [signature])
        let masked = try Self.form(file, signatures: [signature], options: FormOptions(maskPersonalData: true))
        #expect(open.contains("Иванова") && open.contains("11223344595"))
        #expect(!masked.contains("Иванова") && !masked.contains("11223344595"))
        #expect(masked.contains("Подпись верна"))
    }

    @Test func aDocumentTheRulesRejectHasItsFormWithTheFindings() throws {
        let file = TestPaths.root + "/Samples/invalid/contract-amounts.xml"
        let report = try Self.validator.validate(file: file, retainRecords: true)
        #expect(!report.valid)
        let html = try Self.form(file)
        #expect(html.contains("Документ не прошёл проверку: ошибок 1"))
        #expect(html.contains(">DG3050<"))
    }

    @Test func aDocumentThatFailsItsSchemaHasNoForm() throws {
        let report = try Self.validator.validate(file: TestPaths.root + "/Samples/invalid/execreport-unknown-element.xml", retainRecords: true)
        #expect(FormInput(report: report, signatures: []) == nil)
    }

    @Test func signaturesComeLastWithTheirVerdicts() throws {
        let good = FormSignature(party: "Грантодатель", signer: "CN=Министерство", organization: "Минсоцполитики",
                                 identifiers: "ИНН ЮЛ 2466012340", serial: "1F", validity: "с 01.01.2025 по 31.12.2026",
                                 valid: true, verdict: "Подпись верна")
        var bad = good
        (bad.valid, bad.verdict) = (false, "Подпись недействительна: DG4010 …")
        let html = try Self.form(Self.sample("AGREEMENT_ACKFIN24_ACKPLAN24_20250120"), signatures: [good, bad])
        let signatures = try #require(html.range(of: "Электронные подписи"))
        #expect(html[signatures.upperBound...].contains(#"<td class="verdict valid">Подпись верна</td>"#))
        #expect(html[signatures.upperBound...].contains(#"<td class="verdict invalid">Подпись недействительна: DG4010 …</td>"#))
        let unchecked = try Self.form(Self.sample("AGREEMENT_ACKFIN24_ACKPLAN24_20250120"), signatures: [good],
                                      options: FormOptions(signaturesChecked: false))
        #expect(unchecked.contains("Подписи не проверялись.") && !unchecked.contains(">Подпись верна<"))
    }

    /// A name built to break out of the page stays text, whatever it holds.
    @Test func hostileContentStaysText() throws {
        let source = try String(contentsOfFile: Self.sample("AGREEMENT_ACKFIN24_ACKPLAN24_20250120"), encoding: .utf8)
        let hostile = #"&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror="x"&gt;"#
        let patched = source.replacingOccurrences(of: "<fullName>", with: "<fullName>" + hostile, options: [], range: nil)
        let report = Self.validator.validate(bytes: Array(patched.utf8), file: "hostile.xml", retainRecords: true)
        let input = try #require(FormInput(report: report, signatures: []))
        let html = PrintableForm.html(input)
        #expect(html.contains("&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;x&quot;&gt;"))
        #expect(!html.contains("<script") && !html.contains("<img"))
    }

    @Test func theAssignmentHasItsQuartersNormativeAndForecast() throws {
        let html = try Self.form(Self.sample("SVCASSIGN_DFTO70_DSZN70_20071224"))
        for part in ["I\u{00A0}квартал", "IV\u{00A0}квартал", "Расчёт норматива затрат на одного получателя",
                     "N = K1 + K2 + K3 + K4", ">12\u{202F}611,89<", ">1,08500<", "Прогноз численности получателей",
                     ">1,01245<", ">12\u{202F}352<", "Человек (792)"] {
            #expect(html.contains(part), "\(part)")
        }
    }

    @Test func theReceiptListsItsErrorsWithMessages() throws {
        let html = try Self.form(Self.sample("RECEIPT_AGREEMENT_ACKFIN24_ACKPLAN24_20250121"))
        #expect(html.contains(">отклонён<"))
        #expect(html.contains(">DG3030<") && html.contains(">DG3005<"))
        #expect(html.contains("Реестровый номер «12345» не в формате перечня"))
        #expect(html.contains("строка 78\n/agreement/service[2]/yearValue[1]/amount"))
    }
}
