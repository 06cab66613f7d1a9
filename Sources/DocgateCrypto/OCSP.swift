import CCryptoShims
import COpenSSL
import DocgateCore
import Glibc

/// How OCSP is asked (`verify --ocsp`, `--ocsp-url`, `--ocsp-timeout`; the gateway's `ocsp`, `ocsp_url`,
/// `ocsp_timeout`).
public struct OCSPSettings: Sendable, Hashable {
    /// The responder asked about every certificate, instead of the one named in the certificate's Authority
    /// Information Access (id-ad-ocsp).
    public var responder: String?
    /// Seconds one exchange with a responder may take, connection included.
    public var timeout: Int
    /// The largest answer read, in bytes; a larger one is refused.
    public var maxResponseBytes: Int = 1 << 20
    /// How far the responder's clock may be from ours (thisUpdate in the future, nextUpdate just past), seconds.
    public var clockSkew: Int = 300
    /// How many answers the cache keeps.
    public var cacheCapacity: Int = 1024
    /// How long an answer without nextUpdate is reused, seconds; 0: it is not reused.
    public var lifetimeWithoutNextUpdate: Int64 = 0

    /// The timeout when none is configured, seconds.
    public static let defaultTimeout = 5
    /// The timeouts accepted from the command line and the configuration, seconds.
    public static let timeoutRange = 1...300

    /// Settings asking `responder` (nil: each certificate's own) within `timeout` seconds, other limits by default.
    public init(responder: String? = nil, timeout: Int = defaultTimeout) {
        self.responder = responder
        self.timeout = timeout
    }

    /// Why `url` cannot be asked, or nil. Only `http://`: an OCSP answer carries its own signature, and asking over
    /// TLS would need a revocation check of its own.
    public static func problem(url: String) -> LocalizedText? {
        let bytes = Array(url.utf8)
        let scheme = Array("http://".utf8)
        guard bytes.count > scheme.count, bytes.prefix(scheme.count).map({ $0 | 0x20 }) == scheme.map({ $0 | 0x20 }) else {
            return LocalizedText(ru: "адрес OCSP-ответчика должен начинаться с http:// («\(SafeURL.shown(url))»)",
                                 en: "an OCSP responder address must start with http:// ('\(SafeURL.shown(url))')")
        }
        let host = bytes[scheme.count...].prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") }
        guard bytes.count <= 2048, !host.isEmpty, host.first != UInt8(ascii: ":"),
              bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return LocalizedText(ru: "адрес OCSP-ответчика не разобрать («\(SafeURL.shown(url))»)",
                                 en: "the OCSP responder address cannot be parsed ('\(SafeURL.shown(url))')")
        }
        // A user name or password would not be sent, and would be shown wherever the address is.
        if host.contains(UInt8(ascii: "@")) {
            return LocalizedText(ru: "в адресе OCSP-ответчика не может быть имени пользователя или пароля",
                                 en: "an OCSP responder address may not carry a user name or password")
        }
        return nil
    }
}

/// What a responder says of a certificate.
public enum RevocationStatus: Sendable, Hashable {
    /// The certificate is not revoked.
    case good
    /// Revoked at the time given (seconds since 1970), for the reason given (RFC 5280 names: keyCompromise, …).
    case revoked(at: Int64?, reason: String?)
    /// The responder does not know the certificate.
    case unknown
}

/// A verified OCSP answer about one certificate.
struct OCSPAnswer: Sendable, Hashable {
    var status: RevocationStatus
    var responder: String
    /// Until when the answer may be relied on (its nextUpdate, or the moment it was received plus
    /// `lifetimeWithoutNextUpdate`).
    var reliableUntil: Int64
}

/// Why no answer could be relied on; all fail closed (DG4034).
struct OCSPFailure: Error, Sendable, Hashable {
    var responder: String?
    var reason: LocalizedText

    init(_ responder: String?, ru: String, en: String) {
        self.responder = responder
        reason = LocalizedText(ru: ru, en: en)
    }
}

/// Asks OCSP responders about certificates and keeps their answers until nextUpdate. Thread-safe; one per trust
/// store.
public final class OCSPClient: Sendable {
    /// How this client asks.
    public let settings: OCSPSettings
    private let cache: OCSPCache

    /// A client with an empty cache of `settings.cacheCapacity` answers.
    public init(_ settings: OCSPSettings) {
        self.settings = settings
        cache = OCSPCache(capacity: settings.cacheCapacity)
    }

    /// Every certificate of a verified `path` (`STACK_OF(X509)`, the signer first, the trust anchor last) but the
    /// anchor, from the anchor's side down: the first revoked one decides at once; otherwise a certificate the
    /// responder did not know, or one without a usable answer, is reported after all were asked. On success, the
    /// moment until which every answer may be relied on.
    func check(path: OpaquePointer, store: OpaquePointer) -> Result<Int64, ChainProblem> {
        let count = Int(docgate_x509_stack_count(path))
        var until = Int64.max
        var pending: ChainProblem?
        guard count >= 2 else { return .success(until) }
        for index in stride(from: count - 2, through: 0, by: -1) {
            guard let subject = docgate_x509_stack_get(path, Int32(index)), let issuer = docgate_x509_stack_get(path, Int32(index + 1)) else {
                continue
            }
            let name = Certificate.subjectOf(subject)
            switch status(of: subject, issuer: issuer, helpers: path, store: store) {
            case .failure(let failure):
                pending = pending ?? .ocspFailed(Self.describe(failure, name))
            case .success(let answer):
                switch answer.status {
                case .good:
                    until = min(until, answer.reliableUntil)
                case .revoked(let at, let reason):
                    return .failure(.ocspRevoked(Self.describeRevocation(at: at, reason: reason, responder: answer.responder, name)))
                case .unknown:
                    pending = pending ?? .ocspUnknown(LocalizedText(ru: "ответчик \(answer.responder): \(name)",
                                                                    en: "responder \(answer.responder): \(name)"))
                }
            }
        }
        if let pending { return .failure(pending) }
        return .success(until)
    }

    /// The status of `subject`, issued by `issuer`: from the cache while its answer holds, else from the responder.
    /// `helpers` (a `STACK_OF(X509)`) may serve to verify the responder's certificate.
    func status(of subject: OpaquePointer, issuer: OpaquePointer, helpers: OpaquePointer?, store: OpaquePointer)
        -> Result<OCSPAnswer, OCSPFailure> {
        ERR_clear_error()
        defer { ERR_clear_error() }
        let url: String
        switch responder(for: subject) {
        case .failure(let f): return .failure(f)
        case .success(let u): url = u
        }
        guard let id = OCSP_cert_to_id(EVP_sha1(), subject, issuer) else {
            return .failure(OCSPFailure(url, ru: "не составить идентификатор сертификата", en: "cannot make the certificate id"))
        }
        defer { OCSP_CERTID_free(id) }
        let key = DER.of { i2d_OCSP_CERTID(id, $0) } + [0] + Array(url.utf8)
        let now = Int64(Glibc.time(nil))
        if let hit = cache.answer(key, now: now) { return .success(hit) }
        let result = ask(url, id: id, helpers: helpers, store: store, now: now)
        if case .success(let answer) = result, answer.reliableUntil > now { cache.keep(answer, key, now: now) }
        return result
    }

    /// The configured responder, else the certificate's own.
    private func responder(for subject: OpaquePointer) -> Result<String, OCSPFailure> {
        var url = settings.responder
        if url == nil {
            var buffer = [CChar](repeating: 0, count: 2049)
            let found = docgate_ocsp_aia_url(subject, &buffer, buffer.count)
            if found == 1 { url = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) } }
            if found == -1 {
                return .failure(OCSPFailure(nil, ru: "адрес OCSP-ответчика в сертификате длиннее 2048 байт",
                                            en: "the certificate's OCSP responder address is longer than 2048 bytes"))
            }
        }
        guard let url else {
            return .failure(OCSPFailure(nil, ru: "адрес OCSP-ответчика неизвестен: его нет в сертификате (Authority Information Access), и он не задан",
                                        en: "no OCSP responder address: the certificate names none (Authority Information Access) and none is configured"))
        }
        if let problem = OCSPSettings.problem(url: url) {
            return .failure(OCSPFailure(nil, ru: problem.ru, en: problem.en))
        }
        return .success(url)
    }

    /// One request with a nonce, its answer checked: a successful response, signed by the certificate's CA or a
    /// responder it delegated (id-kp-OCSPSigning) and verified against `store`, the nonce echoed, a status for this
    /// certificate, current within the clock skew.
    private func ask(_ url: String, id: OpaquePointer, helpers: OpaquePointer?, store: OpaquePointer, now: Int64)
        -> Result<OCSPAnswer, OCSPFailure> {
        guard let request = OCSP_REQUEST_new() else { return .failure(OCSPFailure(url, ru: "нет памяти", en: "out of memory")) }
        defer { OCSP_REQUEST_free(request) }
        guard let copy = OCSP_CERTID_dup(id), OCSP_request_add0_id(request, copy) != nil, OCSP_request_add1_nonce(request, nil, -1) == 1 else {
            return .failure(OCSPFailure(url, ru: "не составить запрос", en: "cannot make the request"))
        }
        let body = DER.of { i2d_OCSP_REQUEST(request, $0) }
        var out: UnsafeMutablePointer<UInt8>?
        var length = 0
        let sent = docgate_http_post(url, body, body.count, "application/ocsp-request", Int32(settings.timeout),
                                     settings.maxResponseBytes, &out, &length)
        defer { if let out { docgate_openssl_free(out) } }
        guard sent == DOCGATE_HTTP_OK, let out else {
            let why = CryptoLibrary.drainErrors() ?? (sent == DOCGATE_HTTP_TOO_LARGE ? "response too large" : "no response")
            return .failure(OCSPFailure(url, ru: "ответ не получен (\(why); предел \(settings.timeout) с)",
                                        en: "no answer received (\(why); time limit \(settings.timeout) s)"))
        }
        var cursor: UnsafePointer<UInt8>? = UnsafePointer(out)
        guard let response = d2i_OCSP_RESPONSE(nil, &cursor, length) else {
            return .failure(OCSPFailure(url, ru: "ответ — не ответ OCSP", en: "the answer is not an OCSP response"))
        }
        defer { OCSP_RESPONSE_free(response) }
        let code = OCSP_response_status(response)
        guard code == OCSP_RESPONSE_STATUS_SUCCESSFUL else {
            let text = String(cString: OCSP_response_status_str(Int(code)))
            return .failure(OCSPFailure(url, ru: "ответчик ответил ошибкой: \(text)", en: "the responder answered with an error: \(text)"))
        }
        guard let basic = OCSP_response_get1_basic(response) else {
            return .failure(OCSPFailure(url, ru: "в ответе нет основной части", en: "the response has no basic response"))
        }
        defer { OCSP_BASICRESP_free(basic) }
        guard OCSP_basic_verify(basic, helpers, store, 0) == 1 else {
            let why = CryptoLibrary.drainErrors() ?? "OCSP_basic_verify"
            return .failure(OCSPFailure(url, ru: "подпись ответа или его подписант не доверены (\(why))",
                                        en: "the answer's signature or its signer is not trusted (\(why))"))
        }
        let nonce = OCSP_check_nonce(request, basic)
        if nonce == 0 {
            return .failure(OCSPFailure(url, ru: "nonce ответа не совпадает с nonce запроса", en: "the answer's nonce is not the request's"))
        }
        var status: Int32 = -1
        var reason: Int32 = -1
        var revoked: UnsafeMutablePointer<ASN1_GENERALIZEDTIME>?
        var thisUpdate: UnsafeMutablePointer<ASN1_GENERALIZEDTIME>?
        var nextUpdate: UnsafeMutablePointer<ASN1_GENERALIZEDTIME>?
        guard OCSP_resp_find_status(basic, id, &status, &reason, &revoked, &thisUpdate, &nextUpdate) == 1 else {
            return .failure(OCSPFailure(url, ru: "в ответе нет статуса этого сертификата", en: "the answer holds no status for this certificate"))
        }
        // An answer that neither echoes our nonce nor says until when it holds may be a replay of an old one: it must
        // have been made just now (within the clock skew).
        let maximumAge = nextUpdate == nil && nonce != 1 ? settings.clockSkew : -1
        guard OCSP_check_validity(thisUpdate, nextUpdate, settings.clockSkew, maximumAge) == 1 else {
            let window = (thisUpdate.map { UTCTime.iso(Certificate.seconds($0)) } ?? "?") + " — "
                + (nextUpdate.map { UTCTime.iso(Certificate.seconds($0)) } ?? "?")
            return .failure(OCSPFailure(url, ru: "ответ не действует сейчас (\(window))", en: "the answer is not current (\(window))"))
        }
        // Without nextUpdate the answer holds for the moment it was given: not reused, unless a lifetime is configured.
        // An answer is kept at most a week, whatever nextUpdate it names.
        let reliableUntil = min(nextUpdate.map { Certificate.seconds($0) }
            ?? (settings.lifetimeWithoutNextUpdate > 0 ? now + settings.lifetimeWithoutNextUpdate : now - 1), now + 7 * 86_400)
        switch status {
        case V_OCSP_CERTSTATUS_GOOD:
            return .success(OCSPAnswer(status: .good, responder: url, reliableUntil: reliableUntil))
        case V_OCSP_CERTSTATUS_REVOKED:
            let reasonName = reason >= 0 ? String(cString: OCSP_crl_reason_str(Int(reason))) : nil
            return .success(OCSPAnswer(status: .revoked(at: revoked.map { Certificate.seconds($0) }, reason: reasonName),
                                       responder: url, reliableUntil: reliableUntil))
        default:
            return .success(OCSPAnswer(status: .unknown, responder: url, reliableUntil: reliableUntil))
        }
    }

    static func describe(_ failure: OCSPFailure, _ name: String) -> LocalizedText {
        let ru = failure.responder.map { "ответчик \($0): " } ?? ""
        let en = failure.responder.map { "responder \($0): " } ?? ""
        return LocalizedText(ru: ru + failure.reason.ru + ": " + name, en: en + failure.reason.en + ": " + name)
    }

    static func describeRevocation(at: Int64?, reason: String?, responder: String, _ name: String) -> LocalizedText {
        let when = at.map { UTCTime.iso($0) }
        return LocalizedText(
            ru: "по ответу OCSP (\(responder)) отозван" + (when.map { " \($0)" } ?? "") + (reason.map { ", причина \($0)" } ?? "") + ": " + name,
            en: "revoked according to OCSP (\(responder))" + (when.map { " at \($0)" } ?? "") + (reason.map { ", reason \($0)" } ?? "") + ": " + name)
    }
}

/// DER encodings through OpenSSL's i2d functions.
enum DER {
    static func of(_ encode: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32) -> [UInt8] {
        let length = encode(nil)
        guard length > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: Int(length))
        out.withUnsafeMutableBufferPointer { buffer in
            var p: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            _ = encode(&p)
        }
        return out
    }
}

/// Addresses as shown in messages: printable ASCII, at most 200 characters.
enum SafeURL {
    static func shown(_ url: String) -> String {
        let printable = String(decoding: url.utf8.prefix(200).map { $0 > 0x20 && $0 < 0x7F ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
        return url.utf8.count > 200 ? printable + "…" : printable
    }
}
