import Testing
@testable import DocgateXML

@Suite struct RootProbeTests {
    private func probe(_ text: String, _ encoding: InputEncoding = .utf8) -> String? {
        Array(text.utf8).withUnsafeBytes { XMLRootProbe.namespace(in: $0, encoding: encoding) }
    }

    @Test func readsDefaultAndPrefixedNamespaces() {
        #expect(probe("<?xml version=\"1.0\"?>\n<!-- c -->\n<?pi x?>\n<r xmlns=\"urn:a\" id='1'>") == "urn:a")
        #expect(probe("<so:r xmlns:x='urn:x' xmlns:so=\"urn:b\">") == "urn:b")
        #expect(probe("\u{FEFF}<r xmlns = 'urn:c'/>") == "urn:c")
    }

    @Test func saysNothingWhenUnsure() {
        #expect(probe("<r xmlns=\"urn:a") == nil)          // start tag cut by the chunk
        #expect(probe("<so:r xmlns=\"urn:a\">") == nil)     // prefix never declared
        #expect(probe("<!DOCTYPE r><r xmlns='urn:a'/>") == nil)
        #expect(probe("<r xmlns='urn:&amp;'/>") == nil)
        #expect(probe("<r xmlns='urn:a'/>", .utf16LE) == nil)
    }
}
