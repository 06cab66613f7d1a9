import ArgumentParser
import DocgateCommandLine
import DocgateCore
import DocgateDocuments
import FoundationEssentials

/// `docgate compute`: the regulation's computations from a JSON file (shapes in docs/commands.md, examples in
/// Samples/compute/), printed as a table or as JSON.
struct Compute: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compute",
        abstract: "Расчёты по Порядку (Томская обл.) / The regulation's computations: normative, recipients, segments, assignment.",
        discussion: """
        Exact decimals, each result rounded once at the end (money to kopecks, persons to whole numbers, half away from \
        zero); intermediate figures shown rounded (indexes to 4 places). Exit 0 computed, 1 the data do not allow the \
        computation (DG3093 a zero denominator, DG3094 a value below zero, DG3095 input the formula does not use, \
        DG3096 input it needs), 2 unreadable input (DG5026, naming the field).
        """,
        subcommands: [Normative.self, Recipients.self, Segments.self, Assignment.self]
    )

    struct Input: ParsableArguments {
        @Option(name: .long, help: "Output format: text or json.")
        var format: OutputFormat = .text

        @Argument(help: ArgumentHelp("The input, JSON.", valueName: "file"))
        var file: String

        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            let data: [UInt8]
            switch BoundedFile.read(file, limit: Computations.maxInputBytes) {
            case .success(let bytes): data = bytes
            case .failure(let failure):
                Terminal.error(.DG5001, "\(file): " + failure.reason)
                throw Exit.failure
            }
            do throws(Computations.InputError) { return try Computations.decode(type, from: data) } catch {
                Terminal.error(.DG5026, "\(file): \(error)")
                throw Exit.failure
            }
        }

        func emit<T: Encodable>(_ value: T, text: () -> String) throws {
            if format == .json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                Terminal.out(String(decoding: try encoder.encode(value), as: UTF8.self) + "\n")
            } else {
                Terminal.out(text())
            }
        }

        func run<T>(_ body: () throws(Computations.Failure) -> T) throws -> T {
            do { return try body() } catch {
                Terminal.error(code: error.code, "\(error)")
                throw Exit.invalid
            }
        }
    }

    static func row(_ label: String, _ value: String) -> String {
        label + String(repeating: " ", count: max(1, 34 - label.count)) + value + "\n"
    }

    struct Normative: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "normative",
            abstract: "Annex 9: N = K1 + K2 + K3 + K4, and N of the second and third planning years by forecast deflators.",
            discussion: #"Input: {"p": "1200.00", "d": "1.085", "kpl": "350.40", "rtar": "1.12", "kot": "5400.00", "rot": "1.065", "kvp": "120.55", "rvp": "1.05", "forecastDeflators": ["1.06", "1.05"]}"#
        )
        @OptionGroup var input: Input

        func run() throws {
            let data = try input.decode(Computations.NormativeInput.self)
            let r = try input.run { () throws(Computations.Failure) in try Computations.normative(data) }
            try input.emit(r) {
                var out = Compute.row("K1 = P × D", "\(data.p) × \(data.d) = \(r.k1)")
                out += Compute.row("K2 = Kпл × Rтар", "\(data.kpl) × \(data.rtar) = \(r.k2)")
                out += Compute.row("K3 = Kот.н × Rот.н", "\(data.kot) × \(data.rot) = \(r.k3)")
                out += Compute.row("K4 = Kвп × Rвп", "\(data.kvp) × \(data.rvp) = \(r.k4)")
                out += Compute.row("N = K1 + K2 + K3 + K4", "\(r.n)")
                for (i, n) in r.forecast.enumerated() {
                    out += Compute.row("N, planning year \(i + 2)", "× \(data.forecastDeflators[i]) = \(n)")
                }
                return out
            }
        }
    }

    struct Recipients: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "recipients",
            abstract: "Annex 8, extrapolation: K and C1 per group, summed to categories, elements and the service.",
            discussion: #"Input: {"name": "...", "elements": [{"name": "...", "categories": [{"name": "...", "groups": [{"name": "...", "c0": "120", "p": "5", "c0Forecast": "118", "pForecast": "4"}]}]}]}"#
        )
        @OptionGroup var input: Input

        func run() throws {
            let data = try input.decode(Computations.ServiceInput.self)
            let r = try input.run { () throws(Computations.Failure) in try Computations.recipients(data) }
            try input.emit(r) {
                var out = Compute.row(r.name, "СБ1 = \(r.total)")
                for e in r.elements {
                    out += Compute.row("  " + e.name, "СЭ1 = \(e.total)")
                    for c in e.categories {
                        out += Compute.row("    " + c.name, "СК1 = \(c.total)")
                        for g in c.groups { out += Compute.row("      " + g.name, "K = \(g.k), C1 = \(g.c1)") }
                    }
                }
                return out
            }
        }
    }

    struct Segments: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "segments",
            abstract: "Annex 8, segment model: C1 = Σ C0z × Kz over territories.",
            discussion: #"Input: [{"name": "Томск", "c0": "1000", "k": "1.02"}, ...]"#
        )
        @OptionGroup var input: Input

        func run() throws {
            let data = try input.decode([Computations.SegmentInput].self)
            let r = try input.run { () throws(Computations.Failure) in try Computations.segments(data) }
            try input.emit(r) {
                r.segments.map { Compute.row($0.name, "C1 = \($0.c1)") }.joined() + Compute.row("total", "C1 = \(r.total)")
            }
        }
    }

    struct Assignment: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "assignment",
            abstract: "The assignment's costs: З-1 = Σ З-1.k by КЭК, З-2.1 per recipient, З-2.2 per person reached by events.",
            discussion: #"Input: {"byKEK": {"210": "1000000.00", "220": "2500.50"}, "recipients": "150", "reachedByEvents": "1200", "eventCosts": "24000.00"}"#
        )
        @OptionGroup var input: Input

        func run() throws {
            let data = try input.decode(Computations.AssignmentCosts.self)
            let r = try input.run { () throws(Computations.Failure) in try Computations.assignment(data) }
            try input.emit(r) {
                var out = ""
                for (i, article) in Computations.kekArticles.enumerated() {
                    if let v = r.byArticle[article] { out += Compute.row("З-1.\(i + 1) (КЭК \(article))", v.description) }
                }
                out += Compute.row("З-1", r.total.description)
                out += Compute.row("З-2.1 (per recipient)", r.perRecipient?.description ?? "—")
                out += Compute.row("З-2.2 (per person reached)", r.perReached?.description ?? "—")
                return out
            }
        }
    }
}
