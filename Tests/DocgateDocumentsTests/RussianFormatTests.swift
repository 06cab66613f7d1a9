import DocgateDocuments
import Testing

/// Figures and dates as the printed forms write them.
@Suite struct RussianFormatTests {
    @Test(arguments: [
        ("0", "0,00"), ("5", "5,00"), ("1234", "1\u{202F}234,00"), ("1234567.891", "1\u{202F}234\u{202F}567,89"),
        ("999.995", "1\u{202F}000,00"), ("-1000.5", "\u{2212}1\u{202F}000,50"), ("-0.001", "0,00"),
        ("123456789012345678.10", "123\u{202F}456\u{202F}789\u{202F}012\u{202F}345\u{202F}678,10"),
    ])
    func moneyHasKopecksAndGroups(_ input: String, _ expected: String) throws {
        let value = try #require(DecimalValue(input))
        #expect(RussianFormat.money(value) == expected)
    }

    @Test(arguments: [("12500", "12\u{202F}500"), ("12.5", "12,5"), ("1000.125", "1\u{202F}000,125"), ("100", "100"),
                      ("-15000", "\u{2212}15\u{202F}000")])
    func volumesKeepTheirPrecision(_ input: String, _ expected: String) throws {
        #expect(RussianFormat.number(try #require(DecimalValue(input))) == expected)
    }

    @Test func integersAndPercents() throws {
        #expect(RussianFormat.integer(2000) == "2\u{202F}000")
        #expect(RussianFormat.integer(-15) == "\u{2212}15")
        #expect(RussianFormat.integer(0) == "0")
        #expect(RussianFormat.percent(try #require(DecimalValue("7.5"))) == "7,5\u{00A0}%")
    }

    @Test func timesOfCreationAsPeopleReadThem() {
        #expect(RussianFormat.dateTime("2024-12-20T10:15:00+07:00") == "20\u{00A0}декабря\u{00A0}2024\u{00A0}г., 10:15 (UTC+07:00)")
        #expect(RussianFormat.dateTime("2025-01-20T02:31:07Z") == "20\u{00A0}января\u{00A0}2025\u{00A0}г., 02:31 (UTC)")
        #expect(RussianFormat.dateTime("2025-01-20T02:31:07.5-03:00") == "20\u{00A0}января\u{00A0}2025\u{00A0}г., 02:31 (UTC-03:00)")
        for odd in ["", "2024-12-20", "2024-13-20T10:15:00Z", "2024-12-20T25:00:00Z", "2024-12-20T١٠:15:00Z", "завтра в 10"] {
            #expect(RussianFormat.dateTime(odd) == odd, "\(odd)")
        }
    }

    @Test func datesAsPeopleWriteThem() throws {
        #expect(RussianFormat.date(try #require(CalendarDate("2024-12-20"))) == "20\u{00A0}декабря\u{00A0}2024\u{00A0}г.")
        #expect(RussianFormat.date(try #require(CalendarDate("2025-03-01"))) == "1\u{00A0}марта\u{00A0}2025\u{00A0}г.")
        #expect(RussianFormat.shortDate(try #require(CalendarDate("2025-03-01"))) == "01.03.2025")
        // Every month in the genitive, in order.
        let names = (1...12).map { RussianFormat.date(CalendarDate(year: 2025, month: $0, day: 2)).split(separator: "\u{00A0}")[1] }
        #expect(names.joined(separator: " ") == "января февраля марта апреля мая июня июля августа сентября октября ноября декабря")
        // Parts that are no date do not crash the form.
        #expect(RussianFormat.date(CalendarDate(year: 2025, month: 13, day: 40)) == "40.13.2025")
    }

    @Test func quarters() {
        #expect((1...4).compactMap(RussianFormat.quarter) == ["I\u{00A0}квартал", "II\u{00A0}квартал", "III\u{00A0}квартал", "IV\u{00A0}квартал"])
        #expect(RussianFormat.quarter(0) == nil && RussianFormat.quarter(5) == nil)
    }
}
