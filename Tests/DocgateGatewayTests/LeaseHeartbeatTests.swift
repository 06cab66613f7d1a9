@testable import DocgateGateway
import DocgateTestSupport
import Dispatch
import Foundation
import Logging
import Testing

/// A running instance keeps its claims: the heartbeat renews them every third of `claim_lease` (issue 18), so a
/// batch that outlasts the lease is not taken over, and a crashed instance's claims run out one lease later.
@Suite struct LeaseHeartbeatTests {
    @Test(.timeLimit(.minutes(1))) func theHeartbeatRenewsTheInstancesClaims() throws {
        let dir = try TemporaryDirectory("heartbeat")
        defer { dir.remove() }
        let journal = try SQLiteJournal(path: dir.file("journal.sqlite"))
        let clock = ManualClock()
        let metrics = GatewayMetrics()
        let context = StageContext(journal: journal, owner: "gw@host", lease: 10, clock: clock, logger: Logger(label: "test"),
                                   metrics: metrics, gatewayId: "gw")
        let start = clock.now()
        let claimed = try journal.claim([ClaimRequest(route: "r", fileName: "a.xml", sha256: "aa", size: 1)], owner: "gw@host",
                                        lease: 10, now: start)
        let other = try journal.claim([ClaimRequest(route: "r", fileName: "b.xml", sha256: "bb", size: 1)], owner: "other@host",
                                      lease: 10, now: start)
        clock.advance(8)
        let heartbeat = LeaseHeartbeat(context: context, routes: ["r"], interval: 0.02, progress: LoopProgress(clock: clock), stallAfter: 1e9)
        defer { heartbeat.stop() }
        // Within a few beats the claim holds until the clock's time plus the lease; the other owner's does not move.
        let deadline = Date().addingTimeInterval(30)
        while try journal.entry(claimed[0].id)?.leaseUntil != start + 18, Date() < deadline {
            usleep(10_000)
        }
        #expect(try journal.entry(claimed[0].id)?.leaseUntil == start + 18)
        #expect(try journal.entry(other[0].id)?.leaseUntil == start + 10)
        // /metrics shows every instance on the journal: its claims and how long its lease still runs.
        while !metrics.render(journalBytes: nil).contains("docgate_journal_up 1"), Date() < deadline { usleep(10_000) }
        let text = metrics.render(journalBytes: nil)
        #expect(text.contains("docgate_journal_instance_claims{owner=\"gw@host\"} 1"), "\(text)")
        #expect(text.contains("docgate_journal_instance_claims{owner=\"other@host\"} 1"), "\(text)")
        #expect(text.contains("docgate_journal_instance_lease_seconds{owner=\"other@host\"} 2"), "\(text)")
    }

    /// An instance alive but stuck (its loop makes no progress: a hung file system call, a deadlock) must not keep
    /// its claims forever: the heartbeat stops renewing them once the loop has not moved for a lease and a rescan,
    /// and the others take them over; it renews again when the loop moves.
    @Test(.timeLimit(.minutes(1))) func aStuckLoopsClaimsAreNotRenewed() throws {
        let dir = try TemporaryDirectory("heartbeat-stuck")
        defer { dir.remove() }
        let journal = try SQLiteJournal(path: dir.file("journal.sqlite"))
        let clock = ManualClock()
        let context = StageContext(journal: journal, owner: "gw@host", lease: 10, clock: clock, logger: Logger(label: "test"),
                                   metrics: GatewayMetrics(), gatewayId: "gw")
        let start = clock.now()
        let claimed = try journal.claim([ClaimRequest(route: "r", fileName: "a.xml", sha256: "aa", size: 1)], owner: "gw@host",
                                        lease: 10, now: start)
        let progress = LoopProgress(clock: clock)
        clock.advance(13)   // the loop last moved 13 s ago: more than the lease (10) and the rescan interval (2)
        let heartbeat = LeaseHeartbeat(context: context, routes: ["r"], interval: 0.02, progress: progress, stallAfter: 12)
        defer { heartbeat.stop() }
        let deadline = Date().addingTimeInterval(30)
        while heartbeat.beats < 5, Date() < deadline { usleep(10_000) }
        #expect(try journal.entry(claimed[0].id)?.leaseUntil == start + 10)
        #expect(heartbeat.stalled)
        progress.tick()
        let beats = heartbeat.beats
        while heartbeat.beats < beats + 3, Date() < deadline { usleep(10_000) }
        #expect(try journal.entry(claimed[0].id)?.leaseUntil == start + 23)
        #expect(!heartbeat.stalled)
    }
}
