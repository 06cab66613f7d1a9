import CCryptoShims
import COpenSSL
import Glibc

/// An OpenSSL key (private or public). Immutable after loading, so one key serves many threads: each
/// operation uses its own `EVP_MD_CTX`.
public final class Key: @unchecked Sendable {
    let pkey: OpaquePointer
    /// The signature algorithm this key signs with.
    public let algorithm: SignatureAlgorithm
    /// Key size in bits.
    public let bits: Int

    /// Takes ownership of `pkey`.
    init(taking pkey: OpaquePointer) throws(CryptoError) {
        self.pkey = pkey
        self.bits = Int(EVP_PKEY_get_bits(pkey))
        switch Self.classify(pkey, bits: bits) {
        case .success(let a): algorithm = a
        case .failure(let e):
            EVP_PKEY_free(pkey)
            throw e
        }
    }

    deinit { EVP_PKEY_free(pkey) }

    private static func classify(_ pkey: OpaquePointer, bits: Int) -> Result<SignatureAlgorithm, CryptoError> {
        let id = EVP_PKEY_get_base_id(pkey)
        switch id {
        case EVP_PKEY_RSA:
            return bits >= 2048 ? .success(.rsaSHA256) : .failure(.unsupportedKey("RSA-\(bits)"))
        case EVP_PKEY_EC:
            var name = [CChar](repeating: 0, count: 64)
            var length = 0
            guard EVP_PKEY_get_group_name(pkey, &name, name.count, &length) == 1 else {
                return .failure(.unsupportedKey("EC"))
            }
            let group = name.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            return group == "prime256v1" || group == "P-256" ? .success(.ecdsaSHA256) : .failure(.unsupportedKey("EC \(group)"))
        case NID_id_GostR3410_2012_256:
            return .success(.gost2012_256)
        case NID_id_GostR3410_2012_512:
            return .success(.gost2012_512)
        default:
            let name = OBJ_nid2sn(id).map { String(cString: $0) } ?? "NID \(id)"
            return .failure(.unsupportedKey(name))
        }
    }

    /// Loads a private key: PEM (PKCS#8, encrypted PKCS#8 or traditional) or DER (PKCS#8, encrypted or not).
    /// - Parameters:
    ///   - path: shown in messages.
    ///   - passphrase: for encrypted keys; never taken from the command line.
    public static func privateKey(bytes: [UInt8], path: String, passphrase: [UInt8]?) throws(CryptoError) -> Key {
        CryptoLibrary.initialize()
        ERR_clear_error()
        var pass = (passphrase ?? []) + [0]
        defer { for i in pass.indices { pass[i] = 0 } }
        let pkey: OpaquePointer? = pass.withUnsafeMutableBytes { p in
            let u = passphrase == nil ? nil : p.baseAddress
            return withMemoryBIO(bytes) { bio -> OpaquePointer? in
                if looksLikePEM(bytes) {
                    return PEM_read_bio_PrivateKey(bio, nil, passphraseCallback, u)
                }
                if let k = d2i_PKCS8PrivateKey_bio(bio, nil, passphraseCallback, u) { return k }
                _ = BIO_ctrl(bio, BIO_CTRL_RESET, 0, nil)
                return d2i_PrivateKey_bio(bio, nil)
            } ?? nil
        }
        guard let pkey else {
            let detail = CryptoLibrary.drainErrors()
            if isEncrypted(bytes) || isEncryptedDER(bytes) || (detail ?? "").contains("bad decrypt") || (detail ?? "").contains("password")
                || (detail ?? "").contains("maybe wrong") {
                throw CryptoError.passphrase(path, detail)
            }
            throw CryptoError.unreadableKey(path, detail)
        }
        return try Key(taking: pkey)
    }

    /// A DER EncryptedPrivateKeyInfo (PKCS#8). Decided from the structure, not from OpenSSL's error texts: which
    /// errors stay in the queue depends on the decoders loaded (the GOST engine adds some), so the texts vary.
    private static func isEncryptedDER(_ bytes: [UInt8]) -> Bool {
        let encrypted = withMemoryBIO(bytes) { bio -> Bool in
            guard let sig = d2i_PKCS8_bio(bio, nil) else { return false }
            X509_SIG_free(sig)
            return true
        } ?? false
        ERR_clear_error()
        return encrypted
    }

    private static func isEncrypted(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes.prefix(4096), as: UTF8.self)
        return text.contains("ENCRYPTED")
    }

    /// Signs `data` and returns the signature in XMLDSig form: PKCS#1 v1.5 for RSA, raw r‖s for ECDSA,
    /// OpenSSL's byte order for GOST.
    public func sign(_ data: UnsafeRawBufferPointer) throws(CryptoError) -> [UInt8] {
        guard let md = algorithm.digest.md else { throw CryptoError.gostUnavailable }
        guard let ctx = EVP_MD_CTX_new() else { throw Self.failure("EVP_MD_CTX_new") }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestSignInit(ctx, nil, md, nil, pkey) == 1 else { throw Self.failure("sign init") }
        var length = 0
        guard EVP_DigestSign(ctx, nil, &length, data.baseAddress, data.count) == 1 else { throw Self.failure("sign") }
        var out = [UInt8](repeating: 0, count: length)
        guard EVP_DigestSign(ctx, &out, &length, data.baseAddress, data.count) == 1 else { throw Self.failure("sign") }
        out.removeSubrange(length...)
        if algorithm == .ecdsaSHA256 {
            guard let raw = ECDSAEncoding.raw(fromDER: out, size: 32) else { throw Self.failure("ECDSA encoding") }
            return raw
        }
        return out
    }

    /// Checks an XMLDSig-form signature over `data`. False for a wrong signature; wrong-length or malformed
    /// values are also false, never an exception.
    public func verify(_ data: UnsafeRawBufferPointer, signature: [UInt8]) -> Bool {
        guard let md = algorithm.digest.md else { return false }
        var sig = signature
        if algorithm == .ecdsaSHA256 {
            guard signature.count == 64, let der = ECDSAEncoding.der(fromRaw: signature) else { return false }
            sig = der
        } else if let length = algorithm.gostSignatureLength, signature.count != length {
            return false
        }
        guard let ctx = EVP_MD_CTX_new() else { return false }
        defer { EVP_MD_CTX_free(ctx) }
        guard EVP_DigestVerifyInit(ctx, nil, md, nil, pkey) == 1 else { ERR_clear_error(); return false }
        let ok = EVP_DigestVerify(ctx, sig, sig.count, data.baseAddress, data.count) == 1
        if !ok { ERR_clear_error() }
        return ok
    }

    /// Whether this (private) key and `other` (a certificate's public key) are the same key pair.
    public func matches(_ other: Key) -> Bool {
        let r = EVP_PKEY_eq(pkey, other.pkey) == 1
        ERR_clear_error()
        return r
    }

    static func failure(_ what: String) -> CryptoError {
        CryptoError(code: "DG4031", message: .init(ru: "Ошибка криптографической операции (\(what))",
                                                   en: "Cryptographic operation failed (\(what))"),
                    detail: CryptoLibrary.drainErrors())
    }
}

/// Hands OpenSSL the passphrase given as `u` (NUL-terminated), or refuses when there is none, so OpenSSL never
/// prompts on the terminal for an encrypted key.
private func passphraseCallback(_ buffer: UnsafeMutablePointer<CChar>?, _ size: Int32, _ rwflag: Int32,
                                _ u: UnsafeMutableRawPointer?) -> Int32 {
    guard let buffer, let u else { return 0 }
    let length = strlen(u.assumingMemoryBound(to: CChar.self))
    guard length < Int(size) else { return 0 }
    memcpy(buffer, u, length)
    return Int32(length)
}

/// ECDSA signatures: XMLDSig carries raw r‖s (RFC 4050 / RFC 6931), OpenSSL works with DER.
enum ECDSAEncoding {
    static func raw(fromDER der: [UInt8], size: Int) -> [UInt8]? {
        var p: UnsafePointer<UInt8>? = der.withUnsafeBufferPointer { $0.baseAddress }
        return der.withUnsafeBufferPointer { buffer -> [UInt8]? in
            p = buffer.baseAddress
            guard let sig = d2i_ECDSA_SIG(nil, &p, buffer.count) else { return nil }
            defer { ECDSA_SIG_free(sig) }
            var r: OpaquePointer?
            var s: OpaquePointer?
            ECDSA_SIG_get0(sig, &r, &s)
            guard let r, let s else { return nil }
            var out = [UInt8](repeating: 0, count: size * 2)
            let ok = out.withUnsafeMutableBufferPointer { b in
                BN_bn2binpad(r, b.baseAddress, Int32(size)) == Int32(size)
                    && BN_bn2binpad(s, b.baseAddress! + size, Int32(size)) == Int32(size)
            }
            return ok ? out : nil
        }
    }

    static func der(fromRaw raw: [UInt8]) -> [UInt8]? {
        let half = raw.count / 2
        guard half > 0, raw.count % 2 == 0, let sig = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(sig) }
        let r = raw.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress, Int32(half), nil) }
        let s = raw.withUnsafeBufferPointer { BN_bin2bn($0.baseAddress! + half, Int32(half), nil) }
        guard let r, let s, ECDSA_SIG_set0(sig, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        let length = i2d_ECDSA_SIG(sig, nil)
        guard length > 0 else { return nil }
        var out = [UInt8](repeating: 0, count: Int(length))
        out.withUnsafeMutableBufferPointer { b in
            var p: UnsafeMutablePointer<UInt8>? = b.baseAddress
            _ = i2d_ECDSA_SIG(sig, &p)
        }
        return out
    }
}
