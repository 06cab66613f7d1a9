import ArgumentParser
import DocgateCommandLine
import DocgateCore
import DocgateTestSupport
import Foundation
import Testing

/// Where a key's passphrase comes from: the environment or the first line of a private file, never the command line.
@Suite struct PassphraseOptionsTests {
    @Test func theTwoSourcesExcludeEachOther() {
        #expect(throws: (any Error).self) { _ = try PassphraseOptions.parse(["--passphrase-env", "P", "--passphrase-file", "/x"]) }
        #expect(throws: Never.self) { _ = try PassphraseOptions.parse(["--passphrase-env", "P"]) }
    }

    @Test func theFirstLineOfAPrivateFileWithoutItsLineEnd() throws {
        let dir = try TemporaryDirectory("pass")
        defer { dir.remove() }
        let path = try dir.write("p.txt", "секрет 1\r\nsecond line\n")
        chmod(path, 0o600)
        let options = try PassphraseOptions.parse(["--passphrase-file", path])
        #expect(try options.passphrase(.en) == Array("секрет 1".utf8))
    }

    /// A passphrase file others can read is refused (exit 2) unless explicitly allowed.
    @Test func aFileOthersCanReadIsRefused() throws {
        let dir = try TemporaryDirectory("pass")
        defer { dir.remove() }
        let path = try dir.write("p.txt", "secret\n")
        chmod(path, 0o644)
        let options = try PassphraseOptions.parse(["--passphrase-file", path])
        #expect(throws: ExitCode.self) { _ = try options.passphrase(.en) }
        #expect(try options.passphrase(.en, allowGroupReadable: true) == Array("secret".utf8))
    }

    @Test func noSourceMeansNoPassphrase() throws {
        #expect(try PassphraseOptions.parse([]).passphrase(.ru) == nil)
    }
}

/// The framing of a streamed JSON array (`--format json` over a batch).
@Suite struct OutputFormatTests {
    @Test func formatsAreTextAndJSON() {
        #expect(OutputFormat.allCases.map(\.rawValue) == ["text", "json"])
        #expect(OutputFormat(argument: "json") == .json)
        #expect(OutputFormat(argument: "xml") == nil)
    }
}

/// The exit statuses, chosen in one place: a failure to read outweighs an invalid document, which outweighs success.
@Suite struct ExitStatusTests {
    @Test func aBatchsStatus() {
        #expect(Exit.of(failed: 0, invalid: 0) == .success)
        #expect(Exit.of(failed: 0, invalid: 3).rawValue == 1)
        #expect(Exit.of(failed: 1, invalid: 3).rawValue == 2)
        #expect(Exit.failure.rawValue == 2 && Exit.invalid.rawValue == 1)
        #expect(throws: Never.self) { try Exit.check(failed: 0, invalid: 0) }
        #expect(throws: ExitCode.self) { try Exit.check(failed: 0, invalid: 1) }
    }
}
