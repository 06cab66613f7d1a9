import DocgateCore
import DocgateDocuments
import FoundationEssentials
import Glibc
import TOMLKit

extension Reader {
    /// Route names unique; no two route directories the same or one inside the other, compared after resolving
    /// symbolic links — within a route and across routes — and the journal inside none of them. Otherwise receipts
    /// written into an inbox come back as documents without end, rejected documents land in the finance system's
    /// import directory, an outbox inside an inbox feeds deliveries back in. One exception: several routes may
    /// share an errors directory, or an archive directory — names written there are numbered on a collision, never
    /// replaced (`RENAME_NOREPLACE`), staging names carry the journal id, and the journal records the name each
    /// document got; an inbox, outbox or receipts directory is never shared.
    mutating func checkDirectories(_ routes: [Route], journal: String) {
        var names: Set<String> = []
        struct Use {
            var key: String
            var route: Int
            var role: String
            var shown: String
            var resolved: [String]
        }
        var uses: [Use] = []
        for (i, r) in routes.enumerated() {
            if !names.insert(r.name).inserted { problem("route[\(i)].name", ru: "имя маршрута повторяется", en: "the route name is repeated") }
            for (role, dir) in [("inbox", r.inbox), ("outbox", r.outbox), ("receipts", r.receipts), ("errors", r.errors), ("archive", r.archive)]
            where !dir.isEmpty {
                let key = "route[\(i)].\(role)"
                let resolved = Self.resolve(dir)
                let shown = Self.show(resolved)
                for other in uses {
                    let rule = (ru: "каталоги маршрутов не должны совпадать или лежать один в другом; общими у маршрутов могут быть только errors или только archive",
                                en: "route directories must be neither the same nor one inside another; routes may share only an errors or only an archive directory")
                    if resolved == other.resolved {
                        if other.route != i, other.role == role, role == "errors" || role == "archive" { continue }
                        problem(key, ru: "тот же каталог \(shown), что и \(other.key) (\(rule.ru))",
                                en: "the same directory \(shown) as \(other.key) (\(rule.en))")
                    } else if Self.isInside(resolved, other.resolved) {
                        problem(key, ru: "\(shown) лежит внутри \(other.key) (\(other.shown)) (\(rule.ru))",
                                en: "\(shown) is inside \(other.key) (\(other.shown)) (\(rule.en))")
                    } else if Self.isInside(other.resolved, resolved) {
                        problem(key, ru: "\(shown) содержит \(other.key) (\(other.shown)) (\(rule.ru))",
                                en: "\(shown) contains \(other.key) (\(other.shown)) (\(rule.en))")
                    }
                }
                uses.append(Use(key: key, route: i, role: role, shown: shown, resolved: resolved))
            }
        }
        guard !journal.isEmpty else { return }
        let file = Self.resolve(journal)
        for use in uses where Self.isInside(file, use.resolved) || file == use.resolved {
            problem("journal", ru: "журнал \(Self.show(file)) лежит в каталоге маршрута \(use.key) (\(use.shown)): шлюз принял бы его за документ или переместил; выберите каталог вне маршрутов",
                    en: "the journal \(Self.show(file)) is inside the route directory \(use.key) (\(use.shown)): the gateway would take it for a document or move it; choose a directory outside the routes")
        }
    }

    /// A path's components after resolving symbolic links: the longest prefix that exists goes through
    /// `realpath`, the rest (not created yet) is appended, `.` and `..` in it taken by name.
    static func resolve(_ path: String) -> [String] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let root = path.hasPrefix("/") ? "/" : "."
        for n in stride(from: parts.count, through: 0, by: -1) {
            let prefix = n == 0 ? root : (path.hasPrefix("/") ? "/" : "") + parts[..<n].joined(separator: "/")
            guard let real = realpath(prefix, nil) else { continue }
            var out = String(cString: real).split(separator: "/").map(String.init)
            free(real)
            for p in parts[n...] {
                if p == "." { continue }
                if p == ".." { if !out.isEmpty { out.removeLast() }; continue }
                out.append(p)
            }
            return out
        }
        // Not even the root resolves (no current directory): take the path by name.
        var out: [String] = []
        for p in parts where p != "." { if p == ".." { if !out.isEmpty { out.removeLast() } } else { out.append(p) } }
        return out
    }

    static func show(_ components: [String]) -> String { "/" + components.joined(separator: "/") }

    /// Whether `a` lies strictly inside `b` (by whole components: /x/in2 is not inside /x/in).
    static func isInside(_ a: [String], _ b: [String]) -> Bool {
        a.count > b.count && Array(a[..<b.count]) == b
    }
}
