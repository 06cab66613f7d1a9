import DocgateCore
import DocgateTestSupport
import Testing
@testable import DocgateDocuments

/// Rule arithmetic on its own, including the edges the samples do not reach.
@Suite struct RuleTests {
    private func d(_ s: String) -> DecimalValue { DecimalValue(s)! }

    @Test func deviationFollowsTheActs() {
        #expect(DeviationRules.expected(plan: d("410"), fact: d("405")) == d("-1.22"))
        #expect(DeviationRules.expected(plan: d("60"), fact: d("61")) == d("1.67"))
        #expect(DeviationRules.expected(plan: d("0"), fact: d("0")) == d("0"))
        #expect(DeviationRules.expected(plan: d("0"), fact: d("3")) == nil)
        #expect(DeviationRules.expected(plan: d("3"), fact: d("1")) == d("-66.67"))
    }

    @Test func everyRuleHasBothLanguagesAndAUniqueCode() {
        let codes = Rule.allCases.map(\.code)
        #expect(Set(codes).count == codes.count)
        for rule in Rule.allCases {
            #expect(rule.code.hasPrefix("DG3"))
            #expect(!rule.title.ru.isEmpty && !rule.title.en.isEmpty)
        }
    }

    @Test func methodVolumesSumAndCompare() {
        let a = MethodVolumes(total: d("10"), stateTaskTreasury: d("1"), stateTaskBudgetAutonomous: d("2"), competition: d("3"), certificate: d("4"))
        #expect(a.sumOfMethods == d("10"))
        var b = a
        b.competition = d("2")
        b.certificate = d("5")
        let diff = MethodChecks.firstDifference(a, b)
        #expect(diff?.en == Method.competition.title.en)
        #expect(MethodChecks.firstDifference(a, a) == nil)
    }

    @Test func fileNamesYieldTheirUUIDAndKind() {
        #expect(FileNames.uuid(in: "SOCORDER_A_B_20250101_0b6f7c1e-2a44-4c8e-9a51-3f1d2e7a9c10.xml") == "0b6f7c1e-2a44-4c8e-9a51-3f1d2e7a9c10")
        #expect(FileNames.uuid(in: "order.xml") == nil)
        #expect(FileNames.kindPrefix(of: "EXECREPORT_x.xml") == .executionReport)
        #expect(FileNames.kindPrefix(of: "report.xml") == nil)
    }
}
