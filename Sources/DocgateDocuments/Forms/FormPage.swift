/// The page every printable form is written on: an HTML document in Russian, UTF-8, A4 with margins for binding on
/// the left, a serif face that has Cyrillic (DejaVu, Liberation and PT faces as Debian ships them, then the
/// browser's own serif), tables that repeat their heads on every page and never split a row, and nothing fetched from
/// outside (no scripts, no links, the style in the page).
public enum FormPage {
    /// The whole page: `title` in the browser's tab (escaped), `body` writes the content.
    /// `landscape` turns the page for forms with wide tables (the social order, the report, the assignment).
    public static func html(title: String, landscape: Bool = false, _ body: (inout HTMLWriter) -> Void) -> String {
        var w = HTMLWriter()
        w.trusted("<!DOCTYPE html>\n")
        w.element("html", ["lang": "ru"]) { page in
            page.element("head") { head in
                head.void("meta", ["charset": "utf-8"])
                head.void("meta", ["http-equiv": "Content-Security-Policy", "content": Self.policy])
                head.void("meta", ["name": "viewport", "content": "width=device-width, initial-scale=1"])
                head.element("title", text: title)
                head.element("style") { style in
                    style.trusted(Self.style)
                    if landscape { style.trusted(Self.landscape) }
                }
                // styleText(landscape:) must stay the text written here: the console allows it by its hash.
            }
            page.element("body") { body(&$0) }
        }
        return w.html + "\n"
    }

    /// The text of the page's style element, portrait or landscape (the console allows exactly these by hash).
    public static func styleText(landscape: Bool) -> String {
        "\(style)" + (landscape ? "\(Self.landscape)" : "")
    }

    /// Nothing but the page's own style: no script, no image, font, frame or connection from anywhere.
    public static let policy = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

    /// The print style sheet.
    static let style: StaticString = """
        @page { size: A4; margin: 20mm 15mm 20mm 25mm; }
        html { font-family: "DejaVu Serif", "Liberation Serif", "PT Serif", "Times New Roman", serif; font-size: 11pt; \
        color: #000; background: #fff; }
        body { margin: 0 auto; max-width: 180mm; line-height: 1.35; }
        h1 { font-size: 14pt; text-align: center; margin: 0 0 4mm; }
        h2 { font-size: 12pt; margin: 6mm 0 2mm; }
        table { border-collapse: collapse; width: 100%; margin: 2mm 0 4mm; }
        th, td { border: 0.5pt solid #000; padding: 1mm 1.5mm; vertical-align: top; }
        th { font-weight: normal; background: #f2f2f2; }
        td.number { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
        thead { display: table-header-group; }
        tr { break-inside: avoid; }
        .fields td { border: none; padding: 0.5mm 1.5mm 0.5mm 0; }
        .label { color: #333; width: 40%; }
        h3 { font-size: 11pt; margin: 4mm 0 1mm; }
        h1, h2, h3, .subtitle { break-after: avoid; }
        .subtitle { text-align: center; margin: 0 0 4mm; }
        .test-mark { text-align: center; font-weight: bold; border: 1pt solid #000; padding: 1mm; }
        table.data { font-size: 9pt; }
        td, th { white-space: pre-line; overflow-wrap: break-word; }
        td.number { white-space: nowrap; }
        td.code { word-break: break-all; font-size: 8pt; }
        td.over, td.invalid { font-weight: bold; }
        tr.column-numbers th { font-size: 7pt; padding: 0 1mm; }
        .empty { font-style: italic; }
        .signatures { break-inside: avoid; margin-top: 8mm; }
        @media screen { body { padding: 10mm; } }
        """

    /// The page turned for wide tables.
    static let landscape: StaticString = """
        @page { size: A4 landscape; margin: 15mm 15mm 15mm 20mm; }
        body { max-width: 262mm; }
        """
}
