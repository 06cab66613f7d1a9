import CCryptoShims
import COpenSSL
import DocgateCore
import Glibc

/// A failure of key, certificate or trust-store handling, with a stable code and a message in both languages.
public struct CryptoError: Error, Sendable, Hashable {
    /// The stable code (docs/codes.md): here DG5010–DG5017 for keys, certificates and trust stores, DG4030/DG4031
    /// when OpenSSL fails an operation; the signature module adds its own DG4xxx.
    public var code: String
    /// What went wrong, in Russian and English.
    public var message: LocalizedText
    /// OpenSSL's own explanation, when it gave one (English, for the log).
    public var detail: String?

    /// An error from its code, message and OpenSSL's explanation, if any.
    public init(code: String, message: LocalizedText, detail: String? = nil) {
        self.code = code
        self.message = message
        self.detail = detail
    }

    static func unreadableKey(_ path: String, _ detail: String?) -> CryptoError {
        CryptoError(code: "DG5010", message: LocalizedText(ru: "Не удалось прочитать закрытый ключ \(path)",
                                                           en: "Cannot read the private key \(path)"), detail: detail)
    }

    static func passphrase(_ path: String, _ detail: String?) -> CryptoError {
        CryptoError(code: "DG5011", message: LocalizedText(
            ru: "Ключ \(path) зашифрован, а пароль не подходит или не задан (--passphrase-env или --passphrase-file)",
            en: "The key \(path) is encrypted and the passphrase is wrong or missing (--passphrase-env or --passphrase-file)"),
            detail: detail)
    }

    /// DG5017: a key or PKCS#12 file readable by group or others.
    static func exposedKey(_ path: String, mode: UInt32, allowance: String) -> CryptoError {
        CryptoError(code: PrivateFile.exposedCode, message: PrivateFile.exposedMessage(path, mode: mode, allowance: allowance))
    }

    static func unreadableCertificate(_ path: String, _ detail: String?) -> CryptoError {
        CryptoError(code: "DG5012", message: LocalizedText(ru: "Не удалось прочитать сертификат \(path)",
                                                           en: "Cannot read the certificate \(path)"), detail: detail)
    }

    static let keyMismatch = CryptoError(code: "DG5013", message: LocalizedText(
        ru: "Закрытый ключ не соответствует сертификату", en: "The private key does not match the certificate"))

    static func unsupportedKey(_ what: String) -> CryptoError {
        CryptoError(code: "DG5014", message: LocalizedText(
            ru: "Алгоритм ключа не поддерживается: \(what) (допустимы RSA от 2048 бит, ECDSA P-256, ГОСТ Р 34.10-2012 256 и 512)",
            en: "Unsupported key algorithm: \(what) (allowed: RSA of 2048 bits or more, ECDSA P-256, GOST R 34.10-2012 256 and 512)"))
    }

    static let gostUnavailable = CryptoError(code: "DG5015", message: LocalizedText(
        ru: "Модуль ГОСТ для OpenSSL не загружен: установите пакет libengine-gost-openssl",
        en: "The OpenSSL GOST engine is not loaded: install the libengine-gost-openssl package"))

    static func unreadableTrust(_ path: String, _ detail: String?) -> CryptoError {
        CryptoError(code: "DG5016", message: LocalizedText(
            ru: "Не удалось прочитать доверенные сертификаты из \(path)",
            en: "Cannot read trusted certificates from \(path)"), detail: detail)
    }
}

/// Process-wide set-up of OpenSSL: the GOST engine of libengine-gost-openssl is loaded by docgate itself
/// (TOOLCHAIN.md §3.1), so no system OpenSSL configuration is needed. `DOCGATE_GOST_ENGINE` may name the
/// engine's shared object when it is not in OpenSSL's engine directory.
public enum CryptoLibrary {
    private static let gostLoaded: Bool = {
        // No clean-up at exit: worker threads may still release keys and certificates while the main thread runs
        // the exit handlers, and a certificate freed after OpenSSL's clean-up dereferences its freed object table
        // (the daemon crashed so after "done"; CryptoExitTests). The process's memory goes back to the system anyway.
        OPENSSL_init_crypto(UInt64(OPENSSL_INIT_LOAD_CRYPTO_STRINGS) | UInt64(OPENSSL_INIT_NO_ATEXIT), nil)
        // ИНН ЮЛ of Russian qualified certificates, unknown to OpenSSL 3.0: named, so that subjects print it as
        // INNLE=2466012340 rather than a hex dump (the other identifiers, INN, OGRN, OGRNIP, SNILS, it knows).
        if OBJ_txt2nid(CertificateIdentity.innLEOID) == NID_undef {
            _ = OBJ_create(CertificateIdentity.innLEOID, "INNLE", "INN of legal entity")
        }
        ERR_clear_error()
        if let path = getenv("DOCGATE_GOST_ENGINE").map({ String(cString: $0) }), !path.isEmpty {
            return docgate_load_gost_engine(path) == 1
        }
        if docgate_load_gost_engine(nil) == 1 { return true }
        for path in ["/usr/lib/x86_64-linux-gnu/engines-3/gost.so", "/usr/lib/aarch64-linux-gnu/engines-3/gost.so"]
        where access(path, R_OK) == 0 {
            if docgate_load_gost_engine(path) == 1 { return true }
        }
        return false
    }()

    /// Loads what docgate needs from OpenSSL. Cheap after the first call.
    public static func initialize() {
        _ = gostLoaded
    }

    /// Whether GOST R 34.10-2012 keys (256 and 512) can be used in this process.
    public static var gostAvailable: Bool { gostLoaded }

    /// The OpenSSL version this process runs with.
    public static var version: String { String(cString: OpenSSL_version(Int32(OPENSSL_VERSION))) }

    /// Empties this thread's OpenSSL error queue and returns its messages, for diagnostics.
    static func drainErrors() -> String? {
        var parts: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            parts.append(buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}

/// Owns a memory BIO over bytes for the duration of `body`.
func withMemoryBIO<T>(_ bytes: [UInt8], _ body: (OpaquePointer) -> T) -> T? {
    bytes.withUnsafeBytes { raw -> T? in
        guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
        defer { BIO_free(bio) }
        return body(bio)
    }
}

/// The contents of a memory BIO written by `body`.
func stringFromBIO(_ body: (OpaquePointer) -> Void) -> String {
    guard let bio = BIO_new(BIO_s_mem()) else { return "" }
    defer { BIO_free(bio) }
    body(bio)
    var data: UnsafeMutablePointer<CChar>?
    let count = docgate_bio_mem_data(bio, &data)
    guard count > 0, let data else { return "" }
    return String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
}

/// Whether key and PKCS#12 files must be closed to group and others (DG5017).
public enum SecretFilePolicy: Sendable, Hashable {
    /// Any mode: the operator allowed group-readable keys, or the caller checked the file itself.
    case anyMode
    /// Refused when its group or others can read it; `allowance` tells the operator how to allow it anyway.
    case ownerOnly(allowance: String)
}

/// Reads a key or PKCS#12 file under `policy` (the mode checked with `fstat` on the descriptor read).
func readSecretFile(_ path: String, policy: SecretFilePolicy) throws(CryptoError) -> [UInt8] {
    let allowance: String?
    switch policy {
    case .anyMode: allowance = nil
    case .ownerOnly(let text): allowance = text
    }
    switch PrivateFile.read(path, allowGroupReadable: allowance == nil) {
    case .success(let bytes): return bytes
    case .failure(.exposed(let mode)): throw CryptoError.exposedKey(path, mode: mode, allowance: allowance ?? "")
    case .failure(.unreadable(let code)): throw CryptoError.unreadableKey(path, String(cString: strerror(code)))
    }
}

/// Reads a whole regular file (keys, certificates, CRLs, mappings: small). Nil when it cannot be read, with `errno`
/// set: a FIFO, device or directory is refused without blocking (EINVAL), a file over `limit` bytes too (EFBIG).
public func readSmallFile(_ path: String, limit: Int = 16 << 20) -> [UInt8]? {
    switch BoundedFile.read(path, limit: limit) {
    case .success(let bytes): return bytes
    case .failure(.unreadable(let code)): errno = code
    case .failure(.tooLarge), .failure(.refused): errno = EFBIG
    }
    return nil
}

/// Whether bytes look like PEM (text with a `-----BEGIN` line).
func looksLikePEM(_ bytes: [UInt8]) -> Bool {
    let marker = Array("-----BEGIN".utf8)
    guard bytes.count >= marker.count else { return false }
    for i in 0...(min(bytes.count, 4096) - marker.count) where bytes[i] == marker[0] {
        if Array(bytes[i..<(i + marker.count)]) == marker { return true }
    }
    return false
}
