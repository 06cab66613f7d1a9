import CCryptoShims
import COpenSSL
import DocgateCore
import Glibc

/// Why a certificate chain was not accepted.
public enum ChainProblem: Error, Sendable, Hashable {
    /// No path to a trusted certificate.
    case untrusted(String)
    case expired(notAfter: Int64)
    case notYetValid(notBefore: Int64)
    /// The signer's key usage does not allow signing, or a CA in the path may not issue certificates.
    case usage(String)
    /// A certificate of the path is on its issuer's CRL.
    case revoked(String)
    /// CRLs are configured, but a certificate's status cannot be told: no CRL from its issuer, or the CRL is past
    /// its nextUpdate (fails closed).
    case revocationUnknown(String)
    case other(String)
    /// OCSP is on and a responder says a certificate of the path is revoked (OCSP.swift).
    case ocspRevoked(LocalizedText)
    /// OCSP is on and a responder does not know a certificate of the path.
    case ocspUnknown(LocalizedText)
    /// OCSP is on and no answer could be relied on: no responder address, unreachable, too slow, an error status, a
    /// bad signature or an untrusted signer, a nonce mismatch, not current (fails closed).
    case ocspFailed(LocalizedText)
}

/// Certificates docgate trusts as roots of signer chains: a PEM/DER file or a directory of them. Shared by all
/// threads; each verification uses its own `X509_STORE_CTX`.
public final class TrustStore: @unchecked Sendable {
    let store: OpaquePointer
    /// How many certificates were loaded.
    public let count: Int
    /// How many CRLs were loaded; with any, every certificate of a path is checked against its issuer's CRL.
    public let crlCount: Int
    /// The earliest nextUpdate of the loaded CRLs: no chain verdict outlives it (unless stale CRLs are allowed).
    public let crlNextUpdate: Int64?
    /// A CRL past its nextUpdate is used as it is instead of failing closed (explicitly configured).
    public let allowsStaleCRL: Bool
    /// With OCSP, every certificate of a path but the trust anchor is asked about too; no chain verdict outlives the
    /// answers it was decided with.
    public let ocsp: OCSPClient?

    deinit { X509_STORE_free(store) }

    /// Loads every certificate and CRL from a file, or from every regular file in a directory (`*.pem`, `*.crt`,
    /// `*.cer`, `*.der`, `*.crl`). CRLs may sit in the same PEM file as the certificates.
    ///
    /// - Parameter crls: more CRLs, from files or directories of them (`verify --crl`, the gateway's `crl` key);
    ///   each must hold at least one.
    /// - Parameter partialChain: a trusted certificate that is not self-signed (an intermediate CA) ends a path by
    ///   itself; otherwise every path must reach a trusted root.
    /// - Parameter allowStaleCRL: a CRL past its nextUpdate still revokes what it lists, and the status of what it
    ///   does not list counts as known, instead of failing closed (DG4027).
    /// - Parameter ocsp: how OCSP responders are asked; nil: not at all.
    public init(path: String, crls crlPaths: [String] = [], partialChain: Bool = false, allowStaleCRL: Bool = false,
                ocsp ocspSettings: OCSPSettings? = nil) throws(CryptoError) {
        CryptoLibrary.initialize()
        ocsp = ocspSettings.map { OCSPClient($0) }
        let files = try Self.files(at: path)
        // The CRLs given beside the trust list, each file read and parsed once; every path must hold at least one.
        var extra: [OpaquePointer] = []
        defer { extra.forEach { X509_CRL_free($0) } }
        for p in crlPaths {
            var found = 0
            for f in try Self.files(at: p) {
                guard let bytes = readSmallFile(f, limit: 256 << 20) else { throw CryptoError.unreadableTrust(f, String(cString: strerror(errno))) }
                let list = Self.loadCRLs(bytes)
                found += list.count
                extra += list
            }
            if found == 0 { throw CryptoError.unreadableTrust(p, "no CRL found") }
        }
        guard let store = X509_STORE_new() else { throw CryptoError.unreadableTrust(path, CryptoLibrary.drainErrors()) }
        self.store = store
        var loaded = 0
        var crls = 0
        var nextUpdate: Int64?
        func add(_ crl: OpaquePointer) {
            guard X509_STORE_add_crl(store, crl) == 1 else { return }
            crls += 1
            if let next = X509_CRL_get0_nextUpdate(crl) {
                let t = Certificate.seconds(next)
                nextUpdate = min(nextUpdate ?? t, t)
            }
        }
        extra.forEach(add)
        for file in files {
            guard let bytes = readSmallFile(file, limit: 256 << 20) else {
                throw CryptoError.unreadableTrust(file, String(cString: strerror(errno)))
            }
            let revocations = Self.loadCRLs(bytes)
            revocations.forEach(add)
            revocations.forEach { X509_CRL_free($0) }
            ERR_clear_error()
            let certs: [Certificate]
            do { certs = try Certificate.load(bytes: bytes, path: file) } catch {
                if !revocations.isEmpty { continue }   // a file of CRLs only
                throw CryptoError.unreadableTrust(file, error.detail)
            }
            for c in certs where X509_STORE_add_cert(store, c.x509) == 1 { loaded += 1 }
            ERR_clear_error()
        }
        count = loaded
        crlCount = crls
        crlNextUpdate = nextUpdate
        allowsStaleCRL = allowStaleCRL
        if loaded == 0 { throw CryptoError.unreadableTrust(path, nil) }
        // A trusted intermediate ends a path only when configured so. With CRLs, every certificate of the path is
        // checked against its issuer's CRL, and one whose status cannot be told fails.
        var flags: UInt = partialChain ? UInt(X509_V_FLAG_PARTIAL_CHAIN) : 0
        if crls > 0 { flags |= UInt(X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL) }
        X509_STORE_set_flags(store, flags)
    }

    /// A file, or the certificate and CRL files of a directory (`*.pem`, `*.crt`, `*.cer`, `*.der`, `*.crl`), sorted.
    static func files(at path: String) throws(CryptoError) -> [String] {
        var st = stat()
        guard stat(path, &st) == 0 else { throw CryptoError.unreadableTrust(path, String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFDIR else { return [path] }
        guard let names = directoryEntries(path) else { throw CryptoError.unreadableTrust(path, String(cString: strerror(errno))) }
        return names.filter { name in [".pem", ".crt", ".cer", ".der", ".crl"].contains { name.lowercased().hasSuffix($0) } }
            .map { path + "/" + $0 }
    }

    /// The CRLs in a PEM file (any number, beside certificates) or a DER file (one).
    static func loadCRLs(_ bytes: [UInt8]) -> [OpaquePointer] {
        var found: [OpaquePointer] = []
        guard let first = bytes.first else { return [] }
        if first == 0x30 {
            // DER: one CRL (a DER certificate is not one, and yields none).
            bytes.withUnsafeBufferPointer { buffer in
                var p: UnsafePointer<UInt8>? = buffer.baseAddress
                if let crl = d2i_X509_CRL(nil, &p, buffer.count) { found.append(crl) }
            }
        } else {
            // PEM: every X509 CRL block, the others (certificates) skipped.
            _ = withMemoryBIO(bytes) { bio in
                while let crl = PEM_read_bio_X509_CRL(bio, nil, nil, nil) { found.append(crl) }
            }
        }
        ERR_clear_error()
        return found
    }

    /// Verifies `leaf` up to a trusted certificate, using `intermediates` (from the document) as untrusted
    /// helpers, at `time` (seconds since 1970) or now; also requires a key usage that allows signing.
    public func verify(_ leaf: Certificate, intermediates: [Certificate], at time: Int64? = nil) -> ChainProblem? {
        switch check(leaf, intermediates: intermediates, at: time) {
        case .success: return nil
        case .failure(let problem): return problem
        }
    }

    /// The moments between which a verified chain stays valid: the latest notBefore and the earliest notAfter of
    /// the certificates in the path that was built (the trusted one included).
    public struct Validity: Sendable, Hashable {
        /// Seconds since 1970 (UTC) from which every certificate of the path is valid.
        public var from: Int64
        /// Seconds since 1970 (UTC) until which every certificate of the path (and, failing closed, the CRLs) holds.
        public var until: Int64
        /// Until when (by the clock, whatever time the chain is checked at) the OCSP answers it was decided with
        /// hold; nil without OCSP.
        public var answersUntil: Int64? = nil
        /// Whether `time` falls within the window, both ends included.
        public func contains(_ time: Int64) -> Bool { time >= from && time <= until }
        /// Whether a verdict at `time` still stands at the clock's `now`.
        public func holds(at time: Int64, now: Int64) -> Bool { contains(time) && (answersUntil.map { now <= $0 } ?? true) }
    }

    /// `verify`, and on success the validity window of the path OpenSSL built.
    public func check(_ leaf: Certificate, intermediates: [Certificate], at time: Int64? = nil) -> Result<Validity, ChainProblem> {
        guard let ctx = X509_STORE_CTX_new() else { return .failure(.other("X509_STORE_CTX_new")) }
        defer { X509_STORE_CTX_free(ctx) }
        guard let untrusted = docgate_x509_stack_new() else { return .failure(.other("stack")) }
        defer { docgate_x509_stack_free(untrusted) }
        for c in intermediates { _ = docgate_x509_stack_push(untrusted, c.x509) }
        guard X509_STORE_CTX_init(ctx, store, leaf.x509, untrusted) == 1 else {
            return .failure(.other(CryptoLibrary.drainErrors() ?? "X509_STORE_CTX_init"))
        }
        if let time { X509_STORE_CTX_set_time(ctx, 0, time_t(time)) }
        if allowsStaleCRL {
            // Only "the CRL has expired" is forgiven; every other finding stands.
            X509_STORE_CTX_set_verify_cb(ctx) { ok, ctx in
                ok == 0 && X509_STORE_CTX_get_error(ctx) == X509_V_ERR_CRL_HAS_EXPIRED ? 1 : ok
            }
        }
        let ok = X509_verify_cert(ctx) == 1
        let error = X509_STORE_CTX_get_error(ctx)
        ERR_clear_error()
        if !ok { return .failure(Self.problem(error, ctx: ctx, leaf: leaf)) }
        if !leaf.allowsSigning { return .failure(.usage(leaf.subject)) }
        if leaf.isTLSOnly { return .failure(.usage(leaf.subject + " (extended key usage: TLS only)")) }
        let crlLimit = allowsStaleCRL ? nil : crlNextUpdate
        var validity = Validity(from: leaf.notBefore, until: min(leaf.notAfter, crlLimit ?? leaf.notAfter))
        if let chain = X509_STORE_CTX_get0_chain(ctx) {
            for i in 0..<docgate_x509_stack_count(chain) {
                guard let cert = docgate_x509_stack_get(chain, i) else { continue }
                validity.from = max(validity.from, Certificate.notBeforeOf(cert))
                validity.until = min(validity.until, Certificate.notAfterOf(cert))
            }
        }
        if let ocsp {
            guard let chain = X509_STORE_CTX_get0_chain(ctx) else { return .failure(.other("X509_STORE_CTX_get0_chain")) }
            switch ocsp.check(path: chain, store: store) {
            case .failure(let problem): return .failure(problem)
            case .success(let until): validity.answersUntil = until
            }
        }
        return .success(validity)
    }

    /// The chain problem behind OpenSSL's verification error, naming the certificate it failed on.
    private static func problem(_ error: Int32, ctx: OpaquePointer, leaf: Certificate) -> ChainProblem {
        let text = String(cString: X509_verify_cert_error_string(Int(error)))
        let failing = X509_STORE_CTX_get_current_cert(ctx).map { Certificate.subjectOf($0) } ?? ""
        let described = failing.isEmpty ? text : "\(text): \(failing)"
        switch error {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            let cert = X509_STORE_CTX_get_current_cert(ctx)
            return .expired(notAfter: cert.map { Certificate.notAfterOf($0) } ?? leaf.notAfter)
        case X509_V_ERR_CERT_NOT_YET_VALID:
            let cert = X509_STORE_CTX_get_current_cert(ctx)
            return .notYetValid(notBefore: cert.map { Certificate.notBeforeOf($0) } ?? leaf.notBefore)
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
             X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
             X509_V_ERR_CERT_UNTRUSTED, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, X509_V_ERR_CERT_REJECTED:
            return .untrusted(described)
        case X509_V_ERR_INVALID_PURPOSE, X509_V_ERR_KEYUSAGE_NO_CERTSIGN, X509_V_ERR_INVALID_CA:
            return .usage(described)
        case X509_V_ERR_CERT_REVOKED:
            return .revoked(described)
        case X509_V_ERR_UNABLE_TO_GET_CRL, X509_V_ERR_CRL_HAS_EXPIRED, X509_V_ERR_CRL_NOT_YET_VALID,
             X509_V_ERR_CRL_SIGNATURE_FAILURE, X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER, X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE,
             X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD, X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
            return .revocationUnknown(described)
        default:
            return .other(described)
        }
    }
}

extension Certificate {
    static func subjectOf(_ x509: OpaquePointer) -> String {
        stringFromBIO { bio in _ = docgate_print_name(bio, X509_get_subject_name(x509)) }
    }

    static func notAfterOf(_ x509: OpaquePointer) -> Int64 { seconds(X509_get0_notAfter(x509)) }

    static func notBeforeOf(_ x509: OpaquePointer) -> Int64 { seconds(X509_get0_notBefore(x509)) }
}
