import DocgateXML

extension ServiceAssignment {
    /// `standard`: the act approving the service's standard (Н-2): its type, number, date and name.
    public struct Standard: Sendable, Hashable, Codable {
        /// `type`: «Приказ», «Постановление», …
        public var type: String
        /// `number`: the act's number.
        public var number: String
        /// `date`: the act's date.
        public var date: CalendarDate?
        /// `name`: its title.
        public var name: String
    }

    /// One component K1…K4 of the normative: base × factor = value.
    public struct NormativeComponent: Sendable, Hashable, Codable {
        /// `base`: the base amount, roubles.
        public var base: DecimalValue?
        /// `factor`: the factor applied to it.
        public var factor: DecimalValue?
        /// `value`: base × factor, to kopecks.
        public var value: DecimalValue?
    }

    /// `normativeCalculation`: the normative cost per recipient N = K1 + K2 + K3 + K4.
    public struct Normative: Sendable, Hashable, Codable {
        /// K1…K4 in order (absent ones have no figures).
        public var components: [NormativeComponent]
        /// `n`: the normative, roubles.
        public var n: DecimalValue?
    }

    /// `recipientForecast/group`: a group's recipients now and forecast, the demand index K and the forecast C1.
    public struct ForecastGroup: Sendable, Hashable, Codable {
        /// `name`: the group of recipients.
        public var name: String
        /// `c0`: recipients at the start of the year.
        public var c0: DecimalValue?
        /// `p`: recipients who joined during the year.
        public var p: DecimalValue?
        /// `c0Forecast`: the forecast C'0.
        public var c0Forecast: DecimalValue?
        /// `pForecast`: the forecast П'.
        public var pForecast: DecimalValue?
        /// `k`: the demand index (C0 + П) / (C'0 + П').
        public var k: DecimalValue?
        /// `c1`: the forecast of recipients (C0 + П) × K.
        public var c1: DecimalValue?
    }
}

extension ServiceAssignment.Standard {
    init(_ n: RecordElement) {
        type = n.string("type")
        number = n.string("number")
        date = n.date("date")
        name = n.string("name")
    }
}

extension ServiceAssignment.Normative {
    init(_ n: RecordElement) {
        components = (["k1", "k2", "k3", "k4"] as [StaticString]).map { name in
            let c = n.child(name)
            return ServiceAssignment.NormativeComponent(base: c?.decimal("base"), factor: c?.decimal("factor"),
                                                        value: c?.decimal("value"))
        }
        self.n = n.decimal("n")
    }
}

extension ServiceAssignment.ForecastGroup {
    init(_ g: RecordElement) {
        name = g.string("name")
        c0 = g.decimal("c0")
        p = g.decimal("p")
        c0Forecast = g.decimal("c0Forecast")
        pForecast = g.decimal("pForecast")
        k = g.decimal("k")
        c1 = g.decimal("c1")
    }
}
