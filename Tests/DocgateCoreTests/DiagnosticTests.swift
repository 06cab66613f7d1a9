import DocgateCore
import Testing

@Suite struct DiagnosticTests {
    @Test(arguments: [("ru_RU.UTF-8", Language.ru), ("ru", .ru), ("RU_ru", .ru), ("en_US.UTF-8", .en), ("C", .en), ("", .en)])
    func languageFollowsTheLocale(locale: String, expected: Language) {
        #expect(Language.from(locale: locale) == expected)
    }

    @Test func onlyErrorsMakeADocumentInvalid() {
        let warning = Diagnostic(code: "DG3005", severity: .warning, message: LocalizedText(ru: "п", en: "w"))
        let error = Diagnostic(code: "DG3001", message: LocalizedText(ru: "о", en: "e"))
        #expect([warning].allowsValidity)
        #expect(![warning, error].allowsValidity)
        #expect(error.message[.ru] == "о" && error.message[.en] == "e")
    }
}

@Suite struct SafeTextTests {
    @Test func controlsAndBidiBecomeVisibleEscapes() {
        #expect(SafeText.escaped("a\nb") == "a\\nb")
        #expect(SafeText.escaped("x\u{1B}[31mred") == "x\\u{1B}[31mred")
        #expect(SafeText.escaped("evil\u{202E}lmx.exe") == "evil\\u{202E}lmx.exe")
        #expect(SafeText.escaped("a\\nb") == "a\\\\nb", "a literal backslash-n must not read as an escaped newline")
        #expect(SafeText.escaped("Приказ №5.xml") == "Приказ №5.xml")
        #expect(SafeText.escaped("\u{85}") == "\\u{85}")
    }
}
