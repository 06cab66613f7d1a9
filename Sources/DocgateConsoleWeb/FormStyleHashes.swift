import DocgateCrypto
import DocgateDocuments
import DocgateSignature

/// The console's pages allow no inline style but the printable form's own, by its SHA-256 (a form shown from an
/// upload is written into its frame whole, and the frame inherits the console's policy).
enum FormStyleHashes {
    /// `'sha256-…' 'sha256-…'` for the portrait and the landscape page.
    static let sources: String = [false, true].map { landscape in
        let digest = (try? DigestAlgorithm.sha256.digest(Array(FormPage.styleText(landscape: landscape).utf8))) ?? []
        // 44 characters: under Base64's line width, so one line.
        return "'sha256-" + Base64.encode(digest) + "'"
    }.joined(separator: " ")
}
