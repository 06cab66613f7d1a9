import DocgateXML

/// DG3001–DG3007, for every kind: one pass over each record finds the identifiers wherever they sit (ИНН,
/// ОГРН/ОГРНИП, СНИЛС, service registry numbers, ОКЕИ codes, КПП of organisations).
enum IdentifierChecks {
    static func scan(_ record: RecordContext, context: ReadContext) {
        visit(record.node, record, context)
    }

    private static func visit(_ node: RecordElement, _ record: RecordContext, _ context: ReadContext) {
        let f = context.findings
        if node.hasAttributes, let okei = node.attribute("okei"), !context.reference.okei.isEmpty,
           context.reference.okei[okei] == nil {
            f.add(.okeiUnknown, at: record.location(node),
                  ru: "Код ОКЕИ «\(okei)» отсутствует в справочнике ОКЕИ docgate",
                  en: "ОКЕИ code '\(okei)' is not in docgate's ОКЕИ directory")
        }
        var sawChildren = false
        for child in node.children {
            sawChildren = true
            visit(child, record, context)
        }
        if sawChildren {
            if node.child("fullName") != nil, node.child("inn") != nil, node.child("kpp") == nil {
                f.add(.kppRequired, at: record.location(node),
                      ru: "У юридического лица с ИНН должен быть указан КПП",
                      en: "An organisation with a 10-digit ИНН must have a КПП")
            }
            return
        }
        if node.isNamed("inn") || node.isNamed("innFl") {
            if !node.withTrimmedBytes(Identifiers.isValidINN(bytes:)) {
                let value = node.trimmedText
                f.add(.innChecksum, at: record.location(node), ru: "Неверные контрольные цифры ИНН «\(value)»",
                      en: "ИНН '\(value)' has wrong check digits")
            }
        } else if node.isNamed("ogrn") || node.isNamed("ogrnip") {
            if !node.withTrimmedBytes(Identifiers.isValidOGRN(bytes:)) {
                let value = node.trimmedText
                f.add(.ogrnChecksum, at: record.location(node), ru: "Неверная контрольная цифра ОГРН «\(value)»",
                      en: "ОГРН '\(value)' has a wrong check digit")
            }
        } else if node.isNamed("snils") {
            let value = node.trimmedText
            if !Identifiers.isValidSNILS(value) {
                f.add(.snilsChecksum, at: record.location(node), ru: "Неверное контрольное число СНИЛС «\(value)»",
                      en: "СНИЛС '\(value)' has a wrong check number")
            }
        } else if node.isNamed("regNum") || node.isNamed("serviceRegNum") {
            if node.withTrimmedBytes(Identifiers.isStandardRegNum(bytes:)) { return }
            let value = node.trimmedText
            switch Identifiers.checkServiceRegNum(value) {
            case .standard:
                break
            case .confusable(let corrected):
                f.add(.regNumConfusable, at: record.location(node),
                      ru: "В реестровом номере «\(value)» латинские буквы вместо кириллических; правильно: «\(corrected)»",
                      en: "Registry number '\(value)' has Latin letters where Cyrillic ones belong; expected '\(corrected)'")
            case .nonStandard:
                f.add(.regNumFormat, at: record.location(node),
                      ru: "Реестровый номер «\(value)» не в формате общероссийского (регионального) перечня, например 801011О.99.0.БВ24ВФ62000",
                      en: "Registry number '\(value)' is not in the registry format, e.g. 801011О.99.0.БВ24ВФ62000")
            }
        }
    }
}
