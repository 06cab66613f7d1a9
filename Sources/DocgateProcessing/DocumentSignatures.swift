import DocgateCore
import DocgateDocuments
import DocgateSignature
import DocgateXML

extension SignaturePolicy {
    /// docgate's kinds (docs/commands.md, "Who signs what"): an agreement and a contract are signed by two parties in
    /// the form that subtracts every signature, the others by one, enveloped; each signature comes from the party
    /// its place names. XML of no docgate kind: one enveloped signature, no party check.
    public static let docgate = SignaturePolicy(
        form: { namespace in
            namespace.flatMap(DocumentKind.init(namespace:))?.isTwoParty == true ? .subtractAll : .enveloped
        },
        parties: { root in
            guard let namespace = root.namespaceURI, let kind = DocumentKind(namespace: namespace) else { return nil }
            return DocumentSignatures.parties(of: kind, root: root)
        })
}

/// The parties whose signatures each kind of document carries, in order.
public enum DocumentSignatures {
    /// The signers `kind` needs, read from the document's root element: each organisation by its ИНН and ОГРН
    /// (`inn`/`innFl`, `ogrn`/`ogrnip`), a contract's consumer by СНИЛС (may be absent), a receipt's gateway by
    /// its `instanceId`.
    public static func parties(of kind: DocumentKind, root node: XMLNode) -> [SignerParty] {
        func organisation(_ element: XMLNode?, _ ru: String, _ en: String) -> SignerParty {
            let inn = element?.childText("inn") ?? element?.childText("innFl")
            let ogrn = element?.childText("ogrn") ?? element?.childText("ogrnip")
            return SignerParty(role: LocalizedText(ru: ru, en: en), name: element?.childText("shortName") ?? element?.childText("fullName") ?? "",
                               inn: inn, ogrn: ogrn)
        }
        switch kind {
        case .socialOrder, .executionReport:
            return [organisation(node.child("authorizedBody"), "Уполномоченный орган", "The authorised body")]
        case .agreement:
            return [organisation(node.child("grantor"), "Получатель средств (грантодатель)", "The grantor"),
                    organisation(node.child("executor"), "Исполнитель", "The executor")]
        case .contract:
            let consumer = node.child("consumer")
            let name = [consumer?.childText("lastName"), consumer?.childText("firstName"), consumer?.childText("middleName")]
                .compactMap { $0 }.joined(separator: " ")
            return [organisation(node.child("executor"), "Исполнитель", "The executor"),
                    SignerParty(role: LocalizedText(ru: "Потребитель услуги", en: "The consumer"), name: name,
                                snils: consumer?.childText("snils").map { $0.filter { $0.isASCII && $0.isNumber } }, optional: true)]
        case .contractNotice:
            return [organisation(node.child("executor"), "Исполнитель", "The executor")]
        case .socialCertificate:
            return [organisation(node.child("general")?.child("issuer"), "Уполномоченный орган, выдавший сертификат", "The issuing body")]
        case .serviceAssignment:
            return [organisation(node.child("responsibleAuthority"), "Орган, утверждающий задание", "The approving department")]
        case .receipt:
            let instance = node.child("gateway")?.childText("instanceId") ?? ""
            return [SignerParty(role: LocalizedText(ru: "Шлюз", en: "The gateway"), name: instance, isGateway: true)]
        }
    }
}
