import DocgateCore
import Synchronization

/// The rules across documents for a contract (under a social certificate): DG3103 and DG3104.
extension Checker {
    /// DG3103 and DG3104: a contract against its certificate and the executor's agreement.
    func contractRules(_ d: ContextDocument, _ c: Contract, _ out: inout [Diagnostic]) {
        let certsById = c.certificateId.flatMap { self.byId[$0] }?.filter { $0.kind == DocumentKind.socialCertificate } ?? []
        let certsByNumber = certificatesByNumber[c.certificateNumber] ?? []
        guard let doc = Self.latest(certsById.isEmpty ? certsByNumber : certsById), case .socialCertificate(let cert) = doc.model else {
            out.append(Self.finding("DG3103", ru: "сертификат \(c.certificateId ?? c.certificateNumber) неизвестен",
                                    en: "the certificate \(c.certificateId ?? c.certificateNumber) is not known"))
            return
        }
        let used = volumeUsed(on: doc, besides: d)
        for line in c.services {
            let k = Self.key(line.service.regNum, line.service.name, line.indicator.okei)
            guard let certLine = cert.services.first(where: { Self.key($0.service.regNum, $0.service.name, $0.indicator.okei) == k }) else {
                out.append(Self.finding("DG3103", ru: "в сертификате нет услуги «\(line.service.name)»", en: "the certificate has no service '\(line.service.name)'"))
                continue
            }
            let remaining = certLine.volume.subtracting(used[k] ?? .zero) ?? certLine.volume
            if line.volume > remaining {
                out.append(Self.finding("DG3103", ru: "объём \(line.volume) по услуге «\(line.service.name)» больше остатка сертификата \(remaining)",
                                        en: "volume \(line.volume) for '\(line.service.name)' exceeds what the certificate has left, \(remaining)"))
            }
            // DG3104: the executor may serve this certificate.
            if let inn = c.executor?.inn, !certLine.allowedExecutorINNs.isEmpty, !certLine.allowedExecutorINNs.contains(inn) {
                out.append(Self.finding("DG3104", ru: "исполнитель ИНН \(inn) не входит в перечень исполнителей сертификата",
                                        en: "executor INN \(inn) is not among the certificate's allowed executors"))
            }
            if let inn = c.executor?.inn {
                if !isCovered(executor: inn, service: line.service.regNum, issuer: cert.issuer?.inn) {
                    out.append(Self.finding("DG3104", ru: "у исполнителя ИНН \(inn) нет соглашения об исполнении по сертификатам на услугу «\(line.service.name)»",
                                            en: "executor INN \(inn) has no certificate agreement covering '\(line.service.name)'"))
                }
            }
        }
        termAndConsumer(c, cert, &out)
    }

    /// DG3103: the contract's term within the certificate's validity, its consumer the certificate's recipient.
    private func termAndConsumer(_ c: Contract, _ cert: SocialCertificate, _ out: inout [Diagnostic]) {
        if let from = c.term?.from, let validFrom = cert.validFrom, from < validFrom {
            out.append(Self.finding("DG3103", ru: "договор начинается \(from), раньше начала действия сертификата \(validFrom)",
                                    en: "the contract starts \(from), before the certificate is valid (\(validFrom))"))
        }
        if let to = c.term?.to, let validTo = cert.validTo, to > validTo {
            out.append(Self.finding("DG3103", ru: "договор действует до \(to), дольше сертификата (\(validTo))",
                                    en: "the contract runs to \(to), past the certificate's validity (\(validTo))"))
        }
        // The consumer is the certificate's recipient.
        if let a = Self.digits(c.consumer?.snils), let b = Self.digits(cert.recipient?.snils), a != b {
            out.append(Self.finding("DG3103", ru: "СНИЛС потребителя не совпадает со СНИЛС получателя сертификата",
                                    en: "the consumer's SNILS is not the certificate recipient's"))
        }
    }

    /// What the other contracts on a certificate take of each service: this contract's own versions never count
    /// against it, of any other contract only its latest version, and no draft (it only offers the contract).
    private func volumeUsed(on certificate: ContextDocument, besides d: ContextDocument) -> [String: DecimalValue] {
        let others = ((contractsByCertificate[certificate.id] ?? []) + (contractsByCertificate["#" + (certificate.header?.number ?? "")] ?? []))
        var used: [String: DecimalValue] = [:]
        var seen = versionChain(of: d)
        let replaced = Set(others.compactMap { $0.header?.previousVersionId })
        for other in others where !replaced.contains(other.id) && seen.insert(other.id).inserted {
            guard case .contract(let oc) = other.model, oc.event != "draft" else { continue }
            for line in oc.services {
                let k = Self.key(line.service.regNum, line.service.name, line.indicator.okei)
                used[k] = (used[k] ?? .zero).adding(line.volume) ?? used[k]
            }
        }
        return used
    }

    /// DG3104: the executor has a certificate agreement with the certificate's issuer that covers the service —
    /// whatever unit it counts it in (persons there, hours of service in the certificate and the contract).
    private func isCovered(executor inn: String, service regNum: String, issuer: String?) -> Bool {
        (agreementsByExecutor[inn] ?? []).contains { a in
            guard case .agreement(let ag) = a.model, ag.kind == "certificate" else { return false }
            let issuerOK = issuer == nil || ag.grantor?.inn == issuer
            return issuerOK && ag.services.contains { $0.service.regNum == regNum }
        }
    }
}
