import ArgumentParser
import DocgateCore
import FoundationEssentials
import Glibc

/// Output formats of the commands that report on files.
public enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    /// Human-readable lines, in the language chosen by `--lang`.
    case text
    /// JSON, keys in their documented order.
    case json
}

extension Language: ExpressibleByArgument {}

/// Where an encrypted key's passphrase comes from: never the command line itself.
public struct PassphraseOptions: ParsableArguments {
    /// Neither option given.
    public init() {}

    /// `--passphrase-env NAME`: the environment variable holding the passphrase.
    @Option(name: .long, help: ArgumentHelp("Environment variable holding the key's passphrase.", valueName: "name"))
    public var passphraseEnv: String?

    /// `--passphrase-file FILE`: the file whose first line is the passphrase.
    @Option(name: .long, help: ArgumentHelp("File whose first line is the key's passphrase.", valueName: "file"))
    public var passphraseFile: String?

    /// Refuses both options together.
    public func validate() throws {
        if passphraseEnv != nil && passphraseFile != nil {
            throw ValidationError("--passphrase-env and --passphrase-file exclude each other")
        }
    }

    /// The passphrase, from the environment or the first line of the file. A passphrase file its group or others
    /// can read is refused (DG5017, exit 2) unless `allowGroupReadable`; `allowance` tells the operator how to allow
    /// it anyway.
    public func passphrase(_ language: Language, allowGroupReadable: Bool = false,
                           allowance: String = "--allow-group-readable-key") throws -> [UInt8]? {
        if let name = passphraseEnv {
            guard let value = getenv(name) else {
                Terminal.error(.DG5011, language == .ru ? "переменная окружения \(name) не задана" : "the environment variable \(name) is not set")
                throw Exit.failure
            }
            return Array(String(cString: value).utf8)
        }
        if let path = passphraseFile {
            var bytes: [UInt8]
            switch PrivateFile.read(path, allowGroupReadable: allowGroupReadable, limit: 1 << 20) {
            case .success(let b): bytes = b
            case .failure(.exposed(let mode)):
                Terminal.error(code: PrivateFile.exposedCode, PrivateFile.exposedMessage(path, mode: mode, allowance: allowance)[language])
                throw Exit.failure
            case .failure(.unreadable(let code)):
                let reason = String(cString: strerror(code))
                Terminal.error(.DG5001, language == .ru ? "не удалось прочитать файл пароля \(path): \(reason)" : "cannot read the passphrase file \(path): \(reason)")
                throw Exit.failure
            }
            if let newline = bytes.firstIndex(of: 0x0A) { bytes.removeSubrange(newline...) }
            if bytes.last == 0x0D { bytes.removeLast() }
            return bytes
        }
        return nil
    }
}

