import DocgateCore
import DocgateDocuments

/// Decide: one claimed document's outcome, against the documents delivered before it — the journal's, the batch
/// before's (decided, maybe not committed yet) and its own batch's — and the rules across documents; and the names
/// its output, reason and receipt will have.
struct Decider: Sendable {
    let gatewayId: String
    let version: String
    let registry: DocumentContext

    /// The batch's memory of what it decided to deliver: route + root id → hash.
    typealias Delivering = [String: String]

    func decide(_ w: Work, earlier deliveredBefore: [String: [String]], decidedBefore: Delivering,
                deliveredInBatch: inout Delivering, names: inout Names.Book, namesBefore: Names.Book, now: Double) -> Decision {
        let r = w.runtime
        var diagnostics: [Diagnostic] = []
        var outcome = Outcome.rejected
        var output: [UInt8]?
        var documentId: String?
        var kind: DocumentKind?
        var present = true
        if let refusal = w.refusal {
            diagnostics.append(refusal.diagnostic)
        } else if let a = w.analysis {
            documentId = a.documentId
            kind = a.kind
            diagnostics = a.diagnostics
            if diagnostics.allowsValidity, let d = a.contextDocument {
                diagnostics += registry.check(d, identity: false)
            }
            if diagnostics.allowsValidity, let id = documentId {
                let key = r.route.name + "\u{0}" + id
                let earlier = (deliveredBefore[id] ?? []) + [decidedBefore[key], deliveredInBatch[key]].compactMap { $0 }
                if earlier.contains(w.entry.sha256) {
                    outcome = .duplicate
                    diagnostics.append(Diagnostic(code: "DG5032", severity: .warning, message: LocalizedText(
                        ru: "этот документ (тот же id и то же содержимое) уже доставлен; повторно не доставляется",
                        en: "this document (same id, same content) was delivered before; it is not delivered again")))
                } else if !earlier.isEmpty {
                    outcome = .conflict
                    diagnostics.append(Diagnostic(code: "DG5033", message: LocalizedText(
                        ru: "документ с id \(id) уже доставлен с другим содержимым", en: "a document with id \(id) was delivered before with other content")))
                }
            }
            if diagnostics.allowsValidity && outcome == .rejected, let out = a.output {
                outcome = .delivered
                output = out
                if let id = documentId { deliveredInBatch[r.route.name + "\u{0}" + id] = w.entry.sha256 }
            }
        } else {
            present = false
            diagnostics.append(Diagnostic(code: "DG5034", message: LocalizedText(
                ru: "файл исчез из входящего каталога до обработки", en: "the file left the inbox before it was processed")))
        }
        let safe = Names.sanitize(w.name)
        let outputName = outcome == .delivered ? names.take(safe, in: r.outbox, also: namesBefore) : nil
        // A rejected original goes to errors/ as it is: renamed there when it leaves the inbox, never copied.
        let quarantineName = (outcome == .rejected || outcome == .conflict) && present
            ? names.take(safe, in: r.errors, also: namesBefore, suffix: ".reason.txt") : nil
        let receiptName = names.take(Receipts.fileName(for: safe), in: r.receipts, also: namesBefore)
        var reason: [UInt8]?
        if outcome == .rejected || outcome == .conflict {
            reason = Array(Names.reasonText(name: w.name, outcome: outcome, diagnostics: diagnostics, now: now).utf8)
        }
        let content = ReceiptContent(gatewayId: gatewayId, version: version, route: r.route.name, fileName: safe,
                                     documentId: documentId, kind: kind, sha256: w.entry.sha256.isEmpty ? nil : w.entry.sha256,
                                     size: w.entry.size, receivedAt: w.entry.receivedAt, status: outcome,
                                     deliveredAs: outputName, diagnostics: diagnostics)
        return Decision(outcome: outcome, documentId: documentId, kind: kind, output: output, reason: reason, receipt: content,
                        outputName: outputName ?? quarantineName, receiptName: receiptName, errorsJSON: Names.json(diagnostics),
                        errorCodes: Names.errorCodes(diagnostics), partyINNs: w.analysis?.partyINNs ?? [], quarantineName: quarantineName)
    }
}
