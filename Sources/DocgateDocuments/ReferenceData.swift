import DocgateXML

/// Directories the rules consult: for now the ОКЕИ units (`Schemas/okei-1.tsv`).
public struct ReferenceData: Sendable {
    /// ОКЕИ code → unit name.
    public var okei: [String: String]

    public init(okei: [String: String] = [:]) {
        self.okei = okei
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
