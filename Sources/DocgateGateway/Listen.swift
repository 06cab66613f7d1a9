import Glibc

extension GatewayConfig {
    /// The address HTTP binds to: the host without the brackets of an IPv6 address.
    public var listenAddress: (host: String, port: Int)? { listen.flatMap(Listen.parse) }
}

extension Route {
    /// Below half a second a file still being copied in can look finished between two looks.
    public static let minimumQuietPeriod = 0.5
}

/// `listen`: `IPv4:port`, `[IPv6]:port` or `name:port`; nothing else.
public enum Listen {
    /// The host (an IPv6 address without its brackets) and the port (1–65535); nil for anything else.
    public static func parse(_ s: String) -> (host: String, port: Int)? {
        let host: Substring
        let portText: Substring
        if s.hasPrefix("[") {
            guard let close = s.firstIndex(of: "]") else { return nil }
            host = s[s.index(after: s.startIndex)..<close]
            let rest = s[s.index(after: close)...]
            guard rest.first == ":", isIPv6(host) else { return nil }
            portText = rest.dropFirst()
        } else {
            guard let colon = s.lastIndex(of: ":") else { return nil }
            host = s[..<colon]
            portText = s[s.index(after: colon)...]
            // An IPv6 address needs its brackets: "::1:8089" is ambiguous.
            guard !host.contains(":"), isIPv4(host) || isHostName(host) else { return nil }
        }
        guard (1...5).contains(portText.count), portText.allSatisfy({ ("0"..."9").contains($0) }), let port = Int(portText),
              (1...65_535).contains(port) else { return nil }
        return (String(host), port)
    }

    /// 127.0.0.0/8, ::1, ::ffff:127.x.x.x, `localhost` and names under `.localhost`.
    public static func isLoopback(_ host: String) -> Bool {
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return UInt32(bigEndian: v4.s_addr) >> 24 == 127 }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            let b = withUnsafeBytes(of: v6) { Array($0) }
            if b[0..<15].allSatisfy({ $0 == 0 }) && b[15] == 1 { return true }
            return b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xFF && b[11] == 0xFF && b[12] == 127
        }
        let name = host.lowercased()
        return name == "localhost" || name.hasSuffix(".localhost")
    }

    static func isIPv4(_ host: Substring) -> Bool {
        var a = in_addr()
        return inet_pton(AF_INET, String(host), &a) == 1
    }

    static func isIPv6(_ host: Substring) -> Bool {
        var a = in6_addr()
        return inet_pton(AF_INET6, String(host), &a) == 1
    }

    /// Letters, digits and hyphens in dot-separated labels of 1 to 63 characters, no hyphen at a label's ends, and
    /// a last label that is not all digits (so that a mistyped IPv4 address is not taken for a name).
    static func isHostName(_ host: Substring) -> Bool {
        guard (1...253).contains(host.utf8.count) else { return false }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-",
                  label.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else { return false }
        }
        return !labels.last!.allSatisfy { $0.isNumber }
    }
}
