import ArgumentParser
import DocgateCommandLine
import DocgateConsole
import DocgateCore
import DocgateGateway
import FoundationEssentials
import Glibc

/// `user add|passwd|remove|list`: the users of the operator's browser console.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Пользователи консоли / The console's users: add, passwd, remove, list.",
        discussion: """
            The users file is [console] users of --config, or --users FILE. It is rewritten atomically, mode 0600. \
            Passwords: 12 characters or more, 72 bytes at most; asked twice on the terminal without echo, or read as \
            one line from standard input with --password-stdin. Exit 0 when done, 2 when not.
            """,
        subcommands: [Add.self, Passwd.self, Remove.self, List.self]
    )

    struct Options: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp("The gateway's TOML configuration (its [console] users file).", valueName: "file"))
        var config: String?

        @Option(name: .long, help: ArgumentHelp("The users file itself, instead of --config.", valueName: "file"))
        var users: String?

        func validate() throws {
            if (config == nil) == (users == nil) { throw ValidationError("give one of --config and --users") }
        }

        var language: Language { Language.from(locale: ProcessInfo.processInfo.environment["LANG"]) }

        /// The users file's path, from --users or the configuration's `[console] users`.
        func path() throws -> String {
            if let users { return users }
            let cfg = try ConfigLoader.load(config ?? "", language)
            guard let console = cfg.console else {
                Terminal.error(.DG5020, (language == .ru ? "в \(SafeText.escaped(cfg.file)) нет таблицы [console]; укажите --users"
                                                         : "\(SafeText.escaped(cfg.file)) has no [console] table; give --users"))
                throw Exit.failure
            }
            return console.users
        }

        /// Runs a change of the users file; a refusal is reported with its code, exit 2.
        func run(_ body: () throws(ConsoleError) -> Void) throws {
            do {
                try body()
            } catch {
                Terminal.error(error.code, error.message[language])
                throw Exit.failure
            }
        }
    }

    struct PasswordOptions: ParsableArguments {
        @Flag(name: .long, help: "Read the password as one line from standard input instead of asking on the terminal.")
        var passwordStdin = false

        func password(_ language: Language) throws(ConsoleError) -> String {
            passwordStdin ? try PasswordInput.fromStandardInput() : try PasswordInput.fromTerminal(language)
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a user (the file is made when missing).")
        @OptionGroup var options: Options
        @Argument(help: "The user's name: 1 to 64 of A-Z a-z 0-9 . _ @ -.") var name: String
        @Option(name: .long, help: "viewer (reads) or operator (also requeues and uploads).") var role: String
        @OptionGroup var passwordOptions: PasswordOptions

        func run() throws {
            let path = try options.path()
            try options.run { () throws(ConsoleError) in
                try UserName.check(name)
                let role = try Role.named(role)
                // A taken name is refused before the password is asked for (and again under the lock).
                if access(path, F_OK) == 0 { try UsersFile.load(path).requireAbsent(name) }
                let password = try passwordOptions.password(options.language)
                try UsersFile.update(path, creating: true) { file throws(ConsoleError) in try file.adding(name, role: role, password: password) }
            }
            Terminal.out("added \(name) (\(role))\n")
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "passwd", abstract: "Set a user's new password (the role stays).")
        @OptionGroup var options: Options
        @Argument(help: "The user's name.") var name: String
        @OptionGroup var passwordOptions: PasswordOptions

        func run() throws {
            let path = try options.path()
            try options.run { () throws(ConsoleError) in
                try UserName.check(name)
                try UsersFile.load(path).requirePresent(name)
                let password = try passwordOptions.password(options.language)
                try UsersFile.update(path) { file throws(ConsoleError) in try file.withPassword(password, for: name) }
            }
            Terminal.out("password of \(name) changed\n")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a user.")
        @OptionGroup var options: Options
        @Argument(help: "The user's name.") var name: String

        func run() throws {
            let path = try options.path()
            try options.run { () throws(ConsoleError) in
                try UserName.check(name)
                try UsersFile.update(path) { file throws(ConsoleError) in try file.removing(name) }
            }
            Terminal.out("removed \(name)\n")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Names and roles, one user a line (never the hashes).")
        @OptionGroup var options: Options

        func run() throws {
            let path = try options.path()
            var file = UsersFile()
            try options.run { () throws(ConsoleError) in file = try UsersFile.load(path) }
            Terminal.out(file.users.map { "\($0.name)\t\($0.role.rawValue)\n" }.joined())
        }
    }
}
