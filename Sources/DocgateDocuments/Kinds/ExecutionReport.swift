import DocgateXML

/// Отчёт об исполнении социального заказа (`urn://docgate/execution-report/1`).
public struct ExecutionReport: Sendable, Codable {
    /// A row of Section I (`volumeSummary/item`): an aggregated service's planned and actual volume by method.
    public struct SummaryItem: Sendable, Hashable, Codable {
        /// `service`: the aggregated service.
        public var service: ServiceRef
        /// `yearOfDetermination`: the year executors were determined.
        public var yearOfDetermination: Int
        /// `place`: место оказания услуги.
        public var place: Place
        /// `indicator`: the volume indicator and its unit.
        public var indicator: Indicator
        /// `plan`: the volume planned in the social order, in all and by method.
        public var plan: MethodVolumes
        /// `fact`: the volume reached, in all and by method; it must equal the sum of the Section II facts (DG3022).
        public var fact: MethodVolumes
    }

    /// A row of Section II (`volumeDetail/item`): a service, its executor and method, plan, fact and deviations.
    public struct DetailItem: Sendable, Hashable, Codable {
        /// `service`: the service.
        public var service: Service
        /// `executor`: исполнитель услуги.
        public var executor: Organization
        /// `executorRegistryEntry`: the executor's entry number in the register of executors by social certificates.
        public var executorRegistryEntry: String?
        /// `method`: how the executor was determined; nil when absent or not one of the four.
        public var method: Method?
        /// `agreementRef`: the agreement with the executor, required for competition and certificates (DG3023).
        public var agreementRef: DocumentRef?
        /// `indicator`: the volume indicator and its unit.
        public var indicator: Indicator
        /// `planValue`: the planned value.
        public var planValue: DecimalValue
        /// `factValue`: the actual value.
        public var factValue: DecimalValue
        /// `allowedDeviation`: the allowed deviation, %.
        public var allowedDeviation: DecimalValue
        /// `actualDeviation`: (fact − plan) / plan × 100, rounded to hundredths (checked, DG3020).
        public var actualDeviation: DecimalValue
        /// `deviationReason`: why the deviation exceeds the allowed one (required in an annual report, DG3021).
        public var deviationReason: String?
    }

    /// A row of Section III (`qualityDetail/item`): a quality indicator's plan and fact for a service.
    public struct QualityItem: Sendable, Hashable, Codable {
        /// `serviceRegNum`: уникальный номер реестровой записи услуги.
        public var serviceRegNum: String
        /// `executor`: исполнитель услуги, when given.
        public var executor: Organization?
        /// `indicator`: the quality indicator and its unit.
        public var indicator: Indicator
        /// `planValue`: the planned value.
        public var planValue: DecimalValue
        /// `factValue`: the value on the report date.
        public var factValue: DecimalValue
        /// `allowedDeviation`: the largest allowed deviation, %.
        public var allowedDeviation: DecimalValue
        /// `actualDeviation`: the actual deviation, % (checked, DG3020).
        public var actualDeviation: DecimalValue
        /// `deviationReason`: why the deviation exceeds the allowed one (DG3021).
        public var deviationReason: String?
    }

    /// `authorizedBody`: the authorised body (уполномоченный орган), which signs the report; read only when records are
    /// kept.
    public var authorizedBody: Organization?
    /// `activityArea`: направление деятельности.
    public var activityArea: String = ""
    /// `reportingYear`: отчётный год; 0 when absent.
    public var reportingYear: Int = 0
    /// `reportDate`: the date the report is made as of («на 1 ____ 20__ г.»).
    public var reportDate: CalendarDate?
    /// `periodicity`: `quarter`, `halfYear`, `nineMonths` or `year`.
    public var periodicity: String = ""
    /// `socialOrderRef`: the social order (id and version) whose execution is reported.
    public var socialOrderRef: DocumentRef?
    /// Section I rows in document order (empty when validated with `retainRecords: false`).
    public var summaryItems: [SummaryItem] = []
    /// Section II rows in document order (empty when validated with `retainRecords: false`).
    public var detailItems: [DetailItem] = []
    /// Section III rows in document order (empty when validated with `retainRecords: false`).
    public var qualityItems: [QualityItem] = []
}

final class ExecutionReportReader: KindReader {
    var documentModel: DocumentModel { .executionReport(model) }
    static let containers: Set<String> = ["volumeSummary", "volumeDetail", "qualityDetail"]

    private let context: ReadContext
    private var f: Findings { context.findings }
    var model = ExecutionReport()
    /// Section I and Section II sums per key: the fact of Section I as written, the facts of Section II added up.
    private let keys = VolumeTable()
    private var sectionOne: [MethodVolumes?] = []
    private var sectionTwo: [MethodVolumes?] = []
    private var twoLocations: [Location?] = []
    private var detailCount = 0
    private var beyondTolerance = 0
    private var planTotals: [String: (plan: DecimalValue, fact: DecimalValue)] = [:]

    init(context: ReadContext) {
        self.context = context
    }

    func record(_ r: RecordContext, in container: String) {
        let n = r.node
        switch container {
        case "":
            // What only the summary shows is read only when it is wanted.
            if n.isNamed("authorizedBody") {
                if context.retainsRecords { model.authorizedBody = Organization(n) }
            } else if n.isNamed("activityArea") {
                model.activityArea = n.trimmedText
            } else if n.isNamed("reportingYear") {
                model.reportingYear = Int(n.trimmedText) ?? 0
            } else if n.isNamed("reportDate") {
                model.reportDate = CalendarDate(n.text)
            } else if n.isNamed("periodicity") {
                model.periodicity = n.trimmedText
            } else if n.isNamed("socialOrderRef") {
                model.socialOrderRef = DocumentRef(n)
            }
        case "volumeSummary":
            readSummary(r)
        case "volumeDetail":
            readDetail(r)
        case "qualityDetail":
            readQuality(r)
        default:
            break
        }
    }

    private func slot(_ i: Int) {
        while sectionOne.count <= i {
            sectionOne.append(nil)
            sectionTwo.append(nil)
            twoLocations.append(nil)
        }
    }

    private func readSummary(_ r: RecordContext) {
        let n = r.node
        guard let planNode = n.child("plan"), let factNode = n.child("fact") else { return }
        let plan = MethodVolumes(planNode)
        let fact = MethodVolumes(factNode)
        MethodChecks.total(plan, at: r.location(planNode), f)
        MethodChecks.total(fact, at: r.location(factNode), f)
        let i = keys.slot({ VolumeTable.writeKey(service: n.child("service")?.child("name"), place: n.child("place"),
                                                indicator: n.child("indicator"), into: &$0) },
                          location: { r.location(factNode) })
        slot(i)
        sectionOne[i] = (sectionOne[i] ?? .zero).adding(fact) ?? fact
        guard context.retainsRecords else { return }
        let item = ExecutionReport.SummaryItem(
            service: n.child("service").map(ServiceRef.init) ?? ServiceRef(name: ""),
            yearOfDetermination: n.integer("yearOfDetermination") ?? 0,
            place: n.child("place").map(Place.init) ?? Place(text: ""),
            indicator: n.child("indicator").map(Indicator.init) ?? Indicator(name: "", unitName: "", okei: ""),
            plan: plan, fact: fact)
        let okei = item.indicator.okei
        let totals = planTotals[okei] ?? (.zero, .zero)
        planTotals[okei] = (totals.plan.adding(item.plan.total) ?? totals.plan,
                            totals.fact.adding(item.fact.total) ?? totals.fact)
        model.summaryItems.append(item)
    }

    /// Section II rows: the rules read the element directly; the row's model is built only when kept.
    private func readDetail(_ r: RecordContext) {
        let n = r.node
        detailCount += 1
        let plan = n.decimal("planValue") ?? .zero
        let fact = n.decimal("factValue") ?? .zero
        let reason = n.child("deviationReason")
        if DeviationRules.check(plan: plan, fact: fact, allowed: n.decimal("allowedDeviation") ?? .zero,
                                actual: n.decimal("actualDeviation") ?? .zero, hasReason: reason?.hasText ?? false,
                                reasonRequired: model.periodicity == "year" || model.periodicity.isEmpty, record: r, f) {
            beyondTolerance += 1
        }
        let method = n.child("method").flatMap(Self.method(of:))
        if let method, method == .competition || method == .certificate, n.child("agreementRef") == nil {
            let executor = n.child("executor")?.childText("fullName") ?? ""
            f.add(.agreementRefRequired, at: r.location(child: "method"),
                  ru: "Для исполнителя «\(executor)» (\(method.title.ru)) нужна ссылка на соглашение (agreementRef)",
                  en: "Executor '\(executor)' (\(method.title.en)) needs an agreement reference (agreementRef)")
        }
        if let method {
            let service = n.child("service")
            let i = keys.slot({ VolumeTable.writeKey(service: service?.child("aggregatedServiceName") ?? service?.child("name"),
                                                    place: service?.child("place"), indicator: n.child("indicator"), into: &$0) },
                              location: { r.location() })
            slot(i)
            var sums = sectionTwo[i] ?? .zero
            if let t = sums.total.adding(fact), let m = sums[method].adding(fact) {
                sums.total = t
                sums[method] = m
                sectionTwo[i] = sums
                if twoLocations[i] == nil { twoLocations[i] = r.location() }
            } else {
                f.overflow(at: r.location(child: "factValue"))
            }
        }
        if context.retainsRecords {
            model.detailItems.append(ExecutionReport.DetailItem(
                service: n.child("service").map(Service.init) ?? Service(regNum: "", name: "", consumerCategories: []),
                executor: n.child("executor").map(Organization.init) ?? Organization(fullName: ""),
                executorRegistryEntry: n.childText("executorRegistryEntry"), method: method,
                agreementRef: n.child("agreementRef").map(DocumentRef.init),
                indicator: n.child("indicator").map(Indicator.init) ?? Indicator(name: "", unitName: "", okei: ""),
                planValue: plan, factValue: fact, allowedDeviation: n.decimal("allowedDeviation") ?? .zero,
                actualDeviation: n.decimal("actualDeviation") ?? .zero, deviationReason: reason?.trimmedText))
        }
    }

    static func method(of element: RecordElement) -> Method? {
        if element.textEquals("stateTaskBudgetAutonomous") { return .stateTaskBudgetAutonomous }
        if element.textEquals("certificate") { return .certificate }
        if element.textEquals("competition") { return .competition }
        if element.textEquals("stateTaskTreasury") { return .stateTaskTreasury }
        return nil
    }

    private func readQuality(_ r: RecordContext) {
        let n = r.node
        let item = ExecutionReport.QualityItem(
            serviceRegNum: n.string("serviceRegNum"), executor: n.child("executor").map(Organization.init),
            indicator: n.child("indicator").map(Indicator.init) ?? Indicator(name: "", unitName: "", okei: ""),
            planValue: n.decimal("planValue") ?? .zero, factValue: n.decimal("factValue") ?? .zero,
            allowedDeviation: n.decimal("allowedDeviation") ?? .zero,
            actualDeviation: n.decimal("actualDeviation") ?? .zero, deviationReason: n.childText("deviationReason"))
        if DeviationRules.check(plan: item.planValue, fact: item.factValue, allowed: item.allowedDeviation,
                                actual: item.actualDeviation, hasReason: !(item.deviationReason ?? "").isEmpty,
                                reasonRequired: model.periodicity == "year" || model.periodicity.isEmpty, record: r, f) {
            beyondTolerance += 1
        }
        if context.retainsRecords { model.qualityItems.append(item) }
    }

    func finish() {
        for i in 0..<sectionOne.count {
            let key = keys.label(i)
            if let one = sectionOne[i] {
                let two = sectionTwo[i] ?? .zero
                if let diff = MethodChecks.firstDifference(one, two) {
                    f.add(.reportSectionSums, at: keys.locations[i],
                          ru: "Раздел I, «\(key.service)», \(key.indicator): факт \(diff.ru) — \(diff.left), а сумма фактов раздела II — \(diff.right)",
                          en: "Section I, '\(key.service)', \(key.indicator): the fact for \(diff.en) is \(diff.left) but Section II facts sum to \(diff.right)")
                }
            } else if sectionTwo[i] != nil {
                f.add(.reportSectionSums, at: twoLocations[i],
                      ru: "Для строк раздела II («\(key.service)», \(key.indicator)) нет строки в разделе I",
                      en: "Section II rows ('\(key.service)', \(key.indicator)) have no Section I row")
            }
        }
    }

    func summary(into s: inout DocumentSummary) {
        s.party("Уполномоченный орган", "Authorised body", model.authorizedBody)
        s.figure("Направление деятельности", "Activity area", model.activityArea)
        s.figure("Отчётный год", "Reporting year", String(model.reportingYear))
        s.figure("Отчёт на дату", "As of", model.reportDate?.description)
        s.figure("Периодичность", "Periodicity", model.periodicity)
        s.figure("Строк раздела II (исполнители)", "Section II rows (executors)", String(detailCount))
        s.figure("Строк с отклонением сверх допустимого", "Rows beyond the allowed deviation", String(beyondTolerance))
        for (okei, t) in planTotals.sorted(by: { $0.key < $1.key }) {
            s.figure("Раздел I, ОКЕИ \(okei): план / факт", "Section I, ОКЕИ \(okei): plan / fact", "\(t.plan) / \(t.fact)")
        }
        s.reference("Социальный заказ", "Social order", model.socialOrderRef)
    }
}

/// DG3020 and DG3021, for volume and quality rows of reports.
enum DeviationRules {
    /// The deviation the acts define: (fact − plan) / plan × 100, to hundredths, half away from zero.
    static func expected(plan: DecimalValue, fact: DecimalValue) -> DecimalValue? {
        if plan.isZero { return fact.isZero ? .zero : nil }
        guard let diff = fact.subtracting(plan), let scaled = diff.multiplied(by: .hundred) else { return nil }
        return scaled.divided(by: plan, places: 2)
    }

    /// Checks one row; returns true when the row is beyond its tolerance.
    @discardableResult
    /// - Parameter reasonRequired: a deviation beyond the tolerance needs its reason now (an annual report); in an
    ///   interim report it may still be made up before the year's end.
    static func check(plan: DecimalValue, fact: DecimalValue, allowed: DecimalValue, actual: DecimalValue,
                      hasReason: Bool, reasonRequired: Bool = true, record r: RecordContext, _ f: Findings) -> Bool {
        guard let expected = expected(plan: plan, fact: fact) else {
            // Plan is zero and fact is not: the deviation is undefined and must be explained.
            if !hasReason {
                f.add(.actualDeviation, at: r.location(child: "planValue"),
                      ru: "План равен нулю, а факт \(fact): отклонение не определено, нужна причина (deviationReason)",
                      en: "The plan is zero and the fact is \(fact): the deviation is undefined and needs a reason (deviationReason)")
            }
            return true
        }
        if expected != actual {
            f.add(.actualDeviation, at: r.location(child: "actualDeviation"),
                  ru: "Фактическое отклонение \(actual) %, а по плану \(plan) и факту \(fact) должно быть \(expected) %",
                  en: "Actual deviation is \(actual) % but plan \(plan) and fact \(fact) give \(expected) %")
        }
        let beyond = allowed < expected.magnitude
        if beyond && !hasReason && reasonRequired {
            f.add(.deviationReason, at: r.location(child: "actualDeviation"),
                  ru: "Отклонение \(expected) % больше допустимого \(allowed) %, но причина (deviationReason) не указана",
                  en: "Deviation \(expected) % exceeds the allowed \(allowed) % but no reason (deviationReason) is given")
        }
        return beyond
    }
}
