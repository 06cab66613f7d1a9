/// Deliver: a staged document's output renamed into the outbox (never replacing a file), a rejection's reason
/// into errors/, and the directories fsynced. A rename that already happened (a crash before the commit) is not
/// redone: its staging file is gone.
struct Deliverer: Sendable {
    let context: StageContext

    struct Result {
        /// Staged (or delivered-without-receipt) items whose files are in place, with the transition that records it.
        var placed: [(Work, Transition)] = []
        /// Items at another stage, handed on as they are.
        var passThrough: [Work] = []
    }

    func deliver(_ items: [Work]) -> Result {
        var result = Result()
        var dirs: [Directory] = []
        for w in items {
            guard w.entry.stage == .staged || w.entry.stage == .delivered else { result.passThrough.append(w); continue }
            let r = w.runtime
            var t = Transition(w.entry, to: .receipted)
            do {
                if w.entry.stage == .staged, w.entry.outcome == .delivered, var name = w.entry.outputName {
                    if w.recovered ? r.outbox.exists(w.outputStaging) : w.wroteOutput {
                        name = try Names.place(w.outputStaging, as: name, in: r.outbox)
                    }
                    if !dirs.contains(where: { $0 === r.outbox }) { dirs.append(r.outbox) }
                    t.outputName = name
                }
                if w.entry.stage == .staged, w.recovered ? r.errors.exists(w.reasonStaging) : w.wroteReason {
                    let base = w.quarantineName ?? Names.sanitize(w.name)
                    _ = try Names.place(w.reasonStaging, as: base + ".reason.txt", in: r.errors)
                    if !dirs.contains(where: { $0 === r.errors }) { dirs.append(r.errors) }
                }
                result.placed.append((w, t))
            } catch {
                context.fail(r, w.name, error)
            }
        }
        for d in dirs {
            do { try d.sync() } catch {
                context.logger.error("directory fsync failed", metadata: ["code": "DG5044", "error": "\(error)"])
                return Result(placed: [], passThrough: result.passThrough)
            }
        }
        return result
    }
}
