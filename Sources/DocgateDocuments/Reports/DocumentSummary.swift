import DocgateCore

/// What `docgate inspect` shows about a document: kind, identity, parties, figures and references.
public struct DocumentSummary: Sendable, Codable {
    /// A party of the document: an organisation or a person in its role.
    public struct Party: Sendable, Codable, Hashable {
        /// The role, in Russian and English (`Уполномоченный орган` / `Authorised body`).
        public var role: LocalizedText
        /// The organisation's full name, or the person's last, first and middle name.
        public var name: String
        /// ИНН (a legal entity's, else an entrepreneur's); nil for a person.
        public var inn: String?
        /// КПП, when given; nil for a person.
        public var kpp: String?
        /// ОГРН, else ОГРНИП; nil for a person.
        public var ogrn: String?
    }

    /// A labelled value the kind shows (a period, a state, a total).
    public struct Figure: Sendable, Codable, Hashable {
        /// What the value is, in Russian and English.
        public var label: LocalizedText
        /// The value as shown.
        public var value: String
    }

    /// A labelled reference to another document (the social order, an agreement).
    public struct Reference: Sendable, Codable, Hashable {
        /// What the referenced document is to this one, in Russian and English.
        public var label: LocalizedText
        /// The reference as written.
        public var ref: DocumentRef
    }

    /// The document's kind.
    public var kind: DocumentKind
    /// The root `id` (a UUID).
    public var id: String
    /// The root `formatVersion` (minor format version, `1.0`).
    public var formatVersion: String
    /// The header; nil when the document has none (a receipt).
    public var header: DocumentHeader?
    /// Root attributes that qualify the kind: `kind`, `event`, `stage`.
    public var attributes: [String: String]
    /// The parties, in the order the kind lists them.
    public var parties: [Party] = []
    /// The figures, in the order the kind lists them.
    public var figures: [Figure] = []
    /// The references, in the order the kind lists them.
    public var references: [Reference] = []
    /// How many XMLDSig signatures (`ds:Signature`) the document carries.
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
