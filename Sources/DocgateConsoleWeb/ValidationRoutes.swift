import DocgateConsole
import DocgateCore
import DocgateDocuments
import DocgateProcessing
import Hummingbird
import MultipartKit
import NIOCore

/// The validation page: an operator uploads one or more files and sees each one's findings and printable form.
/// Nothing is stored: the files live in memory for the request and are gone with it.
struct ValidationRoutes {
    let deps: ConsoleDependencies
    /// At most this many files at once, and this many bytes in all.
    static let maxFiles = 20
    static let maxBytes = 32 << 20

    /// One uploaded file.
    struct Upload: Sendable {
        var name: String
        var bytes: [UInt8]
    }

    func add(to router: Router<ConsoleRequestContext>) {
        router.get("validate") { request, _ -> Response in
            guard let session = RequestReader(deps: deps).session(request) else { return Pages.redirect("/login") }
            guard session.role == .operator else {
                return Pages.problem(.forbidden, "Недостаточно прав", "Проверка файлов доступна только оператору.", session: session)
            }
            return Pages.html(ValidationPage.page(session, results: [], problem: nil))
        }
        router.post("validate") { request, context -> Response in
            try await validate(request, context)
        }
    }

    private func validate(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        // Who asks is known before a byte of the body is read: no one buffers 32 MB without an operator's session.
        guard let known = RequestReader(deps: deps).session(request) else { return Pages.redirect("/login") }
        guard known.role == .operator else {
            return Pages.problem(.forbidden, "Недостаточно прав", "Проверка файлов доступна только оператору.", session: known)
        }
        guard let type = request.headers[.contentType], let boundary = Self.boundary(type) else {
            return Pages.problem(.badRequest, "Проверка файлов", "Ожидалась форма с файлами (multipart/form-data).")
        }
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: Self.maxBytes + 65_536) } catch {
            return Pages.problem(.contentTooLarge, "Проверка файлов", "Файлы больше \(Self.maxBytes >> 20) МБ вместе не принимаются.")
        }
        guard let (fields, uploads) = Self.parse(body, boundary: boundary) else {
            return Pages.problem(.badRequest, "Проверка файлов", "Форма с файлами не читается.")
        }
        let session: Session
        switch RequestReader(deps: deps).authorize(request, form: fields, operatorOnly: true, context: context) {
        case .failure(let refusal): return refusal
        case .success(let s): session = s
        }
        guard !uploads.isEmpty else { return Pages.html(ValidationPage.page(session, results: [], problem: "Выберите хотя бы один файл.")) }
        guard uploads.count <= Self.maxFiles else {
            return Pages.html(ValidationPage.page(session, results: [], problem: "Не больше \(Self.maxFiles) файлов за раз."))
        }
        let deps = deps
        let results = try await blocking { () -> [ValidationPage.Result] in
            uploads.map { u in
                let outcome = DocumentForm.make(bytes: u.bytes, file: u.name, validator: deps.validator, verifier: deps.verifier(nil))
                return ValidationPage.Result(name: u.name, outcome: outcome)
            }
        }
        deps.logger.info("console: files validated", metadata: ["user": "\(session.name)", "files": "\(uploads.count)"])
        return Pages.html(ValidationPage.page(session, results: results, problem: nil))
    }

    /// The boundary of a `multipart/form-data` content type.
    static func boundary(_ contentType: String) -> String? {
        let parts = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.first?.lowercased() == "multipart/form-data" else { return nil }
        for p in parts.dropFirst() where p.lowercased().hasPrefix("boundary=") {
            var b = String(p.dropFirst(9))
            if b.hasPrefix("\""), b.hasSuffix("\""), b.count >= 2 { b = String(b.dropFirst().dropLast()) }
            return (1...70).contains(b.count) ? b : nil
        }
        return nil
    }

    /// Text fields and files of a multipart body; nil when it does not parse.
    static func parse(_ body: ByteBuffer, boundary: String) -> ([String: String], [Upload])? {
        let parser = MultipartParser(boundary: boundary)
        var fields: [String: String] = [:]
        var uploads: [Upload] = []
        var headers: [(String, String)] = []
        var data: [UInt8] = []
        parser.onHeader = { name, value in headers.append((name.lowercased(), value)) }
        parser.onBody = { buffer in data += buffer.readBytes(length: buffer.readableBytes) ?? [] }
        parser.onPartComplete = {
            let disposition = headers.first { $0.0 == "content-disposition" }?.1 ?? ""
            let name = Self.parameter("name", in: disposition)
            if let filename = Self.parameter("filename", in: disposition) {
                if !(filename.isEmpty && data.isEmpty) { uploads.append(Upload(name: filename.isEmpty ? "file.xml" : filename, bytes: data)) }
            } else if let name, fields[name] == nil {
                fields[name] = String(decoding: data, as: UTF8.self)
            }
            headers = []
            data = []
        }
        do { try parser.execute(body) } catch { return nil }
        return (fields, uploads)
    }

    /// `name="value"` of a Content-Disposition header (the base name only for a file: browsers may send a path).
    static func parameter(_ key: String, in header: String) -> String? {
        for part in header.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard part.lowercased().hasPrefix(key + "=") else { continue }
            var v = String(part.dropFirst(key.count + 1))
            if v.hasPrefix("\""), v.hasSuffix("\""), v.count >= 2 { v = String(v.dropFirst().dropLast()) }
            if key == "filename" { v = String(v.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last ?? "") }
            return v
        }
        return nil
    }
}

/// The validation page's HTML: the upload form, then each file's verdict, findings and form.
enum ValidationPage {
    struct Result: Sendable {
        var name: String
        var outcome: DocumentForm.Outcome
    }

    static func page(_ session: Session, results: [Result], problem: String?) -> String {
        Layout.page(title: "Проверка файлов", session: session, active: "/validate") { w in
            w.element("p", text: "Файлы проверяются по схемам и правилам и нигде не сохраняются.")
            if let problem { Layout.notice(&w, "error", problem) }
            w.element("form", ["method": "post", "action": "/validate", "enctype": "multipart/form-data", "class": "search"]) { f in
                Layout.csrf(&f, session)
                f.element("label") { l in
                    l.text("Файлы XML (до \(ValidationRoutes.maxFiles))")
                    l.void("input", ["type": "file", "name": "files", "id": "files", "multiple": "multiple", "accept": ".xml,application/xml,text/xml"])
                }
                f.element("button", ["type": "submit", "id": "check"], text: "Проверить")
            }
            for (i, r) in results.enumerated() { result(&w, i, r) }
        }
    }

    private static func result(_ w: inout HTMLWriter, _ i: Int, _ r: Result) {
        w.element("section", ["class": "result", "id": "result-\(i)"]) { s in
            s.element("h2", text: r.name)
            switch r.outcome {
            case .unreadable(_, let reason):
                Layout.notice(&s, "error", "Файл не читается: " + reason)
            case .noForm(let report):
                Layout.notice(&s, "error", "Документ не прошёл проверку по схеме: печатной формы нет.")
                findings(&s, report)
            case .form(let html, let report, let signatures):
                let signaturesFail = signatures.map { !$0.diagnostics.allowsValidity } ?? false
                if report.valid && !signaturesFail {
                    Layout.notice(&s, "ok", "Документ соответствует схеме и правилам" + (signatures == nil ? "." : "; подписи проверены."))
                } else {
                    Layout.notice(&s, "error", "Документ не прошёл проверку.")
                }
                findings(&s, report)
                s.element("iframe", ["class": "form", "sandbox": "", "srcdoc": html, "title": "Печатная форма: " + r.name], text: "")
            }
        }
    }

    private static func findings(_ w: inout HTMLWriter, _ report: ValidationReport) {
        guard !report.diagnostics.isEmpty else { return }
        Layout.findings(&w, report.diagnostics)
    }
}
