import DocgateDocuments
import Foundation
import Testing

/// The regulation's computations against figures checked by hand (the working is in each comment).
@Suite struct ComputationTests {
    func d(_ s: String) -> DecimalValue { DecimalValue(s)! }

    @Test func annex9NormativeAndItsForecastYears() throws {
        let r = try Computations.normative(.init(
            p: d("1200.00"), d: d("1.085"),       // K1 = 1302.000, shown 1302.00
            kpl: d("350.40"), rtar: d("1.12"),     // K2 = 392.448, shown 392.45
            kot: d("5400.00"), rot: d("1.065"),    // K3 = 5751.000, shown 5751.00
            kvp: d("120.55"), rvp: d("1.05"),      // K4 = 126.5775, shown 126.58
            forecastDeflators: [d("1.06"), d("1.05")]))
        #expect(r.k1 == d("1302.00") && r.k2 == d("392.45") && r.k3 == d("5751.00") && r.k4 == d("126.58"))
        #expect(r.n == d("7572.03"))                     // exact 7572.0255 → 7572.03
        // From the exact N: 7572.0255 × 1.06 = 8026.34703 → 8026.35; × 1.05 = 8427.6643815 → 8427.66 (not 8427.67,
        // which rounding the year before first would give: 8026.35 × 1.05 = 8427.6675).
        #expect(r.forecast == [d("8026.35"), d("8427.66")])
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

    /// Issue 16, item 7: rounded once. Four components of 0.125 each: rounded one by one they are 0.13 and sum to
    /// 0.52; the exact sum 0.500 gives 0.50. A third forecast deflator is not used by the formula: refused.
    @Test func theNormativeIsRoundedOnceAndTakesTwoDeflatorsAtMost() throws {
        let quarter = d("0.125")
        let r = try Computations.normative(.init(p: quarter, d: .one, kpl: quarter, rtar: .one, kot: quarter, rot: .one, kvp: quarter, rvp: .one))
        #expect(r.k1 == d("0.13"))      // shown to kopecks: 0.125 → 0.13
        #expect(r.n == d("0.50"))       // 0.125 × 4 = 0.500 → 0.50
        #expect(throws: Computations.Failure.self) {
            try Computations.normative(.init(p: quarter, d: .one, kpl: quarter, rtar: .one, kot: quarter, rot: .one, kvp: quarter, rvp: .one,
                                             forecastDeflators: [d("1.05"), d("1.04"), d("1.03")]))
        }
        do {
            _ = try Computations.normative(.init(p: d("-1"), d: .one, kpl: quarter, rtar: .one, kot: quarter, rot: .one, kvp: quarter, rvp: .one))
            Issue.record("a negative P was accepted")
        } catch { #expect(error.code == "DG3094" && error.description.contains("P = -1")) }
    }

    /// Issue 16, item 5: K is not rounded before C1. 500 × 500 / 460 = 543.478… → 543; with K first rounded to
    /// 1.0870, 500 × 1.0870 = 543.5 → 544. Negative head counts refused.
    @Test func c1ComesFromTheExactIndexAndHeadCountsAreNeverNegative() throws {
        let g = try Computations.extrapolate(.init(name: "Группа", c0: d("500"), p: d("0"), c0Forecast: d("460"), pForecast: d("0")))
        #expect(g.k == d("1.0870"))     // 500 / 460 = 1.086956… shown to 4 places
        #expect(g.c1 == d("543"))
        // A decline (П < 0) is a growth figure, allowed: 40 − 2 = 38; 38² / 42 = 34.38 → 34.
        #expect(try Computations.extrapolate(.init(name: "Спад", c0: d("40"), p: d("-2"), c0Forecast: d("42"), pForecast: d("0"))).c1 == d("34"))
        for bad in [Computations.GroupInput(name: "Минус", c0: d("-2"), p: d("0"), c0Forecast: d("10"), pForecast: d("0")),
                    Computations.GroupInput(name: "Убыль", c0: d("10"), p: d("-20"), c0Forecast: d("10"), pForecast: d("0")),
                    Computations.GroupInput(name: "Прогноз", c0: d("10"), p: d("0"), c0Forecast: d("-5"), pForecast: d("0"))] {
            do {
                _ = try Computations.extrapolate(bad)
                Issue.record("\(bad.name) accepted")
            } catch { #expect(error.code == "DG3094", "\(bad.name): \(error)") }
        }
    }

    /// Issue 16, item 6: the group's head count is C1i = Σ C1iz, rounded once. 11 × 0.5 + 11 × 0.5 + 9 × 0.5 = 5.5 +
    /// 5.5 + 4.5 = 15.5 → 16 (each territory rounded first: 6 + 6 + 5 = 17).
    @Test func theSegmentTotalIsRoundedOnce() throws {
        let r = try Computations.segments([.init(name: "А", c0: d("11"), k: d("0.5")), .init(name: "Б", c0: d("11"), k: d("0.5")),
                                           .init(name: "В", c0: d("9"), k: d("0.5"))])
        #expect(r.segments.map(\.c1) == [d("5.50"), d("5.50"), d("4.50")])
        #expect(r.total == d("16"))
        #expect(throws: Computations.Failure.negative("K of Г = -1")) {
            try Computations.segments([.init(name: "Г", c0: d("10"), k: d("-1"))])
        }
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
        #expect(none.total.description == "0.00", "an empty З-1 is shown to kopecks")
    }

    /// Issue 16, item 4: a sub-article counts in its article (211 + 212 → 210: 100.00 + 6.00 = 106.00); a code outside
    /// З-1 (340) is refused, not dropped; З-2.2 needs the event costs when people were reached.
    @Test func assignmentArticlesAndTheEventCosts() throws {
        let r = try Computations.assignment(.init(byKEK: ["211": d("100.00"), "212": d("6.00"), "290": d("4")], recipients: d("2")))
        #expect(r.byArticle == ["210": d("106.00"), "290": d("4.00")])
        #expect(r.total == d("110.00"))
        #expect(r.perRecipient == d("55.00"))                 // 110.00 / 2
        for code in ["340", "2100", "21", "310", "27x"] {
            do {
                _ = try Computations.assignment(.init(byKEK: [code: d("1")], recipients: d("1")))
                Issue.record("\(code) accepted")
            } catch { #expect(error.code == "DG3095" && error.description.contains(code)) }
        }
        do {
            _ = try Computations.assignment(.init(byKEK: ["210": d("1000")], recipients: d("10"), reachedByEvents: d("5")))
            Issue.record("З-2.2 without event costs")
        } catch { #expect(error.code == "DG3096" && error.description.contains("eventCosts")) }
        // The rule's base and the command's are one: З-1 / Σ П-1.
        #expect(Computations.normativePerRecipient(costs: d("153865000.00"), recipients: d("12200")) == d("12611.89"))
    }

    /// Issue 16, item 8: numbers may be JSON numbers (exact up to 15 significant digits), the fields the README calls
    /// optional may be left out.
    @Test func inputsAsTheReadmeDocumentsThem() throws {
        let decoder = JSONDecoder()
        let n = try decoder.decode(Computations.NormativeInput.self, from: Data(#"{"p": 1200.00, "d": 1.085, "kpl": "350.40", "rtar": 1.12, "kot": 5400, "rot": 1.065, "kvp": 120.55, "rvp": 1.05}"#.utf8))
        #expect(n.d == d("1.085") && n.kvp == d("120.55") && n.forecastDeflators.isEmpty)
        let z = try decoder.decode([Computations.SegmentInput].self, from: Data(#"[{"name": "Колпашево", "c0": 45}]"#.utf8))
        #expect(z.first?.k == .one)
        let a = try decoder.decode(Computations.AssignmentCosts.self, from: Data(#"{"byKEK": {"210": 1000}, "recipients": 10}"#.utf8))
        #expect(a.reachedByEvents.isZero && a.eventCosts == nil)
        // Significant digits, not characters: 10^17 (one digit) and 0.00001 (printed 1e+17, 1e-05) are read exactly.
        let wide = try decoder.decode(Computations.SegmentInput.self, from: Data(#"{"name": "x", "c0": 100000000000000000, "k": 0.00001}"#.utf8))
        #expect(wide.c0 == d("100000000000000000") && wide.k == d("0.00001"))
        // Beyond 15 significant digits a binary number no longer holds what was written: refused, with or without
        // an exponent in its shortest form.
        for big in ["1234567890.123456789", "12345678901234567890"] {
            #expect(throws: DecodingError.self) {
                try decoder.decode(Computations.SegmentInput.self, from: Data("{\"name\": \"x\", \"c0\": \(big)}".utf8))
            }
        }
    }
}
