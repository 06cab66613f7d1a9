import DocgateXML

/// Социальный сертификат (`urn://docgate/social-certificate/1`).
public struct SocialCertificate: Sendable, Codable {
    /// A service of Section II (`services/service`): its volume, normative cost, value, period and allowed executors.
    public struct ServiceLine: Sendable, Hashable, Codable {
        /// The service's own fields (`regNum`, `name`, …) of the `service` element.
        public var service: Service
        /// `indicator`: the volume indicator and its unit.
        public var indicator: Indicator
        /// `volume`: the volume the certificate grants; contracts for the service may not exceed it in sum (DG3042).
        public var volume: DecimalValue
        /// `normativeCost`: the normative cost per unit of volume, roubles.
        public var normativeCost: DecimalValue
        /// `value`: the financing, roubles: normative × volume, rounded to kopecks (DG3040).
        public var value: DecimalValue
        /// `servicePeriod`: when the service is provided, within the certificate's validity (DG3041).
        public var servicePeriod: Period?
        /// The ИНН (`inn`) of each `allowedExecutor`: executors from the register the consumer chose.
        public var allowedExecutorINNs: [String]
    }

    /// A contract of Section III (`contracts/contract`) concluded on the certificate, with its outcome.
    public struct ContractLine: Sendable, Hashable, Codable {
        /// `contractRef`: the contract's reference.
        public var contractRef: DocumentRef?
        /// `executor/inn`: the executor's ИНН.
        public var executorINN: String
        /// `executor/name`: the executor's name.
        public var executorName: String
        /// `serviceRegNum`: уникальный номер реестровой записи of the contract's service.
        public var serviceRegNum: String
        /// `volume`: the volume contracted.
        public var volume: DecimalValue
        /// `amount`: the part of the contract's sum the certificate covers, roubles.
        public var amount: DecimalValue
        /// `outcome/factVolume`: the volume actually provided, once reported.
        public var factVolume: DecimalValue?
    }

    /// The root's `event` attribute: `issued`, `changed`, `suspended`, `redeemed` or `cancelled` (docs/documents.md).
    public var event: String = ""
    /// `general/issuer`: the authorised body that issued the certificate; it signs it.
    public var issuer: Organization?
    /// `general/issueDate`: when the certificate was made.
    public var issueDate: CalendarDate?
    /// `general/validFrom`: start of validity.
    public var validFrom: CalendarDate?
    /// `general/validTo`: end of validity, not before `validFrom` (DG3041).
    public var validTo: CalendarDate?
    /// `general/state`: `active`, `suspended`, `redeemed` or `cancelled`, as the event leaves it (DG3044).
    public var state: String = ""
    /// `general/recipient`: the consumer who holds the certificate; СНИЛС required (DG3043).
    public var recipient: Person?
    /// `general/consumerCategory`: категория потребителей услуги.
    public var consumerCategory: String = ""
    /// `general/socialOrderRef`: the social order the certificate is issued under.
    public var socialOrderRef: DocumentRef?
    /// Section II services, in order.
    public var services: [ServiceLine] = []
    /// Section III contracts, in order.
    public var contracts: [ContractLine] = []
}

final class SocialCertificateReader: KindReader {
    var documentModel: DocumentModel { .socialCertificate(model) }
    static let containers: Set<String> = ["services", "contracts"]

    private let context: ReadContext
    private var f: Findings { context.findings }
    var model = SocialCertificate()
    private var periodLocations: [(Period, Location)] = []
    private var serviceLocations: [String: Location] = [:]
    private var contractLocations: [String: Location] = [:]
    private var stateLocation: Location?

    init(context: ReadContext) {
        self.context = context
        model.event = context.attributes["event"] ?? ""
    }

    func record(_ r: RecordContext, in container: String) {
        let n = r.node
        switch container {
        case "" where n.isNamed("general"):
            readGeneral(r)
        case "services":
            let line = SocialCertificate.ServiceLine(
                service: Service(n), indicator: n.child("indicator").map(Indicator.init) ?? Indicator(name: "", unitName: "", okei: ""),
                volume: n.decimal("volume") ?? .zero, normativeCost: n.decimal("normativeCost") ?? .zero,
                value: n.decimal("value") ?? .zero, servicePeriod: n.child("servicePeriod").map(Period.init),
                allowedExecutorINNs: n.children("allowedExecutor").map { $0.string("inn") })
            if let product = line.normativeCost.multiplied(by: line.volume) {
                let expected = product.rounded(2)
                if expected != line.value {
                    f.add(.certificateValue, at: r.location(child: "value"),
                          ru: "Стоимость услуги \(line.value) не равна нормативу \(line.normativeCost) × объём \(line.volume) = \(expected)",
                          en: "Value \(line.value) is not normative \(line.normativeCost) × volume \(line.volume) = \(expected)")
                }
            } else {
                f.overflow(at: r.location(child: "value"))
            }
            if let p = line.servicePeriod { periodLocations.append((p, r.location(child: "servicePeriod"))) }
            serviceLocations[line.service.regNum] = r.location(child: "volume")
            model.services.append(line)
        case "contracts":
            let line = SocialCertificate.ContractLine(
                contractRef: n.child("contractRef").map(DocumentRef.init),
                executorINN: n.child("executor")?.string("inn") ?? "", executorName: n.child("executor")?.string("name") ?? "",
                serviceRegNum: n.string("serviceRegNum"), volume: n.decimal("volume") ?? .zero,
                amount: n.decimal("amount") ?? .zero, factVolume: n.child("outcome")?.decimal("factVolume"))
            contractLocations[line.serviceRegNum] = contractLocations[line.serviceRegNum] ?? r.location(child: "volume")
            model.contracts.append(line)
        default:
            break
        }
    }

    private func readGeneral(_ r: RecordContext) {
        let n = r.node
        model.issuer = n.child("issuer").map(Organization.init)
        model.issueDate = n.date("issueDate")
        model.validFrom = n.date("validFrom")
        model.validTo = n.date("validTo")
        model.state = n.string("state")
        stateLocation = r.location(child: "state")
        model.recipient = n.child("recipient").map(Person.init)
        model.consumerCategory = n.string("consumerCategory")
        model.socialOrderRef = n.child("socialOrderRef").map(DocumentRef.init)
        if let from = model.validFrom, let to = model.validTo, to < from {
            f.add(.certificatePeriod, at: r.location(child: "validTo"),
                  ru: "Сертификат действует до \(to), то есть раньше начала действия \(from)",
                  en: "The certificate is valid until \(to), before it starts on \(from)")
        }
        if let recipient = n.child("recipient"), recipient.child("snils") == nil {
            f.add(.recipientSnils, at: r.location(recipient),
                  ru: "У получателя сертификата должен быть указан СНИЛС",
                  en: "The certificate's recipient must have a СНИЛС")
        }
    }

    func finish() {
        // DG3044: the state is the one the event leaves the certificate in (docs/documents.md, the status model).
        if let allowed = StatusModel.certificateStates[model.event], !allowed.contains(model.state) {
            f.add(.certificateState, at: stateLocation,
                  ru: "Сертификат с событием «\(model.event)» не может быть в состоянии «\(model.state)»; допустимо: \(allowed.sorted().joined(separator: ", "))",
                  en: "A certificate with event '\(model.event)' cannot be in state '\(model.state)'; allowed: \(allowed.sorted().joined(separator: ", "))")
        }
        if let from = model.validFrom, let to = model.validTo {
            let validity = Period(from: from, to: to)
            for (period, location) in periodLocations {
                if let a = period.from, let b = period.to, b < a {
                    f.add(.certificatePeriod, at: location,
                          ru: "Период оказания услуги заканчивается (\(b)) раньше начала (\(a))",
                          en: "The service period ends (\(b)) before it starts (\(a))")
                } else if !validity.contains(period) {
                    f.add(.certificatePeriod, at: location,
                          ru: "Период оказания услуги выходит за срок действия сертификата \(from) — \(to)",
                          en: "The service period lies outside the certificate's validity \(from) – \(to)")
                }
            }
        }
        var contracted: [String: DecimalValue] = [:]
        for c in model.contracts {
            contracted[c.serviceRegNum] = (contracted[c.serviceRegNum] ?? .zero).adding(c.volume) ?? c.volume
        }
        for (regNum, volume) in contracted {
            guard let service = model.services.first(where: { $0.service.regNum == regNum }) else {
                f.add(.certificateContracts, at: contractLocations[regNum],
                      ru: "Договор заключён на услугу \(regNum), которой нет в разделе II сертификата",
                      en: "A contract covers service \(regNum), which is not in Section II of the certificate")
                continue
            }
            if service.volume < volume {
                f.add(.certificateContracts, at: contractLocations[regNum],
                      ru: "Объём по договорам на услугу \(regNum) — \(volume), больше объёма по сертификату \(service.volume)",
                      en: "Contracts for service \(regNum) total \(volume), more than the certificate's \(service.volume)")
            }
        }
    }

    func summary(into s: inout DocumentSummary) {
        s.party("Уполномоченный орган", "Issuer", model.issuer)
        s.person("Получатель", "Recipient", model.recipient)
        s.figure("Состояние", "State", model.state)
        if let from = model.validFrom, let to = model.validTo { s.figure("Срок действия", "Valid", "\(from) — \(to)") }
        s.figure("Услуг", "Services", String(model.services.count))
        s.figure("Стоимость услуг, руб.", "Value of services, RUB", model.services.map(\.value).sum()?.formatted(places: 2))
        s.figure("Договоров", "Contracts", String(model.contracts.count))
        s.reference("Социальный заказ", "Social order", model.socialOrderRef)
    }
}
