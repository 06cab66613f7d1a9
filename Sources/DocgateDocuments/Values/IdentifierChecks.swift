import DocgateXML

/// DG3001–DG3007, for every kind: one pass over each record finds the identifiers wherever they sit (ИНН,
/// ОГРН/ОГРНИП, СНИЛС, service registry numbers, ОКЕИ codes, КПП of organisations).
enum IdentifierChecks {
    /// Ids of the names this pass looks for, in one name table (tables live as long as a parsing thread).
    struct Names {
        let inn, innFl, ogrn, ogrnip, snils, regNum, serviceRegNum, fullName, kpp: Int32

        init(_ t: NameTable) {
            inn = t.intern("inn"); innFl = t.intern("innFl"); ogrn = t.intern("ogrn"); ogrnip = t.intern("ogrnip")
            snils = t.intern("snils"); regNum = t.intern("regNum"); serviceRegNum = t.intern("serviceRegNum")
            fullName = t.intern("fullName"); kpp = t.intern("kpp")
        }
    }

    static func scan(_ record: RecordContext, context: ReadContext) {
        let table = record.node.names
        if context.identifierNames == nil || context.identifierTable !== table {
            context.identifierNames = Names(table)
            context.identifierTable = table
        }
        visit(record.node, record, context, context.identifierNames!)
    }

    private static func visit(_ node: RecordElement, _ record: RecordContext, _ context: ReadContext, _ ids: Names) {
        let f = context.findings
        if node.hasAttributes, let unknown = node.withAttributeBytes("okei", { bytes -> String? in
            context.reference.knowsOKEI(bytes) ? nil : String(decoding: bytes, as: UTF8.self)
        }), let okei = unknown {
            f.add(.okeiUnknown, at: record.location(node),
                  ru: "Код ОКЕИ «\(okei)» отсутствует в справочнике ОКЕИ docgate",
                  en: "ОКЕИ code '\(okei)' is not in docgate's ОКЕИ directory")
        }
        if node.hasChildren {
            var fullName = false, inn = false, kpp = false
            for child in node.children {
                let id = child.nameID
                if id == ids.fullName { fullName = true } else if id == ids.inn { inn = true } else if id == ids.kpp { kpp = true }
                visit(child, record, context, ids)
            }
            if fullName && inn && !kpp {
                f.add(.kppRequired, at: record.location(node),
                      ru: "У юридического лица с ИНН должен быть указан КПП",
                      en: "An organisation with a 10-digit ИНН must have a КПП")
            }
            return
        }
        let id = node.nameID
        if id == ids.inn || id == ids.innFl {
            if !node.withTrimmedBytes(Identifiers.isValidINN(bytes:)) {
                let value = node.trimmedText
                f.add(.innChecksum, at: record.location(node), ru: "Неверные контрольные цифры ИНН «\(value)»",
                      en: "ИНН '\(value)' has wrong check digits")
            }
        } else if id == ids.ogrn || id == ids.ogrnip {
            if !node.withTrimmedBytes(Identifiers.isValidOGRN(bytes:)) {
                let value = node.trimmedText
                f.add(.ogrnChecksum, at: record.location(node), ru: "Неверная контрольная цифра ОГРН «\(value)»",
                      en: "ОГРН '\(value)' has a wrong check digit")
            }
        } else if id == ids.snils {
            let value = node.trimmedText
            if !Identifiers.isValidSNILS(value) {
                f.add(.snilsChecksum, at: record.location(node), ru: "Неверное контрольное число СНИЛС «\(value)»",
                      en: "СНИЛС '\(value)' has a wrong check number")
            }
        } else if id == ids.regNum || id == ids.serviceRegNum {
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
