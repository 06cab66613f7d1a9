import DocgateCrypto
import DocgateDocuments

/// The console's pages allow no inline style but the printable form's own, by its SHA-256 (a form shown from an
/// upload is written into its frame whole, and the frame inherits the console's policy).
enum FormStyleHashes {
    /// `'sha256-…' 'sha256-…'` for the portrait and the landscape page.
    static let sources: String = [false, true].map { landscape in
        let digest = (try? DigestAlgorithm.sha256.digest(Array(FormPage.styleText(landscape: landscape).utf8))) ?? []
        return "'sha256-" + base64(digest) + "'"
    }.joined(separator: " ")

    /// Standard base64 with padding.
    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        var out = ""
        var i = 0
        while i < bytes.count {
            let b0 = Int(bytes[i]), b1 = i + 1 < bytes.count ? Int(bytes[i + 1]) : 0, b2 = i + 2 < bytes.count ? Int(bytes[i + 2]) : 0
            out.append(alphabet[b0 >> 2])
            out.append(alphabet[((b0 & 3) << 4) | (b1 >> 4)])
            out.append(i + 1 < bytes.count ? alphabet[((b1 & 15) << 2) | (b2 >> 6)] : "=")
            out.append(i + 2 < bytes.count ? alphabet[b2 & 63] : "=")
            i += 3
        }
        return out
    }
}
