import DocgateCrypto
import DocgateXML
import Foundation
import Testing
@testable import DocgateSignature

@Suite struct CertificateCacheTests {
    /// The base64 body of a PEM certificate, with its line breaks.
    func body(_ pemPath: String) throws -> String {
        let pem = try String(contentsOfFile: pemPath, encoding: .utf8)
        return pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined(separator: "\n")
    }

    /// Reads `text` as the content of an X509Certificate element through `cache`.
    func read(_ text: String, _ cache: CertificateCache) throws -> Certificate? {
        let xml = "<ds:X509Certificate xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\">\(text)</ds:X509Certificate>"
        let document = try Array(xml.utf8).withUnsafeBytes { XMLDocument.parse($0) }.get()
        let root = try #require(document.root)
        return withExtendedLifetime(document) { cache.certificate(textOf: root) }
    }

    /// A certificate seen before is found by its text; the same certificate wrapped otherwise by its DER; a text
    /// of the same length and the same end (what the lookup hashes) but one character changed is never taken for
    /// it, and text that is not a certificate gives nil.
    @Test func foundByTextComparedInFull() throws {
        let pki = try Fixture.pki()
        let cache = CertificateCache()
        let text = try body(pki.rsaCert)
        let first = try #require(try read(text, cache))
        #expect(try read(text, cache) === first)
        #expect(try read(text.replacingOccurrences(of: "\n", with: ""), cache) === first)
        let der = [UInt8](try #require(Data(base64Encoded: text, options: .ignoreUnknownCharacters)))
        #expect(first == (try #require(Certificate(der: der))))

        var changed = Array(text.utf8)
        let middle = changed.count / 2
        changed[middle] = changed[middle] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let other = try read(String(decoding: changed, as: UTF8.self), cache)
        #expect(other !== first)
        #expect(try read("bm90IGEgY2VydGlmaWNhdGU=", cache) == nil)
        #expect(try read(try body(pki.ecCert), cache) !== first)
    }
}
