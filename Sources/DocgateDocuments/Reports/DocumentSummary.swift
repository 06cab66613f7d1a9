import DocgateCore

/// What `docgate inspect` shows about a document: kind, identity, parties, figures and references.
public struct DocumentSummary: Sendable, Codable {
    public struct Party: Sendable, Codable, Hashable {
        public var role: LocalizedText
        public var name: String
        public var inn: String?
        public var kpp: String?
        public var ogrn: String?
    }

    public struct Figure: Sendable, Codable, Hashable {
        public var label: LocalizedText
        public var value: String
    }

    public struct Reference: Sendable, Codable, Hashable {
        public var label: LocalizedText
        public var ref: DocumentRef
    }

    public var kind: DocumentKind
    public var id: String
    public var formatVersion: String
    public var header: DocumentHeader?
    /// Root attributes that qualify the kind: `kind`, `event`, `stage`.
    public var attributes: [String: String]
    public var parties: [Party] = []
    public var figures: [Figure] = []
    public var references: [Reference] = []
    public var signatureCount = 0

    init(kind: DocumentKind, id: String, formatVersion: String, header: DocumentHeader?, attributes: [String: String]) {
        self.kind = kind
        self.id = id
        self.formatVersion = formatVersion
        self.header = header
        self.attributes = attributes
    }

    mutating func party(_ ru: String, _ en: String, _ org: Organization?) {
        guard let org else { return }
        parties.append(Party(role: LocalizedText(ru: ru, en: en), name: org.fullName, inn: org.taxNumber,
                             kpp: org.kpp, ogrn: org.ogrn ?? org.ogrnip))
    }

    mutating func person(_ ru: String, _ en: String, _ p: Person?) {
        guard let p else { return }
        parties.append(Party(role: LocalizedText(ru: ru, en: en), name: p.fullName, inn: nil, kpp: nil, ogrn: nil))
    }

    mutating func figure(_ ru: String, _ en: String, _ value: String?) {
        guard let value else { return }
        figures.append(Figure(label: LocalizedText(ru: ru, en: en), value: value))
    }

    mutating func reference(_ ru: String, _ en: String, _ ref: DocumentRef?) {
        guard let ref else { return }
        references.append(Reference(label: LocalizedText(ru: ru, en: en), ref: ref))
    }
}
