import Testing
@testable import DocgateDocuments

@Suite struct DecimalValueTests {
    private func d(_ s: String) -> DecimalValue { DecimalValue(s)! }

    @Test func parsesTheDecimalLexicalForm() {
        #expect(d("12.50").description == "12.50")
        #expect(d("-0.5").description == "-0.5")
        #expect(d("+3").description == "3")
        #expect(d(".25").description == "0.25")
        #expect(d(" 7. ").description == "7")
        for bad in ["", "-", ".", "1.2.3", "1e5", "12,5", "0x10", "NaN"] { #expect(DecimalValue(bad) == nil, "\(bad)") }
    }

    @Test func equalityIsNumeric() {
        #expect(d("1.50") == d("1.5"))
        #expect(d("1.50").hashValue == d("1.5").hashValue)
        #expect(d("0.1") < d("0.10001"))
        #expect(d("-2") < d("-1.99"))
    }

    @Test func arithmeticIsExact() {
        // 0.1 + 0.2 is exactly 0.3 here, unlike binary floating point.
        #expect(d("0.1").adding(d("0.2")) == d("0.3"))
        #expect(d("120").multiplied(by: d("9850.00")) == d("1182000"))
        #expect(d("300").multiplied(by: d("18240.50"))!.multiplied(by: d("1.05000"))! == d("5745757.5"))
        #expect([d("1.10"), d("2.20"), d("3.30")].sum() == d("6.6"))
    }

    @Test(arguments: [("2.345", "2.35"), ("-2.345", "-2.35"), ("2.344", "2.34"), ("0.005", "0.01"), ("-0.005", "-0.01"),
                      ("1.995", "2.00"), ("7", "7")])
    func roundsHalfAwayFromZero(value: String, expected: String) {
        #expect(d(value).rounded(2).description == expected)
    }

    @Test func divisionRoundsToTheRequestedPlaces() {
        #expect(d("-5").multiplied(by: .hundred)!.divided(by: d("410"), places: 2)?.description == "-1.22")
        #expect(d("2").divided(by: d("3"), places: 5)?.description == "0.66667")
        #expect(d("12200").divided(by: d("12050"), places: 5)?.description == "1.01245")
        #expect(d("1").divided(by: .zero, places: 2) == nil)
    }

    @Test func overflowIsReportedNotWrapped() {
        let huge = d("99999999999999999999999999999999999999")
        #expect(huge.multiplied(by: d("10")) == nil)
        #expect(huge.adding(huge) == nil)
        #expect(DecimalValue(String(repeating: "9", count: 50)) == nil)
    }

    @Test func formatsMoneyWithKopecks() {
        #expect(d("1500").formatted(places: 2) == "1500.00")
        #expect(d("1500.5").formatted(places: 2) == "1500.50")
    }
}
