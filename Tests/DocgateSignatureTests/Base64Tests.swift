import Foundation
import Testing
@testable import DocgateSignature

@Suite struct Base64Tests {
    /// The decoder agrees with Foundation's encoder on every length and on line-broken text, and refuses what
    /// XMLDSig's base64 (xs:base64Binary) may not hold: missing or misplaced padding, characters outside the alphabet.
    @Test func decodingAgreesWithFoundation() {
        var generator = SystemRandomNumberGenerator()
        for length in 1...200 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let plain = Data(bytes).base64EncodedString()
            #expect(Base64.decode(plain) == bytes)
            let wrapped = Data(bytes).base64EncodedString(options: [.lineLength64Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            #expect(Base64.decode("\n  " + wrapped + "\n\t") == bytes)
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        for bad in ["", "   ", "QQ", "QQ=", "Q===", "QUJD=", "QUJDRA=x", "QU=JD", "QUJ-", "QUJDRA==QUJD", "QUJDR"] {
            #expect(Base64.decode(bad) == nil, "\(bad)")
        }
        #expect(Base64.decode("QUJD RA = =\n") == Array("ABCD".utf8))
    }
}
