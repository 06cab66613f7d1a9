import DocgateCore
import DocgateCrypto
import DocgateXML
import Glibc
import Synchronization

/// Certificates already decoded, by their DER bytes: a batch from one signer carries the same certificate in
/// every document, and decoding it (with its public key, through OpenSSL 3's decoders) costs more than the
/// signature check itself. Bounded; shared by the threads of a batch.
final class CertificateCache: Sendable {
    private struct Table {
        var byDER: [DERKey: Certificate] = [:]
        /// By the base64 text as written (a signer writes its certificates the same way every time), under
        /// `hash(_:)` of the text; the text is compared in full.
        var byText: [Int: [(text: [UInt8], certificate: Certificate)]] = [:]
        var keys: [ObjectIdentifier: Result<Key, CryptoError>] = [:]
        var summaries: [ObjectIdentifier: SignerSummary] = [:]
    }

    private let table = Mutex(Table())
    private let capacity: Int

    init(capacity: Int = 256) {
        self.capacity = capacity
    }

    func certificate(der: [UInt8]) -> Certificate? {
        let key = DERKey(der)
        if let hit = table.withLock({ $0.byDER[key] }) { return hit }
        guard let cert = Certificate(der: der) else { return nil }
        let publicKey = Result { () throws(CryptoError) in try cert.publicKey() }
        table.withLock { t in
            if t.byDER.count >= capacity { t = Table() }
            t.byDER[key] = cert
            t.keys[ObjectIdentifier(cert)] = publicKey
        }
        return cert
    }

    /// The certificate whose base64 text an X509Certificate element holds: found by that text when it was seen
    /// before, so that neither the text is decoded nor the DER looked up again; nil when it is not a certificate.
    func certificate(textOf node: XMLNode) -> Certificate? {
        if let found = node.withSoleTextChild({ text in certificate(text: text, of: node) }) { return found }
        // Text in several nodes (CDATA, character references): decoded as it is.
        return Base64.decode(textOf: node).flatMap { certificate(der: $0) }
    }

    /// The certificate for `text`, the sole text child of `node` read in place: the one cached under that text, or
    /// the text decoded (and then cached under it).
    private func certificate(text: UnsafeBufferPointer<UInt8>, of node: XMLNode) -> Certificate? {
        let hash = Self.hash(text)
        let hit = table.withLock { t in
            t.byText[hash]?.first { entry in
                entry.text.count == text.count && entry.text.withUnsafeBytes { memcmp($0.baseAddress!, text.baseAddress!, text.count) == 0 }
            }?.certificate
        }
        if let hit { return hit }
        guard let der = Base64.decode(textOf: node), let cert = certificate(der: der) else { return nil }
        table.withLock { t in
            if t.byText.count >= capacity { t.byText = [:] }
            t.byText[hash, default: []].append((Array(text), cert))
        }
        return cert
    }

    /// The text's length and last 32 bytes (the end of the certificate's own signature).
    private static func hash(_ text: UnsafeBufferPointer<UInt8>) -> Int {
        var hasher = Hasher()
        hasher.combine(text.count)
        hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(text).suffix(32)))
        return hasher.finalize()
    }

    /// Subject, issuer, serial and validity of a certificate, formatted once.
    func summary(of certificate: Certificate) -> SignerSummary {
        if let hit = table.withLock({ $0.summaries[ObjectIdentifier(certificate)] }) { return hit }
        let summary = SignerSummary(subject: certificate.subject, issuer: certificate.issuer, serial: certificate.serialHex,
                                    notBefore: certificate.notBefore, notAfter: certificate.notAfter,
                                    identity: certificate.identity, policies: certificate.policies)
        table.withLock { t in
            if t.keys[ObjectIdentifier(certificate)] != nil { t.summaries[ObjectIdentifier(certificate)] = summary }
        }
        return summary
    }

    /// The public key of a certificate this cache returned (decoded once).
    func publicKey(of certificate: Certificate) -> Result<Key, CryptoError> {
        if let hit = table.withLock({ $0.keys[ObjectIdentifier(certificate)] }) { return hit }
        return Result { () throws(CryptoError) in try certificate.publicKey() }
    }
}

/// DER bytes as a dictionary key, hashed on their length and last 32 bytes (the certificate's signature, which
/// differs between any two certificates) and compared in full.
private struct DERKey: Hashable, Sendable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(bytes.count)
        bytes.withUnsafeBytes { raw in
            hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: raw.suffix(32)))
        }
    }

    static func == (a: DERKey, b: DERKey) -> Bool {
        a.bytes.count == b.bytes.count && a.bytes.withUnsafeBytes { x in b.bytes.withUnsafeBytes { y in (x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0) } }
    }
}
