import DocgateDocuments
import Testing

/// What a document or a file name holds stays text in the HTML docgate writes.
@Suite struct HTMLWriterTests {
    @Test func textCannotBecomeMarkup() {
        var w = HTMLWriter()
        w.element("p", text: #"<script>alert("x")</script> & 'q'"#)
        #expect(w.html == "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;</p>")
    }

    @Test func anAttributeValueCannotLeaveItsQuotes() {
        var w = HTMLWriter()
        w.element("td", ["title": #"" onmouseover="steal()"#, "class": "amount"], text: "1")
        #expect(w.html == #"<td title="&quot; onmouseover=&quot;steal()" class="amount">1</td>"#)
    }

    @Test func forbiddenCharactersAreReplacedAndLineEndsKept() {
        #expect(HTMLWriter.escape("a\u{0}b\u{1B}[2J\u{7F}\u{85}c") == "a\u{FFFD}b\u{FFFD}[2J\u{FFFD}\u{FFFD}c")
        // Noncharacters (Swift takes no literal of them).
        var nonCharacters = String.UnicodeScalarView()
        for v: UInt32 in [0xFFFE, 0xFDD0, 0x1FFFF] { nonCharacters.append(Unicode.Scalar(v)!) }
        #expect(HTMLWriter.escape(String(nonCharacters)) == "\u{FFFD}\u{FFFD}\u{FFFD}")
        #expect(HTMLWriter.escape("a\tb\nc\r") == "a\tb\nc\r")
        #expect(HTMLWriter.escape("Соглашение № 5 — «ООО»") == "Соглашение № 5 — «ООО»")
    }

    /// A name with a right-to-left override would show «exe.fdp» as «pdf.exe»: the bidi controls are replaced.
    @Test func bidirectionalControlsCannotReorderWhatIsShown() {
        #expect(HTMLWriter.escape("счёт\u{202E}fdp.exe") == "счёт\u{FFFD}fdp.exe")
        for v: UInt32 in [0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C] {
            #expect(HTMLWriter.escape(String(Unicode.Scalar(v)!)) == "\u{FFFD}", "U+\(String(v, radix: 16))")
        }
    }

    @Test func elementsNestAndVoidElementsHaveNoEndTag() {
        var w = HTMLWriter()
        w.element("table") { t in
            t.element("tr") { r in
                r.element("td", text: "1")
                r.void("br")
            }
        }
        w.void("meta", ["charset": "utf-8"])
        #expect(w.html == #"<table><tr><td>1</td><br></tr></table><meta charset="utf-8">"#)
    }
}

/// The page of the printable forms.
@Suite struct FormPageTests {
    @Test func aPageIsRussianUTF8A4AndFetchesNothing() {
        let page = FormPage.html(title: "Соглашение <№ 5>") { $0.element("h1", text: "Соглашение") }
        #expect(page.hasPrefix("<!DOCTYPE html>\n<html lang=\"ru\"><head><meta charset=\"utf-8\">"))
        #expect(page.contains("<title>Соглашение &lt;№ 5&gt;</title>"))
        #expect(page.contains("@page { size: A4;"))
        #expect(page.contains("<body><h1>Соглашение</h1></body></html>\n"))
        for outside in ["<script", "<link", "src=", "http://", "https://", "@import", "url("] {
            #expect(!page.contains(outside), "\(outside)")
        }
    }
}
