import DocgateConsole
import DocgateCore
import DocgateDocuments
import Hummingbird

/// Logging in and out. A failed login says no more than that the name or the password is wrong; a throttled one
/// says when to try again; both are logged with their codes (DG5057, DG5058) and the client's address.
struct LoginRoutes {
    let deps: ConsoleDependencies

    func add(to router: Router<ConsoleRequestContext>) {
        router.get("login") { request, _ -> Response in
            if RequestReader(deps: deps).session(request) != nil { return Pages.redirect("/") }
            return Pages.html(Self.page(message: nil))
        }
        router.post("login") { request, context -> Response in
            try await login(request, context)
        }
        router.post("logout") { request, context -> Response in
            let reader = RequestReader(deps: deps)
            let form = try await RequestReader.form(request)
            switch reader.authorize(request, form: form, operatorOnly: false, context: context) {
            case .failure(let refusal): return refusal
            case .success(let session):
                deps.access.sessions.end(session.token)
                var response = Pages.redirect("/login")
                response.headers[.setCookie] = SessionCookie.expiredCookie
                return response
            }
        }
    }

    private func login(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        guard RequestReader.sameOrigin(request) else {
            return Pages.html(Self.page(message: "Вход возможен только со страницы входа консоли."), status: .forbidden)
        }
        guard let form = try await RequestReader.form(request, limit: 4096), let name = form["name"], let password = form["password"] else {
            return Pages.html(Self.page(message: "Введите имя и пароль."), status: .badRequest)
        }
        let access = deps.access
        let client = context.client(request)
        let result = try await blocking { access.login(name: name, password: password, client: client) }
        switch result {
        case .success(let session):
            deps.logger.info("console: signed in", metadata: ["user": "\(session.name)", "role": "\(session.role.rawValue)", "client": "\(client)"])
            var response = Pages.redirect("/")
            response.headers[.setCookie] = SessionCookie.setCookie(token: session.token)
            return response
        case .failure(let failure):
            deps.logger.warning("console: login failed", metadata: ["code": "\(failure.code)", "client": "\(client)",
                                                                    "name": "\(SafeText.escaped(String(name.prefix(64))))"])
            if case .throttled(let after) = failure.outcome {
                var response = Pages.html(Self.page(message: "Слишком много неудачных попыток. Повторите через \(ConsoleTime.duration(after.rounded(.up))) (DG5058)."),
                                          status: .tooManyRequests)
                response.headers[.retryAfter] = String(Int(after.rounded(.up)))
                return response
            }
            return Pages.html(Self.page(message: "Неверное имя или пароль (DG5057)."), status: .unauthorized)
        }
    }

    static func page(message: String?) -> String {
        Layout.page(title: "Вход", session: nil, active: "") { w in
            w.element("form", ["method": "post", "action": "/login", "class": "login"]) { f in
                if let message { Layout.notice(&f, "error", message) }
                f.element("label") { l in
                    l.text("Имя")
                    l.void("input", ["name": "name", "id": "name", "autocomplete": "username", "required": "required", "maxlength": "64"])
                }
                f.element("label") { l in
                    l.text("Пароль")
                    l.void("input", ["name": "password", "id": "password", "type": "password", "autocomplete": "current-password",
                                     "required": "required"])
                }
                f.element("button", ["type": "submit", "id": "login"], text: "Войти")
            }
        }
    }
}
