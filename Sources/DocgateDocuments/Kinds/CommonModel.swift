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

public struct DocumentSource: Sendable, Hashable, Codable {
    public var system: String
    public var documentClassId: String?
    public var documentId: String?
}

extension DocumentSource {
    init(_ n: RecordElement) {
        system = n.string("system")
        documentClassId = n.childText("documentClassId")
        documentId = n.childText("documentId")
    }
}

public struct DocumentHeader: Sendable, Hashable, Codable {
    public var number: String
    public var date: CalendarDate?
    public var createdAt: String
    public var version: Int
    public var previousVersionId: String?
    public var status: String
    public var source: DocumentSource?
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

public struct Organization: Sendable, Hashable, Codable {
    public var fullName: String
    public var shortName: String?
    public var inn: String?
    public var kpp: String?
    public var ogrn: String?
    public var innFl: String?
    public var ogrnip: String?
    public var consRegCode: String?
    public var budgetChapter: String?
    public var oktmo: String?
    /// ОКАТО, in documents from before ОКТМО (2014).
    public var okato: String?
    public var kind: String?
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

public struct IdentityDocument: Sendable, Hashable, Codable {
    public var type: String
    public var series: String?
    public var number: String
    public var issueDate: CalendarDate?
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

public struct Person: Sendable, Hashable, Codable {
    public var lastName: String
    public var firstName: String
    public var middleName: String?
    public var birthDate: CalendarDate?
    public var snils: String?
    public var identityDocument: IdentityDocument?

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

public struct DocumentRef: Sendable, Hashable, Codable {
    public var kind: String
    public var id: String?
    public var number: String
    public var date: CalendarDate?
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

public struct Place: Sendable, Hashable, Codable {
    public var oktmo: String?
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

public struct ServiceRef: Sendable, Hashable, Codable {
    public var name: String
    public var regNum: String?
}

extension ServiceRef {
    init(_ n: RecordElement) {
        name = n.string("name")
        regNum = n.childText("regNum")
    }
}

public struct Service: Sendable, Hashable, Codable {
    public var regNum: String
    public var name: String
    public var aggregatedServiceName: String?
    public var conditions: String?
    public var content: String?
    public var consumerCategories: [String]
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

public struct Indicator: Sendable, Hashable, Codable {
    public var name: String
    public var unitName: String
    public var okei: String
}

extension Indicator {
    init(_ n: RecordElement) {
        name = n.string("name")
        unitName = n.string("unitName")
        okei = n.attribute("okei") ?? ""
    }
}

public struct MethodVolumes: Sendable, Hashable, Codable {
    public var total: DecimalValue
    public var stateTaskTreasury: DecimalValue
    public var stateTaskBudgetAutonomous: DecimalValue
    public var competition: DecimalValue
    public var certificate: DecimalValue

    public static let zero = MethodVolumes(total: .zero, stateTaskTreasury: .zero, stateTaskBudgetAutonomous: .zero,
                                           competition: .zero, certificate: .zero)

    public init(total: DecimalValue, stateTaskTreasury: DecimalValue, stateTaskBudgetAutonomous: DecimalValue,
                competition: DecimalValue, certificate: DecimalValue) {
        self.total = total
        self.stateTaskTreasury = stateTaskTreasury
        self.stateTaskBudgetAutonomous = stateTaskBudgetAutonomous
        self.competition = competition
        self.certificate = certificate
    }

    /// The value for one method.
    public subscript(method: Method) -> DecimalValue {
        get {
            switch method {
            case .stateTaskTreasury: stateTaskTreasury
            case .stateTaskBudgetAutonomous: stateTaskBudgetAutonomous
            case .competition: competition
            case .certificate: certificate
            }
        }
        set {
            switch method {
            case .stateTaskTreasury: stateTaskTreasury = newValue
            case .stateTaskBudgetAutonomous: stateTaskBudgetAutonomous = newValue
            case .competition: competition = newValue
            case .certificate: certificate = newValue
            }
        }
    }

    /// Σ of the four methods; `nil` on overflow.
    public var sumOfMethods: DecimalValue? {
        stateTaskTreasury.adding(stateTaskBudgetAutonomous)?.adding(competition)?.adding(certificate)
    }

    /// Component-wise sum; `nil` on overflow.
    public func adding(_ o: MethodVolumes) -> MethodVolumes? {
        guard let t = total.adding(o.total), let a = stateTaskTreasury.adding(o.stateTaskTreasury),
              let b = stateTaskBudgetAutonomous.adding(o.stateTaskBudgetAutonomous),
              let c = competition.adding(o.competition), let d = certificate.adding(o.certificate) else { return nil }
        return MethodVolumes(total: t, stateTaskTreasury: a, stateTaskBudgetAutonomous: b, competition: c, certificate: d)
    }
}

extension MethodVolumes {
    init(_ n: RecordElement) {
        total = n.decimal("total") ?? .zero
        stateTaskTreasury = n.decimal("stateTaskTreasury") ?? .zero
        stateTaskBudgetAutonomous = n.decimal("stateTaskBudgetAutonomous") ?? .zero
        competition = n.decimal("competition") ?? .zero
        certificate = n.decimal("certificate") ?? .zero
    }
}

/// The ways executors are determined (189-ФЗ).
public enum Method: String, CaseIterable, Sendable, Codable {
    case stateTaskTreasury
    case stateTaskBudgetAutonomous
    case competition
    case certificate

    public var title: LocalizedTitle {
        switch self {
        case .stateTaskTreasury: LocalizedTitle(ru: "казённые учреждения по заданию", en: "treasury institutions by assignment")
        case .stateTaskBudgetAutonomous: LocalizedTitle(ru: "бюджетные и автономные учреждения по заданию", en: "budget and autonomous institutions by assignment")
        case .competition: LocalizedTitle(ru: "по конкурсу", en: "by competition")
        case .certificate: LocalizedTitle(ru: "по социальным сертификатам", en: "by social certificates")
        }
    }
}

public struct LocalizedTitle: Sendable, Hashable {
    public var ru: String
    public var en: String
}

public struct Period: Sendable, Hashable, Codable {
    public var from: CalendarDate?
    public var to: CalendarDate?

    func contains(_ other: Period) -> Bool {
        guard let f = from, let t = to, let of = other.from, let ot = other.to else { return true }
        return f <= of && ot <= t
    }
}

extension Period {
    init(_ n: RecordElement) {
        from = n.date("from")
        to = n.date("to")
    }
}
