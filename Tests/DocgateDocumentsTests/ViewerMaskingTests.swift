import DocgateCore
import DocgateTestSupport
import Foundation
import Testing
@testable import DocgateDocuments

/// A viewer's form (FormOptions.maskPersonalData: the console's frame and PDF for a viewer) prints no person's СНИЛС,
/// personal ИНН or name (found by the outside review of issue 19).
@Suite struct ViewerMaskingTests {
    /// The findings at the end of the form are printed as they are: a rule's message quotes the СНИЛС
    /// («Неверное контрольное число СНИЛС «112-233-445 96»»). The console masks it in its own findings table
    /// as well as in the form it frames for the same viewer.
    @Test func aViewersFormHidesTheSNILSAFindingQuotes() throws {
        let file = PrintableFormTests.sample("CONTRACT_ACKFIN24_RPGU24_20250207")
        let source = try String(contentsOfFile: file, encoding: .utf8)
        let patched = source.replacingOccurrences(of: "<snils>112-233-445 95</snils>", with: "<snils>112-233-445 96</snils>")
        #expect(patched != source)
        let report = PrintableFormTests.validator.validate(bytes: Array(patched.utf8), file: "contract.xml", retainRecords: true)
        #expect(report.diagnostics.contains { $0.message.ru.contains("112-233-445 96") })
        let input = try #require(FormInput(report: report, signatures: []))
        let masked = PrintableForm.html(input, options: FormOptions(maskPersonalData: true))
        #expect(!masked.contains("112-233-445 96"), "the viewer's form prints the consumer's СНИЛС in its findings")
    }

    /// A qualified certificate of an organisation (Приказ ФСБ № 795) names the official who holds it: SN, G and his
    /// СНИЛС: the viewer's form shows the organisation and its ИНН ЮЛ, not the official's name, СНИЛС or personal ИНН.
    @Test func aViewersFormHidesTheSNILSOfAnOrganisationsSigner() throws {
        let official = FormSignature(party: "Уполномоченный орган", signer: "CN=Министерство социальной политики, SN=Иванов, GN=Иван Петрович",
                                     organization: "Минсоцполитики Красноярского края",
                                     identifiers: "ИНН ЮЛ 2466012340, ОГРН 1022401123458",
                                     serial: "1F", validity: "действителен с 01.01.2025 по 31.12.2026", valid: true,
                                     verdict: "Подпись верна", isPerson: false, personIdentifiers: "ИНН 246500123456, СНИЛС 11223344595")
        let report = try PrintableFormTests.validator.validate(file: PrintableFormTests.sample("AGREEMENT_ACKFIN24_ACKPLAN24_20250120"),
                                                              retainRecords: true)
        let input = try #require(FormInput(report: report, signatures: [official]))
        let masked = PrintableForm.html(input, options: FormOptions(maskPersonalData: true))
        #expect(!masked.contains("11223344595"), "the viewer's form prints the official's СНИЛС")
        #expect(!masked.contains("246500123456"), "the viewer's form prints the official's personal ИНН")
        #expect(!masked.contains("Иванов"), "the viewer's form prints the official's name")
        #expect(masked.contains("ИНН ЮЛ 2466012340"), "the organisation's ИНН is no one's secret")
        let open = PrintableForm.html(input)
        #expect(open.contains("11223344595") && open.contains("Иванов"))
    }
}
