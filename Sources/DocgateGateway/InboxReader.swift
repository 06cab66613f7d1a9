import DocgateCrypto
import Glibc
import Synchronization

/// Read: one ready inbox entry opened once, without following links or blocking on FIFOs, checked through its
/// descriptor (kind, links, size against the route's limits, whether someone is still writing it) and read whole —
/// or refused unread. What it reads is the very inode it checked; that identity travels with the document.
struct InboxReader: Sendable {
    let context: StageContext

    enum Result: Sendable {
        case inbound(Inbound)
        /// Not complete yet: changed since it was listed, or (a provisional file) whether anyone writes it cannot
        /// be told.
        case busy
        /// Another process holds the file open for writing: not complete yet.
        case openForWriting
        /// Gone since it was listed.
        case gone
        case failed(FileError)
    }

    /// - Parameter provisional: the file is taken only if the descriptor tells that no one holds it open for
    ///   writing (where that cannot be told, it waits out its quiet period).
    func read(_ entry: Directory.Entry, _ r: RouteRuntime, provisional: Bool = false) -> Result {
        let started = context.clock.monotonic()
        func refused(_ refusal: Refusal, _ identity: FileIdentity) -> Result {
            .inbound(Inbound(name: entry.name, identity: identity, bytes: nil, sha256: "", refusal: refusal, started: started))
        }
        if let error = r.incurable(entry.name, entry.identity) { return refused(.incurable(error), entry.identity) }
        switch entry.kind {
        case .symlink: return refused(.symlink, entry.identity)
        case .fifo, .socket, .device, .directory: return refused(.special(entry.kind), entry.identity)
        case .regular: break
        }
        if let refusal = Self.sizeRefusal(entry.links, entry.size, r) { return refused(refusal, entry.identity) }
        let file: OpenFile
        do { file = try r.inbox.openForReading(entry.name) } catch {
            switch error.code {
            case ENOENT: return .gone
            case ELOOP: return refused(.symlink, entry.identity)   // replaced by a link since it was listed
            default: return .failed(error)
            }
        }
        // The descriptor decides, not the listing: the name may point at another file by now.
        guard file.kind == .regular else { return refused(.special(file.kind), file.identity) }
        // Changed since it was listed (grown, rewritten, replaced): not what the batch was sized and timed for; it
        // waits for its next sighting.
        if file.identity != entry.identity { return .busy }
        if let refusal = Self.sizeRefusal(file.links, file.identity.size, r) { return refused(refusal, file.identity) }
        switch file.writers() {
        case .writing: return .openForWriting
        case .unknown(let code):
            noteNoLeases(r, code)
            if provisional { return .busy }
        case .none: break
        }
        let bytes: [UInt8]
        do { bytes = try file.readAll(limit: r.route.maxSize) } catch {
            if error.code == EFBIG { return refused(.tooLarge(size: file.identity.size, limit: r.route.maxSize), file.identity) }
            return .failed(error)
        }
        let sha256 = DigestAlgorithm.sha256.hex(bytes) ?? ""
        return .inbound(Inbound(name: entry.name, identity: file.identity, bytes: bytes, sha256: sha256, refusal: nil, started: started))
    }

    /// Without leases a file still being written is taken once its quiet period has passed, and DG5050 cannot be
    /// told: said once per route, with what would give them.
    private func noteNoLeases(_ r: RouteRuntime, _ code: Int32) {
        guard !r.leasesMissing.exchange(true, ordering: .relaxed) else { return }
        context.logger.warning("inbox files open for writing cannot be seen (no read lease): they are taken after their quiet period; grant the daemon CAP_LEASE (AmbientCapabilities=CAP_LEASE) or let it own the inbox files", metadata: [
            "code": "DG5051", "route": "\(r.route.name)", "error": "\(String(cString: strerror(code)))"])
    }

    /// Limits checked from `fstat` before any allocation (also what the batch's byte budget leaves out).
    static func sizeRefusal(_ links: Int, _ size: Int64, _ r: RouteRuntime) -> Refusal? {
        if links > 1 { return .hardLink(links: links) }
        if size > Int64(r.route.maxSize) { return .tooLarge(size: size, limit: r.route.maxSize) }
        if r.needsTree && size > Int64(r.route.maxTreeSize) { return .tooLargeForTree(size: size, limit: r.route.maxTreeSize) }
        return nil
    }

    /// A claim taken over from the journal (a crash, or another instance's expired lease): its file read again, if
    /// it is still the file the claim was made for. Nil bytes and no refusal: the file is gone.
    enum Reread {
        case same(bytes: [UInt8]?, refusal: Refusal?)
        /// Another file now holds the name, or the file changed: the claim is closed and the file taken as new.
        case changed
        case failed(FileError)
    }

    func reread(_ w: Work) -> Reread {
        let r = w.runtime
        guard let status = r.inbox.status(w.name) else { return .same(bytes: nil, refusal: nil) }
        if let identity = w.entry.identity, status.identity != identity { return .changed }
        let entry = Directory.Entry(name: w.name, kind: status.kind, links: status.links, identity: status.identity)
        switch read(entry, r) {
        case .inbound(let inbound):
            if let refusal = inbound.refusal { return .same(bytes: nil, refusal: refusal) }
            // Entries made before identities were kept: the content decides.
            if w.entry.identity == nil && inbound.sha256 != w.entry.sha256 { return .changed }
            if w.entry.identity != nil && inbound.identity != w.entry.identity { return .changed }
            return .same(bytes: inbound.bytes, refusal: nil)
        case .busy, .openForWriting: return .changed
        case .gone: return .same(bytes: nil, refusal: nil)
        case .failed(let error): return .failed(error)
        }
    }
}
