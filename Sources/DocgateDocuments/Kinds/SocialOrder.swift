import DocgateXML
import Glibc

/// Социальный заказ (`urn://docgate/social-order/1`).
public struct SocialOrder: Sendable, Codable {
    /// `planningPeriod`: the financial year, the two plan years and, when given, the last year beyond them.
    public struct PlanningPeriod: Sendable, Hashable, Codable {
        /// `financialYear`: очередной финансовый год.
        public var financialYear: Int
        /// `planYear1`: the first year of the plan period (DG3012 wants `financialYear` + 1).
        public var planYear1: Int
        /// `planYear2`: the second year of the plan period (DG3012 wants `financialYear` + 2).
        public var planYear2: Int
        /// `beyondTo`: the last year of service beyond the plan period, after `planYear2`; nil when there is none.
        public var beyondTo: Int?
    }

    /// A row of Section I (`generalInfo/yearBlock/item`): an aggregated service, its place, a volume indicator and the
    /// volume by method, for one year.
    public struct GeneralItem: Sendable, Hashable, Codable {
        /// The `year` attribute of the row's `yearBlock`.
        public var year: Int
        /// The `kind` attribute of the row's `yearBlock`: `next`, `plan1`, `plan2` or `beyond`.
        public var yearKind: String
        /// `service`: the (aggregated) service.
        public var service: ServiceRef
        /// `yearOfDetermination`: the year executors are determined (not after `year`, DG3012).
        public var yearOfDetermination: Int
        /// `place`: место оказания услуги.
        public var place: Place
        /// `indicator`: the volume indicator and its unit.
        public var indicator: Indicator
        /// `volumes`: the volume in all and by method (total = Σ methods, DG3010).
        public var volumes: MethodVolumes
    }

    /// `yearValue`: a Section II row's volume for one year.
    public struct YearValue: Sendable, Hashable, Codable {
        /// The `year` attribute.
        public var year: Int
        /// `volumes`: the volume in all and by method.
        public var volumes: MethodVolumes
    }

    /// A row of Section II (`volumeInfo/aggregatedService/item`): a service that makes up an aggregated service, its
    /// volume by year and the allowed deviation.
    public struct VolumeItem: Sendable, Hashable, Codable {
        /// The `name` attribute of the enclosing `aggregatedService`.
        public var aggregatedService: String
        /// `service`: the service.
        public var service: Service
        /// `authorizedBody`: the body authorised to form the order for this service, by name; nil when absent.
        public var authorizedBody: String?
        /// `yearOfDetermination`: the year executors are determined (not after the last `yearValue`, DG3012).
        public var yearOfDetermination: Int
        /// `indicator`: the volume indicator and its unit.
        public var indicator: Indicator
        /// `yearValue` elements, in order.
        public var yearValues: [YearValue]
        /// `allowedDeviation`: the largest allowed deviation from the volume, % (above 10 is warned of, DG3013).
        public var allowedDeviation: DecimalValue
    }

    /// A row of Section III (`qualityInfo/item`): a quality indicator of a service and its value.
    public struct QualityItem: Sendable, Hashable, Codable {
        /// `serviceRegNum`: уникальный номер реестровой записи услуги.
        public var serviceRegNum: String
        /// `serviceName`: the service's name.
        public var serviceName: String
        /// `yearOfDetermination`: the year executors are determined.
        public var yearOfDetermination: Int
        /// `place`: место оказания услуги.
        public var place: Place
        /// `indicator`: the quality indicator and its unit.
        public var indicator: Indicator
        /// `value`: the indicator's value.
        public var value: DecimalValue
        /// `allowedDeviation`: the largest allowed deviation from the value, % (above 10 is warned of, DG3013).
        public var allowedDeviation: DecimalValue
    }

    /// `authorizedBody`: the authorised body that formed the order (уполномоченный орган); it signs the order.
    public var authorizedBody: Organization?
    /// `activityArea`: направление деятельности, such as «Социальное обслуживание».
    public var activityArea: String = ""
    /// `planningPeriod`, when present.
    public var planningPeriod: PlanningPeriod?
    /// `organizationDecision`: the decision to organise the services (Government Decree No. 1678), when given.
    public var organizationDecision: DocumentRef?
    /// Section I rows in document order (empty when validated with `retainRecords: false`).
    public var generalItems: [GeneralItem] = []
    /// Section II rows in document order (empty when validated with `retainRecords: false`).
    public var volumeItems: [VolumeItem] = []
    /// Section III rows in document order (empty when validated with `retainRecords: false`).
    public var qualityItems: [QualityItem] = []
}

/// Byte equality of two strings (no Unicode normalisation, as XML compares text).
func sameBytes(_ a: String, _ b: String) -> Bool {
    var a = a, b = b
    return a.withUTF8 { x in b.withUTF8 { y in x.count == y.count && (x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0) } }
}

/// Matches Section I rows to Section II rows: aggregated service, year, place, indicator. Compared and hashed
/// by code points, as XML compares text (and without Unicode normalisation on every row of a large report).
struct VolumeKey: Hashable {
    var service: String
    var year: Int
    var place: String
    var okei: String
    var indicator: String

    init(service: String, year: Int, place: Place?, indicator: Indicator) {
        self.service = service
        self.year = year
        self.place = place.map { $0.oktmo ?? $0.text } ?? ""
        self.okei = indicator.okei
        self.indicator = indicator.name
    }

    static func == (a: VolumeKey, b: VolumeKey) -> Bool {
        a.year == b.year && sameBytes(a.service, b.service) && sameBytes(a.place, b.place)
            && sameBytes(a.okei, b.okei) && sameBytes(a.indicator, b.indicator)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(year)
        for part in [service, place, okei, indicator] {
            var copy = part
            copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
            hasher.combine(0xFF as UInt8)
        }
    }
}

final class SocialOrderReader: KindReader {
    var documentModel: DocumentModel { .socialOrder(model) }
    static let containers: Set<String> = [
        "generalInfo", "generalInfo/yearBlock", "volumeInfo", "volumeInfo/aggregatedService", "qualityInfo",
    ]

    private let context: ReadContext
    private var f: Findings { context.findings }
    var model = SocialOrder()
    private var currentYear = 0
    private var currentYearKind = ""
    private var currentAggregate = ""
    private var sectionOne: [VolumeKey: (volumes: MethodVolumes, location: Location)] = [:]
    private var sectionTwo: [VolumeKey: (volumes: MethodVolumes, location: Location)] = [:]
    private var yearBlocks: [(year: Int, kind: String, location: Location)] = []

    init(context: ReadContext) {
        self.context = context
    }

    func enter(container: RecordElement, path: String) {
        if path == "generalInfo/yearBlock" {
            currentYear = Int(container.attribute("year") ?? "") ?? 0
            currentYearKind = container.attribute("kind") ?? ""
            yearBlocks.append((currentYear, currentYearKind, Location(line: container.line, path: nil)))
        } else if path == "volumeInfo/aggregatedService" {
            currentAggregate = (container.attribute("name") ?? "").trimmingXMLSpace
        }
    }

    func record(_ r: RecordContext, in container: String) {
        let n = r.node
        switch container {
        case "":
            if n.isNamed("authorizedBody") {
                model.authorizedBody = Organization(n)
            } else if n.isNamed("activityArea") {
                model.activityArea = n.trimmedText
            } else if n.isNamed("planningPeriod") {
                readPlanningPeriod(r)
            } else if n.isNamed("organizationDecision") {
                model.organizationDecision = DocumentRef(n)
            }
        case "generalInfo/yearBlock":
            readGeneralItem(r)
        case "volumeInfo/aggregatedService":
            readVolumeItem(r)
        case "qualityInfo":
            let item = SocialOrder.QualityItem(
                serviceRegNum: n.string("serviceRegNum"), serviceName: n.string("serviceName"),
                yearOfDetermination: n.integer("yearOfDetermination") ?? 0,
                place: n.child("place").map(Place.init) ?? Place(oktmo: nil, text: ""),
                indicator: n.child("indicator").map(Indicator.init) ?? Indicator(name: "", unitName: "", okei: ""),
                value: n.decimal("value") ?? .zero, allowedDeviation: n.decimal("allowedDeviation") ?? .zero)
            DeviationChecks.warnIfWide(item.allowedDeviation, at: r.location(child: "allowedDeviation"), f)
            if context.retainsRecords { model.qualityItems.append(item) }
        default:
            break
        }
    }

    private func readPlanningPeriod(_ r: RecordContext) {
        let n = r.node
        let p = SocialOrder.PlanningPeriod(financialYear: n.integer("financialYear") ?? 0,
                                           planYear1: n.integer("planYear1") ?? 0,
                                           planYear2: n.integer("planYear2") ?? 0, beyondTo: n.integer("beyondTo"))
        model.planningPeriod = p
        if p.planYear1 != p.financialYear + 1 || p.planYear2 != p.financialYear + 2 {
            f.add(.yearBlocks, at: r.location(),
                  ru: "Плановый период должен следовать за очередным годом \(p.financialYear): \(p.financialYear + 1) и \(p.financialYear + 2), а указаны \(p.planYear1) и \(p.planYear2)",
                  en: "The plan years must follow the financial year \(p.financialYear): \(p.financialYear + 1) and \(p.financialYear + 2), not \(p.planYear1) and \(p.planYear2)")
        }
        if let beyond = p.beyondTo, beyond <= p.planYear2 {
            f.add(.yearBlocks, at: r.location(child: "beyondTo"),
                  ru: "Срок за пределами планового периода (\(beyond)) должен быть позже \(p.planYear2)",
                  en: "The period beyond the plan (\(beyond)) must end after \(p.planYear2)")
        }
    }

    private func readGeneralItem(_ r: RecordContext) {
        let n = r.node
        guard let volumesNode = n.child("volumes") else { return }
        let item = SocialOrder.GeneralItem(
            year: currentYear, yearKind: currentYearKind,
            service: n.child("service").map(ServiceRef.init) ?? ServiceRef(name: "", regNum: nil),
            yearOfDetermination: n.integer("yearOfDetermination") ?? 0,
            place: n.child("place").map(Place.init) ?? Place(oktmo: nil, text: ""),
            indicator: n.child("indicator").map(Indicator.init) ?? Indicator(name: "", unitName: "", okei: ""),
            volumes: MethodVolumes(volumesNode))
        MethodChecks.total(item.volumes, at: r.location(volumesNode), f)
        if item.yearOfDetermination > item.year {
            f.add(.yearBlocks, at: r.location(child: "yearOfDetermination"),
                  ru: "Год определения исполнителей \(item.yearOfDetermination) позже года \(item.year), на который планируется объём",
                  en: "Executors are determined in \(item.yearOfDetermination), after the year \(item.year) they serve")
        }
        let key = VolumeKey(service: item.service.name, year: item.year, place: item.place, indicator: item.indicator)
        if let existing = sectionOne[key], let sum = existing.volumes.adding(item.volumes) {
            sectionOne[key] = (sum, existing.location)
        } else {
            sectionOne[key] = (item.volumes, r.location())
        }
        if context.retainsRecords { model.generalItems.append(item) }
    }

    private func readVolumeItem(_ r: RecordContext) {
        let n = r.node
        let indicator = n.child("indicator").map(Indicator.init) ?? Indicator(name: "", unitName: "", okei: "")
        let service = n.child("service").map(Service.init)
            ?? Service(regNum: "", name: "", consumerCategories: [])
        var values: [SocialOrder.YearValue] = []
        for yv in n.children("yearValue") {
            guard let volumesNode = yv.child("volumes") else { continue }
            let v = SocialOrder.YearValue(year: Int(yv.attribute("year") ?? "") ?? 0, volumes: MethodVolumes(volumesNode))
            MethodChecks.total(v.volumes, at: r.location(volumesNode), f)
            values.append(v)
            let key = VolumeKey(service: currentAggregate, year: v.year, place: service.place, indicator: indicator)
            if let existing = sectionTwo[key] {
                if let sum = existing.volumes.adding(v.volumes) { sectionTwo[key] = (sum, existing.location) }
                else { f.overflow(at: r.location(volumesNode)) }
            } else {
                sectionTwo[key] = (v.volumes, r.location(yv))
            }
        }
        let item = SocialOrder.VolumeItem(
            aggregatedService: currentAggregate, service: service, authorizedBody: n.childText("authorizedBody"),
            yearOfDetermination: n.integer("yearOfDetermination") ?? 0, indicator: indicator, yearValues: values,
            allowedDeviation: n.decimal("allowedDeviation") ?? .zero)
        DeviationChecks.warnIfWide(item.allowedDeviation, at: r.location(child: "allowedDeviation"), f)
        if let last = values.map(\.year).max(), item.yearOfDetermination > last {
            f.add(.yearBlocks, at: r.location(child: "yearOfDetermination"),
                  ru: "Год определения исполнителей \(item.yearOfDetermination) позже последнего года оказания услуги \(last)",
                  en: "Executors are determined in \(item.yearOfDetermination), after the last year of service \(last)")
        }
        if context.retainsRecords { model.volumeItems.append(item) }
    }

    func finish() {
        checkYearBlocks()
        for (key, one) in sectionOne {
            let two = sectionTwo[key]?.volumes ?? .zero
            if let diff = MethodChecks.firstDifference(one.volumes, two) {
                f.add(.sectionSums, at: one.location,
                      ru: "Раздел I, «\(key.service)», \(key.year) год, \(key.indicator): \(diff.ru) — \(diff.left) в разделе I, а сумма строк раздела II — \(diff.right)",
                      en: "Section I, '\(key.service)', \(key.year), \(key.indicator): \(diff.en) is \(diff.left) but Section II rows sum to \(diff.right)")
            }
        }
        for (key, two) in sectionTwo where sectionOne[key] == nil {
            f.add(.sectionSums, at: two.location,
                  ru: "Для строк раздела II («\(key.service)», \(key.year) год, \(key.indicator)) нет строки в разделе I",
                  en: "Section II rows ('\(key.service)', \(key.year), \(key.indicator)) have no Section I row")
        }
    }

    private func checkYearBlocks() {
        guard let p = model.planningPeriod else { return }
        for block in yearBlocks {
            let expected: Bool
            switch block.kind {
            case "next": expected = block.year == p.financialYear
            case "plan1": expected = block.year == p.planYear1
            case "plan2": expected = block.year == p.planYear2
            default: expected = block.year > p.planYear2 && block.year <= (p.beyondTo ?? Int.max)
            }
            if !expected {
                f.add(.yearBlocks, at: block.location,
                      ru: "Блок года \(block.year) с видом «\(block.kind)» не соответствует плановому периоду \(p.financialYear)–\(p.planYear2)",
                      en: "Year block \(block.year) of kind '\(block.kind)' does not fit the planning period \(p.financialYear)–\(p.planYear2)")
            }
        }
    }

    func summary(into s: inout DocumentSummary) {
        s.party("Уполномоченный орган", "Authorised body", model.authorizedBody)
        s.figure("Направление деятельности", "Activity area", model.activityArea)
        if let p = model.planningPeriod {
            s.figure("Плановый период", "Planning period", "\(p.financialYear)–\(p.planYear2)")
        }
        s.figure("Услуг в разделе II", "Services in Section II", String(model.volumeItems.count))
        if let year = model.planningPeriod?.financialYear {
            var byUnit: [String: MethodVolumes] = [:]
            for item in model.generalItems where item.year == year {
                byUnit[item.indicator.okei] = (byUnit[item.indicator.okei] ?? .zero).adding(item.volumes)
            }
            for (okei, v) in byUnit.sorted(by: { $0.key < $1.key }) {
                s.figure("Объём \(year), ОКЕИ \(okei): всего / конкурс / сертификаты",
                         "Volume \(year), ОКЕИ \(okei): total / competition / certificates",
                         "\(v.total) / \(v.competition) / \(v.certificate)")
            }
        }
        s.reference("Решение об организации оказания услуг", "Organisation decision", model.organizationDecision)
    }
}

/// DG3010 and the comparisons of method volumes shared by orders and reports.
enum MethodChecks {
    static func total(_ v: MethodVolumes, at location: @autoclosure () -> Location, _ f: Findings) {
        guard let sum = v.sumOfMethods else { f.overflow(at: location()); return }
        if sum != v.total {
            f.add(.totalEqualsMethods, at: location(),
                  ru: "Всего \(v.total), а сумма по способам определения исполнителей \(sum)",
                  en: "Total is \(v.total) but the methods sum to \(sum)")
        }
    }

    struct Difference {
        var ru: String
        var en: String
        var left: DecimalValue
        var right: DecimalValue
    }

    /// The first column (total, then each method) in which two sets of volumes differ.
    static func firstDifference(_ a: MethodVolumes, _ b: MethodVolumes) -> Difference? {
        if a.total != b.total { return Difference(ru: "всего", en: "the total", left: a.total, right: b.total) }
        for m in Method.allCases where a[m] != b[m] {
            return Difference(ru: m.title.ru, en: m.title.en, left: a[m], right: b[m])
        }
        return nil
    }
}

enum DeviationChecks {
    static let wide = DecimalValue(10)

    /// DG3013: tolerances above 10 % are legal but unusual.
    static func warnIfWide(_ value: DecimalValue, at location: @autoclosure () -> Location, _ f: Findings) {
        if wide < value {
            f.add(.deviationBounds, at: location(),
                  ru: "Допустимое отклонение \(value) % больше обычных 10 %",
                  en: "Allowed deviation \(value) % is above the usual 10 %")
        }
    }
}
