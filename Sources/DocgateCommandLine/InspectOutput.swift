import DocgateCore
import DocgateCrypto
import DocgateDocuments
import DocgateSignature

/// What `docgate inspect` prints about one document: text for a person, JSON for a program.
public enum InspectRenderer {
    /// - Parameter paths: each signature's certification path with revocation statuses (with `--trust`).
    public static func text(_ r: ValidationReport, _ signatures: VerificationReport?, _ language: Language,
                     paths: [[PathCertificate]] = []) -> String {
        let ru = language == .ru
        var lines: [String] = []
        func row(_ label: String, _ value: String?) {
            guard let value, !value.isEmpty else { return }
            lines.append(label + String(repeating: " ", count: max(0, 28 - label.count)) + " " + value)
        }
        row(ru ? "Файл" : "File", r.file)
        row(ru ? "Вид" : "Kind", r.kind.map { "\(ru ? $0.title.ru : $0.title.en) (\($0.namespace))" } ?? (ru ? "не определён" : "unknown"))
        row("id", r.documentId)
        if let s = r.summary {
            row(ru ? "Версия формата" : "Format version", s.formatVersion)
            for (k, v) in s.attributes.sorted(by: { $0.key < $1.key }) { row(k, v) }
            if let h = s.header {
                row(ru ? "Номер" : "Number", h.number)
                row(ru ? "Дата" : "Date", h.date?.description)
                row(ru ? "Сформирован" : "Created", h.createdAt)
                row(ru ? "Версия" : "Version", String(h.version) + (h.previousVersionId.map { ru ? " (предыдущая \($0))" : " (previous \($0))" } ?? ""))
                row(ru ? "Статус" : "Status", h.status + (h.test ? (ru ? ", тестовый" : ", test") : ""))
            }
            for p in s.parties {
                let ids = [p.inn.map { "ИНН \($0)" }, p.kpp.map { "КПП \($0)" }, p.ogrn.map { "ОГРН \($0)" }].compactMap { $0 }
                row(p.role[language], p.name + (ids.isEmpty ? "" : " (" + ids.joined(separator: ", ") + ")"))
            }
            for f in s.figures { row(f.label[language], f.value) }
            for ref in s.references {
                let v = ref.ref
                row(ref.label[language], "№ \(v.number)" + (v.date.map { ru ? " от \($0)" : " of \($0)" } ?? "")
                    + (v.id.map { ", id \($0)" } ?? "") + (v.version.map { ru ? ", версия \($0)" : ", version \($0)" } ?? ""))
            }
            row(ru ? "Подписей" : "Signatures", String(s.signatureCount))
        }
        let errors = r.diagnostics.filter(\.isError).count
        row(ru ? "Проверка" : "Validation", r.valid
            ? (ru ? "соответствует" : "valid") + (r.diagnostics.isEmpty ? "" : ru ? " (предупреждений: \(r.diagnostics.count))" : " (\(r.diagnostics.count) warnings)")
            : (ru ? "НЕ СООТВЕТСТВУЕТ, ошибок: \(errors)" : "INVALID, \(errors) errors"))
        for d in r.diagnostics { lines.append("    " + ReportRenderer.describe(d, language)) }
        if let signatures {
            for d in signatures.documentProblems { lines.append("    " + ReportRenderer.describe(d, language)) }
            for (i, s) in signatures.signatures.enumerated() {
                lines.append((ru ? "Подпись " : "Signature ") + SignatureText.line(i + 1, s, language))
                for d in s.problems { lines.append("    " + ReportRenderer.describe(d, language)) }
                if i < paths.count { lines += RevocationText.lines(paths[i], language).map { "    " + $0 } }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The document as JSON: kind, identity, parties, totals, findings and signatures with their paths.
    public static func json(_ r: ValidationReport, _ signatures: VerificationReport?, _ language: Language,
                     paths: [[PathCertificate]] = []) -> String {
        var pairs: [(String, String)] = [("file", JSONText.string(r.file)), ("kind", JSONText.optional(r.kind?.rawValue)),
                                         ("id", JSONText.optional(r.documentId)), ("valid", r.valid ? "true" : "false")]
        if let s = r.summary {
            pairs.append(("formatVersion", JSONText.string(s.formatVersion)))
            pairs.append(("attributes", JSONText.object(s.attributes.sorted { $0.key < $1.key }.map { ($0.key, JSONText.string($0.value)) })))
            if let h = s.header {
                pairs.append(("header", JSONText.object([
                    ("number", JSONText.string(h.number)), ("date", JSONText.optional(h.date?.description)),
                    ("createdAt", JSONText.string(h.createdAt)), ("version", String(h.version)),
                    ("previousVersionId", JSONText.optional(h.previousVersionId)), ("status", JSONText.string(h.status)),
                    ("test", h.test ? "true" : "false")])))
            }
            pairs.append(("parties", JSONText.array(s.parties.map {
                JSONText.object([("role", JSONText.string($0.role[language])), ("name", JSONText.string($0.name)),
                                 ("inn", JSONText.optional($0.inn)), ("kpp", JSONText.optional($0.kpp)),
                                 ("ogrn", JSONText.optional($0.ogrn))])
            })))
            pairs.append(("figures", JSONText.array(s.figures.map {
                JSONText.object([("label", JSONText.string($0.label[language])), ("value", JSONText.string($0.value))])
            })))
            pairs.append(("references", JSONText.array(s.references.map {
                JSONText.object([("label", JSONText.string($0.label[language])), ("kind", JSONText.string($0.ref.kind)),
                                 ("id", JSONText.optional($0.ref.id)), ("number", JSONText.string($0.ref.number)),
                                 ("date", JSONText.optional($0.ref.date?.description)), ("version", JSONText.optional($0.ref.version))])
            })))
            pairs.append(("signatureCount", String(s.signatureCount)))
        }
        pairs.append(("signatures", JSONText.array((signatures?.signatures ?? []).enumerated().map { i, s in
            SignatureText.json(s, language, extra: i < paths.count ? [("path", RevocationText.json(paths[i], language))] : [])
        })))
        if let problems = signatures?.documentProblems, !problems.isEmpty {
            pairs.append(("signatureErrors", JSONText.array(problems.map { SignatureText.json($0, language) })))
        }
        pairs.append(("errors", JSONText.array(r.diagnostics.map { d in
            JSONText.object([("code", JSONText.string(d.code)), ("severity", JSONText.string(d.severity.rawValue)),
                             ("line", JSONText.optional(d.line)), ("column", JSONText.optional(d.column)),
                             ("path", JSONText.optional(d.path)), ("message", JSONText.string(d.message[language]))])
        })))
        return JSONText.object(pairs)
    }
}
