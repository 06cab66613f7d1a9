import DocgateTestSupport
import Foundation
import Testing

/// `journal requeue` end to end (issue 19): a rejected document back through its route, found by its party's ИНН,
/// its history with the requeue and who did it, and no second requeue.
@Suite(.serialized) struct RequeueTests {
    typealias Site = GatewaySite

    func docgate(_ args: [String]) throws -> ProcessResult { try runDocgate(args) }

    static func order(_ n: Int) throws -> (String, [UInt8]) { try Site.order(n) }

    @Test(arguments: JournalKind.allCases) func requeuePutsARejectedDocumentBackThroughItsRoute(_ kind: JournalKind) throws {
        let place = try kind.place()
        defer { place.cleanup() }
        let site = try Site(journal: place)
        defer { site.dir.remove() }
        // A document rejected because its kind is not accepted…
        let (name, bytes) = try Self.order(600)
        try site.drop(name, bytes)
        var cfg = try String(contentsOfFile: site.config, encoding: .utf8)
        try cfg.replacingOccurrences(of: "quiet_period = 0.5", with: "quiet_period = 0.5\naccept = [\"agreement\"]")
            .write(toFile: site.config, atomically: true, encoding: .utf8)
        #expect(try docgate(["run", "--once", "--config", site.config]).status == 0)
        #expect(site.files(site.errors) == [name, name + ".reason.txt"])
        #expect(try String(contentsOfFile: site.errors + "/" + name + ".reason.txt", encoding: .utf8).contains("DG5030"))
        let list = try docgate(["journal", "list", "--config", site.config, "--outcome", "rejected", "--format", "json"])
        let entries = try #require(JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
        let id = try #require(entries.first?["id"] as? Int)
        // The journal finds it by its parties' ИНН (issue 19), read though the route keeps no records.
        let text = String(decoding: bytes, as: UTF8.self)
        let inn = try #require(text.firstRange(of: /<inn>([0-9]+)<\/inn>/).map { String(text[$0].dropFirst(5).dropLast(6)) })
        let byINN = try docgate(["journal", "list", "--config", site.config, "--inn", inn])
        #expect(byINN.stdout.split(separator: "\n").dropFirst().map { $0.prefix { $0 != "\t" } } == ["\(id)"], "\(byINN.stdout)")
        // …is requeued once the route accepts it, and delivered.
        cfg = try String(contentsOfFile: site.config, encoding: .utf8)
        try cfg.replacingOccurrences(of: "accept = [\"agreement\"]", with: "").write(toFile: site.config, atomically: true, encoding: .utf8)
        let rq = try docgate(["journal", "requeue", "--config", site.config, String(id)])
        #expect(rq.status == 0, "\(rq.stderr)")
        #expect(site.files(site.errors).isEmpty)
        #expect(try docgate(["run", "--once", "--config", site.config]).status == 0)
        #expect(site.files(site.outbox) == [name])
        let show = try docgate(["journal", "show", "--config", site.config, String(id)])
        #expect(show.stdout.contains("rejected"))
        // Its history: the gateway's steps, then the requeue with who did it; a second requeue is refused.
        let history = show.stdout.split(separator: "\n").drop { $0 != "history" }.dropFirst()
        #expect(history.map { $0.split(separator: "  ")[1] } == ["claim", "step", "step", "step", "requeue"], "\(show.stdout)")
        #expect(history.last?.contains("by cli") == true)
        let again = try docgate(["journal", "requeue", "--config", site.config, String(id)])
        #expect(again.status == 1 && again.stderr.contains("DG5063"), "\(again.stderr)")
        // Requeueing something that is not rejected is refused.
        #expect(try docgate(["journal", "requeue", "--config", site.config, "999999"]).status == 1)
    }
}
