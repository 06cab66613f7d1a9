import DocgateConsole
import Glibc
import DocgateCore
import DocgateDocuments
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Answers the routes give.
enum Pages {
    /// An HTML page.
    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// A redirect after a form (303: the browser follows it with GET).
    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// A page that says what went wrong, in the console's frame without navigation.
    static func problem(_ status: HTTPResponse.Status, _ title: String, _ text: String, session: Session? = nil) -> Response {
        html(Layout.page(title: title, session: session, active: "") { w in Layout.notice(&w, "error", text) }, status: status)
    }
}

/// A state change allowed with its session, or the answer that refuses it.
enum Authorization {
    case success(Session)
    case failure(Response)
}

/// Reading requests: the session, forms, parameters.
struct RequestReader {
    let deps: ConsoleDependencies

    /// The session the request's cookie names, if it is live. A page's automatic refresh (`auto=1`, see
    /// `Layout.refreshQuery`) finds it without counting as a use, so an unattended screen still signs out.
    func session(_ request: Request) -> Session? {
        let header = request.headers[values: .cookie].joined(separator: "; ")
        guard !header.isEmpty, let token = SessionCookie.token(fromCookieHeader: header) else { return nil }
        let automatic = request.method == .get && request.uri.queryParameters["auto"] == "1"
        return deps.access.sessions.session(for: token, touching: !automatic)
    }

    /// A form sent as `application/x-www-form-urlencoded`, at most `limit` bytes; nil when it is not one.
    static func form(_ request: Request, limit: Int = 16_384) async throws -> [String: String]? {
        guard let type = request.headers[.contentType], type.lowercased().hasPrefix("application/x-www-form-urlencoded") else { return nil }
        let body = try await request.body.collect(upTo: limit)
        return FormDecoding.decode(String(buffer: body))
    }

    /// A state change must come from a page of the console itself: the browser's Origin (or Sec-Fetch-Site) must
    /// not name another site. Browsers send one of them with every POST.
    static func sameOrigin(_ request: Request) -> Bool {
        // Fetch metadata, where the browser sends it, decides alone (the Origin of a form may be "null").
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!] { return site == "same-origin" || site == "none" }
        guard let origin = request.headers[HTTPField.Name("Origin")!] else { return true }
        guard let host = request.head.authority else { return false }
        return origin == "http://" + host || origin == "https://" + host
    }

    /// The operator's session and a matching CSRF token, or the answer that refuses the request (logged).
    func authorize(_ request: Request, form: [String: String]?, operatorOnly: Bool, context: ConsoleRequestContext)
        -> Authorization {
        guard let session = session(request) else { return .failure(Pages.redirect("/login")) }
        guard Self.sameOrigin(request), let token = form?["csrf"], session.csrfMatches(token) else {
            deps.logger.warning("console: request refused, CSRF token missing or wrong",
                                metadata: ["code": "\(Session.csrfMismatchCode)", "user": "\(session.name)", "path": "\(request.uri.path)",
                                           "client": "\(context.client(request))"])
            return .failure(Pages.problem(.forbidden, "Запрос отклонён", "Форма устарела или пришла не со страницы консоли (DG5059). Откройте страницу заново.", session: session))
        }
        if operatorOnly && session.role != .operator {
            deps.logger.warning("console: an action refused to a viewer", metadata: ["user": "\(session.name)", "path": "\(request.uri.path)"])
            return .failure(Pages.problem(.forbidden, "Недостаточно прав", "Это действие доступно только оператору.", session: session))
        }
        return .success(session)
    }
}

/// `application/x-www-form-urlencoded` and query strings: `+` is a space, `%XX` a byte; a malformed escape or
/// bytes that are not UTF-8 make the whole form unreadable (nil).
enum FormDecoding {
    static func decode(_ text: String) -> [String: String]? {
        var out: [String: String] = [:]
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = PercentEncoding.decoded(parts[0], plusIsSpace: true),
                  let value = PercentEncoding.decoded(parts.count > 1 ? parts[1] : "", plusIsSpace: true) else { return nil }
            if out[key] == nil { out[key] = value }
        }
        return out
    }

    /// The query of a request as a form (nil when malformed).
    static func query(_ request: Request) -> [String: String]? {
        decode(request.uri.query ?? "")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

/// Times as the console shows them: local time of the server, «05.12.2026 08:15:03».
enum ConsoleTime {
    static func text(_ seconds: Double?) -> String {
        guard let seconds, seconds > 0 else { return "—" }
        var t = time_t(seconds)
        var parts = tm()
        localtime_r(&t, &parts)
        func two(_ n: Int32) -> String { String(n).leftPadded(2) }
        return "\(two(parts.tm_mday)).\(two(parts.tm_mon + 1)).\(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }

    /// The instant the day `d` begins in the server's local time (mktime normalises a day past the month's end).
    static func localMidnight(_ d: CalendarDate) -> Double? {
        var parts = tm()
        (parts.tm_year, parts.tm_mon, parts.tm_mday, parts.tm_isdst) = (Int32(d.year - 1900), Int32(d.month - 1), Int32(d.day), -1)
        let t = mktime(&parts)
        return t == -1 ? nil : Double(t)
    }

    /// «2 ч 5 мин», «40 с».
    static func duration(_ seconds: Double) -> String {
        let s = max(0, Int(seconds))
        if s < 60 { return "\(s) с" }
        if s < 3600 { return "\(s / 60) мин" }
        if s < 86_400 { return "\(s / 3600) ч \(s % 3600 / 60) мин" }
        return "\(s / 86_400) д \(s % 86_400 / 3600) ч"
    }
}
