/// Russian text for libxml2's English schema-validation messages.
///
/// libxml2 only speaks English. Its schema messages follow a small set of fixed sentences with quoted values; each
/// is matched against a template (`%` stands for a quoted value) and rebuilt in Russian with the same values. A
/// message no template matches keeps the English text behind a Russian lead-in, so nothing is lost.
enum SchemaMessageTranslator {
    private static let templates: [(english: String, russian: String)] = [
        ("This element is not expected. Expected is one of ( % ).", "элемент здесь не ожидается; ожидается один из: %1."),
        ("This element is not expected. Expected is ( % ).", "элемент здесь не ожидается; ожидается: %1."),
        ("This element is not expected.", "элемент здесь не ожидается."),
        ("Missing child element(s). Expected is one of ( % ).", "не хватает дочерних элементов; ожидается один из: %1."),
        ("Missing child element(s). Expected is ( % ).", "не хватает дочернего элемента: %1."),
        ("[facet 'pattern'] The value '%' is not accepted by the pattern '%'.",
         "значение «%1» не соответствует шаблону «%2»."),
        ("[facet 'enumeration'] The value '%' is not an element of the set {%}.",
         "значение «%1» не входит в список допустимых: %2."),
        ("'%' is not a valid value of the atomic type '%'.", "«%1» не является допустимым значением типа %2."),
        ("'%' is not a valid value of the local atomic type.", "«%1» не является допустимым значением."),
        ("'%' is not a valid value of the list type '%'.", "«%1» не является допустимым значением списка %2."),
        ("'%' is not a valid value of the local union type.", "«%1» не является допустимым значением."),
        ("[facet 'minInclusive'] The value '%' is less than the minimum value allowed ('%').",
         "значение «%1» меньше минимально допустимого (%2)."),
        ("[facet 'maxInclusive'] The value '%' is greater than the maximum value allowed ('%').",
         "значение «%1» больше максимально допустимого (%2)."),
        ("[facet 'minExclusive'] The value '%' must be greater than '%'.", "значение «%1» должно быть больше %2."),
        ("[facet 'maxExclusive'] The value '%' must be less than '%'.", "значение «%1» должно быть меньше %2."),
        ("[facet 'totalDigits'] The value '%' has more digits than are allowed ('%').",
         "в значении «%1» больше цифр, чем допустимо (%2)."),
        ("[facet 'fractionDigits'] The value '%' has more fractional digits than are allowed ('%').",
         "в значении «%1» больше знаков после запятой, чем допустимо (%2)."),
        ("[facet 'maxLength'] The value has a length of '%'; this exceeds the allowed maximum length of '%'.",
         "длина значения (%1) больше допустимой (%2)."),
        ("[facet 'minLength'] The value has a length of '%'; this underruns the allowed minimum length of '%'.",
         "длина значения (%1) меньше допустимой (%2)."),
        ("[facet 'length'] The value '%' has a length of '%'; this differs from the allowed length of '%'.",
         "длина значения «%1» равна %2, а должна быть %3."),
        ("The attribute '%' is required but missing.", "отсутствует обязательный атрибут «%1»."),
        ("The attribute '%' is not allowed.", "атрибут «%1» не допускается."),
        ("Character content other than whitespace is not allowed because the content type is 'element-only'.",
         "текст не допускается: элемент содержит только дочерние элементы."),
        ("Element content is not allowed, because the content type is a simple type definition.",
         "вложенные элементы не допускаются: элемент содержит только значение."),
        ("Element content is not allowed, because the type definition is simple.",
         "вложенные элементы не допускаются: элемент содержит только значение."),
        ("No matching global declaration available for the validation root.",
         "корневой элемент не объявлен ни в одной схеме docgate."),
        ("The value '%' is not valid. Expected is '%'.", "значение «%1» недопустимо; ожидается «%2»."),
    ]

    static func russian(_ english: String) -> String {
        let (subject, rest) = splitSubject(english)
        for template in templates {
            if let values = match(rest, template.english) {
                var text = template.russian
                for (i, v) in values.enumerated().reversed() {
                    text = text.replacingAll("%\(i + 1)", with: v)
                }
                return subject.isEmpty ? capitalized(text) : subject + text
            }
        }
        return (subject.isEmpty ? "Ошибка проверки по схеме: " : subject + "ошибка проверки по схеме: ") + rest
    }

    /// `Element 'x', attribute 'y': rest` → (`Элемент «x», атрибут «y»: `, `rest`).
    private static func splitSubject(_ message: String) -> (String, String) {
        if let values = match(message, "Element '%', attribute '%': %"), values.count == 3 {
            return ("Элемент «\(values[0])», атрибут «\(values[1])»: ", values[2])
        }
        if let values = match(message, "Element '%': %"), values.count == 2 {
            return ("Элемент «\(values[0])»: ", values[1])
        }
        return ("", message)
    }

    private static func capitalized(_ s: String) -> String {
        guard let first = s.first else { return s }
        return first.uppercased() + s.dropFirst()
    }

    /// Matches `text` against `template` where each `%` stands for any (non-empty or empty) run of characters;
    /// returns the runs, or `nil` when the fixed parts do not line up. The last `%` is greedy, earlier ones lazy.
    static func match(_ text: String, _ template: String) -> [String]? {
        let parts = template.split(separator: "%", omittingEmptySubsequences: false).map(String.init)
        var rest = Substring(text)
        guard rest.hasPrefix(parts[0]) else { return nil }
        rest = rest.dropFirst(parts[0].count)
        var values: [String] = []
        for (i, fixed) in parts.enumerated().dropFirst() {
            let isLast = i == parts.count - 1
            if fixed.isEmpty {
                guard isLast else { return nil }
                values.append(String(rest))
                rest = ""
                continue
            }
            if isLast {
                guard rest.hasSuffix(fixed) else { return nil }
                values.append(String(rest.dropLast(fixed.count)))
                rest = ""
            } else {
                guard let r = rest.firstRange(of: fixed) else { return nil }
                values.append(String(rest[..<r.lowerBound]))
                rest = rest[r.upperBound...]
            }
        }
        return rest.isEmpty ? values : nil
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.firstRange(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        out += rest
        return out
    }
}
