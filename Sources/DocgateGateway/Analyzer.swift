import DocgateCore
import DocgateDocuments
import DocgateProcessing
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
        var steps = DocumentProcessor.Steps(retainRecords: route.contextRules)
        if needsTree(route) {
            if route.requireSignature, let verifiers { steps.verify = (verifiers.current, route.certificatePolicies, true) }
            if !route.sign.isEmpty, let signer {
                steps.sign = signer
                steps.signKinds = route.sign
            }
            steps.encoding = route.encoding == .asIs ? nil : route.encoding == .windows1251 ? .windows1251 : .utf8
        }
        let outcome = DocumentProcessor(validator: validator).process(bytes, file: name.display, steps: steps) { report in
            Self.admission(report, route)
        }
        var a = Analysis()
        a.documentId = outcome.report?.documentId
        a.kind = outcome.report?.kind
        a.diagnostics = outcome.diagnostics
        a.output = outcome.output
        a.partyINNs = outcome.report?.partyINNs ?? []
        if let report = outcome.report, a.diagnostics.allowsValidity, route.contextRules {
            a.contextDocument = ContextDocument(report: report, sha256: sha256)
        }
        return a
    }

    /// What a route adds to a valid document's verdict: whether it accepts the kind (DG5030).
    static func admission(_ report: ValidationReport, _ route: Route) -> [Diagnostic] {
        guard report.valid, let k = report.kind, !route.accept.contains(k) else { return [] }
        return [Diagnostic(code: "DG5030", message: LocalizedText(
            ru: "документы вида «\(k.title.ru)» по маршруту \(route.name) не принимаются",
            en: "\(k.title.en) documents are not accepted on route \(route.name)"))]
    }
}
