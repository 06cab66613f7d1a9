import DocgateCore
import Dispatch
import FoundationEssentials
import Glibc
import Synchronization

/// An input the batch could not read at all (no such file, permission denied).
public struct InputError: Error, Sendable {
    /// The path as given, or the directory below it that could not be listed.
    public var path: String
    /// strerror's text.
    public var reason: String
}

/// The files behind command-line paths: a file as given, a directory as every `*.xml` below it (sorted,
/// symlinked directories not followed, so no loops).
public enum InputFiles {
    /// The files in argument order, each directory's sorted; and the paths that could not be read.
    public static func collect(_ paths: [String]) -> (files: [String], errors: [InputError]) {
        var files: [String] = []
        var errors: [InputError] = []
        for path in paths {
            var st = stat()
            guard stat(path, &st) == 0 else {
                errors.append(InputError(path: path, reason: String(cString: strerror(errno))))
                continue
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                var found: [String] = []
                walk(path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path, into: &found, errors: &errors)
                files += found.sorted()
            } else {
                files.append(path)
            }
        }
        return (files, errors)
    }

    private static func walk(_ dir: String, into found: inout [String], errors: inout [InputError]) {
        guard let handle = opendir(dir) else {
            errors.append(InputError(path: dir, reason: String(cString: strerror(errno))))
            return
        }
        defer { closedir(handle) }
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name == "." || name == ".." { continue }
            let full = dir + "/" + name
            // The entry's type from readdir where the file system gives it (no stat per file); lstat otherwise.
            var type = mode_t(0)
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_DIR): type = S_IFDIR
            case Int32(DT_REG): type = S_IFREG
            case Int32(DT_LNK): type = S_IFLNK
            default:
                var st = stat()
                guard lstat(full, &st) == 0 else { continue }
                type = st.st_mode & S_IFMT
            }
            switch type {
            case S_IFDIR:
                walk(full, into: &found, errors: &errors)
            case S_IFREG, S_IFLNK:
                if name.utf8.count >= 4, name.lowercased().hasSuffix(".xml") { found.append(full) }
            default:
                break
            }
        }
    }
}

/// Runs a job over many files (or other inputs) on every core, handing results back in input order as soon as each is ready,
/// with a progress line on a terminal for runs longer than a moment.
public enum ParallelBatch {
    /// One worker per active processor core.
    public static var defaultWorkers: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Runs `job` over every input on `workers` threads; `emit` gets each result in input order, under a lock.
    public static func run<T: Sendable, R: Sendable>(_ files: [T], workers: Int = defaultWorkers, job: @Sendable @escaping (T) -> R,
                                 emit: @Sendable @escaping (Int, R) -> Void) {
        let state = Mutex(BatchState<R>(count: files.count))
        let next = Atomic<Int>(0)
        let progress = Progress(total: files.count)
        DispatchQueue.concurrentPerform(iterations: min(max(1, workers), max(1, files.count))) { _ in
            while true {
                let i = next.add(1, ordering: .relaxed).oldValue
                if i >= files.count { return }
                let result = job(files[i])
                state.withLock { s in
                    s.results[i] = result
                    while s.emitted < s.results.count, let r = s.results[s.emitted] {
                        s.results[s.emitted] = nil
                        emit(s.emitted, r)
                        s.emitted += 1
                    }
                    progress.tick(done: s.emitted)
                }
            }
        }
        progress.clear()
    }
}

private struct BatchState<R> {
    var results: [R?]
    var emitted = 0

    init(count: Int) {
        results = Array(repeating: nil, count: count)
    }
}

/// `  312/1000 files` on stderr, redrawn at most ten times a second, only on a terminal and after half a second.
private final class Progress: Sendable {
    let total: Int
    let start: UInt64
    let enabled: Bool
    private let last = Atomic<UInt64>(0)
    private let shown = Atomic<Bool>(false)

    init(total: Int) {
        self.total = total
        self.start = DispatchTime.now().uptimeNanoseconds
        self.enabled = total > 1 && Terminal.stderrIsTerminal
    }

    func tick(done: Int) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - start > 500_000_000, now - last.load(ordering: .relaxed) > 100_000_000 else { return }
        last.store(now, ordering: .relaxed)
        shown.store(true, ordering: .relaxed)
        Terminal.raw(fd: 2, "\r\u{1B}[K  \(done)/\(total)")
    }

    func clear() {
        if shown.load(ordering: .relaxed) { Terminal.raw(fd: 2, "\r\u{1B}[K") }
    }
}

extension InputFiles {
    /// The files behind the paths, as `collect` finds them. When there are none and no path failed to be read
    /// (every directory empty of *.xml files), DG5047 on standard error and exit 2 — a batch that checks nothing
    /// must not pass for one that checked everything; paths that could not be read are the caller's (DG5001).
    public static func require(_ paths: [String], language: Language) throws -> (files: [String], errors: [InputError]) {
        let found = collect(paths)
        if found.files.isEmpty && found.errors.isEmpty {
            Terminal.error(.DG5047, language == .ru ? "не найдено ни одного документа *.xml в: " + paths.joined(separator: ", ")
                                                    : "no *.xml documents found in: " + paths.joined(separator: ", "))
            throw Exit.failure
        }
        return found
    }
}
