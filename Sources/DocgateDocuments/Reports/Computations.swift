/// The computations of the Tomsk regulation (пост. Администрации Томской обл. № 36а от 05.03.2007): the financial
/// normative of Annex 9 and the recipient models of Annex 8, in exact decimals.
///
/// Rounding, documented once: the seed's formulas are exact, so each result is computed exactly and rounded once,
/// at the end — money to kopecks and head counts to whole persons, half away from zero. What is shown on the way
/// (the components K1–K4 of a normative, a demand index K, a territory's share) is shown rounded (kopecks, 4 places,
/// 2 places) but never fed back: N is the rounded exact sum, C1 the rounded exact (C0 + П)² / (C'0 + П'), the
/// segment total the rounded exact Σ C0z·Kz.
public enum Computations {
    /// Why a computation has no result.
    public enum Failure: Error, Sendable, Hashable, CustomStringConvertible {
        /// A denominator is zero (C'0 + П' = 0 for an index).
        case divisionByZero(String)
        /// The values are too large to compute exactly.
        case overflow(String)
        /// A head count, cost or coefficient below zero (or a sum of them that must not be).
        case negative(String)
        /// Input the formula does not use (a third forecast deflator, a cost article outside З-1).
        case unused(String)
        /// Input the formula needs and the data leave out (the event costs of З-2.2).
        case missing(String)

        /// The stable code of each failure.
        public var code: String {
            switch self {
            case .divisionByZero: "DG3093"
            case .negative: "DG3094"
            case .unused: "DG3095"
            case .missing: "DG3096"
            case .overflow: "DG3099"
            }
        }

        /// The failure in English with what it concerns: `division by zero: C'0 + П' of …`.
        public var description: String {
            switch self {
            case .divisionByZero(let what): "division by zero: \(what)"
            case .overflow(let what): "values too large: \(what)"
            case .negative(let what): "below zero, where the formula needs zero or more: \(what)"
            case .unused(let what): "not used by the formula: \(what)"
            case .missing(let what): "needed by the formula and not given: \(what)"
            }
        }
    }

    /// Any key of a JSON object.
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// A field the input does not define is refused (a misspelt "forecastDeflator" would otherwise vanish unseen).
    static func refuseUnknownKeys(_ decoder: any Decoder, known: [String]) throws {
        let all = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        if let unknown = all.sorted().first(where: { !known.contains($0) }) {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [AnyKey(stringValue: unknown)!],
                                                    debugDescription: "not a field of this input (the fields are \(known.joined(separator: ", ")))"))
        }
    }

    static func nonNegative(_ value: DecimalValue, _ what: String) throws(Failure) {
        if value.isNegative { throw .negative("\(what) = \(value)") }
    }

    static func multiply(_ a: DecimalValue, _ b: DecimalValue, _ what: String) throws(Failure) -> DecimalValue {
        guard let p = a.multiplied(by: b) else { throw .overflow(what) }
        return p
    }

    static func add(_ a: DecimalValue, _ b: DecimalValue, _ what: String) throws(Failure) -> DecimalValue {
        guard let s = a.adding(b) else { throw .overflow(what) }
        return s
    }

    // MARK: Annex 9: the financial normative

    /// The inputs of Annex 9 for one budget service, all for the reporting period.
    public struct NormativeInput: Sendable, Hashable, Codable {
        /// P: costs of goods and materials (component K1) in the reporting period.
        public var p: DecimalValue
        /// D: the deflator of the Ministry of Economic Development.
        public var d: DecimalValue
        /// Kпл: utility costs (component K2).
        public var kpl: DecimalValue
        /// Rтар: the utility tariff correction.
        public var rtar: DecimalValue
        /// Kот.н: pay and contributions (component K3).
        public var kot: DecimalValue
        /// Rот.н: the indexation of K3.
        public var rot: DecimalValue
        /// Kвп: benefits and payments (component K4).
        public var kvp: DecimalValue
        /// Rвп: the indexation of K4.
        public var rvp: DecimalValue
        /// Forecast deflators of the second and third planning years (zero, one or two values).
        public var forecastDeflators: [DecimalValue]

        /// Inputs from their values; no forecast years unless deflators are given.
        public init(p: DecimalValue, d: DecimalValue, kpl: DecimalValue, rtar: DecimalValue, kot: DecimalValue, rot: DecimalValue,
                    kvp: DecimalValue, rvp: DecimalValue, forecastDeflators: [DecimalValue] = []) {
            self.p = p; self.d = d; self.kpl = kpl; self.rtar = rtar; self.kot = kot; self.rot = rot; self.kvp = kvp; self.rvp = rvp
            self.forecastDeflators = forecastDeflators
        }

        private enum CodingKeys: String, CodingKey, CaseIterable { case p, d, kpl, rtar, kot, rot, kvp, rvp, forecastDeflators }

        /// `forecastDeflators` may be left out (no forecast years).
        public init(from decoder: any Decoder) throws {
            try Computations.refuseUnknownKeys(decoder, known: CodingKeys.allCases.map(\.stringValue))
            let c = try decoder.container(keyedBy: CodingKeys.self)
            p = try c.decode(DecimalValue.self, forKey: .p)
            d = try c.decode(DecimalValue.self, forKey: .d)
            kpl = try c.decode(DecimalValue.self, forKey: .kpl)
            rtar = try c.decode(DecimalValue.self, forKey: .rtar)
            kot = try c.decode(DecimalValue.self, forKey: .kot)
            rot = try c.decode(DecimalValue.self, forKey: .rot)
            kvp = try c.decode(DecimalValue.self, forKey: .kvp)
            rvp = try c.decode(DecimalValue.self, forKey: .rvp)
            forecastDeflators = try c.decodeIfPresent([DecimalValue].self, forKey: .forecastDeflators) ?? []
        }
    }

    /// The financial normative and its components, money rounded to kopecks.
    public struct NormativeResult: Sendable, Hashable, Codable {
        /// K1 = P × D, roubles, shown to kopecks (N sums the exact components).
        public var k1: DecimalValue
        /// K2 = Kпл × Rтар, roubles, to kopecks.
        public var k2: DecimalValue
        /// K3 = Kот.н × Rот.н, roubles, to kopecks.
        public var k3: DecimalValue
        /// K4 = Kвп × Rвп, roubles, to kopecks.
        public var k4: DecimalValue
        /// N for the next year (formula 1).
        public var n: DecimalValue
        /// N for the second and third planning years: each year's N times that year's forecast deflator.
        public var forecast: [DecimalValue]
    }

    /// N = K1 + K2 + K3 + K4 with K1 = P·D, K2 = Kпл·Rтар, K3 = Kот.н·Rот.н, K4 = Kвп·Rвп, summed exactly and
    /// rounded once to kopecks (the components are shown to kopecks); the second and third years' N = N × that
    /// year's forecast deflator (and the one before), from the exact N, rounded once. At most two forecast
    /// deflators; no input below zero.
    public static func normative(_ i: NormativeInput) throws(Failure) -> NormativeResult {
        for (value, name) in [(i.p, "P"), (i.d, "D"), (i.kpl, "Kпл"), (i.rtar, "Rтар"), (i.kot, "Kот.н"), (i.rot, "Rот.н"),
                              (i.kvp, "Kвп"), (i.rvp, "Rвп")] {
            try nonNegative(value, name)
        }
        for (n, deflator) in i.forecastDeflators.enumerated() { try nonNegative(deflator, "forecastDeflators[\(n)]") }
        if i.forecastDeflators.count > 2 {
            throw .unused("forecastDeflators: \(i.forecastDeflators.count) given, the formula uses those of the second and third planning years only")
        }
        let k1 = try multiply(i.p, i.d, "K1 = P × D")
        let k2 = try multiply(i.kpl, i.rtar, "K2 = Kпл × Rтар")
        let k3 = try multiply(i.kot, i.rot, "K3 = Kот.н × Rот.н")
        let k4 = try multiply(i.kvp, i.rvp, "K4 = Kвп × Rвп")
        let exact = try add(try add(k1, k2, "N"), try add(k3, k4, "N"), "N")
        var forecast: [DecimalValue] = []
        var previous = exact
        for (year, deflator) in i.forecastDeflators.enumerated() {
            previous = try multiply(previous, deflator, "N of planning year \(year + 2)")
            forecast.append(previous.rounded(2))
        }
        return NormativeResult(k1: k1.rounded(2), k2: k2.rounded(2), k3: k3.rounded(2), k4: k4.rounded(2), n: exact.rounded(2),
                               forecast: forecast)
    }

    // MARK: Annex 8: recipients

    /// One group of recipients in the extrapolation model.
    public struct GroupInput: Sendable, Hashable, Codable {
        /// The group's name.
        public var name: String
        /// C0: the actual number in the reporting period.
        public var c0: DecimalValue
        /// П: the actual growth in the reporting period over the one before.
        public var p: DecimalValue
        /// C'0: the forecast number for the reporting period.
        public var c0Forecast: DecimalValue
        /// П': the forecast growth for the reporting period.
        public var pForecast: DecimalValue

        /// A group from its name and the four numbers of the model.
        public init(name: String, c0: DecimalValue, p: DecimalValue, c0Forecast: DecimalValue, pForecast: DecimalValue) {
            self.name = name; self.c0 = c0; self.p = p; self.c0Forecast = c0Forecast; self.pForecast = pForecast
        }
    }

    /// One group's demand index and planned number.
    public struct GroupResult: Sendable, Hashable, Codable {
        /// The group's name, as given.
        public var name: String
        /// K = (C0 + П) / (C'0 + П').
        public var k: DecimalValue
        /// C1 = (C0 + П) × K, whole persons.
        public var c1: DecimalValue
    }

    /// Formula (1.1) and (1): the demand index and the planned number of one group. K is shown to `indexPlaces`;
    /// C1 = (C0 + П) × K is computed from the exact K, (C0 + П)² / (C'0 + П'), and rounded once to whole persons.
    /// Head counts (C0, C'0) and the numbers with growth (C0 + П, C'0 + П') are never below zero; П and П' may be.
    public static func extrapolate(_ g: GroupInput, indexPlaces: Int = 4) throws(Failure) -> GroupResult {
        try nonNegative(g.c0, "C0 of \(g.name)")
        try nonNegative(g.c0Forecast, "C'0 of \(g.name)")
        let actual = try add(g.c0, g.p, "C0 + П of \(g.name)")
        let forecast = try add(g.c0Forecast, g.pForecast, "C'0 + П' of \(g.name)")
        try nonNegative(actual, "C0 + П of \(g.name)")
        try nonNegative(forecast, "C'0 + П' of \(g.name)")
        if forecast.isZero { throw .divisionByZero("C'0 + П' of \(g.name)") }
        guard let k = actual.divided(by: forecast, places: indexPlaces) else { throw .overflow("K of \(g.name)") }
        let square = try multiply(actual, actual, "C1 of \(g.name)")
        guard let c1 = square.divided(by: forecast, places: 0) else { throw .overflow("C1 of \(g.name)") }
        return GroupResult(name: g.name, k: k, c1: c1)
    }

    /// A service with its elements, categories and groups (the model's levels).
    public struct ServiceInput: Sendable, Hashable, Codable {
        /// The service's name.
        public var name: String
        /// Its elements, each with categories of groups.
        public var elements: [ElementInput]

        /// A service from its name and elements.
        public init(name: String, elements: [ElementInput]) {
            self.name = name
            self.elements = elements
        }

        /// An element of the service (the model's second level).
        public struct ElementInput: Sendable, Hashable, Codable {
            /// The element's name.
            public var name: String
            /// Its categories of recipients.
            public var categories: [CategoryInput]

            /// An element from its name and categories.
            public init(name: String, categories: [CategoryInput]) {
                self.name = name
                self.categories = categories
            }
        }

        /// A category of recipients (the model's third level), made of groups.
        public struct CategoryInput: Sendable, Hashable, Codable {
            /// The category's name.
            public var name: String
            /// Its groups.
            public var groups: [GroupInput]

            /// A category from its name and groups.
            public init(name: String, groups: [GroupInput]) {
                self.name = name
                self.groups = groups
            }
        }
    }

    /// The planned recipients of a service, by element, category and group, in whole persons.
    public struct ServiceResult: Sendable, Hashable, Codable {
        /// The service's name, as given.
        public var name: String
        /// СБ1 = Σ СЭ1.
        public var total: DecimalValue
        /// Its elements, in input order.
        public var elements: [ElementResult]

        /// An element's planned recipients.
        public struct ElementResult: Sendable, Hashable, Codable {
            /// The element's name, as given.
            public var name: String
            /// СЭ1 = Σ СК1.
            public var total: DecimalValue
            /// Its categories, in input order.
            public var categories: [CategoryResult]
        }

        /// A category's planned recipients.
        public struct CategoryResult: Sendable, Hashable, Codable {
            /// The category's name, as given.
            public var name: String
            /// СК1 = Σ C1 of its groups.
            public var total: DecimalValue
            /// Its groups, in input order.
            public var groups: [GroupResult]
        }
    }

    /// Formulas (1)–(4): groups extrapolated, summed to categories, categories to elements, elements to the service.
    public static func recipients(_ s: ServiceInput, indexPlaces: Int = 4) throws(Failure) -> ServiceResult {
        var elements: [ServiceResult.ElementResult] = []
        var serviceTotal = DecimalValue.zero
        for e in s.elements {
            var categories: [ServiceResult.CategoryResult] = []
            var elementTotal = DecimalValue.zero
            for c in e.categories {
                var groups: [GroupResult] = []
                var categoryTotal = DecimalValue.zero
                for g in c.groups {
                    let r = try extrapolate(g, indexPlaces: indexPlaces)
                    groups.append(r)
                    categoryTotal = try add(categoryTotal, r.c1, "СК1 of \(c.name)")
                }
                categories.append(.init(name: c.name, total: categoryTotal, groups: groups))
                elementTotal = try add(elementTotal, categoryTotal, "СЭ1 of \(e.name)")
            }
            elements.append(.init(name: e.name, total: elementTotal, categories: categories))
            serviceTotal = try add(serviceTotal, elementTotal, "СБ1 of \(s.name)")
        }
        return ServiceResult(name: s.name, total: serviceTotal, elements: elements)
    }

    /// One territory's part in the segment model.
    public struct SegmentInput: Sendable, Hashable, Codable {
        /// The territory's name.
        public var name: String
        /// C0z: the group's number in this territory in the reporting period.
        public var c0: DecimalValue
        /// Kz: the demand index in this territory (1 for services under state guarantee programmes).
        public var k: DecimalValue

        /// A territory from its name, C0z and Kz (1 unless given).
        public init(name: String, c0: DecimalValue, k: DecimalValue = .one) {
            self.name = name; self.c0 = c0; self.k = k
        }

        private enum CodingKeys: String, CodingKey, CaseIterable { case name, c0, k }

        /// `k` may be left out: 1, as for services under state guarantee programmes.
        public init(from decoder: any Decoder) throws {
            try Computations.refuseUnknownKeys(decoder, known: CodingKeys.allCases.map(\.stringValue))
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            c0 = try c.decode(DecimalValue.self, forKey: .c0)
            k = try c.decodeIfPresent(DecimalValue.self, forKey: .k) ?? .one
        }
    }

    /// The segment model's result: each territory's share and the group's head count.
    public struct SegmentResult: Sendable, Hashable, Codable {
        /// C1z = C0z × Kz per territory, shown to 2 places (a share, not yet a head count).
        public var segments: [SegmentShare]
        /// C1 = Σ C1z, exact, rounded once to whole persons.
        public var total: DecimalValue

        /// One territory's C1z.
        public struct SegmentShare: Sendable, Hashable, Codable {
            /// The territory's name, as given.
            public var name: String
            /// C1z = C0z × Kz, to 2 places.
            public var c1: DecimalValue
        }
    }

    /// The segment model (Annex 8): C1i = Σ_z C1iz with C1iz = C0iz × Kiz. The head count is the group's C1i, so
    /// it alone is rounded to whole persons, once, from the exact sum; each territory's C1iz is shown to 2 places.
    public static func segments(_ parts: [SegmentInput]) throws(Failure) -> SegmentResult {
        var shares: [SegmentResult.SegmentShare] = []
        var total = DecimalValue.zero
        for z in parts {
            try nonNegative(z.c0, "C0 of \(z.name)")
            try nonNegative(z.k, "K of \(z.name)")
            let c1 = try multiply(z.c0, z.k, "C1 of \(z.name)")
            shares.append(.init(name: z.name, c1: c1.rounded(2)))
            total = try add(total, c1, "C1")
        }
        return SegmentResult(segments: shares, total: total.rounded(0))
    }

    /// The collective-consumption model: the number of recipients of a group is its provision norm, ЧП1 = НР1.
    public static func collective(norms: [(group: String, norm: DecimalValue)]) -> [(group: String, recipients: DecimalValue)] {
        norms.map { ($0.group, $0.norm) }
    }
}
