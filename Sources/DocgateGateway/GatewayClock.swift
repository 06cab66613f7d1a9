import DocgateCore
import Glibc
import Synchronization

/// The gateway's sense of time, injected so that tests can move it instead of sleeping: wall-clock time for the
/// journal, receipts, quiet periods and leases; monotonic time for durations.
public protocol GatewayClock: Sendable {
    /// Wall-clock time, seconds since 1970 (UTC).
    func now() -> Double
    /// Seconds on a clock that never goes back, for durations; its origin means nothing.
    func monotonic() -> Double
}

/// The system's clocks.
public struct SystemClock: GatewayClock {
    /// The system's clocks.
    public init() {}
    /// `CLOCK_REALTIME`, seconds since 1970.
    public func now() -> Double { Clock.now() }
    /// `CLOCK_MONOTONIC`, seconds.
    public func monotonic() -> Double { Clock.monotonic() }
}

/// A clock that moves only when told (tests).
public final class ManualClock: GatewayClock {
    private let time: Mutex<Double>

    /// A clock standing at `start`, seconds since 1970 (by default 2026-01-01T00:00:00Z).
    public init(_ start: Double = 1_767_225_600) { time = Mutex(start) }   // 2026-01-01T00:00:00Z
    /// The time it stands at.
    public func now() -> Double { time.withLock { $0 } }
    /// The same time as ``now()``: both move together.
    public func monotonic() -> Double { time.withLock { $0 } }
    /// Moves both clocks forward by `seconds`.
    public func advance(_ seconds: Double) { time.withLock { $0 += seconds } }
}

/// Wall-clock time and its formats.
public enum Clock {
    /// Wall-clock time (`CLOCK_REALTIME`), seconds since 1970 with nanoseconds in the fraction.
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// Monotonic time (`CLOCK_MONOTONIC`), seconds; only differences mean anything.
    public static func monotonic() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// `2026-11-23T08:00:10Z`
    public static func iso(_ seconds: Double) -> String { UTCTime.iso(Int64(seconds)) }

    /// `["2026", "11", "23"]` (UTC) for the archive's partitions.
    static func dateParts(_ seconds: Double) -> [String] { UTCTime.dateParts(Int64(seconds)) }
}
