import Testing
@testable import DocgateDocuments

/// Vectors from shared/domain.md §4, cross-checked there against python-stdnum.
@Suite struct IdentifierTests {
    @Test(arguments: ["2466012340", "2463029113", "7017005673", "701700123432"])
    func validINN(_ inn: String) { #expect(Identifiers.isValidINN(inn)) }

    @Test(arguments: ["2466012341", "7017005674", "701700123433", "246601234", "24660123400", "24660l2340"])
    func invalidINN(_ inn: String) { #expect(!Identifiers.isValidINN(inn)) }

    @Test func ogrnAndOgrnip() {
        #expect(Identifiers.isValidOGRN("1022401123458"))
        #expect(!Identifiers.isValidOGRN("1022401123459"))
        #expect(Identifiers.isValidOGRN("320701700001238"))
        #expect(!Identifiers.isValidOGRN("320701700001239"))
        // remainder mod 13 is 10: the check digit is 0 (python-stdnum gets this wrong)
        #expect(Identifiers.isValidOGRN("300000000000060"))
    }

    @Test func snils() {
        for ok in ["112-233-445 95", "123-456-789 64", "987-654-321 83"] { #expect(Identifiers.isValidSNILS(ok)) }
        #expect(!Identifiers.isValidSNILS("112-233-445 96"))
        // Numbers up to 001-001-998 carry no checksum.
        #expect(Identifiers.isValidSNILS("001-001-998 00"))
    }

    @Test func serviceRegistryNumbers() {
        #expect(Identifiers.checkServiceRegNum("801011О.99.0.БВ24ВФ62000") == .standard)
        #expect(Identifiers.checkServiceRegNum("801011O.99.0.БВ24ВФ62000") == .confusable(corrected: "801011О.99.0.БВ24ВФ62000"))
        #expect(Identifiers.checkServiceRegNum("801011О.99.0.BB24ВФ62000") == .confusable(corrected: "801011О.99.0.ВВ24ВФ62000"))
        #expect(Identifiers.checkServiceRegNum("22.041.0") == .nonStandard)
    }

    @Test func expenseKBK() {
        #expect(Identifiers.isExpenseKBK("14810020320075200634"))
        // federal project element «Р1» and a direction starting with a letter
        let federalProject = ["148", "1002", "03", "2", "Р1", "R5200", "634"].joined()
        #expect(Identifiers.isExpenseKBK(federalProject))
        // a letter in the type of the structural element
        let letterType = ["148", "1002", "03", "Р", "00", "75200", "634"].joined()
        #expect(!Identifiers.isExpenseKBK(letterType))
        // a letter in the expense type
        let letterExpenseType = ["148", "1002", "03", "2", "00", "75200", "63А"].joined()
        #expect(!Identifiers.isExpenseKBK(letterExpenseType))
        #expect(!Identifiers.isExpenseKBK("1481002032007520063"))
    }

    @Test func calendarDatesAndTimestamps() {
        let d = CalendarDate("2024-02-29")!
        #expect(CalendarDate(daysSinceEpoch: d.daysSinceEpoch) == d)
        #expect(CalendarDate("2025-02-29") == nil)
        #expect(CalendarDate("1970-01-01")!.daysSinceEpoch == 0)
        #expect(d.adding(days: 1).description == "2024-03-01")
        #expect(Timestamp.secondsSinceEpoch("1970-01-01T07:00:00+07:00") == 0)
        #expect(Timestamp.secondsSinceEpoch("1970-01-01T00:00:01.5Z") == 1)
        #expect(Timestamp.secondsSinceEpoch("2025-01-15T10:30:00") == nil)
    }
}
