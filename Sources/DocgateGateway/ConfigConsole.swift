import DocgateCore
import TOMLKit

/// `[console]`: the operator's browser console, off unless the table is there.
public struct ConsoleConfig: Sendable, Hashable {
    /// `listen`: `host:port` the console serves on (required; a warning, DG5052, when not loopback).
    public var listen: String
    /// `users`: the users file (`NAME ROLE BCRYPT-HASH` a line), resolved against the configuration's directory.
    public var users: String
    /// `session_idle`: seconds a session may go unused (60–86 400, default 1800).
    public var sessionIdle: Double = 1800
    /// `session_max`: seconds a session lasts from its login, used or not (300–604 800, default 43 200; not below
    /// `session_idle`).
    public var sessionMax: Double = 43_200

    /// A console on `listen` with the users of `users`, and its session timeouts.
    public init(listen: String, users: String, sessionIdle: Double = 1800, sessionMax: Double = 43_200) {
        (self.listen, self.users, self.sessionIdle, self.sessionMax) = (listen, users, sessionIdle, sessionMax)
    }

    /// The console's address: the host without the brackets of an IPv6 address, and the port.
    public var listenAddress: (host: String, port: Int)? { Listen.parse(listen) }
}

extension Reader {
    /// `[console]`: nil when absent; `listen` and `users` required, the session timeouts within their ranges.
    mutating func console(_ table: TOMLTable, listen top: String?, routes: [Route]) -> ConsoleConfig? {
        guard let value = table["console"] else { return nil }
        guard let t = value.table else {
            problem("console", ru: "ожидается таблица [console]", en: "a [console] table is expected")
            return nil
        }
        unknownKeys(t, allowed: ["listen", "users", "session_idle", "session_max"], prefix: "console")
        let listen = string(t, "listen", "console", required: true)
        if let listen {
            if let address = Listen.parse(listen) {
                if !Listen.isLoopback(address.host) {
                    warning("console.listen", code: "DG5052",
                            ru: "\(address.host) — не адрес обратной петли: консоль говорит по HTTP без шифрования, пароли и куки сессий пойдут по сети открыто (127.0.0.1 или [::1], а извне — через обратный прокси с TLS)",
                            en: "\(address.host) is not a loopback address: the console speaks plain HTTP, passwords and session cookies would cross the network unencrypted (use 127.0.0.1 or [::1], and a reverse proxy with TLS for access from outside)")
                }
                if let top, let other = Listen.parse(top), other.host == address.host, other.port == address.port {
                    problem("console.listen", ru: "тот же адрес, что у listen", en: "the same address as listen")
                }
            } else {
                problem("console.listen", ru: "ожидается адрес:порт — IPv4 (127.0.0.1:8090), IPv6 в квадратных скобках ([::1]:8090) или имя (localhost:8090), порт от 1 до 65535",
                        en: "address:port expected — IPv4 (127.0.0.1:8090), IPv6 in brackets ([::1]:8090) or a host name (localhost:8090), port 1 to 65535")
            }
        }
        let users = path(t, "users", "console", required: true)
        if let users { usersOutsideRoutes(users, routes) }
        let idle = number(t, "session_idle", "console", default: 1800, range: 60...86_400)
        let max = number(t, "session_max", "console", default: 43_200, range: 300...604_800)
        if idle > max {
            problem("console.session_idle", ru: "больше session_max (\(Int(max)))", en: "longer than session_max (\(Int(max)))")
        }
        guard let listen, let users else { return nil }
        return ConsoleConfig(listen: listen, users: users, sessionIdle: idle, sessionMax: max)
    }

    /// The users file in a route's directory could be written by the system that feeds the route, or be taken for
    /// a document and moved: refused.
    mutating func usersOutsideRoutes(_ users: String, _ routes: [Route]) {
        let file = Self.resolve(users)
        for (i, r) in routes.enumerated() {
            for (role, dir) in [("inbox", r.inbox), ("outbox", r.outbox), ("receipts", r.receipts), ("errors", r.errors), ("archive", r.archive)]
            where !dir.isEmpty && Self.isInside(file, Self.resolve(dir)) {
                problem("console.users", ru: "файл пользователей лежит в каталоге маршрута route[\(i)].\(role); выберите каталог вне маршрутов",
                        en: "the users file is inside the route directory route[\(i)].\(role); choose a directory outside the routes")
            }
        }
    }
}
