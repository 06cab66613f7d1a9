import DocgateDocuments
import Testing

/// The regulation's computations against figures checked by hand (the working is in each comment).
@Suite struct ComputationTests {
    func d(_ s: String) -> DecimalValue { DecimalValue(s)! }

    @Test func annex9NormativeAndItsForecastYears() throws {
        let r = try Computations.normative(.init(
            p: d("1200.00"), d: d("1.085"),       // K1 = 1302.000 → 1302.00
            kpl: d("350.40"), rtar: d("1.12"),     // K2 = 392.448 → 392.45
            kot: d("5400.00"), rot: d("1.065"),    // K3 = 5751.000 → 5751.00
            kvp: d("120.55"), rvp: d("1.05"),      // K4 = 126.5775 → 126.58
            forecastDeflators: [d("1.06"), d("1.05")]))
        #expect(r.k1 == d("1302.00") && r.k2 == d("392.45") && r.k3 == d("5751.00") && r.k4 == d("126.58"))
        #expect(r.n == d("7572.03"))                     // 1302.00 + 392.45 + 5751.00 + 126.58
        #expect(r.forecast == [d("8026.35"), d("8427.67")]) // 7572.03 × 1.06 = 8026.3518; × 1.05 = 8427.6675
    }

    @Test func annex8ExtrapolationSumsGroupsCategoriesAndElements() throws {
        typealias S = Computations.ServiceInput
        let service = S(name: "Социальное обслуживание на дому", elements: [
            .init(name: "Социально-бытовые услуги", categories: [
                .init(name: "Пенсионеры", groups: [
                    // K = 125 / 122 = 1.02459… → 1.0246; C1 = 125 × 1.0246 = 128.075 → 128
                    .init(name: "Одинокие", c0: d("120"), p: d("5"), c0Forecast: d("118"), pForecast: d("4")),
                    // K = 38 / 42 = 0.90476… → 0.9048; C1 = 38 × 0.9048 = 34.3824 → 34
                    .init(name: "Маломобильные", c0: d("40"), p: d("-2"), c0Forecast: d("42"), pForecast: d("0")),
                ]),
                .init(name: "Инвалиды", groups: [
                    // K = 10 / 10 = 1.0000; C1 = 10
                    .init(name: "I группа", c0: d("10"), p: d("0"), c0Forecast: d("10"), pForecast: d("0")),
                ]),
            ]),
            .init(name: "Социально-медицинские услуги", categories: [
                .init(name: "Пенсионеры", groups: [
                    // K = 50 / 40 = 1.25; C1 = 62.5 → 63 (half away from zero)
                    .init(name: "Все", c0: d("50"), p: d("0"), c0Forecast: d("40"), pForecast: d("0")),
                ]),
            ]),
        ])
        let r = try Computations.recipients(service)
        let groups = r.elements[0].categories[0].groups
        #expect(groups.map(\.k) == [d("1.0246"), d("0.9048")])
        #expect(groups.map(\.c1) == [d("128"), d("34")])
        #expect(r.elements[0].categories.map(\.total) == [d("162"), d("10")])
        #expect(r.elements.map(\.total) == [d("172"), d("63")])
        #expect(r.total == d("235"))
    }

    @Test func indexWithoutForecastIsAnError() {
        #expect(throws: Computations.Failure.divisionByZero("C'0 + П' of Новая")) {
            try Computations.extrapolate(.init(name: "Новая", c0: d("5"), p: d("1"), c0Forecast: d("0"), pForecast: d("0")))
        }
    }

    @Test func segmentModelSumsTerritories() throws {
        let r = try Computations.segments([
            .init(name: "Томск", c0: d("1000"), k: d("1.02")),       // 1020
            .init(name: "Северск", c0: d("333"), k: d("1.015")),     // 337.995 → 338
            .init(name: "Колпашево", c0: d("45")),                   // unconditional index 1 → 45
        ])
        #expect(r.segments.map(\.c1) == [d("1020"), d("338"), d("45")])
        #expect(r.total == d("1403"))
    }

    @Test func collectiveModelTakesTheNorm() {
        let r = Computations.collective(norms: [("Дети до 14 лет", d("5400"))])
        #expect(r.first?.recipients == d("5400"))
    }

    @Test func assignmentCostsAndNormatives() throws {
        let r = try Computations.assignment(.init(
            byKEK: ["210": d("1000000.00"), "220": d("2500.50"), "290": d("300.25")],
            recipients: d("150"), reachedByEvents: d("1200"), eventCosts: d("24000.00")))
        #expect(r.total == d("1002800.75"))         // 1000000.00 + 2500.50 + 300.25
        #expect(r.perRecipient == d("6685.34"))     // 1002800.75 / 150 = 6685.3383…
        #expect(r.perReached == d("20.00"))         // 24000.00 / 1200
        let none = try Computations.assignment(.init(byKEK: [:], recipients: d("0"), reachedByEvents: d("0")))
        #expect(none.perRecipient == nil && none.perReached == nil && none.total == d("0"))
    }
}
