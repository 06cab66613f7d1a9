import DocgateXML
import Glibc

/// A volume in all and by way of determining executors (`MethodVolumesType`); zeros are written explicitly.
public struct MethodVolumes: Sendable, Hashable, Codable {
    /// `total`: всего.
    public var total: DecimalValue
    /// `stateTaskTreasury`: by treasury institutions under a state (municipal) assignment.
    public var stateTaskTreasury: DecimalValue
    /// `stateTaskBudgetAutonomous`: by budget and autonomous institutions under a state (municipal) assignment.
    public var stateTaskBudgetAutonomous: DecimalValue
    /// `competition`: by competition (в соответствии с конкурсом).
    public var competition: DecimalValue
    /// `certificate`: by social certificates.
    public var certificate: DecimalValue

    /// Zero in all and by every method.
    public static let zero = MethodVolumes(total: .zero, stateTaskTreasury: .zero, stateTaskBudgetAutonomous: .zero,
                                           competition: .zero, certificate: .zero)

    /// Volumes from their five values; `total` is not checked against the sum of the methods here.
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
    /// Treasury institutions under a state (municipal) assignment.
    case stateTaskTreasury
    /// Budget and autonomous institutions under a state (municipal) assignment.
    case stateTaskBudgetAutonomous
    /// By the results of a competition (конкурс).
    case competition
    /// By social certificates (социальные сертификаты).
    case certificate

    /// The method's name in Russian and English.
    public var title: LocalizedTitle {
        switch self {
        case .stateTaskTreasury: LocalizedTitle(ru: "казённые учреждения по заданию", en: "treasury institutions by assignment")
        case .stateTaskBudgetAutonomous: LocalizedTitle(ru: "бюджетные и автономные учреждения по заданию", en: "budget and autonomous institutions by assignment")
        case .competition: LocalizedTitle(ru: "по конкурсу", en: "by competition")
        case .certificate: LocalizedTitle(ru: "по социальным сертификатам", en: "by social certificates")
        }
    }
}

/// A name in Russian and English.
public struct LocalizedTitle: Sendable, Hashable {
    /// The Russian title.
    public var ru: String
    /// The English title.
    public var en: String
}

/// A period (`PeriodType`): its start and end dates.
public struct Period: Sendable, Hashable, Codable {
    /// `from`: the first day.
    public var from: CalendarDate?
    /// `to`: the last day.
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
