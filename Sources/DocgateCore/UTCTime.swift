import Glibc

/// Times as docgate writes them: UTC, to the second.
public enum UTCTime {
    private static func parts(_ seconds: Int64) -> tm {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        return parts
    }

    private static func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// `2026-11-23T08:00:10Z`
    public static func iso(_ seconds: Int64) -> String {
        let p = parts(seconds)
        return "\(p.tm_year + 1900)-\(two(p.tm_mon + 1))-\(two(p.tm_mday))T\(two(p.tm_hour)):\(two(p.tm_min)):\(two(p.tm_sec))Z"
    }

    /// `["2026", "11", "23"]`, for directories partitioned by day.
    public static func dateParts(_ seconds: Int64) -> [String] {
        let p = parts(seconds)
        return ["\(p.tm_year + 1900)", two(p.tm_mon + 1), two(p.tm_mday)]
    }

    /// Now, as `iso`.
    public static var now: String { iso(Int64(time(nil))) }
}
