import DocgateConsole
import DocgateCore
import DocgateDocuments
import DocgateGateway
import DocgateProcessing
import DocgateSignature
import HTTPTypes
import Hummingbird
import NIOCore

/// A document's page: its journal entry and transitions in time, its printable form, its findings with line and
/// element, its signatures (signer, party, validity, verdict), its receipt, its files for an operator to download,
/// and — for a rejected or conflicting document — requeue.
struct DocumentRoutes {
    let deps: ConsoleDependencies
    let pdfGate = PDFGate()

    /// What the page shows, read off the event loop.
    struct View: Sendable {
        var entry: JournalEntry
        var history: [JournalEvent]
        var files: [DocumentFiles.Kind: Bool]
        var report: ValidationReport?
        var signatures: VerificationReport?
        var receipt: ValidationReport?
    }

    func add(to router: Router<ConsoleRequestContext>) {
        router.get("documents/:id") { request, context -> Response in
            guard let session = RequestReader(deps: deps).session(request) else { return Pages.redirect("/login") }
            guard let id = context.parameters.get("id", as: Int64.self), let view = try await load(id) else {
                return Pages.problem(.notFound, "Документ", "Такой записи в журнале нет.", session: session)
            }
            let notice = FormDecoding.query(request)?["done"]
            return Pages.html(DocumentPage.page(session, view, notice: notice))
        }
        router.get("documents/:id/form") { request, context -> Response in
            try await form(request, context, receipt: false, pdf: false)
        }
        router.get("documents/:id/form.pdf") { request, context -> Response in
            try await form(request, context, receipt: false, pdf: true)
        }
        router.get("documents/:id/receipt-form") { request, context -> Response in
            try await form(request, context, receipt: true, pdf: false)
        }
        router.get("documents/:id/file/:kind") { request, context -> Response in
            try await download(request, context)
        }
        router.post("documents/:id/requeue") { request, context -> Response in
            try await requeue(request, context)
        }
    }

    func load(_ id: Int64) async throws -> View? {
        let deps = deps
        return try await blocking { () -> View? in
            guard let entry = try deps.journal.entry(id) else { return nil }
            let history = try deps.journal.history(id)
            let files = deps.config.routes.first { $0.name == entry.route }.map { DocumentFiles(route: $0, entry: entry) }
            var view = View(entry: entry, history: history, files: [:])
            for kind in DocumentFiles.Kind.allCases { view.files[kind] = DocumentFiles.exists(files?.path(kind)) }
            if let bytes = files?.read(.original) {
                view.report = deps.validator.validate(bytes: bytes, file: entry.fileName, retainRecords: true)
                if let count = view.report?.summary?.signatureCount, count > 0, let verifier = deps.verifier(entry.route) {
                    view.signatures = verifier.verify(bytes: bytes, file: entry.fileName)
                }
            }
            if let bytes = files?.read(.receipt) {
                view.receipt = deps.validator.validate(bytes: bytes, file: entry.receiptName ?? "receipt.xml", retainRecords: true)
            }
            return view
        }
    }

    /// The printable form of the original (or of the receipt), as a page of its own (shown in a frame) or as PDF.
    private func form(_ request: Request, _ context: ConsoleRequestContext, receipt: Bool, pdf: Bool) async throws -> Response {
        guard let session = RequestReader(deps: deps).session(request) else { return Pages.redirect("/login") }
        guard let id = context.parameters.get("id", as: Int64.self) else { return Pages.problem(.notFound, "Форма", "Нет такой записи.", session: session) }
        let deps = deps
        let options = FormOptions(maskPersonalData: session.role == .viewer)
        let html = try await blocking { () -> String? in
            guard let entry = try deps.journal.entry(id),
                  let route = deps.config.routes.first(where: { $0.name == entry.route }),
                  let bytes = DocumentFiles(route: route, entry: entry).read(receipt ? .receipt : .original) else { return nil }
            let verifier = receipt ? nil : deps.verifier(entry.route)
            guard case .form(let html, _, _) = DocumentForm.make(bytes: bytes, file: entry.fileName, validator: deps.validator,
                                                                 verifier: verifier, options: options) else { return nil }
            return html
        }
        guard let html else {
            return Pages.problem(.notFound, "Печатная форма", "Файла документа нет на месте, или документ не прошёл проверку по схеме: формы нет.", session: session)
        }
        guard pdf else {
            var response = Pages.html(html)
            response.headers[HTTPField.Name("Content-Security-Policy")!] = FormPage.policy + "; frame-ancestors 'self'"
            return response
        }
        let printPDF = deps.printPDF
        guard let printed = await pdfGate.run({ () -> Result<[UInt8], PDFError> in
            do throws(PDFError) { return .success(try printPDF(html)) } catch { return .failure(error) }
        }) else {
            var busy = Pages.problem(.serviceUnavailable, "PDF", "Сейчас печатается другой документ; повторите через минуту.", session: session)
            busy.headers[.retryAfter] = "30"
            return busy
        }
        switch printed {
        case .success(let bytes):
            return Response(status: .ok, headers: [.contentType: "application/pdf",
                                                   .contentDisposition: Download.disposition("document-\(id).pdf")],
                            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        case .failure(let error):
            return Pages.problem(.serviceUnavailable, "PDF", "\(error.code.rawValue) \(error.message.ru)", session: session)
        }
    }

    /// A file of the entry, for an operator (the files carry people's data unmasked).
    private func download(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        guard let session = RequestReader(deps: deps).session(request) else { return Pages.redirect("/login") }
        guard session.role == .operator else {
            return Pages.problem(.forbidden, "Недостаточно прав", "Файлы документов доступны только оператору.", session: session)
        }
        guard let id = context.parameters.get("id", as: Int64.self), let kind = context.parameters.get("kind").flatMap(DocumentFiles.Kind.init) else {
            return Pages.problem(.notFound, "Файл", "Нет такого файла.", session: session)
        }
        let journal = deps.journal
        let routes = deps.config.routes
        let found = try await blocking { () -> (String, [UInt8])? in
            guard let entry = try journal.entry(id), let route = routes.first(where: { $0.name == entry.route }) else { return nil }
            let files = DocumentFiles(route: route, entry: entry)
            return files.read(kind).map { (files.downloadName(kind), $0) }
        }
        guard let (name, bytes) = found else {
            return Pages.problem(.notFound, "Файл", "Файла нет на месте: его забрала принимающая система или он удалён по сроку хранения.", session: session)
        }
        return Response(status: .ok, headers: [.contentType: kind == .reason ? "text/plain; charset=utf-8" : "application/xml",
                                               .contentDisposition: Download.disposition(name)],
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    private func requeue(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        let form = try await RequestReader.form(request)
        let session: Session
        switch RequestReader(deps: deps).authorize(request, form: form, operatorOnly: true, context: context) {
        case .failure(let refusal): return refusal
        case .success(let s): session = s
        }
        guard let id = context.parameters.get("id", as: Int64.self) else { return Pages.problem(.notFound, "Документ", "Нет такой записи.", session: session) }
        let deps = deps
        let now = deps.now()
        do {
            let said = try await blocking { try Requeue.run(entryId: id, config: deps.config, journal: deps.journal, actor: session.name, now: now) }
            deps.logger.notice("console: document requeued", metadata: ["user": "\(session.name)", "journal_id": "\(id)", "what": "\(said)"])
            return Pages.redirect(form?["back"] == "quarantine" ? "/quarantine?done=\(id)" : "/documents/\(id)?done=requeued")
        } catch let error as RequeueError {
            return Pages.problem(.conflict, "Повторная отправка", "\(error.code) \(error.message.ru)", session: session)
        }
    }
}

/// `Content-Disposition` for a download: the name as plain ASCII where it can be, and whole in RFC 5987 form.
enum Download {
    static func disposition(_ name: String) -> String {
        let ascii = String(name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" && $0 != ";" ? Character($0) : "_" })
        return "attachment; filename=\"\(ascii)\"; filename*=UTF-8''" + PercentEncoding.encoded(name)
    }
}
