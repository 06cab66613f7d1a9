import DocgateCore
import DocgateDocuments
import DocgateSignature
import DocgateXML

/// Analyse: the verdict on a document's content — parse, kind, schema, rules, signatures — and the bytes to
/// deliver (converted, signed). Independent of other documents and of the journal, so it runs in parallel and
/// ahead of the claim; the rules across documents come later, in `Decider`.
struct Analyzer: Sendable {
    let validator: DocumentValidator
    /// The verifier of the moment (made again when the trust files change); nil without `trust`.
    let verifiers: VerifierSource?
    let signer: DocumentSigner?

    /// Whether a route's documents are parsed into a tree: to verify their signatures, sign them or write them in
    /// another encoding. Other routes validate the stream, without a tree.
    func needsTree(_ route: Route) -> Bool {
        route.requireSignature && verifiers != nil || !route.sign.isEmpty && signer != nil || route.encoding != .asIs
    }

    func analyze(_ bytes: [UInt8], name: FileName, sha256: String, _ route: Route) -> Analysis {
        if needsTree(route) { return analyzeTree(bytes, name: name.display, sha256: sha256, route) }
        var a = verdict(validator.validate(bytes: bytes, file: name.display, retainRecords: route.contextRules), sha256: sha256, route)
        if a.diagnostics.allowsValidity { a.output = bytes }
        return a
    }

    private func analyzeTree(_ bytes: [UInt8], name: String, sha256: String, _ route: Route) -> Analysis {
        let document: XMLDocument
        switch bytes.withUnsafeBytes({ XMLDocument.parse($0, limits: validator.limits) }) {
        case .failure(let failure):
            var a = Analysis()
            a.diagnostics = XMLDiagnostics.diagnostics(for: failure)
            return a
        case .success(let d):
            document = d
        }
        var a = verdict(validator.check(document, file: name), sha256: sha256, route)
        if a.diagnostics.allowsValidity, route.requireSignature, let verifiers {
            // A kind the route signs arrives without the signature the gateway adds: a missing one is not refused.
            let addsItsOwn = a.kind.map { route.sign.contains($0) && signer != nil } ?? false
            a.diagnostics += verifiers.current.verify(document, file: name, policies: route.certificatePolicies,
                                                      requireAllParties: !addsItsOwn).diagnostics
        }
        guard a.diagnostics.allowsValidity else { return a }
        // The output encoding, when it differs from the input's: the tree written in it (and signed from those bytes).
        var converted: [UInt8]?
        if route.encoding != .asIs {
            let want: XMLWriter.Encoding = route.encoding == .windows1251 ? .windows1251 : .utf8
            let input = document.inputEncoding
            let already = (input == .windows1251) == (want == .windows1251) && input != .utf16LE && input != .utf16BE
            if !already { converted = document.serialized(encoding: want) }
        }
        var out = converted ?? bytes
        if let k = a.kind, route.sign.contains(k), let signer {
            let signed = converted == nil ? signer.sign(document, parsedFrom: bytes) : signer.sign(bytes: out)
            switch signed {
            case .success(let s): out = s
            case .failure(let f): a.diagnostics += f.diagnostics
            }
        }
        if a.diagnostics.allowsValidity { a.output = out }
        return a
    }

    /// What a validation report says on a route: its findings, the kind's admission, the record for the rules
    /// across documents.
    private func verdict(_ report: ValidationReport, sha256: String, _ route: Route) -> Analysis {
        var a = Analysis()
        a.documentId = report.documentId
        a.kind = report.kind
        a.diagnostics = report.diagnostics
        if report.valid, let k = report.kind, !route.accept.contains(k) {
            a.diagnostics.append(Diagnostic(code: "DG5030", message: LocalizedText(
                ru: "документы вида «\(k.title.ru)» по маршруту \(route.name) не принимаются",
                en: "\(k.title.en) documents are not accepted on route \(route.name)")))
        }
        if a.diagnostics.allowsValidity, route.contextRules {
            a.contextDocument = ContextDocument(report: report, sha256: sha256)
        }
        return a
    }
}
