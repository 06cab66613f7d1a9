/// Scan: which files of an inbox are complete and may be taken now.
///
/// A file renamed into the inbox (inotify IN_MOVED_TO) is complete at once (the read stage still checks that no
/// one writes it after the rename); any other regular file when its
/// inode, size and modification time have stayed the same for the route's quiet period, counted from when docgate
/// first saw them so (copies keep old modification times) — or, sooner, when its modification time is older than
/// the quiet period and the read stage can tell that no one holds it open for writing (a file found waiting at
/// start-up). Links and special files are taken at once: they are refused unread. Directories are left alone. The
/// read stage checks every file for writers where Linux can tell.
struct Scanner: Sendable {
    let context: StageContext

    struct Result {
        /// Ready entries, in directory order.
        var ready: [Directory.Entry] = []
        /// Ready only if the read stage can tell that no one is writing them (unchanged since their modification
        /// time, but not yet for a quiet period since docgate first saw them).
        var provisional: Set<FileName> = []
        var waiting = 0
        var failed = false
    }

    func scan(_ r: RouteRuntime) -> Result {
        let now = context.clock.now()
        var result = Result()
        let entries: [Directory.Entry]
        do { entries = try r.inbox.entries(limit: 1_000_000, where: RouteRuntime.isCandidate) } catch {
            context.logger.error("cannot list the inbox", metadata: ["code": "DG5044", "route": "\(r.route.name)", "error": "\(error)"])
            result.failed = true
            return result
        }
        var present: Set<FileName> = []
        var depth = 0
        var oldest: Double?
        for e in entries where e.kind != .directory {
            depth += 1
            present.insert(e.name)
            let previous = r.sightings[e.name]
            oldest = min(oldest ?? .infinity, previous?.since ?? now)
            if let until = r.retryTime(e.name), until > now { result.waiting += 1; continue }
            guard e.kind == .regular else { result.ready.append(e); continue }
            if previous == nil || previous!.identity != e.identity {
                r.sightings[e.name] = RouteRuntime.Sighting(identity: e.identity, since: now)
            }
            let mtime = Double(e.identity.mtime) / 1e9
            if r.renamedIn.contains(e.name) || now - r.sightings[e.name]!.since >= r.route.quietPeriod {
                result.ready.append(e)
            } else if now - mtime >= r.route.quietPeriod && mtime <= now {
                result.ready.append(e)
                result.provisional.insert(e.name)
            } else {
                result.waiting += 1
            }
        }
        context.metrics.setQueueDepth(route: r.route.name, depth, oldestSince: oldest, at: now)
        // Forget files that left without us (a producer took one back).
        if r.sightings.count > present.count {
            for name in r.sightings.keys where !present.contains(name) { r.sightings[name] = nil }
        }
        r.renamedIn.formIntersection(present)
        if r.heldOpen.count > 0 { r.heldOpen = r.heldOpen.filter { present.contains($0.key) } }
        context.metrics.setHeldOpen(route: r.route.name, r.heldOpen.values.count { $0.warned })
        // Back-off of files that left (archived, or taken back by their producer) is forgotten.
        r.backoff.withLock { b in if b.count > 0 { b = b.filter { present.contains($0.key) } } }
        return result
    }

    /// A file found incomplete when it was to be read (changed since it was listed, or open for writing): its quiet
    /// period starts again.
    func stillBeingWritten(_ name: FileName, _ r: RouteRuntime) {
        if var s = r.sightings[name] {
            s.since = context.clock.now()
            r.sightings[name] = s
        }
        r.renamedIn.remove(name)
    }

    /// A file another process holds open for writing: still being written, and one held so longer than the route's
    /// `held_open_warning` is reported once (DG5050) — a producer that never closes its file would otherwise hold it
    /// back unseen.
    func heldOpen(_ name: FileName, _ r: RouteRuntime, identity: FileIdentity) {
        stillBeingWritten(name, r)
        let now = context.clock.now()
        var held = RouteRuntime.HeldOpen(device: identity.device, inode: identity.inode, since: now)
        if let known = r.heldOpen[name], known.device == identity.device && known.inode == identity.inode { held = known }
        if !held.warned && now - held.since >= r.route.heldOpenWarning {
            held.warned = true
            context.logger.warning("an inbox file has been open for writing by another process for a long time; it is taken once closed", metadata: [
                "code": "DG5050", "route": "\(r.route.name)", "file": "\(name.display)", "seconds": "\(Int(now - held.since))"])
        }
        r.heldOpen[name] = held
    }

    /// A file read whole: no longer held open (a warned one is noted as closed).
    func readWhole(_ name: FileName, _ r: RouteRuntime) {
        guard let held = r.heldOpen.removeValue(forKey: name) else { return }
        if held.warned {
            context.logger.notice("the inbox file held open for writing was closed; it is taken", metadata: [
                "route": "\(r.route.name)", "file": "\(name.display)", "seconds": "\(Int(context.clock.now() - held.since))"])
        }
    }
}
