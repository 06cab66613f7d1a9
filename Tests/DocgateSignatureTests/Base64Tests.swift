import DocgateXML
import Foundation
import Testing
@testable import DocgateSignature

@Suite struct Base64Tests {
    /// Decodes the text of an element holding `text`, as signatures are read.
    func decode(_ text: String) throws -> [UInt8]? {
        let escaped = text.replacingOccurrences(of: "\r", with: "&#13;")
        let document = try Array("<v>\(escaped)</v>".utf8).withUnsafeBytes { XMLDocument.parse($0) }.get()
        let root = try #require(document.root)
        return withExtendedLifetime(document) { Base64.decode(textOf: root) }
    }

    /// The decoder agrees with Foundation's encoder on every length and on line-broken text, and refuses what
    /// XMLDSig's base64 (xs:base64Binary) may not hold: missing or misplaced padding, characters outside the alphabet.
    @Test func decodingAgreesWithFoundation() throws {
        var generator = SystemRandomNumberGenerator()
        for length in 1...200 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let plain = Data(bytes).base64EncodedString()
            #expect(try decode(plain) == bytes)
            let wrapped = Data(bytes).base64EncodedString(options: [.lineLength64Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            #expect(try decode("\n  " + wrapped + "\n\t") == bytes)
            #expect(try decode(Base64.encode(bytes)) == bytes)
        }
        for bad in ["", "   ", "QQ", "QQ=", "Q===", "QUJD=", "QUJDRA=x", "QU=JD", "QUJ-", "QUJDRA==QUJD", "QUJDR"] {
            #expect(try decode(bad) == nil, "\(bad)")
        }
        #expect(try decode("QUJD RA = =\n") == Array("ABCD".utf8))
    }

    /// docgate's encoder writes what Foundation's MIME encoder writes (76-character lines, `\n` between them, no
    /// line end after the last), for every length around the line and padding boundaries, and appends to what
    /// the buffer holds.
    @Test func encodingMatchesFoundationsLines() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...400 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let expected = Data(bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithLineFeed])
            #expect(Base64.encode(bytes) == expected, "\(length) bytes")
            var out = Array("<v>".utf8)
            Base64.encode(bytes, into: &out)
            #expect(out == Array(("<v>" + expected).utf8))
        }
    }
}
