import CCryptoShims
import COpenSSL
import Glibc

/// An X.509 certificate. Immutable, shared freely between threads.
public final class Certificate: @unchecked Sendable {
    let x509: OpaquePointer

    /// Takes ownership of `x509`.
    init(taking x509: OpaquePointer) {
        self.x509 = x509
    }

    deinit { X509_free(x509) }

    /// Parses one DER certificate.
    public convenience init?(der: [UInt8]) {
        CryptoLibrary.initialize()
        let cert: OpaquePointer? = der.withUnsafeBufferPointer { b in
            var p: UnsafePointer<UInt8>? = b.baseAddress
            return d2i_X509(nil, &p, b.count)
        }
        guard let cert else {
            ERR_clear_error()
            return nil
        }
        self.init(taking: cert)
    }

    /// Every certificate in PEM text (a bundle) or one DER certificate.
    public static func load(bytes: [UInt8], path: String) throws(CryptoError) -> [Certificate] {
        CryptoLibrary.initialize()
        ERR_clear_error()
        if !looksLikePEM(bytes) {
            guard let cert = Certificate(der: bytes) else { throw CryptoError.unreadableCertificate(path, nil) }
            return [cert]
        }
        var found: [Certificate] = []
        _ = withMemoryBIO(bytes) { bio in
            while let x = PEM_read_bio_X509(bio, nil, nil, nil) {
                found.append(Certificate(taking: x))
            }
        }
        // The loop always ends with "no start line" on the queue (TOOLCHAIN.md §3).
        ERR_clear_error()
        if found.isEmpty { throw CryptoError.unreadableCertificate(path, nil) }
        return found
    }

    /// The DER encoding, as carried in `ds:X509Certificate`.
    public var der: [UInt8] {
        let length = i2d_X509(x509, nil)
        guard length > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: Int(length))
        out.withUnsafeMutableBufferPointer { b in
            var p: UnsafeMutablePointer<UInt8>? = b.baseAddress
            _ = i2d_X509(x509, &p)
        }
        return out
    }

    /// Subject in RFC 2253 form, UTF-8 kept readable (`CN=Иванов И.И.,O=Министерство…`).
    public var subject: String {
        stringFromBIO { bio in _ = docgate_print_name(bio, X509_get_subject_name(x509)) }
    }

    /// Issuer in RFC 2253 form, UTF-8 kept readable.
    public var issuer: String {
        stringFromBIO { bio in _ = docgate_print_name(bio, X509_get_issuer_name(x509)) }
    }

    /// Serial number in upper-case hexadecimal.
    public var serialHex: String {
        guard let serial = X509_get0_serialNumber(x509), let bn = ASN1_INTEGER_to_BN(serial, nil) else { return "" }
        defer { BN_free(bn) }
        guard let hex = BN_bn2hex(bn) else { return "" }
        defer { docgate_openssl_free(hex) }
        return String(cString: hex)
    }

    /// Start of validity, seconds since 1970.
    public var notBefore: Int64 { Self.seconds(X509_get0_notBefore(x509)) }
    /// End of validity, seconds since 1970.
    public var notAfter: Int64 { Self.seconds(X509_get0_notAfter(x509)) }

    static func seconds(_ time: UnsafePointer<ASN1_TIME>?) -> Int64 {
        guard let time else { return 0 }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { return 0 }
        return Int64(timegm(&parts))
    }

    /// The public key.
    public func publicKey() throws(CryptoError) -> Key {
        guard let pkey = X509_get_pubkey(x509) else {
            throw CryptoError.unsupportedKey(String(cString: OBJ_nid2sn(X509_get_signature_nid(x509))))
        }
        return try Key(taking: pkey)
    }

    /// False when a key-usage extension is present and allows neither digitalSignature nor nonRepudiation.
    public var allowsSigning: Bool {
        let usage = X509_get_key_usage(x509)
        if usage == UInt32.max { return true }
        return usage & UInt32(KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION) != 0
    }

    /// True when an extended-key-usage extension limits the key to TLS (serverAuth, clientAuth, or both) and to
    /// nothing else: such a certificate is a web server's or a TLS client's, not a document signer's. Without the
    /// extension, or with any other purpose beside (a document-signing OID, anyExtendedKeyUsage), false.
    public var isTLSOnly: Bool {
        guard let raw = X509_get_ext_d2i(x509, NID_ext_key_usage, nil, nil) else { return false }
        let stack = OpaquePointer(raw)
        defer { EXTENDED_KEY_USAGE_free(stack) }
        let count = OPENSSL_sk_num(stack)
        guard count > 0 else { return false }
        for i in 0..<count {
            guard let object = OPENSSL_sk_value(stack, i) else { return false }
            let nid = OBJ_obj2nid(OpaquePointer(object))
            if nid != NID_server_auth && nid != NID_client_auth { return false }
        }
        return true
    }

    /// Whether this certificate issued `other` (names and signature checked).
    public func issued(_ other: Certificate) -> Bool {
        let r = X509_check_issued(x509, other.x509) == X509_V_OK
        ERR_clear_error()
        return r
    }

    /// Whether the certificate issued itself (a root CA's, or a self-signed one).
    public var isSelfIssued: Bool { issued(self) }

    /// Equal when OpenSSL compares the two certificates equal (`X509_cmp`).
    public static func == (a: Certificate, b: Certificate) -> Bool { X509_cmp(a.x509, b.x509) == 0 }
}

/// A private key with its certificate and the CA certificates that go with it.
public struct SigningIdentity: Sendable {
    /// The private key that signs.
    public let key: Key
    /// The signer's certificate, whose public key matches ``key``.
    public let certificate: Certificate
    /// CA certificates to carry beside the signer's (optional).
    public let chain: [Certificate]

    /// An identity from its parts; DG5013 when the key does not match the certificate.
    public init(key: Key, certificate: Certificate, chain: [Certificate] = []) throws(CryptoError) {
        let certKey = try certificate.publicKey()
        guard key.matches(certKey) else { throw CryptoError.keyMismatch }
        self.key = key
        self.certificate = certificate
        self.chain = chain
    }

    /// A key file and a certificate file (PEM or DER; the certificate file may hold the chain after the signer's).
    /// - Parameter policy: `.ownerOnly` refuses a key file its group or others can read (DG5017); the certificate
    ///   is public and never checked. `.anyMode` by default, for callers that checked the file themselves.
    public static func load(keyPath: String, certificatePath: String, passphrase: [UInt8]?,
                            policy: SecretFilePolicy = .anyMode) throws(CryptoError) -> SigningIdentity {
        let keyBytes = try readSecretFile(keyPath, policy: policy)
        let key = try Key.privateKey(bytes: keyBytes, path: keyPath, passphrase: passphrase)
        guard let certBytes = readSmallFile(certificatePath) else {
            throw CryptoError.unreadableCertificate(certificatePath, String(cString: strerror(errno)))
        }
        let certs = try Certificate.load(bytes: certBytes, path: certificatePath)
        return try SigningIdentity(key: key, certificate: certs[0], chain: Array(certs.dropFirst()))
    }

    /// A PKCS#12 bundle (key, certificate and optional CA certificates).
    /// - Parameter policy: `.ownerOnly` refuses a bundle its group or others can read (DG5017).
    public static func load(pkcs12Path path: String, passphrase: [UInt8]?,
                            policy: SecretFilePolicy = .anyMode) throws(CryptoError) -> SigningIdentity {
        CryptoLibrary.initialize()
        ERR_clear_error()
        let bytes = try readSecretFile(path, policy: policy)
        let p12: OpaquePointer? = bytes.withUnsafeBufferPointer { b in
            var p: UnsafePointer<UInt8>? = b.baseAddress
            return d2i_PKCS12(nil, &p, b.count)
        }
        guard let p12 else { throw CryptoError.unreadableKey(path, CryptoLibrary.drainErrors()) }
        defer { PKCS12_free(p12) }
        var pkey: OpaquePointer?
        var cert: OpaquePointer?
        var ca: OpaquePointer?
        var pass = (passphrase ?? []) + [0]
        defer { for i in pass.indices { pass[i] = 0 } }
        let ok = pass.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { PKCS12_parse(p12, $0.baseAddress, &pkey, &cert, &ca) }
        }
        guard ok == 1, let pkey, let cert else {
            let detail = CryptoLibrary.drainErrors()
            if let pkey { EVP_PKEY_free(pkey) }
            if let cert { X509_free(cert) }
            throw CryptoError.passphrase(path, detail)
        }
        var chain: [Certificate] = []
        if let ca {
            for i in 0..<docgate_x509_stack_count(ca) {
                if let x = docgate_x509_stack_get(ca, i), X509_up_ref(x) == 1 { chain.append(Certificate(taking: x)) }
            }
            docgate_x509_stack_free(ca)
        }
        return try SigningIdentity(key: Key(taking: pkey), certificate: Certificate(taking: cert), chain: chain)
    }
}
