import DocgateCore
import DocgateCrypto
import DocgateProcessing
import DocgateSignature
import Glibc
import Synchronization

/// The gateway's signature verifier, made again when a file it was made from changes: the trust anchors, the CRLs
/// and the signer mapping (files, or the files of directories). A new verifier starts with an empty cache of chain
/// verdicts, so no verdict outlives the CRL it was decided with. When the changed files cannot be used, the verifier
/// in hand stays and the error is reported once per change (a CRL it holds still fails closed past its nextUpdate).
final class VerifierSource: Sendable {
    struct Inputs: Sendable, Hashable {
        var trust: String
        var crl: [String]
        var signers: String?
        var partialChain: Bool
        var allowStaleCRL = false
        var ocsp: OCSPSettings? = nil
        var policies: Set<String>
        /// The gateway's own signing certificate: the signer of receipts (`gateway` in the mapping).
        var gatewayFingerprint: String?

        var paths: [String] { [trust] + crl + (signers.map { [$0] } ?? []) }
    }

    private struct State {
        var verifier: SignatureVerifier
        var stamp: [String]
        /// The stamp whose files failed to load, and when that was last reported.
        var failedStamp: [String]?
        var reportedAt: Double = 0
    }

    /// How often a failure to reload is reported again while it lasts (the files in use stay in force meanwhile,
    /// which an operator who edited them must not miss).
    static let reminderInterval: Double = 300

    let inputs: Inputs
    private let state: Mutex<State>

    init(_ inputs: Inputs) throws(GatewayError) {
        self.inputs = inputs
        let stamp = Self.stamp(inputs.paths)
        state = Mutex(State(verifier: try Self.make(inputs), stamp: stamp))
    }

    /// The verifier for the document in hand.
    var current: SignatureVerifier { state.withLock { $0.verifier } }

    /// Makes the verifier again when any input file changed since it was made. `.success(true)` when it was made
    /// again, `.success(false)` when nothing changed; a failure when the changed files cannot be used — reported
    /// when it first happens and again every `reminderInterval` seconds (of `now`) while it lasts.
    func refresh(now: Double) -> Result<Bool, GatewayError> {
        let stamp = Self.stamp(inputs.paths)
        let (same, remind) = state.withLock { s -> (Bool, Bool) in
            if s.stamp == stamp { return (true, false) }
            guard s.failedStamp == stamp else { return (false, false) }
            return (true, now - s.reportedAt >= Self.reminderInterval)
        }
        if same && !remind { return .success(false) }
        do throws(GatewayError) {
            let verifier = try Self.make(inputs)
            // CRLs were checked and the new files hold none: revocation checking would stop without a word.
            let before = current.trust?.crlCount ?? 0
            if before > 0 && (verifier.trust?.crlCount ?? 0) == 0 {
                throw GatewayError(code: "DG4027", message: LocalizedText(
                    ru: "в новых файлах доверия нет ни одного списка отзыва, а в действующих \(before): проверка отзыва прекратилась бы; действуют прежние файлы",
                    en: "the new trust files hold no CRL where the ones in use hold \(before): revocation checking would stop; the previous files stay in use"))
            }
            state.withLock { $0 = State(verifier: verifier, stamp: stamp) }
            return .success(true)
        } catch {
            state.withLock {
                $0.failedStamp = stamp
                $0.reportedAt = now
            }
            return .failure(error)
        }
    }

    private static func make(_ inputs: Inputs) throws(GatewayError) -> SignatureVerifier {
        var mapping = SignerMapping()
        if let path = inputs.signers {
            do throws(SignerMappingError) { mapping = try SignerMapping(path: path) } catch {
                throw GatewayError(code: error.code, message: error.message)
            }
        }
        if let own = inputs.gatewayFingerprint { mapping.add(own, for: SignerMapping.gatewayKey) }
        do throws(CryptoError) {
            let store = try TrustStore(path: inputs.trust, crls: inputs.crl, partialChain: inputs.partialChain,
                                       allowStaleCRL: inputs.allowStaleCRL, ocsp: inputs.ocsp)
            // A route that requires signatures delivers only documents every party has signed.
            return SignatureVerifier(trust: store, policy: .docgate, signers: mapping, requiredPolicies: inputs.policies, requireAllParties: true)
        } catch {
            throw GatewayError(code: error.code, message: LocalizedText(
                ru: error.message.ru + (error.detail.map { " (\($0))" } ?? ""), en: error.message.en + (error.detail.map { " (\($0))" } ?? "")))
        }
    }

    /// What identifies the state of the files: for each path (a directory: itself and each entry), its inode, size,
    /// modification and change times. A file replaced by rename, rewritten in place or touched changes it.
    static func stamp(_ paths: [String]) -> [String] {
        var out: [String] = []
        for path in paths {
            out.append(path + "\u{0}" + describe(path))
            guard let names = directoryEntries(path) else { continue }
            for name in names { out.append(name + "\u{0}" + describe(path + "/" + name)) }
        }
        return out
    }

    private static func describe(_ path: String) -> String {
        var st = stat()
        guard stat(path, &st) == 0 else { return "missing \(errno)" }
        return "\(st.st_ino) \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec) \(st.st_ctim.tv_sec).\(st.st_ctim.tv_nsec)"
    }
}
