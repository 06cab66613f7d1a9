import ArgumentParser
import DocgateCore
import FoundationEssentials
import Glibc

/// Output formats of the commands that report on files.
public enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text
    case json
}

extension Language: ExpressibleByArgument {}

/// Where an encrypted key's passphrase comes from: never the command line itself.
public struct PassphraseOptions: ParsableArguments {
    public init() {}

    @Option(name: .long, help: ArgumentHelp("Environment variable holding the key's passphrase.", valueName: "name"))
    public var passphraseEnv: String?

    @Option(name: .long, help: ArgumentHelp("File whose first line is the key's passphrase.", valueName: "file"))
    public var passphraseFile: String?

    public func validate() throws {
        if passphraseEnv != nil && passphraseFile != nil {
            throw ValidationError("--passphrase-env and --passphrase-file exclude each other")
        }
    }

    public func passphrase(_ language: Language) throws -> [UInt8]? {
        if let name = passphraseEnv {
            guard let value = getenv(name) else {
                Terminal.error(language == .ru ? "переменная окружения \(name) не задана" : "the environment variable \(name) is not set")
                throw ExitCode(2)
            }
            return Array(String(cString: value).utf8)
        }
        if let path = passphraseFile {
            guard let data = FileManager.default.contents(atPath: path) else {
                Terminal.error(language == .ru ? "не удалось прочитать файл пароля \(path)" : "cannot read the passphrase file \(path)")
                throw ExitCode(2)
            }
            var bytes = [UInt8](data)
            if let newline = bytes.firstIndex(of: 0x0A) { bytes.removeSubrange(newline...) }
            if bytes.last == 0x0D { bytes.removeLast() }
            return bytes
        }
        return nil
    }
}

