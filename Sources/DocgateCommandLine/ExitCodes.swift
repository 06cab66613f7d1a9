import ArgumentParser
import Glibc

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
            Terminal.raw(fd: 2, fullMessage(for: error) + "\n")
            Glibc.exit(2)
        }
    }
}
