import Glibc

/// Files holding secrets — private keys, PKCS#12 bundles, passphrases — are read only when their group and others
/// cannot read them, as ssh treats its keys: a key readable by everyone on the machine is no longer the
/// organisation's alone. The mode is checked with `fstat` on the descriptor that is then read, so the file checked is
/// the file read. Certificates are public and are not read through here.
public enum PrivateFile {
    /// Why a secret file was not read.
    public enum Failure: Error, Sendable, Equatable {
        /// `open` or `read` failed (errno), or the file is larger than the limit (EFBIG).
        case unreadable(Int32)
        /// Readable by group or others (the file's permission bits).
        case exposed(mode: UInt32)
    }

    /// The read bits of group and others.
    public static let exposingBits: UInt32 = 0o044

    /// Reads the whole file; refuses one that its group or others can read unless `allowGroupReadable`.
    public static func read(_ path: String, allowGroupReadable: Bool, limit: Int = 16 << 20) -> Result<[UInt8], Failure> {
        let check: (stat) -> UInt32? = { st in
            let mode = UInt32(st.st_mode) & 0o7777
            return !allowGroupReadable && mode & exposingBits != 0 ? mode : nil
        }
        switch BoundedFile.read(path, limit: limit, check: check) {
        case .success(let bytes): return .success(bytes)
        case .failure(.refused(let mode)): return .failure(.exposed(mode: mode))
        case .failure(.tooLarge): return .failure(.unreadable(EFBIG))
        case .failure(.unreadable(let code)): return .failure(.unreadable(code))
        }
    }

    /// DG5017's text: the file, its mode, and the two ways out.
    /// - Parameter allowance: how the operator allows it anyway (`--allow-group-readable-key`,
    ///   `[signing] allow_group_readable = true`).
    public static func exposedMessage(_ path: String, mode: UInt32, allowance: String) -> LocalizedText {
        let m = "0" + String(mode & 0o777, radix: 8)
        return LocalizedText(
            ru: "Файл \(path) с закрытым ключом или паролем доступен для чтения группе или всем (права \(m)): выполните chmod 600 \(path); если доступ группы задуман, разрешите его явно: \(allowance)",
            en: "The file \(path) holding a private key or passphrase is readable by its group or by others (mode \(m)): run chmod 600 \(path); if group access is intended, allow it explicitly: \(allowance)")
    }

    /// The code of a secret file readable by its group or others (DG5017).
    public static let exposedCode = "DG5017"
}
