import CCryptoShims
import COpenSSL
import DocgateCore
import Glibc

/// What one source (CRL or OCSP) says of one certificate, as `inspect --trust` shows it.
public enum RevocationCheck: Sendable, Hashable {
    /// Not asked: the source is not configured, or the certificate is the trust anchor.
    case notChecked
    /// The source says the certificate is not revoked.
    case good
    /// Revoked at the time given (seconds since 1970) for the reason given (keyCompromise, …), when known.
    case revoked(at: Int64?, reason: String?)
    /// The status cannot be told: no current CRL from the issuer, the responder does not know the certificate, or
    /// no answer could be relied on (why).
    case unknown(LocalizedText)
}

/// One certificate of a signer's certification path with its revocation status.
public struct PathCertificate: Sendable, Hashable {
    /// Subject in RFC 2253 form.
    public var subject: String
    /// Serial number in upper-case hexadecimal.
    public var serial: String
    /// The trusted certificate that ends the path; its status is not asked.
    public var isAnchor: Bool
    /// What the loaded CRLs say of it.
    public var crl: RevocationCheck
    /// What its OCSP responder says of it.
    public var ocsp: RevocationCheck
}

extension TrustStore {
    /// The path from `leaf` to a trusted certificate, built as `check` builds it (at `time`, or now) but whatever the
    /// validity dates and revocation say, and for each certificate but the anchor its status in the CRLs (when any
    /// are loaded) and from OCSP (when configured; answers are cached as for `check`). The certificates OpenSSL could
    /// place when no path reaches a trusted one, none of them asked about. For `inspect --trust`.
    public func revocationReport(_ leaf: Certificate, intermediates: [Certificate], at time: Int64? = nil) -> [PathCertificate] {
        guard let ctx = X509_STORE_CTX_new(), let untrusted = docgate_x509_stack_new() else { return [] }
        defer {
            X509_STORE_CTX_free(ctx)
            docgate_x509_stack_free(untrusted)
        }
        for c in intermediates { _ = docgate_x509_stack_push(untrusted, c.x509) }
        guard X509_STORE_CTX_init(ctx, store, leaf.x509, untrusted) == 1 else {
            ERR_clear_error()
            return []
        }
        // The path only: no revocation or date checks while it is built.
        if let param = X509_STORE_CTX_get0_param(ctx) {
            X509_VERIFY_PARAM_clear_flags(param, UInt(X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL))
            X509_VERIFY_PARAM_set_flags(param, UInt(X509_V_FLAG_NO_CHECK_TIME))
        }
        let trusted = X509_verify_cert(ctx) == 1
        ERR_clear_error()
        guard let chain = X509_STORE_CTX_get0_chain(ctx) else { return [] }
        let count = Int(docgate_x509_stack_count(chain))
        let moment = time ?? Int64(Glibc.time(nil))
        var report: [PathCertificate] = []
        for index in 0..<count {
            guard let cert = docgate_x509_stack_get(chain, Int32(index)) else { continue }
            let issuer = index + 1 < count ? docgate_x509_stack_get(chain, Int32(index + 1)) : nil
            let anchor = trusted && index == count - 1
            var entry = PathCertificate(subject: Certificate.subjectOf(cert), serial: Certificate.serialOf(cert), isAnchor: anchor,
                                        crl: .notChecked, ocsp: .notChecked)
            // Only a path that reaches a trusted certificate is asked about: the addresses in other certificates are
            // anyone's.
            if trusted, !anchor, let issuer {
                if crlCount > 0 { entry.crl = Self.crlStatus(of: cert, issuer: issuer, ctx: ctx, at: moment) }
                if let ocsp {
                    switch ocsp.status(of: cert, issuer: issuer, helpers: chain, store: store) {
                    case .failure(let failure):
                        entry.ocsp = .unknown(OCSPClient.describe(failure, entry.subject))
                    case .success(let answer):
                        switch answer.status {
                        case .good: entry.ocsp = .good
                        case .revoked(let at, let reason): entry.ocsp = .revoked(at: at, reason: reason)
                        case .unknown:
                            entry.ocsp = .unknown(LocalizedText(ru: "ответчик \(answer.responder) не знает сертификат",
                                                                en: "the responder \(answer.responder) does not know the certificate"))
                        }
                    }
                }
            }
            report.append(entry)
        }
        return report
    }

    /// The certificate's status in its issuer's CRLs from the store: signed by the issuer and current at `moment`.
    static func crlStatus(of cert: OpaquePointer, issuer: OpaquePointer, ctx: OpaquePointer, at moment: Int64) -> RevocationCheck {
        guard let crls = X509_STORE_CTX_get1_crls(ctx, X509_get_issuer_name(cert)) else {
            ERR_clear_error()
            return .unknown(noCurrentCRL)
        }
        defer {
            while let crl = OPENSSL_sk_pop(crls) { X509_CRL_free(OpaquePointer(crl)) }
            OPENSSL_sk_free(crls)
            ERR_clear_error()
        }
        var current = false
        for i in 0..<OPENSSL_sk_num(crls) {
            guard let raw = OPENSSL_sk_value(crls, i) else { continue }
            let crl = OpaquePointer(raw)
            guard let key = X509_get0_pubkey(issuer), X509_CRL_verify(crl, key) == 1 else { continue }
            let last = Certificate.seconds(X509_CRL_get0_lastUpdate(crl))
            guard last <= moment, let next = X509_CRL_get0_nextUpdate(crl), Certificate.seconds(next) >= moment else { continue }
            current = true
            var entry: OpaquePointer?
            if X509_CRL_get0_by_cert(crl, &entry, cert) == 1, let entry {
                let at = X509_REVOKED_get0_revocationDate(entry).map { Certificate.seconds($0) }
                var reason: String?
                if let raw = X509_REVOKED_get_ext_d2i(entry, NID_crl_reason, nil, nil) {
                    let value = raw.assumingMemoryBound(to: ASN1_ENUMERATED.self)
                    reason = String(cString: OCSP_crl_reason_str(ASN1_ENUMERATED_get(value)))
                    ASN1_ENUMERATED_free(value)
                }
                return .revoked(at: at, reason: reason)
            }
        }
        return current ? .good : .unknown(noCurrentCRL)
    }

    static let noCurrentCRL = LocalizedText(ru: "нет действующего списка отзыва его издателя", en: "no current CRL from its issuer")
}

extension Certificate {
    static func serialOf(_ x509: OpaquePointer) -> String {
        guard let serial = X509_get0_serialNumber(x509), let bn = ASN1_INTEGER_to_BN(serial, nil) else { return "" }
        defer { BN_free(bn) }
        guard let hex = BN_bn2hex(bn) else { return "" }
        defer { docgate_openssl_free(hex) }
        return String(cString: hex)
    }
}
