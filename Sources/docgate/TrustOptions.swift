import ArgumentParser
import DocgateCommandLine
import DocgateCore
import DocgateCrypto
import DocgateProcessing
import DocgateSignature
import DocgateXML
import Glibc
import Synchronization

/// Options for checking signer certificates.
struct TrustOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Trusted CA certificates: a PEM/DER file or a directory of them.", valueName: "path"))
    var trust: String?

    @Option(name: .long, help: ArgumentHelp("Check certificates at this time instead of now (2026-11-23 or 2026-11-23T10:00:00Z).", valueName: "time"))
    var at: String?

    @Option(name: .long, help: ArgumentHelp("CRLs (a PEM/DER file or a directory of them), checked for every certificate of a signer's path; repeatable.", valueName: "path"))
    var crl: [String] = []

    @Option(name: .long, help: ArgumentHelp("Signer mapping: ИНН or СНИЛС (or gateway) to SHA-256 certificate fingerprints, for certificates without ИНН/ОГРН/СНИЛС; a file or a directory of *.txt and *.signers files.", valueName: "path"))
    var signers: String?

    @Option(name: .customLong("require-policy"), help: ArgumentHelp("A certificate policy the signer's certificate must carry: an OID or КС1, КС2, КС3; repeatable (any one suffices).", valueName: "oid"))
    var requirePolicy: [String] = []

    @Flag(name: .customLong("require-all-parties"), help: "Every party the document's kind names must have signed (DG4036 an error; by default a warning).")
    var requireAllParties = false

    @Flag(name: .customLong("allow-stale-crl"), help: "Use a CRL past its nextUpdate as it is (a warning) instead of failing closed (DG4027).")
    var allowStaleCRL = false

    @Flag(name: .customLong("partial-chain"), help: "Let a trusted intermediate CA end a chain (by default every chain must reach a trusted root).")
    var partialChain = false

    @OptionGroup var revocation: OCSPOptions

    func verificationTime() throws -> Int64? {
        guard let at else { return nil }
        guard let t = ParsedTime.parse(at) else { throw ValidationError("--at: expected YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ") }
        return t
    }

    func requiredPolicies() throws -> Set<String> {
        var oids: Set<String> = []
        for p in requirePolicy {
            guard let oid = CertificatePolicyName.oid(p) else { throw ValidationError("--require-policy: expected an OID (1.2.643.100.113.1) or КС1, КС2, КС3, not '\(p)'") }
            oids.insert(oid)
        }
        return oids
    }

    func makeVerifier(_ language: Language) throws -> SignatureVerifier {
        let time = try verificationTime()
        let policies = try requiredPolicies()
        let ocsp = try revocation.settings(language)
        guard let trust else {
            if signers != nil || !policies.isEmpty || partialChain || !crl.isEmpty || allowStaleCRL || requireAllParties {
                throw ValidationError("--signers, --require-policy, --require-all-parties, --partial-chain, --crl and --allow-stale-crl are checked with --trust")
            }
            return SignatureVerifier(trust: nil, policy: .docgate, time: time)
        }
        var mapping = SignerMapping()
        if let signers {
            do throws(SignerMappingError) { mapping = try SignerMapping(path: signers) } catch {
                Terminal.error(code: error.code, error.message[language])
                throw Exit.failure
            }
        }
        do throws(CryptoError) {
            return SignatureVerifier(trust: try TrustStore(path: trust, crls: crl, partialChain: partialChain,
                                                          allowStaleCRL: allowStaleCRL, ocsp: ocsp), policy: .docgate, time: time,
                                     signers: mapping, requiredPolicies: policies, requireAllParties: requireAllParties)
        } catch {
            Terminal.error(code: error.code, error.message[language] + (error.detail.map { " (\($0))" } ?? ""))
            throw Exit.failure
        }
    }
}

