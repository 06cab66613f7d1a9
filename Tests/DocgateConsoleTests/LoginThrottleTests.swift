import Testing
@testable import DocgateConsole

/// The throttle's bookkeeping, step by step: attempts in flight count against the threshold before their outcome
/// is known.
@Suite struct LoginThrottleTests {
    @Test func attemptsInFlightCountAgainstTheThreshold() {
        var throttle = LoginThrottle(policy: ThrottlePolicy())
        for _ in 0..<5 { #expect(throttle.admit("alice", at: 0) == nil) }
        // Five passwords are being checked: a sixth attempt waits, unchecked.
        #expect(throttle.admit("alice", at: 0) == 1)
        throttle.finish("alice", at: 1, failed: true, clears: true)
        #expect(throttle.admit("alice", at: 1) == 1)
        for _ in 0..<4 { throttle.finish("alice", at: 2, failed: true, clears: true) }
        #expect(throttle.admit("alice", at: 2) == 60)
        // In a streak, one attempt at a time.
        #expect(throttle.admit("alice", at: 62) == nil)
        #expect(throttle.admit("alice", at: 62) == 1)
        // A success releases its attempt and ends the streak when it clears.
        throttle.finish("alice", at: 62, failed: false, clears: true)
        for _ in 0..<5 { #expect(throttle.admit("alice", at: 63) == nil) }
    }

    @Test func aSuccessThatDoesNotClearOnlyReleasesItsAttempt() {
        var throttle = LoginThrottle(policy: ThrottlePolicy())
        for _ in 0..<4 {
            _ = throttle.admit("10.0.0.1", at: 0)
            throttle.finish("10.0.0.1", at: 0, failed: true, clears: false)
        }
        _ = throttle.admit("10.0.0.1", at: 0)
        throttle.finish("10.0.0.1", at: 0, failed: false, clears: false)
        #expect(throttle.admit("10.0.0.1", at: 0) == nil)
        throttle.finish("10.0.0.1", at: 0, failed: true, clears: false)
        #expect(throttle.admit("10.0.0.1", at: 0) == 60)
    }
}
