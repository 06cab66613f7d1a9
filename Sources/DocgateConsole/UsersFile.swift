import DocgateCore

/// The console's users: one user a line, `NAME ROLE BCRYPT-HASH` separated by spaces or tabs; lines starting with
/// `#` and blank lines are kept as they are when the file is rewritten.
///
/// ## Topics
/// - ``parse(_:)``, ``load(_:)``: reading, with the file's checks (UsersFileIO.swift).
/// - ``adding(_:role:password:cost:)``, ``withPassword(_:for:cost:)``, ``removing(_:)``: changes, as new values.
/// - ``write(to:)``, ``update(_:change:)``: writing.
public struct UsersFile: Sendable, Hashable {
    enum Line: Sendable, Hashable {
        case text(String)
        case user(ConsoleUser)
    }

    var lines: [Line]

    /// A file with no users.
    public init() { lines = [] }

    /// The users in the file's order.
    public var users: [ConsoleUser] {
        lines.compactMap { if case .user(let u) = $0 { u } else { nil } }
    }

    /// The user named `name` (exactly, case included), or nil.
    public subscript(name: String) -> ConsoleUser? {
        users.first { $0.name == name }
    }

    /// Reads the text of a users file; every line must be a comment, blank, or a user.
    /// - Throws: DG5053 naming the first line that does not parse or repeats a name (the line itself is not
    ///   repeated: it holds a hash).
    public static func parse(_ text: String) throws(ConsoleError) -> UsersFile {
        var file = UsersFile()
        var seen: Set<String> = []
        // Split by scalars, not characters: "\r\n" is one character, and a combining mark would join a space.
        var rawLines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        if rawLines.last?.isEmpty == true { rawLines.removeLast() }   // the newline ending the last line
        for (index, raw) in rawLines.enumerated() {
            let line = raw.last == "\r" ? raw.dropLast() : raw
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { String(String.UnicodeScalarView($0)) }
            if fields.isEmpty || fields[0].hasPrefix("#") {
                file.lines.append(.text(String(String.UnicodeScalarView(line))))
                continue
            }
            guard fields.count == 3, UserName.isValid(fields[0]), let role = Role(rawValue: fields[1]), Password.isWellFormed(fields[2]) else {
                throw ConsoleError(.DG5053, ru: "строка \(index + 1): ожидается «ИМЯ РОЛЬ ХЕШ-BCRYPT» (роль viewer или operator)",
                                   en: "line \(index + 1): expected NAME ROLE BCRYPT-HASH (role viewer or operator)")
            }
            let user = ConsoleUser(name: fields[0], role: role, hash: fields[2])
            guard seen.insert(user.name).inserted else {
                throw ConsoleError(.DG5053, ru: "строка \(index + 1): пользователь \(user.name) уже описан выше",
                                   en: "line \(index + 1): the user \(user.name) is listed twice")
            }
            file.lines.append(.user(user))
        }
        return file
    }

    /// The file's text: its comments and blank lines as they were, one user a line, a newline at the end.
    public var text: String {
        lines.map { line in
            switch line {
            case .text(let t): t + "\n"
            case .user(let u): "\(u.name) \(u.role.rawValue) \(u.hash)\n"
            }
        }.joined()
    }

    /// The file with a new user at its end.
    /// - Throws: DG5054 for the name, DG5055 for the password, DG5056 when the name is taken (use
    ///   ``withPassword(_:for:cost:)``).
    public func adding(_ name: String, role: Role, password: String, cost: UInt8 = Password.defaultCost) throws(ConsoleError) -> UsersFile {
        try requireAbsent(name)
        var copy = self
        copy.lines.append(.user(ConsoleUser(name: name, role: role, hash: try Password.hash(password, cost: cost))))
        return copy
    }

    /// The file with `name`'s password replaced (the role kept).
    /// - Throws: DG5056 when there is no such user, DG5055 for the password.
    public func withPassword(_ password: String, for name: String, cost: UInt8 = Password.defaultCost) throws(ConsoleError) -> UsersFile {
        let index = try position(of: name)
        guard case .user(let old) = lines[index] else { return self }
        var copy = self
        copy.lines[index] = .user(ConsoleUser(name: name, role: old.role, hash: try Password.hash(password, cost: cost)))
        return copy
    }

    /// The file without `name`.
    /// - Throws: DG5056 when there is no such user.
    public func removing(_ name: String) throws(ConsoleError) -> UsersFile {
        var copy = self
        copy.lines.remove(at: try position(of: name))
        return copy
    }

    /// Refuses a name that is not valid (DG5054) or already taken (DG5056: `passwd` changes a password).
    public func requireAbsent(_ name: String) throws(ConsoleError) {
        try UserName.check(name)
        guard self[name] == nil else {
            throw ConsoleError(.DG5056, ru: "пользователь \(name) уже есть; пароль меняет команда user passwd \(name)",
                               en: "the user \(name) already exists; change the password with user passwd \(name)")
        }
    }

    /// Refuses a name the file does not list (DG5056).
    public func requirePresent(_ name: String) throws(ConsoleError) {
        _ = try position(of: name)
    }

    private func position(of name: String) throws(ConsoleError) -> Int {
        guard UserName.isValid(name), let index = lines.firstIndex(where: { if case .user(let u) = $0 { u.name == name } else { false } }) else {
            let shown = UserName.isValid(name) ? name : "?"
            throw ConsoleError(.DG5056, ru: "пользователя \(shown) нет в файле", en: "there is no user \(shown) in the file")
        }
        return index
    }
}
