import DocgateXML
import Glibc

// The common types of `Schemas/common.xsd`, read from elements that passed the schema. Readers never trap on a
// missing child: a value the schema would have required reads as empty or zero.

extension RecordElement {
    func string(_ name: StaticString) -> String { childText(name) ?? "" }
    func decimal(_ name: StaticString) -> DecimalValue? { child(name)?.withTrimmedBytes { DecimalValue(utf8: $0) } }
    func date(_ name: StaticString) -> CalendarDate? { childText(name).flatMap { CalendarDate($0) } }
    func integer(_ name: StaticString) -> Int? { childText(name).flatMap { Int($0) } }
    var decimalValue: DecimalValue? { withTrimmedBytes { DecimalValue(utf8: $0) } }

    /// True when the trimmed text equals `value` (a byte comparison).
    func textEquals(_ value: StaticString) -> Bool {
        withTrimmedBytes { b in b.count == value.utf8CodeUnitCount && (b.isEmpty || memcmp(b.baseAddress!, value.utf8Start, b.count) == 0) }
    }

    /// True when the element has non-blank text.
    var hasText: Bool { withTrimmedBytes { !$0.isEmpty } }

    /// Appends the trimmed text's bytes to `buffer`.
    func appendText(to buffer: inout [UInt8]) {
        withTrimmedBytes { buffer.append(contentsOf: $0) }
    }
}

/// The system the document came from (`source`, `SourceType`), for tracing it back.
public struct DocumentSource: Sendable, Hashable, Codable {
    /// `system`: the source system's name, such as «АЦК-Планирование».
    public var system: String
    /// `documentClassId`: the document's class in the source system.
    public var documentClassId: String?
    /// `documentId`: the document's id in the source system.
    public var documentId: String?
}

extension DocumentSource {
    init(_ n: RecordElement) {
        system = n.string("system")
        documentClassId = n.childText("documentClassId")
        documentId = n.childText("documentId")
    }
}

/// The `header` of every kind (`DocumentHeaderType`): number, date, time of creation, version and status.
public struct DocumentHeader: Sendable, Hashable, Codable {
    /// `number`: the document's number (1–50 characters).
    public var number: String
    /// `date`: the document's date; nil when absent or not a date.
    public var date: CalendarDate?
    /// `createdAt`: when the electronic document was made, as written (a date-time with its offset).
    public var createdAt: String
    /// `version`: 1 for the first version; 1 when absent.
    public var version: Int
    /// `previousVersionId`: the root `id` of the version this one follows (for a version above 1).
    public var previousVersionId: String?
    /// `status`: `draft`, `approved`, `amended` or `cancelled`.
    public var status: String
    /// `source`: the system the document came from, when given.
    public var source: DocumentSource?
    /// True when the `test` element is present: a test document without legal effect.
    public var test: Bool
}

extension DocumentHeader {
    init(_ n: RecordElement) {
        number = n.string("number")
        date = n.date("date")
        createdAt = n.string("createdAt")
        version = n.integer("version") ?? 1
        previousVersionId = n.childText("previousVersionId")
        status = n.string("status")
        source = n.child("source").map(DocumentSource.init)
        test = n.child("test") != nil
    }
}

/// An organisation (`OrganizationType`): its names and registration details; an entrepreneur has ИНН ФЛ and ОГРНИП.
public struct Organization: Sendable, Hashable, Codable {
    /// `fullName`: полное наименование.
    public var fullName: String
    /// `shortName`: сокращённое наименование.
    public var shortName: String?
    /// `inn`: ИНН of a legal entity (10 digits).
    public var inn: String?
    /// `kpp`: КПП.
    public var kpp: String?
    /// `ogrn`: ОГРН (13 digits).
    public var ogrn: String?
    /// `innFl`: ИНН of an individual entrepreneur (12 digits).
    public var innFl: String?
    /// `ogrnip`: ОГРНИП (15 digits).
    public var ogrnip: String?
    /// `consRegCode`: код по Сводному реестру.
    public var consRegCode: String?
    /// `budgetChapter`: глава по бюджетной классификации (of a ГРБС, 3 digits).
    public var budgetChapter: String?
    /// `oktmo`: ОКТМО of its location.
    public var oktmo: String?
    /// ОКАТО, in documents from before ОКТМО (2014).
    public var okato: String?
    /// `kind`: `authority`, `treasuryInstitution`, `budgetInstitution`, `autonomousInstitution`, `nonProfit`, …
    public var kind: String?
    /// `address`: its address as text.
    public var address: String?

    /// The taxpayer number, whichever form the organisation has.
    public var taxNumber: String? { inn ?? innFl }
    /// Short name when given, else the full name.
    public var displayName: String { shortName ?? fullName }
}

extension Organization {
    init(_ n: RecordElement) {
        fullName = n.string("fullName")
        shortName = n.childText("shortName")
        inn = n.childText("inn")
        kpp = n.childText("kpp")
        ogrn = n.childText("ogrn")
        innFl = n.childText("innFl")
        ogrnip = n.childText("ogrnip")
        consRegCode = n.childText("consRegCode")
        budgetChapter = n.childText("budgetChapter")
        oktmo = n.childText("oktmo")
        okato = n.childText("okato")
        kind = n.childText("kind")
        address = n.childText("address")
    }
}

/// A document proving who a person is (`identityDocument`, документ, удостоверяющий личность).
public struct IdentityDocument: Sendable, Hashable, Codable {
    /// `type`: the kind's code (21: passport of a citizen of the Russian Federation, 03: birth certificate).
    public var type: String
    /// `series`: серия документа.
    public var series: String?
    /// `number`: номер (of the identity document).
    public var number: String
    /// `issueDate`: дата выдачи.
    public var issueDate: CalendarDate?
    /// `issuer`: кем выдан.
    public var issuer: String?
}

extension IdentityDocument {
    init(_ n: RecordElement) {
        type = n.string("type")
        series = n.childText("series")
        number = n.string("number")
        issueDate = n.date("issueDate")
        issuer = n.childText("issuer")
    }
}

/// A natural person (`PersonType`): a consumer, a certificate's recipient.
public struct Person: Sendable, Hashable, Codable {
    /// `lastName`: фамилия.
    public var lastName: String
    /// `firstName`: имя.
    public var firstName: String
    /// `middleName`: отчество, when the person has one.
    public var middleName: String?
    /// `birthDate`: дата рождения.
    public var birthDate: CalendarDate?
    /// `snils`: СНИЛС as written (`ddd-ddd-ddd cc`).
    public var snils: String?
    /// `identityDocument`: документ, удостоверяющий личность, when given.
    public var identityDocument: IdentityDocument?

    /// Last, first and middle name, separated by spaces.
    public var fullName: String { [lastName, firstName, middleName].compactMap { $0 }.joined(separator: " ") }
}

extension Person {
    init(_ n: RecordElement) {
        lastName = n.string("lastName")
        firstName = n.string("firstName")
        middleName = n.childText("middleName")
        birthDate = n.date("birthDate")
        snils = n.childText("snils")
        identityDocument = n.child("identityDocument").map(IdentityDocument.init)
    }
}

/// A reference to another document (`DocumentRefType`): its kind, id, number, date and version.
public struct DocumentRef: Sendable, Hashable, Codable {
    /// `kind`: the kind referred to (`socialOrder`, `agreement`, …, `organizationDecision`, `competition`, `other`).
    public var kind: String
    /// `id`: the root `id` of the document referred to, when given.
    public var id: String?
    /// `number`: номер документа (of the referenced document).
    public var number: String
    /// `date`: дата документа.
    public var date: CalendarDate?
    /// `version`: its version, when given.
    public var version: Int?
}

extension DocumentRef {
    init(_ n: RecordElement) {
        kind = n.string("kind")
        id = n.childText("id")
        number = n.string("number")
        date = n.date("date")
        version = n.integer("version")
    }
}

/// Where a service is provided (`PlaceType`, место оказания услуги): ОКТМО and/or a description.
public struct Place: Sendable, Hashable, Codable {
    /// `oktmo`: ОКТМО of the territory.
    public var oktmo: String?
    /// `text`: the place's name.
    public var text: String

    /// Places match by ОКТМО when both have one, else by name.
    func matches(_ other: Place?) -> Bool {
        guard let other else { return false }
        if let a = oktmo, let b = other.oktmo { return a == b }
        return text == other.text
    }
}

extension Place {
    init(_ n: RecordElement) {
        oktmo = n.childText("oktmo")
        text = n.string("text")
    }
}

/// A short reference to a service or aggregated service (`ServiceRefType`): its name and registry number.
public struct ServiceRef: Sendable, Hashable, Codable {
    /// `name`: the service's (or aggregated service's) name.
    public var name: String
    /// `regNum`: уникальный номер реестровой записи, when given.
    public var regNum: String?
}

extension ServiceRef {
    init(_ n: RecordElement) {
        name = n.string("name")
        regNum = n.childText("regNum")
    }
}

/// A state (municipal) service in the social sphere (`ServiceType`).
public struct Service: Sendable, Hashable, Codable {
    /// `regNum`: уникальный номер реестровой записи услуги (`801011О.99.0.БВ24ВФ62000`).
    public var regNum: String
    /// `name`: наименование услуги.
    public var name: String
    /// `aggregatedServiceName`: the aggregated service (укрупнённая услуга) it belongs to.
    public var aggregatedServiceName: String?
    /// `conditions`: условия (формы) оказания услуги.
    public var conditions: String?
    /// `content`: содержание услуги.
    public var content: String?
    /// `consumerCategory` elements: категории потребителей, in order.
    public var consumerCategories: [String]
    /// `place`: место оказания услуги, when given.
    public var place: Place?
}

extension Service {
    init(_ n: RecordElement) {
        regNum = n.string("regNum")
        name = n.string("name")
        aggregatedServiceName = n.childText("aggregatedServiceName")
        conditions = n.childText("conditions")
        content = n.childText("content")
        consumerCategories = n.children("consumerCategory").map(\.trimmedText)
        place = n.child("place").map(Place.init)
    }
}

/// An indicator of a service's volume or quality with its unit (`IndicatorType`).
public struct Indicator: Sendable, Hashable, Codable {
    /// `name`: наименование показателя.
    public var name: String
    /// `unitName`: the unit's name.
    public var unitName: String
    /// The `okei` attribute: the unit's ОКЕИ code (3 or 4 digits); empty when absent.
    public var okei: String
}

extension Indicator {
    init(_ n: RecordElement) {
        name = n.string("name")
        unitName = n.string("unitName")
        okei = n.attribute("okei") ?? ""
    }
}
