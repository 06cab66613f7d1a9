import DocgateXML

/// Directories the rules consult: for now the ОКЕИ units (`Schemas/okei-1.tsv`).
public struct ReferenceData: Sendable {
    /// ОКЕИ code → unit name.
    public var okei: [String: String]
    /// The same codes as numbers, for the check on every row (codes are 3–4 digits).
    let okeiNumbers: Set<Int>

    /// Directories from their contents; with no ОКЕИ codes every code is taken as known.
    public init(okei: [String: String] = [:]) {
        self.okei = okei
        okeiNumbers = Set(okei.keys.compactMap { key in Int(key).map { $0 * 10 + key.utf8.count } })
    }

    /// Whether `bytes` (the attribute's value) is a known ОКЕИ code; true when no directory is loaded.
    func knowsOKEI(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if okei.isEmpty { return true }
        guard !bytes.isEmpty, bytes.count <= 7, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        // Leading zeros matter ("003" is a code, "3" is not): the length is folded into the number.
        let value = bytes.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        return okeiNumbers.contains(value * 10 + bytes.count)
    }

    /// Reads the directories shipped beside the schemas.
    public static func load(schemaDirectory: String) throws(XMLFileError) -> ReferenceData {
        let path = schemaDirectory + "/okei-1.tsv"
        guard case .bytes(let bytes) = try FileBytes.read(path, limit: 1 << 20) else { return ReferenceData() }
        var okei: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            if fields.count >= 2 { okei[String(fields[0])] = String(fields[1]) }
        }
        return ReferenceData(okei: okei)
    }
}
