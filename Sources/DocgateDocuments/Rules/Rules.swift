import DocgateCore
import DocgateXML

/// The business rules docgate checks within one document (DG3001–DG3092), each with a stable code, a
/// severity and a title in Russian and English. The checks themselves live with the kind they read.
public enum Rule: String, CaseIterable, Sendable {
    /// ИНН check digits.
    case innChecksum = "DG3001"
    /// ОГРН / ОГРНИП check digit.
    case ogrnChecksum = "DG3002"
    /// СНИЛС check number.
    case snilsChecksum = "DG3003"
    /// Latin look-alike letters in a service registry number.
    case regNumConfusable = "DG3004"
    /// Service registry number not in the registry format. A warning.
    case regNumFormat = "DG3005"
    /// ОКЕИ code not in the directory. A warning.
    case okeiUnknown = "DG3006"
    /// Organisation with a 10-digit ИНН but no КПП.
    case kppRequired = "DG3007"
    /// Total ≠ sum over the methods of determining executors.
    case totalEqualsMethods = "DG3010"
    /// Order Section I ≠ sum of Section II rows (service, year, place, indicator).
    case sectionSums = "DG3011"
    /// Planning period years, year blocks, year of determination.
    case yearBlocks = "DG3012"
    /// Allowed deviation above 10 %. A warning.
    case deviationBounds = "DG3013"
    /// Actual deviation ≠ (fact − plan) / plan × 100, to hundredths.
    case actualDeviation = "DG3020"
    /// Deviation beyond tolerance without a reason (annual reports; an interim one may still make it up).
    case deviationReason = "DG3021"
    /// Report Section I fact ≠ sum of Section II facts by method.
    case reportSectionSums = "DG3022"
    /// Competition or certificate row without its agreement.
    case agreementRefRequired = "DG3023"
    /// Agreement amount ≠ volume × normative × correction factor.
    case agreementAmount = "DG3030"
    /// Agreement: an amount that differs from volume × normative × factor within what a unit cost rounded to kopecks
    /// implies (volume × 0.005 ₽); the difference is named. A warning.
    case agreementAmountRounded = "DG3034"
    /// Yearly totals ≠ services ≠ payment schedule.
    case agreementTotals = "DG3031"
    /// КБК structure, or not the grantor's budget chapter.
    case kbk = "DG3032"
    /// Agreement term, additional agreement without base, versions, termination (missing on a terminated agreement, or
    /// present on another).
    case agreementTerm = "DG3033"
    /// Certificate value ≠ normative × volume.
    case certificateValue = "DG3040"
    /// Certificate validity and service periods.
    case certificatePeriod = "DG3041"
    /// Contracts exceed the certificate's volume.
    case certificateContracts = "DG3042"
    /// Certificate recipient without СНИЛС.
    case recipientSnils = "DG3043"
    /// Certificate state not the one its event leaves it in (cancelled yet active).
    case certificateState = "DG3044"
    /// Contract total ≠ volume × price, or shares ≠ total.
    case contractAmounts = "DG3050"
    /// Contract term, termination (missing on a terminated contract, or present on another).
    case contractTermination = "DG3051"
    /// Contract notice: not about a contract, dated before it or before the termination it reports, a termination
    /// carried by a conclusion notice / missing from a termination notice, or outside the term.
    case contractNotice = "DG3052"
    /// Assignment З-1 ≠ Σ З-1.1…З-1.7 (each of the ten columns).
    case assignmentCosts = "DG3060"
    /// Additive row (money, events, volumes in units other than persons): year ≠ sum of quarters.
    case assignmentQuarterSums = "DG3061"
    /// Head-count row (П-1, П-2, Р-2.2, and any row counted in persons, ОКЕИ 792 — e.g. Р-2.3 «пролеченные больные»):
    /// year outside [largest quarter, sum of quarters]. A warning.
    case assignmentHeadCount = "DG3062"
    /// Normative З-2.1 ≠ З-1 / Σ П-1 (the actual recipients; beyond 1 ₽ and 0.5 %). A warning.
    case assignmentNormative = "DG3063"
    /// Report quarter: facts after the reporting quarter, missing quarter, or a planned quarter up to it without its
    /// fact.
    case assignmentReportPeriod = "DG3064"
    /// Row code with the digit «3» for «З» or the Latin «P» for «Р» (read as meant), or wrong КЭК article. A warning.
    case assignmentCodes = "DG3065"
    /// Normative N ≠ K1 + K2 + K3 + K4 (the exact sum rounded once, as `compute` gives it, or the sum of the printed
    /// components), K = base × factor; forecast K and C1 (from the exact or the printed K).
    case assignmentCalculation = "DG3066"
    /// Quarterly report dated after the 20th of the following month. A warning.
    case assignmentDeadline = "DG3067"
    /// An assignment (version 1) dated on or after 1 January of its year: it is handed over before the year (seed 002,
    /// p. 26); corrections name their previous version.
    case assignmentDate = "DG3068"
    /// An assignment without costs (no row З-1, З-1.1…З-1.7 with a value).
    case assignmentWithoutCosts = "DG3069"
    /// Receipt status inconsistent with its errors or delivered file.
    case receiptConsistency = "DG3070"
    /// Version and previous version disagree.
    case versionChain = "DG3080"
    /// Status, event, version and signatures disagree within a document (status draft without the event draft or the
    /// reverse; a certificate or notice as a draft; a first version with an event no life begins with; a draft with two
    /// signatures).
    case statusConsistency = "DG3081"
    /// UUID in the file name ≠ root `id`.
    case fileNameId = "DG3090"
    /// File-name prefix of another kind. A warning.
    case fileNamePrefix = "DG3091"
    /// Creation time in the future (beyond 10 minutes of clock skew).
    case futureDate = "DG3092"
    /// Values too large to compute exactly.
    case arithmeticOverflow = "DG3099"

    /// The code, `DG3xxx` (the raw value).
    public var code: String { rawValue }

    /// Whether a finding of this rule makes the document invalid (error) or is only reported (warning).
    public var severity: Severity {
        switch self {
        case .regNumFormat, .okeiUnknown, .deviationBounds, .assignmentHeadCount, .assignmentDeadline, .assignmentNormative, .assignmentCodes,
             .fileNamePrefix, .agreementAmountRounded:
            .warning
        default:
            .error
        }
    }

    /// A short name of the rule in Russian and English.
    public var title: LocalizedText {
        switch self {
        case .innChecksum: LocalizedText(ru: "Контрольные цифры ИНН", en: "ИНН (INN) check digits")
        case .ogrnChecksum: LocalizedText(ru: "Контрольная цифра ОГРН/ОГРНИП", en: "ОГРН/ОГРНИП (OGRN) check digit")
        case .snilsChecksum: LocalizedText(ru: "Контрольное число СНИЛС", en: "СНИЛС (SNILS) check number")
        case .regNumConfusable: LocalizedText(ru: "Латинские буквы в реестровом номере услуги", en: "Latin look-alike letters in a service registry number")
        case .regNumFormat: LocalizedText(ru: "Нестандартный формат реестрового номера услуги", en: "Non-standard service registry number")
        case .okeiUnknown: LocalizedText(ru: "Неизвестный код ОКЕИ", en: "Unknown ОКЕИ (OKEI) unit code")
        case .kppRequired: LocalizedText(ru: "КПП обязателен для юридического лица", en: "КПП (KPP) required for an organisation")
        case .totalEqualsMethods: LocalizedText(ru: "Всего = сумма по способам определения исполнителей", en: "Total equals the sum over methods")
        case .sectionSums: LocalizedText(ru: "Раздел I = сумма строк раздела II", en: "Section I equals the sum of Section II")
        case .yearBlocks: LocalizedText(ru: "Годы планового периода", en: "Years of the planning period")
        case .deviationBounds: LocalizedText(ru: "Допустимое отклонение", en: "Allowed deviation")
        case .actualDeviation: LocalizedText(ru: "Фактическое отклонение = (факт − план) / план × 100", en: "Actual deviation = (fact − plan) / plan × 100")
        case .deviationReason: LocalizedText(ru: "Причина отклонения сверх допустимого", en: "Reason for a deviation beyond tolerance")
        case .reportSectionSums: LocalizedText(ru: "Факт раздела I = сумма фактов раздела II", en: "Section I fact equals the sum of Section II facts")
        case .agreementRefRequired: LocalizedText(ru: "Ссылка на соглашение для конкурса и сертификатов", en: "Agreement reference for competition and certificates")
        case .agreementAmount: LocalizedText(ru: "Сумма = объём × норматив × коэффициент", en: "Amount = volume × normative × factor")
        case .agreementAmountRounded: LocalizedText(ru: "Сумма из норматива, округлённого до копеек", en: "Amount from a unit cost rounded to kopecks")
        case .agreementTotals: LocalizedText(ru: "Итоги по годам и график платежей", en: "Yearly totals and payment schedule")
        case .kbk: LocalizedText(ru: "Код бюджетной классификации", en: "Budget classification code (КБК)")
        case .agreementTerm: LocalizedText(ru: "Срок и версии соглашения", en: "Agreement term and versions")
        case .certificateValue: LocalizedText(ru: "Стоимость = норматив × объём", en: "Value = normative × volume")
        case .certificatePeriod: LocalizedText(ru: "Срок действия сертификата", en: "Certificate validity")
        case .certificateContracts: LocalizedText(ru: "Объём по договорам не больше объёма по сертификату", en: "Contract volumes within the certificate volume")
        case .recipientSnils: LocalizedText(ru: "СНИЛС получателя сертификата", en: "Certificate recipient's СНИЛС")
        case .certificateState: LocalizedText(ru: "Состояние сертификата соответствует событию", en: "The certificate's state fits its event")
        case .contractAmounts: LocalizedText(ru: "Суммы договора", en: "Contract amounts")
        case .contractTermination: LocalizedText(ru: "Срок и расторжение договора", en: "Contract term and termination")
        case .contractNotice: LocalizedText(ru: "Уведомление о заключении (расторжении) договора", en: "Notice of a contract's conclusion or termination")
        case .assignmentCosts: LocalizedText(ru: "З-1 = сумма З-1.1…З-1.7", en: "З-1 equals the sum of З-1.1…З-1.7")
        case .assignmentQuarterSums: LocalizedText(ru: "Год = сумма кварталов", en: "Year equals the sum of the quarters")
        case .assignmentHeadCount: LocalizedText(ru: "Численность за год и по кварталам", en: "Head count over the year and quarters")
        case .assignmentNormative: LocalizedText(ru: "Норматив З-2.1 = З-1 / численность получателей", en: "Normative З-2.1 = З-1 / recipients")
        case .assignmentReportPeriod: LocalizedText(ru: "Отчётный квартал и срок отчёта", en: "Reporting quarter and deadline")
        case .assignmentCodes: LocalizedText(ru: "Коды строк и статьи КЭК", en: "Row codes and КЭК (KEK) articles")
        case .assignmentCalculation: LocalizedText(ru: "Расчёт норматива и прогноз численности", en: "Normative calculation and recipient forecast")
        case .assignmentDeadline: LocalizedText(ru: "Срок представления квартального отчёта (20-е число)", en: "Quarterly report deadline (the 20th)")
        case .assignmentDate: LocalizedText(ru: "Задание доводится до начала года", en: "An assignment is handed over before its year")
        case .assignmentWithoutCosts: LocalizedText(ru: "В задании есть затраты (З-1)", en: "An assignment states its costs (З-1)")
        case .receiptConsistency: LocalizedText(ru: "Согласованность квитанции", en: "Receipt consistency")
        case .versionChain: LocalizedText(ru: "Версия и ссылка на предыдущую версию", en: "Version and previous version")
        case .statusConsistency: LocalizedText(ru: "Статус, событие и подписи документа согласованы", en: "Status, event and signatures agree")
        case .fileNameId: LocalizedText(ru: "Идентификатор в имени файла", en: "Identifier in the file name")
        case .fileNamePrefix: LocalizedText(ru: "Префикс имени файла", en: "File name prefix")
        case .futureDate: LocalizedText(ru: "Дата формирования в будущем", en: "Creation time in the future")
        case .arithmeticOverflow: LocalizedText(ru: "Переполнение при вычислении", en: "Arithmetic overflow")
        }
    }
}

/// Where a finding points: a line and an element path.
struct Location: Sendable, Hashable {
    var line: Int?
    var path: String?
}

/// Collects rule findings for one document, bounded like the schema findings.
final class Findings {
    private(set) var diagnostics: [Diagnostic] = []
    private(set) var dropped = 0
    let limit: Int

    init(limit: Int) {
        self.limit = limit
    }

    func add(_ rule: Rule, at location: Location?, ru: String, en: String) {
        guard diagnostics.count < limit else { dropped += 1; return }
        diagnostics.append(Diagnostic(code: rule.code, severity: rule.severity, line: location?.line,
                                      path: location?.path, message: LocalizedText(ru: ru, en: en)))
    }

    func overflow(at location: Location?) {
        add(.arithmeticOverflow, at: location, ru: "Значения слишком велики для точного вычисления",
            en: "The values are too large to compute exactly")
    }

    /// All findings, with one summary line for the ones not kept.
    var all: [Diagnostic] {
        guard dropped > 0 else { return diagnostics }
        return diagnostics + [Diagnostic(code: "DG3098", message: LocalizedText(
            ru: "И ещё \(dropped) нарушений правил не показаны", en: "\(dropped) more rule findings not shown"))]
    }
}

/// A record (a complete element delivered by the parser) and how to point into it.
struct RecordContext {
    let node: RecordElement
    let position: RecordPosition

    /// The record's own absolute path, e.g. `/executionReport/volumeDetail/item[12]`.
    var path: String { position.path }

    /// The location of the record or of an element inside it.
    func location(_ inner: RecordElement? = nil) -> Location {
        guard let inner, inner.id != node.id else { return Location(line: node.line, path: path) }
        var steps: [String] = []
        var current: RecordElement? = inner
        while let n = current, n.id != node.id {
            steps.append(n.relativeStep)
            current = n.parent
        }
        return Location(line: inner.line, path: path + "/" + steps.reversed().joined(separator: "/"))
    }

    /// The location of a named child of `parent` (the record when `parent` is nil).
    func location(child name: StaticString, of parent: RecordElement? = nil) -> Location {
        let p = parent ?? node
        return location(p.child(name) ?? p)
    }
}
