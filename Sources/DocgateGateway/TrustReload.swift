import DocgateCore
import DocgateCrypto
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
        /// The stamp whose files failed to load (reported once).
        var failedStamp: [String]?
    }

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
    /// again, `.success(false)` when nothing changed (or the same failure was reported before).
    func refresh() -> Result<Bool, GatewayError> {
        let stamp = Self.stamp(inputs.paths)
        let known = state.withLock { $0.stamp == stamp || $0.failedStamp == stamp }
        if known { return .success(false) }
        do {
            let verifier = try Self.make(inputs)
            state.withLock { $0 = State(verifier: verifier, stamp: stamp) }
            return .success(true)
        } catch {
            state.withLock { $0.failedStamp = stamp }
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
            return SignatureVerifier(trust: store, signers: mapping, requiredPolicies: inputs.policies)
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
            guard let dir = opendir(path) else { continue }
            var names: [String] = []
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
                if name != "." && name != ".." { names.append(name) }
            }
            closedir(dir)
            for name in names.sorted() { out.append(name + "\u{0}" + describe(path + "/" + name)) }
        }
        return out
    }

    private static func describe(_ path: String) -> String {
        var st = stat()
        guard stat(path, &st) == 0 else { return "missing \(errno)" }
        return "\(st.st_ino) \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec) \(st.st_ctim.tv_sec).\(st.st_ctim.tv_nsec)"
    }
}
