import DocgateCore
import DocgateDocuments
import DocgateTestSupport
import Foundation
import Testing

/// The registry read on demand (issue 18, review findings): the verdict with the registry read through `prefetch`
/// is the verdict with the whole registry in memory, and memory stays within `capacity`.
extension ContextRuleTests {
    /// A context read on demand from `all`, as the gateway reads it from its journal.
    func onDemand(_ all: [ContextDocument], for d: ContextDocument, capacity: Int? = nil) throws -> DocumentContext {
        let context = DocumentContext(capacity: capacity)
        try context.prefetch([d]) { keys in
            let asked = Set(keys)
            return all.filter { !Set($0.lookupKeys).isDisjoint(with: asked) }
        }
        return context
    }

    /// A termination notice names version 1 of a contract by id; the contract was amended 18 times and then
    /// terminated: read on demand, the whole chain is followed (a bound of 16 rounds saw a middle version).
    @Test func aLongVersionChainIsReadWhole() throws {
        let v1 = try doc(try sample("CONTRACT_ACKFIN24_RPGU24_20250227"), "c2.xml")
        var last = try doc(try sample("CONTRACT_ACKFIN24_RPGU24_20250701"), "c2v2.xml")   // terminated
        var chain = [v1]
        for i in 1...18 {
            var amended = v1
            amended.id = Self.uuid(5000 + i)
            amended.file = "c2-amended-\(i).xml"
            amended.header?.version = i + 1
            amended.header?.previousVersionId = chain.last!.id
            chain.append(amended)
        }
        last.header?.version = 20
        last.header?.previousVersionId = chain.last!.id
        chain.append(last)
        let notice = try doc(try sample("CONTRACTNOTICE_ACKFIN24_RPGU24_20250701"), "notice.xml")
        let whole = DocumentContext(chain).check(notice, identity: false).map { $0.code + " " + $0.message.en }
        #expect(whole.isEmpty, "\(whole)")
        let read = try onDemand(chain, for: notice).check(notice, identity: false).map { $0.code + " " + $0.message.en }
        #expect(read == whole, "read on demand: \(read)")
    }

    /// `capacity` bounds memory whatever adds to it: the gateway's own deliveries (`add`) too, not only `prefetch`.
    @Test func theCapacityBoundsWhatIsHeld() throws {
        let order = try doc(try sample("SOCORDER"), "order.xml")
        let report = try doc(try sample("EXECREPORT", 1), "annual.xml")
        let context = try onDemand([order], for: report, capacity: 10)
        for n in 0..<100 {
            var delivered = report
            delivered.id = Self.uuid(7000 + n)
            delivered.file = "report-\(n).xml"
            context.add([delivered])
            try context.prefetch([report]) { _ in [] }
        }
        #expect(context.count <= 10, "\(context.count) documents held with a capacity of 10")
    }
}
