/// Receipt: once the documents are safe, their receipts renamed into the receipts directory and fsynced — a
/// receipt never before its document — and one journal commit takes the batch to `receipted`. A receipt that
/// cannot be placed leaves its document recorded as delivered, under the name it got, and is retried.
struct ReceiptStep: Sendable {
    let context: StageContext

    func place(_ placed: [(Work, Transition)]) -> [Work] {
        var pairs: [(Work, Transition)] = []
        var dirs: [Directory] = []
        for (w, var t) in placed {
            let r = w.runtime
            var name = w.entry.receiptName ?? Receipts.fileName(for: Names.sanitize(w.name))
            do {
                if !w.recovered || r.receipts.exists(w.receiptStaging) {
                    name = try Names.place(w.receiptStaging, as: name, in: r.receipts)
                }
                if !dirs.contains(where: { $0 === r.receipts }) { dirs.append(r.receipts) }
                t.receiptName = name
            } catch {
                context.fail(r, w.name, error)
                if w.entry.stage == .staged { t.to = .delivered; pairs.append((w, t)) }
                continue
            }
            pairs.append((w, t))
        }
        do {
            for d in dirs { try d.sync() }
        } catch {
            context.logger.error("directory fsync failed", metadata: ["code": "DG5044", "error": "\(error)"])
            // The receipts' names may not be durable: the documents are recorded as delivered only.
            pairs = pairs.compactMap { w, t in
                var t = t
                t.to = .delivered
                return t.from == .staged ? (w, t) : nil
            }
        }
        return context.commit(pairs).filter { $0.entry.stage == .receipted }
    }
}
