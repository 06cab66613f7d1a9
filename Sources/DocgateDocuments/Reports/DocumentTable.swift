import DocgateCore

/// The tabular form of documents: a CSV whose columns are dotted paths into a kind's JSON form
/// (`header.number`, `volumeInfo.aggregatedService.item.yearValue.volumes.total`).
///
/// Each line fills the fields its columns name. Where a path passes through an element that may repeat, the line
/// joins the entry whose own fields (those not under a further repeating element) agree with the line's, or
/// starts a new entry — so the rows of a spreadsheet, one per service and year, fold into services with their
/// years. Lines with the same value in the column `document` make one document; without that column the whole
/// table is one document. A document-level field given on several lines must agree. Blank cells are absent.
public enum DocumentTable {
    /// The reserved column that groups lines into documents.
    public static let documentColumn = "document"

    /// One document assembled from the table.
    public struct Document: Sendable {
        /// The document in its JSON form, as `generate` takes it.
        public var value: JSONValue
        /// Where each value came from (CSV line and column), by JSON path.
        public var positions: [String: SourcePosition]
    }

    /// Why the table cannot be folded into documents, at a line and column of the CSV.
    public struct Failure: Error, Sendable {
        /// The CSV line and column.
        public var position: SourcePosition
        /// What is wrong.
        public var message: LocalizedText
    }

    /// A column resolved against the shape: its path steps and, for each step, the field it names.
    struct Column: Sendable {
        var index: Int
        var name: String
        var steps: [(name: String, field: ShapeField)]
    }

    /// Every column a kind's table may have (leaves of its shape), with the element documentation.
    public static func columns(_ shape: DocumentShape) -> [(path: String, documentation: String?)] {
        var out: [(String, String?)] = []
        func walk(_ type: ShapeType, _ prefix: String) {
            for a in type.attributes { out.append((prefix + a.name, a.documentation ?? a.type.documentation)) }
            if let s = type.simpleContent { out.append((prefix + ShapeType.valueKey, s.documentation)) }
            for c in type.children {
                switch c.content {
                case .simple(let s): out.append((prefix + c.name, c.documentation ?? s.documentation))
                case .empty: out.append((prefix + c.name, c.documentation))
                case .complex(let t): walk(t, prefix + c.name + ".")
                case .foreign, .signature: break
                }
            }
        }
        walk(shape.rootType, "")
        return out
    }

    /// A table read against a shape: its columns resolved and its lines grouped into documents, each document
    /// built only when asked for (so that a table of thousands of documents is never all in memory as JSON).
    public struct Plan: Sendable {
        let table: CSVTable
        let columns: [Column]
        let base: JSONValue?
        let keyed: Bool
        let groups: [(key: String, rows: [Int])]

        /// How many documents the table holds.
        public var count: Int { groups.count }

        /// The value of the `document` column for document `index`, if the table has that column.
        public func key(_ index: Int) -> String? { keyed ? groups[index].key : nil }

        /// Document `index`, merged over the base (the table's fields win; its arrays replace the base's).
        public func document(_ index: Int) throws(Failure) -> Document {
            var builder = Builder()
            for r in groups[index].rows { try builder.apply(table.rows[r], table: table, columns: columns) }
            var value = builder.root.json()
            if let base { value = DocumentTable.merge(base, value) }
            return Document(value: value, positions: builder.positions)
        }
    }

    /// Resolves the columns of `table` and groups its lines into documents.
    public static func plan(_ table: CSVTable, shape: DocumentShape, base: JSONValue? = nil) throws(Failure) -> Plan {
        var columns: [Column] = []
        let documentIndex = table.column(documentColumn)
        for (i, name) in table.header.enumerated() where i != documentIndex && !name.isEmpty {
            columns.append(try resolve(name, index: i, shape: shape, line: table.headerLine))
        }
        var groups: [(key: String, rows: [Int])] = []
        var slot: [String: Int] = [:]
        for (r, row) in table.rows.enumerated() {
            let key = documentIndex.flatMap { table.value(row, $0) } ?? ""
            if let i = slot[key] { groups[i].rows.append(r) } else { slot[key] = groups.count; groups.append((key, [r])) }
        }
        return Plan(table: table, columns: columns, base: base, keyed: documentIndex != nil, groups: groups)
    }

    static func resolve(_ name: String, index: Int, shape: DocumentShape, line: Int) throws(Failure) -> Column {
        var steps: [(String, ShapeField)] = []
        var type: ShapeType? = shape.rootType
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        for (n, part) in parts.enumerated() {
            guard let t = type, let field = t.field(part), part != "Signature" else {
                let known = type?.fieldNames.joined(separator: ", ") ?? ""
                throw Failure(position: SourcePosition(line: line, field: name),
                              message: LocalizedText(ru: "столбец «\(name)»: нет поля «\(part)»" + (known.isEmpty ? "" : "; возможны: \(known)"),
                                                     en: "column '\(name)': no member '\(part)'" + (known.isEmpty ? "" : "; expected one of: \(known)")))
            }
            steps.append((part, field))
            type = nil
            if case .element(let e) = field {
                switch e.content {
                case .complex(let t): type = t
                case .foreign:
                    throw Failure(position: SourcePosition(line: line, field: name),
                                  message: LocalizedText(ru: "столбец «\(name)»: расширения задаются только в JSON", en: "column '\(name)': extensions are given in JSON only"))
                default: break
                }
            }
            if n == parts.count - 1, type != nil {
                throw Failure(position: SourcePosition(line: line, field: name),
                              message: LocalizedText(ru: "столбец «\(name)» называет не значение, а группу полей: \(type!.fieldNames.joined(separator: ", "))",
                                                     en: "column '\(name)' names a group of members, not a value: \(type!.fieldNames.joined(separator: ", "))"))
            }
        }
        return Column(index: index, name: name, steps: steps)
    }

    /// An object being filled from lines.
    final class Node {
        var scalars: [String: JSONValue] = [:]
        var objects: [String: Node] = [:]
        var arrays: [String: [Node]] = [:]
        var scalarLists: [String: [JSONValue]] = [:]
        var order: [String] = []

        func note(_ key: String) { if !order.contains(key) { order.append(key) } }

        func json() -> JSONValue {
            .object(order.map { key in
                if let s = scalars[key] { return (key, s) }
                if let o = objects[key] { return (key, o.json()) }
                if let a = arrays[key] { return (key, .array(a.map { $0.json() })) }
                return (key, .array(scalarLists[key] ?? []))
            })
        }

        /// The scalar at a path of non-repeating steps below this node.
        func scalar(at steps: ArraySlice<String>) -> JSONValue? {
            guard let first = steps.first else { return nil }
            if steps.count == 1 { return scalars[first] }
            return objects[first]?.scalar(at: steps.dropFirst())
        }
    }

    struct Builder {
        let root = Node()
        var positions: [String: SourcePosition] = [:]

        mutating func apply(_ row: CSVTable.Row, table: CSVTable, columns: [Column]) throws(Failure) {
            let cells = columns.compactMap { c -> (Column, String)? in table.value(row, c.index).map { (c, $0) } }
            try fill(root, cells, depth: 0, path: "$", line: row.line)
        }

        static func isRepeatedElement(_ field: ShapeField) -> Bool {
            if case .element(let e) = field { return e.isRepeated }
            return false
        }

        static func leafValue(_ field: ShapeField, _ text: String) -> JSONValue? {
            if case .element(let e) = field, case .empty = e.content {
                switch text.lowercased() {
                case "true", "1", "yes", "да", "x", "х": return .bool(true)
                default: return nil
                }
            }
            return .string(text)
        }

        /// Fills `node` with the cells whose steps continue at `depth`.
        mutating func fill(_ node: Node, _ cells: [(Column, String)], depth: Int, path: String, line: Int) throws(Failure) {
            var groups: [String: [(Column, String)]] = [:]
            var groupOrder: [String] = []
            for cell in cells {
                let name = cell.0.steps[depth].name
                if groups[name] == nil { groupOrder.append(name) }
                groups[name, default: []].append(cell)
            }
            for name in groupOrder {
                let group = groups[name]!
                let field = group[0].0.steps[depth].field
                let childPath = path + "." + name
                node.note(name)
                if group[0].0.steps.count == depth + 1 {
                    try setValue(node, name: name, field: field, cell: group[0], path: childPath, line: line)
                    continue
                }
                if !Self.isRepeatedElement(field) {
                    let child = node.objects[name] ?? Node()
                    node.objects[name] = child
                    if positions[childPath] == nil { positions[childPath] = SourcePosition(line: line, field: group[0].0.name) }
                    try fill(child, group, depth: depth + 1, path: childPath, line: line)
                    continue
                }
                let index = entry(of: node, name: name, for: group, depth: depth, path: childPath, line: line)
                let entries = node.arrays[name] ?? []
                try fill(entries[index], group, depth: depth + 1, path: childPath + "[\(index)]", line: line)
            }
        }

        /// A value: one column names it; a repeated element's values are a list without repeats. A value that
        /// disagrees with the one the document already has is refused.
        mutating func setValue(_ node: Node, name: String, field: ShapeField, cell: (Column, String), path childPath: String,
                               line: Int) throws(Failure) {
            let (column, text) = cell
            guard let value = Self.leafValue(field, text) else { return }
            if Self.isRepeatedElement(field) {
                let list = node.scalarLists[name, default: []]
                if !list.contains(value) {
                    positions[childPath + "[\(list.count)]"] = SourcePosition(line: line, field: column.name)
                    node.scalarLists[name] = list + [value]
                }
                return
            }
            if let existing = node.scalars[name], existing != value {
                throw Failure(position: SourcePosition(line: line, field: column.name),
                              message: LocalizedText(ru: "значение «\(text)» расходится с уже заданным для этого документа",
                                                     en: "value '\(text)' disagrees with the one already given for this document"))
            }
            node.scalars[name] = value
            if positions[childPath] == nil { positions[childPath] = SourcePosition(line: line, field: column.name) }
        }

        /// A repeating element: the index of the entry whose own fields agree with this line's, or of a new one.
        mutating func entry(of node: Node, name: String, for group: [(Column, String)], depth: Int, path childPath: String,
                            line: Int) -> Int {
            let own = group.filter { cell in !cell.0.steps[(depth + 1)...].contains { Self.isRepeatedElement($0.field) } }
            var entries = node.arrays[name] ?? []
            let match = entries.lastIndex { entry in
                own.allSatisfy { cell in
                    let steps = cell.0.steps[(depth + 1)...].map(\.name)
                    guard let existing = entry.scalar(at: steps[...]) else { return false }
                    return existing == Self.leafValue(cell.0.steps.last!.field, cell.1)
                }
            }
            let index: Int
            if let match {
                index = match
            } else {
                entries.append(Node())
                index = entries.count - 1
                positions[childPath + "[\(index)]"] = SourcePosition(line: line, field: group[0].0.name)
            }
            node.arrays[name] = entries
            return index
        }
    }

    /// `over` merged into `base`: objects member by member, everything else replaced.
    public static func merge(_ base: JSONValue, _ over: JSONValue) -> JSONValue {
        guard case .object(var members) = base, case .object(let overMembers) = over else { return over }
        for (key, value) in overMembers {
            if let i = members.firstIndex(where: { $0.0 == key }) {
                members[i].1 = merge(members[i].1, value)
            } else {
                members.append((key, value))
            }
        }
        return .object(members)
    }
}
