import DocgateCore
import DocgateXML

/// Builds an execution report from a social order and the facts of its executors (issue 5, item 3): the plan is
/// the order's, deviations are computed, rows beyond the allowed deviation without a reason are named.
public enum ReportBuilder {
    /// One executor's fact for one service and method (a line of the facts CSV).
    public struct Fact: Sendable, Hashable {
        /// The service's уникальный номер реестровой записи, as in the order's Section II.
        public var regNum: String
        /// How the executor was determined.
        public var method: Method
        /// The executor's name.
        public var executorName: String
        /// The executor's ИНН.
        public var executorINN: String
        /// The executor's КПП, when given.
        public var executorKPP: String?
        /// The executor's ОГРН, when given.
        public var executorOGRN: String?
        /// The executor's plan; taken from the order when only one executor reports this service and method.
        public var plan: DecimalValue?
        /// The volume reached in the report's period.
        public var fact: DecimalValue
        /// The number of the agreement with the executor; required with its date for competition and certificates.
        public var agreementNumber: String?
        /// The date of that agreement.
        public var agreementDate: CalendarDate?
        /// Why the fact deviates beyond the allowed deviation, when it does.
        public var deviationReason: String?

        /// A fact from its columns; only the service, method, executor and fact are required.
        public init(regNum: String, method: Method, executorName: String, executorINN: String, executorKPP: String? = nil,
                    executorOGRN: String? = nil, plan: DecimalValue? = nil, fact: DecimalValue, agreementNumber: String? = nil,
                    agreementDate: CalendarDate? = nil, deviationReason: String? = nil) {
            self.regNum = regNum; self.method = method; self.executorName = executorName; self.executorINN = executorINN
            self.executorKPP = executorKPP; self.executorOGRN = executorOGRN; self.plan = plan; self.fact = fact
            self.agreementNumber = agreementNumber; self.agreementDate = agreementDate; self.deviationReason = deviationReason
        }
    }

    /// The report cannot be built from these inputs (a wrong date, a service not in the order, a plan missing or zero).
    public struct Failure: Error, Sendable {
        /// What is wrong, with the line of the facts when it concerns one, in Russian and English.
        public var message: LocalizedText
    }

    /// A built report.
    public struct Result: Sendable {
        /// The execution report, UTF-8, indented.
        public var bytes: [UInt8]
        /// Its root `id`, as given.
        public var id: String
        /// Rows beyond the allowed deviation that still need a reason (line of the facts, service, executor, deviation).
        public var needReason: [(row: Int, service: String, executor: String, deviation: DecimalValue, allowed: DecimalValue)]
        /// For an interim report whose plans came from the order (which plans by year only): what the facts were
        /// compared with.
        public var planNote: LocalizedText? = nil
    }

    /// Months of the year an interim report covers, by its periodicity.
    static let months = ["quarter": 3, "halfYear": 6, "nineMonths": 9, "year": 12]

    /// The periodicity a report as of `date` for `year` has: 1 April, 1 July, 1 October of the year, or 1 January
    /// of the next year.
    public static func periodicity(year: Int, asOf d: CalendarDate) -> String? {
        switch (d.year, d.month, d.day) {
        case (year, 4, 1): "quarter"
        case (year, 7, 1): "halfYear"
        case (year, 10, 1): "nineMonths"
        case (year + 1, 1, 1): "year"
        default: nil
        }
    }

    static func failure(_ ru: String, _ en: String) -> Failure { Failure(message: LocalizedText(ru: ru, en: en)) }

    /// The execution report of `order` for `year` as of `asOf` (1 April, 1 July, 1 October or the next 1 January, which
    /// gives the periodicity), with root `id` and `createdAt` as given.
    public static func build(order: SocialOrder, orderId: String, orderHeader: DocumentHeader?, facts: [Fact], year: Int,
                             asOf: CalendarDate, id: String, createdAt: String) throws(Failure) -> Result {
        guard let periodicity = periodicity(year: year, asOf: asOf) else {
            throw failure("дата отчёта должна быть 1 апреля, 1 июля, 1 октября \(year) г. или 1 января \(year + 1) г.",
                          "the report date must be 1 April, 1 July, 1 October \(year) or 1 January \(year + 1)")
        }
        guard let authority = order.authorizedBody else { throw failure("в заказе нет уполномоченного органа", "the order has no authorised body") }
        // The order's Section II rows for the year, by registry number.
        var rows: [String: (item: SocialOrder.VolumeItem, volumes: MethodVolumes)] = [:]
        for item in order.volumeItems {
            if let yv = item.yearValues.first(where: { $0.year == year }) { rows[item.service.regNum] = (item, yv.volumes) }
        }
        var perKey: [String: Int] = [:]
        for f in facts { perKey[f.regNum + "\u{0}" + f.method.rawValue, default: 0] += 1 }
        struct Line { var fact: Fact; var row: SocialOrder.VolumeItem; var plan: DecimalValue; var deviation: DecimalValue; var index: Int }
        var lines: [Line] = []
        var proRata = false
        for (index, f) in facts.enumerated() {
            guard let (item, volumes) = rows[f.regNum] else {
                throw failure("строка \(index + 1): в заказе нет услуги \(f.regNum) на \(year) год", "line \(index + 1): the order has no service \(f.regNum) for \(year)")
            }
            var plan = f.plan
            if plan == nil {
                guard perKey[f.regNum + "\u{0}" + f.method.rawValue] == 1 else {
                    throw failure("строка \(index + 1): услугу \(f.regNum) способом \(f.method.rawValue) оказывают несколько исполнителей — укажите план каждого",
                                  "line \(index + 1): several executors provide \(f.regNum) by \(f.method.rawValue) — give each one's plan")
                }
                plan = volumes[keyPath: Register.path(f.method)]
            }
            // Plans are the year's (the order plans by year, the CSV's plan column is the executor's for the year): an
            // interim report compares with the year's plan pro rata to the months it covers (Q1: 3/12), and says so.
            let covered = Self.months[periodicity] ?? 12
            if covered < 12, let annual = plan {
                // Exact to two more places than the year's plan (102.5 of 410, 0.25 of 1), never rounded away.
                plan = annual.multiplied(by: DecimalValue(covered))?.divided(by: DecimalValue(12), places: annual.scale + 2)
                proRata = true
            }
            guard let plan, !plan.isZero else {
                throw failure("строка \(index + 1): план по услуге \(f.regNum) способом \(f.method.rawValue) равен нулю", "line \(index + 1): the plan for \(f.regNum) by \(f.method.rawValue) is zero")
            }
            if (f.method == .competition || f.method == .certificate) && (f.agreementNumber == nil || f.agreementDate == nil) {
                throw failure("строка \(index + 1): для способа \(f.method.rawValue) нужны номер и дата соглашения",
                              "line \(index + 1): the \(f.method.rawValue) method needs the agreement's number and date")
            }
            guard let diff = f.fact.subtracting(plan), let scaled = diff.multiplied(by: .hundred),
                  let deviation = scaled.divided(by: plan, places: 2) else { throw failure("числа слишком велики", "numbers too large") }
            lines.append(Line(fact: f, row: item, plan: plan, deviation: deviation, index: index + 1))
        }
        var needReason: [(Int, String, String, DecimalValue, DecimalValue)] = []
        do throws(XMLWriterError) {
            let w = try XMLWriter(encoding: .utf8, indent: true)
            try w.start("executionReport", namespace: DocumentKind.executionReport.namespace)
            try w.attribute("id", id)
            try w.attribute("formatVersion", "1.0")
            try w.start("header")
            try w.element("number", text: String(("ОТЧ-" + (orderHeader?.number ?? "")).prefix(50)))
            try w.element("date", text: asOf.description)
            try w.element("createdAt", text: createdAt)
            try w.element("version", text: "1")
            try w.element("status", text: "draft")
            try w.end()
            try organization(w, "authorizedBody", authority)
            try w.element("activityArea", text: order.activityArea)
            try w.element("reportingYear", text: String(year))
            try w.element("reportDate", text: asOf.description)
            try w.element("periodicity", text: periodicity)
            try w.start("socialOrderRef")
            try w.element("kind", text: "socialOrder")
            try w.element("id", text: orderId)
            try w.element("number", text: orderHeader?.number ?? "")
            if let d = orderHeader?.date { try w.element("date", text: d.description) }
            try w.element("version", text: String(orderHeader?.version ?? 1))
            try w.end()
            // Section I: the order's plan per aggregated service; facts summed from Section II.
            try w.start("volumeSummary")
            for g in order.generalItems where g.year == year {
                var fact = MethodVolumes.zero
                // A fact belongs to the Section I row of its aggregated service, place and indicator — the key rule
                // DG3022 sums by — so one service ordered in two places gets each place's facts, not all of them.
                for l in lines where (l.row.service.aggregatedServiceName ?? l.row.aggregatedService) == g.service.name
                    && l.row.indicator.okei == g.indicator.okei && l.row.indicator.name == g.indicator.name
                    && g.place.matches(l.row.service.place) {
                    let path = Register.writablePath(l.fact.method)
                    fact[keyPath: path] = fact[keyPath: path].adding(l.fact.fact) ?? fact[keyPath: path]
                    fact.total = fact.total.adding(l.fact.fact) ?? fact.total
                }
                try w.start("item")
                try w.start("service")
                try w.element("name", text: g.service.name)
                if let r = g.service.regNum { try w.element("regNum", text: r) }
                try w.end()
                try w.element("yearOfDetermination", text: String(g.yearOfDetermination))
                try place(w, g.place)
                try indicator(w, g.indicator)
                try volumes(w, "plan", g.volumes)
                try volumes(w, "fact", fact)
                try w.end()
            }
            try w.end()
            // Section II: one row per executor, service and method.
            try w.start("volumeDetail")
            for l in lines {
                let s = l.row.service
                try w.start("item")
                try w.start("service")
                try w.element("regNum", text: s.regNum)
                try w.element("name", text: s.name)
                try w.element("aggregatedServiceName", optional: s.aggregatedServiceName ?? l.row.aggregatedService)
                try w.element("conditions", optional: s.conditions)
                for c in s.consumerCategories { try w.element("consumerCategory", text: c) }
                if let p = s.place { try place(w, p) }
                try w.end()
                try organization(w, "executor", Organization(fullName: l.fact.executorName, inn: l.fact.executorINN,
                                                              kpp: l.fact.executorKPP, ogrn: l.fact.executorOGRN))
                try w.element("method", text: l.fact.method.rawValue)
                if let number = l.fact.agreementNumber, let date = l.fact.agreementDate {
                    try w.start("agreementRef")
                    try w.element("kind", text: "agreement")
                    try w.element("number", text: number)
                    try w.element("date", text: date.description)
                    try w.end()
                }
                try indicator(w, l.row.indicator)
                try w.element("planValue", text: l.plan.description)
                try w.element("factValue", text: l.fact.fact.description)
                try w.element("allowedDeviation", text: l.row.allowedDeviation.description)
                try w.element("actualDeviation", text: l.deviation.formatted(places: 2))
                if let reason = l.fact.deviationReason, !reason.isEmpty {
                    try w.element("deviationReason", text: reason)
                } else if periodicity == "year", l.deviation.magnitude > l.row.allowedDeviation {
                    // A reason is owed for the year; an interim deviation may still be made up before its end.
                    needReason.append((l.index, s.name, l.fact.executorName, l.deviation, l.row.allowedDeviation))
                }
                try w.end()
            }
            try w.end()
            try w.end()
            let covered = Self.months[periodicity] ?? 12
            let note = proRata ? LocalizedText(
                ru: "промежуточный отчёт: планы годовые, факт сравнивается с годовым планом в доле отчётного периода (\(covered)/12); причины отклонений требуются в годовом отчёте",
                en: "interim report: plans are for the year, so facts are compared with the year's plan pro rata to the period (\(covered)/12); reasons for deviations are due in the annual report") : nil
            return Result(bytes: try w.finish(), id: id, needReason: needReason, planNote: note)
        } catch {
            throw failure("не удалось записать отчёт", "cannot write the report")
        }
    }

    static func organization(_ w: XMLWriter, _ tag: String, _ o: Organization) throws(XMLWriterError) {
        try w.start(tag)
        try w.element("fullName", text: o.fullName)
        try w.element("shortName", optional: o.shortName)
        if let inn = o.inn, inn.count == 10 {
            try w.element("inn", text: inn)
            try w.element("kpp", optional: o.kpp)
            try w.element("ogrn", optional: o.ogrn)
        } else if let inn = o.inn ?? o.innFl {
            try w.element("innFl", text: inn)
            try w.element("ogrnip", optional: o.ogrnip ?? o.ogrn)
        }
        try w.end()
    }

    static func place(_ w: XMLWriter, _ p: Place) throws(XMLWriterError) {
        try w.start("place")
        try w.element("oktmo", optional: p.oktmo)
        try w.element("text", text: p.text)
        try w.end()
    }

    static func indicator(_ w: XMLWriter, _ i: Indicator) throws(XMLWriterError) {
        try w.start("indicator")
        try w.attribute("okei", i.okei)
        try w.element("name", text: i.name)
        try w.element("unitName", text: i.unitName)
        try w.end()
    }

    static func volumes(_ w: XMLWriter, _ tag: String, _ v: MethodVolumes) throws(XMLWriterError) {
        try w.start(tag)
        try w.element("total", text: v.total.description)
        try w.element("stateTaskTreasury", text: v.stateTaskTreasury.description)
        try w.element("stateTaskBudgetAutonomous", text: v.stateTaskBudgetAutonomous.description)
        try w.element("competition", text: v.competition.description)
        try w.element("certificate", text: v.certificate.description)
        try w.end()
    }
}

extension Register {
    static func writablePath(_ m: Method) -> WritableKeyPath<MethodVolumes, DecimalValue> {
        switch m {
        case .stateTaskTreasury: \.stateTaskTreasury
        case .stateTaskBudgetAutonomous: \.stateTaskBudgetAutonomous
        case .competition: \.competition
        case .certificate: \.certificate
        }
    }
}
