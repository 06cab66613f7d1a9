import ArgumentParser
import DocgateCore
import Glibc

/// docgate's exit statuses, the one place they are chosen (README, docs/commands.md):
/// 0 — done, every document valid or verified; 1 — a document is invalid, refused or failed verification;
/// 2 — the run itself failed: usage, configuration, a file that cannot be read or written.
public enum Exit {
    /// A document is invalid, refused, or its signature fails.
    public static let invalid = ExitCode(1)
    /// Usage, configuration or input/output: the run could not do what was asked.
    public static let failure = ExitCode(2)

    /// The status of a batch: a failure to read outweighs an invalid document, which outweighs success.
    public static func of(failed: Int, invalid: Int) -> ExitCode {
        failed > 0 ? Exit.failure : invalid > 0 ? Exit.invalid : .success
    }

    /// Throws the batch's status unless it succeeded.
    public static func check(failed: Int, invalid: Int) throws(ExitCode) {
        let status = of(failed: failed, invalid: invalid)
        if status != .success { throw status }
    }
}

extension ParsableCommand {
    /// Parses the arguments and runs the command with docgate's exit codes: usage errors exit 2 (not
    /// ArgumentParser's 64), help and version exit 0, a command's own `ExitCode` passes through.
    public static func runWithDocgateExitCodes() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Self.exit(withError: exit)
        } catch {
            if exitCode(for: error) == .success { Self.exit(withError: error) }
            // A usage error: its code first, then ArgumentParser's explanation and the usage.
            Terminal.raw(fd: 2, "docgate: " + Code.DG5003.rawValue + " " + fullMessage(for: error) + "\n")
            Glibc.exit(Exit.failure.rawValue)
        }
    }
}
