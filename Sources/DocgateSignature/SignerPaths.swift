import DocgateCrypto
import DocgateXML

extension SignatureVerifier {
    /// For each signature of the file, in the order of `verify`'s report: the signer's certification path with the
    /// revocation status of each certificate in the trust store's CRLs and from OCSP (`inspect --trust`). Empty
    /// without a trust store or when the file does not parse; an empty path for a signature whose certificates
    /// cannot be read.
    public func signerPaths(file path: String) throws(XMLFileError) -> [[PathCertificate]] {
        guard let trust else { return [] }
        guard case .success(let document) = try XMLDocument.parse(file: path, limits: limits),
              let root = document.root else { return [] }
        return withExtendedLifetime(document) {
            DocumentScan(root: root).signatures.map { signature in
                guard case .success(let parsed) = ParsedSignature.parse(signature, root: root), !parsed.certificates.isEmpty else { return [] }
                let leaf = Self.signerCertificate(parsed.certificates)
                return trust.revocationReport(leaf, intermediates: parsed.certificates.filter { !($0 == leaf) }, at: time)
            }
        }
    }
}
