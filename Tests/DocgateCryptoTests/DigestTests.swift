import DocgateCrypto
import Testing

/// Known-answer tests of the digests the signature profile uses: FIPS 180-2's "abc" for SHA-256 and message M1 of
/// RFC 6986 (GOST R 34.11-2012) for Streebog, as OpenSSL's GOST engine writes the bytes.
@Suite struct DigestTests {
    static let m1 = Array("012345678901234567890123456789012345678901234567890123456789012".utf8)

    @Test func sha256OfABC() throws {
        let d = try DigestAlgorithm.sha256.digest(Array("abc".utf8))
        #expect(d.map { String(format: "%02x", $0) }.joined() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // `hex` digests and writes the digest as the journal does.
        #expect(DigestAlgorithm.sha256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test(.enabled(if: CryptoLibrary.gostAvailable)) func streebogOfRFC6986M1() throws {
        let d256 = try DigestAlgorithm.streebog256.digest(Self.m1)
        #expect(d256.map { String(format: "%02x", $0) }.joined() == "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500")
        let d512 = try DigestAlgorithm.streebog512.digest(Self.m1)
        #expect(d512.map { String(format: "%02x", $0) }.joined()
            == "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48")
    }

    /// Each algorithm names its digest and the digest's URI as the profile writes them.
    @Test func signatureAlgorithmsUseTheirDigests() {
        #expect(SignatureAlgorithm.rsaSHA256.digest == .sha256)
        #expect(SignatureAlgorithm.gost2012_256.digest == .streebog256)
        #expect(SignatureAlgorithm.gost2012_512.digest == .streebog512)
        #expect(DigestAlgorithm.streebog256.uri == "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-256")
    }
}
