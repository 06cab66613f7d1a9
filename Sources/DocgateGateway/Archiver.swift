import DocgateCrypto
import Glibc

/// Archive: receipted → done. The inbox file leaves the inbox — a delivered or duplicate original into
/// `archive/YYYY/MM/DD/`, a rejected one (or a link, a special file, an oversized file) into errors/ under the name
/// its reason was written for — but only if it is still the very file that was read: same inode, size and
/// modification time. Another file under that name (renamed over it, or the same file written again) is a new
/// arrival and stays for its own outcome.
struct Archiver: Sendable {
    let context: StageContext

    func archive(_ items: [Work]) -> [Work] {
        var pairs: [(Work, Transition)] = []
        var inboxes: [Directory] = []
        var targets: [Directory] = []
        for w in items where w.entry.stage == .receipted {
            let r = w.runtime
            do {
                var t = Transition(w.entry, to: .done)
                let (path, target) = try move(w)
                // Nil keeps the journal's value: a placeholder `errors/NAME` is cleared when nothing was moved.
                t.archivePath = path ?? (w.quarantineName != nil ? "" : nil)
                if w.quarantineName != nil, let path, path.hasPrefix("errors/") { t.outputName = String(path.dropFirst(7)) }
                if let target {
                    if !targets.contains(where: { $0 === target }) { targets.append(target) }
                    if !inboxes.contains(where: { $0 === r.inbox }) { inboxes.append(r.inbox) }
                }
                pairs.append((w, t))
                _ = r.backoff.withLock { $0.removeValue(forKey: w.name) }
            } catch {
                context.fail(r, w.name, error)
            }
        }
        // The moved names are durable before the journal says done; the inbox's removals after.
        for dir in targets {
            do { try dir.sync() } catch {
                context.logger.error("directory fsync failed", metadata: ["code": "DG5044", "error": "\(error)"])
                return []
            }
        }
        for d in inboxes { try? d.sync() }
        let done = context.commit(pairs)
        for w in done {
            context.logger.info("document processed", metadata: [
                "route": "\(w.entry.route)", "file": "\(w.name.display)", "outcome": "\(w.entry.outcome?.rawValue ?? "-")",
                "kind": "\(w.entry.kind ?? "-")", "id": "\(w.entry.documentId ?? "-")", "journal_id": "\(w.entry.id)"])
        }
        return done
    }

    /// Moves one inbox file to where it belongs; returns its path there (relative to the archive, or `errors/NAME`)
    /// and the directory written, or nil when the file is gone or is not the one that was read.
    private func move(_ w: Work) throws(FileError) -> (String?, Directory?) {
        let r = w.runtime
        guard let before = r.inbox.status(w.name), isOurs(w, before) else {
            // Moved already, by an attempt whose commit did not happen (a crash, a failed fsync).
            if let path = movedBefore(w) { return (path, nil) }
            if r.inbox.exists(w.name) {
                context.logger.notice("another file now holds the name; it is taken as a new arrival",
                                      metadata: ["file": "\(w.name.display)", "journal_id": "\(w.entry.id)"])
            }
            return (nil, nil)
        }
        let target: Directory
        let prefix: [String]
        let wanted: String
        if let q = w.quarantineName {
            (target, prefix, wanted) = (r.errors, ["errors"], q)
        } else {
            let parts = Clock.dateParts(w.entry.receivedAt)
            (target, prefix, wanted) = (try r.archiveDay(parts), parts, Names.sanitize(w.name))
        }
        // Only a regular file with one link, of an admissible size, may be copied when the target is on another
        // file system; anything else is never opened, read or copied.
        let copyable = before.kind == .regular && before.links == 1 && before.identity.size <= Int64(r.route.maxSize)
        let name: String
        var copied = false
        do {
            if copyable {
                (name, copied) = try r.inbox.archive(w.name, as: wanted, into: target, expected: w.entry.identity, limit: r.route.maxSize)
            } else {
                name = try r.inbox.rename(w.name, as: wanted, into: target)
            }
        } catch where error.code == EXDEV {
            // Not copyable across file systems: set aside in the inbox under a hidden name, which the scanner
            // ignores, for an operator to collect.
            let aside = Self.asideName(w, wanted)
            try r.inbox.move(w.name, to: FileName(aside), in: r.inbox)
            context.logger.warning("errors/ is on another file system: the refused file is set aside in the inbox",
                                   metadata: ["code": "DG5044", "file": "\(w.name.display)", "aside": "\(aside)"])
            return ("inbox/" + aside, r.inbox)
        }
        // The rename is atomic, but the name may have been taken over between the check and the rename: the file
        // moved is checked again, and a newcomer goes back to the inbox.
        // (A copy was checked through its descriptor before it was made.)
        if !copied, let after = target.status(FileName(name)), !isSameFile(w, after) {
            var back = w.name
            if r.inbox.exists(back) { back = FileName(bytes: Array(w.name.bytes.prefix(200)) + Array(".returned-\(w.entry.id)".utf8)) }
            try target.move(FileName(name), to: back, in: r.inbox)
            context.logger.notice("another file took the name while it was archived; put back as a new arrival",
                                  metadata: ["file": "\(back.display)", "journal_id": "\(w.entry.id)"])
            return (nil, nil)
        }
        return ((prefix + [name]).joined(separator: "/"), target)
    }

    /// Where an earlier attempt put the file, if it is there: its path as the journal keeps it. The name it was to
    /// get, or a numbered one after it (the name was taken), or the inbox's hidden aside name.
    private func movedBefore(_ w: Work) -> String? {
        guard w.entry.identity != nil else { return nil }
        let r = w.runtime
        func find(_ wanted: String, in dir: Directory) -> String? {
            var name = wanted
            var n = 1
            while let status = dir.status(FileName(name)) {
                if isSameFile(w, status) { return name }
                n += 1
                name = Directory.numbered(wanted, n)
            }
            return nil
        }
        let wanted = w.quarantineName ?? Names.sanitize(w.name)
        let aside = Self.asideName(w, wanted)
        if let status = r.inbox.status(FileName(aside)), isSameFile(w, status) { return "inbox/" + aside }
        if w.quarantineName != nil {
            return find(wanted, in: r.errors).map { "errors/" + $0 }
        }
        let parts = Clock.dateParts(w.entry.receivedAt)
        guard let day = try? r.archiveDay(parts), let name = find(wanted, in: day) else { return nil }
        return (parts + [name]).joined(separator: "/")
    }

    /// The hidden inbox name a refused file is set aside under when errors/ is on another file system.
    static func asideName(_ w: Work, _ wanted: String) -> String { ".docgate-refused-\(w.entry.id)-" + wanted }

    /// After a rename: the same inode, size and modification time (the rename itself changed the status time).
    private func isSameFile(_ w: Work, _ status: (kind: Directory.Kind, links: Int, identity: FileIdentity)) -> Bool {
        guard let identity = w.entry.identity else { return true }
        return status.identity.sameContent(as: identity)
    }

    /// Whether what the name holds now is the file the document was read from.
    private func isOurs(_ w: Work, _ status: (kind: Directory.Kind, links: Int, identity: FileIdentity)) -> Bool {
        if let identity = w.entry.identity { return status.identity == identity }
        // Entries made before identities were kept: a recovered one is compared by content.
        guard w.recovered, status.kind == .regular else { return true }
        guard let bytes = try? w.runtime.inbox.read(w.name, limit: w.runtime.route.maxSize) else { return false }
        return DigestAlgorithm.sha256.hex(bytes) == w.entry.sha256
    }
}
