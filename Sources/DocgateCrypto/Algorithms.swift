import CCryptoShims
import COpenSSL

/// The digests of the signature profile.
public enum DigestAlgorithm: Sendable, Hashable, CaseIterable {
    /// SHA-256.
    case sha256
    /// GOST R 34.11-2012 (Streebog), 256 bits.
    case streebog256
    /// GOST R 34.11-2012 (Streebog), 512 bits.
    case streebog512

    /// The XMLDSig algorithm URI.
    public var uri: String {
        switch self {
        case .sha256: "http://www.w3.org/2001/04/xmlenc#sha256"
        case .streebog256: "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-256"
        case .streebog512: "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-512"
        }
    }

    /// The digest an XMLDSig algorithm URI names; nil for a URI outside the profile.
    public init?(uri: String) {
        guard let found = Self.allCases.first(where: { $0.uri == uri }) else { return nil }
        self = found
    }

    /// The name shown to people (`SHA-256`, `GOST R 34.11-2012 256`).
    public var title: String {
        switch self {
        case .sha256: "SHA-256"
        case .streebog256: "GOST R 34.11-2012 256"
        case .streebog512: "GOST R 34.11-2012 512"
        }
    }

    /// OpenSSL's message digest, or nil when it is not available (Streebog without the GOST engine).
    var md: OpaquePointer? {
        CryptoLibrary.initialize()
        switch self {
        case .sha256: return Digests.sha256
        case .streebog256: return Digests.streebog256
        case .streebog512: return Digests.streebog512
        }
    }

    /// The digest of `bytes`.
    public func digest(_ bytes: UnsafeRawBufferPointer) throws(CryptoError) -> [UInt8] {
        guard let md else { throw CryptoError.gostUnavailable }
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard EVP_Digest(bytes.baseAddress, bytes.count, &out, &length, md, nil) == 1 else {
            throw CryptoError(code: "DG4030", message: .init(ru: "Ошибка вычисления хэша", en: "Digest computation failed"),
                              detail: CryptoLibrary.drainErrors())
        }
        return Array(out[0..<Int(length)])
    }

    /// The digest in lower-case hexadecimal (how the journal and receipts write SHA-256); nil when the digest is not
    /// available.
    public func hex(_ bytes: [UInt8]) -> String? {
        guard let d = try? digest(bytes) else { return nil }
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(d.count * 2)
        for b in d { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0x0F)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The digest of `bytes`; DG5015 when Streebog is asked for without the GOST engine, DG4030 when OpenSSL fails.
    public func digest(_ bytes: [UInt8]) throws(CryptoError) -> [UInt8] {
        try bytes.withUnsafeBytes { raw in Result { () throws(CryptoError) in try digest(raw) } }.get()
    }
}

/// Message digests looked up once. `EVP_MD_fetch` does not see engine digests (TOOLCHAIN.md §3.1), so
/// Streebog comes from `EVP_get_digestbyname` after the engine is loaded.
enum Digests {
    nonisolated(unsafe) static let sha256: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)
    nonisolated(unsafe) static let streebog256: OpaquePointer? = {
        CryptoLibrary.initialize()
        return CryptoLibrary.gostAvailable ? EVP_get_digestbyname("md_gost12_256") : nil
    }()
    nonisolated(unsafe) static let streebog512: OpaquePointer? = {
        CryptoLibrary.initialize()
        return CryptoLibrary.gostAvailable ? EVP_get_digestbyname("md_gost12_512") : nil
    }()
}

/// The signature algorithms of the profile.
public enum SignatureAlgorithm: Sendable, Hashable, CaseIterable {
    /// RSA PKCS#1 v1.5 with SHA-256.
    case rsaSHA256
    /// ECDSA on P-256 with SHA-256.
    case ecdsaSHA256
    /// GOST R 34.10-2012 256 with Streebog-256.
    case gost2012_256
    /// GOST R 34.10-2012 512 with Streebog-512.
    case gost2012_512

    /// The XMLDSig algorithm URI.
    public var uri: String {
        switch self {
        case .rsaSHA256: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
        case .ecdsaSHA256: "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
        case .gost2012_256: "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-256"
        case .gost2012_512: "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-512"
        }
    }

    /// The algorithm an XMLDSig SignatureMethod URI names; nil for a URI outside the profile.
    public init?(uri: String) {
        guard let found = Self.allCases.first(where: { $0.uri == uri }) else { return nil }
        self = found
    }

    /// The digest this algorithm signs with, also used for the reference.
    public var digest: DigestAlgorithm {
        switch self {
        case .rsaSHA256, .ecdsaSHA256: .sha256
        case .gost2012_256: .streebog256
        case .gost2012_512: .streebog512
        }
    }

    /// The name shown to people (`RSA-SHA256`, `ECDSA-P256-SHA256`, `GOST R 34.10-2012 256`).
    public var title: String {
        switch self {
        case .rsaSHA256: "RSA-SHA256"
        case .ecdsaSHA256: "ECDSA-P256-SHA256"
        case .gost2012_256: "GOST R 34.10-2012 256"
        case .gost2012_512: "GOST R 34.10-2012 512"
        }
    }

    /// The length of a GOST signature value (r‖s as OpenSSL writes it), nil for the other algorithms.
    var gostSignatureLength: Int? {
        switch self {
        case .rsaSHA256, .ecdsaSHA256: nil
        case .gost2012_256: 64
        case .gost2012_512: 128
        }
    }
}

/// A digest fed in pieces (canonical XML straight from libxml2's output buffer).
public final class IncrementalDigest {
    private let ctx: OpaquePointer
    private var failed = false

    /// A digest started with `algorithm`; DG5015 when it is Streebog and the GOST engine is not loaded.
    public init(_ algorithm: DigestAlgorithm) throws(CryptoError) {
        guard let md = algorithm.md else { throw CryptoError.gostUnavailable }
        guard let ctx = EVP_MD_CTX_new() else { throw Key.failure("EVP_MD_CTX_new") }
        self.ctx = ctx
        if EVP_DigestInit_ex(ctx, md, nil) != 1 { failed = true }
    }

    deinit { EVP_MD_CTX_free(ctx) }

    /// Feeds the next piece; a failure of OpenSSL is remembered and reported by ``finish()``.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard !failed, bytes.count > 0 else { return }
        if EVP_DigestUpdate(ctx, bytes.baseAddress, bytes.count) != 1 { failed = true }
    }

    /// The digest of every piece fed; DG4031 when any step failed. Call it once.
    public func finish() throws(CryptoError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        guard !failed, EVP_DigestFinal_ex(ctx, &out, &length) == 1 else { throw Key.failure("digest") }
        return Array(out[0..<Int(length)])
    }
}
