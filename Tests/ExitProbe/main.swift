// docgate-exit-probe KEY CERT: holds a signing identity until the process's exit handlers run, as a worker thread of
// the daemon may when the main thread exits, and releases it after OpenSSL's own exit handler would have run
// (handlers run in reverse order of registration; this one is registered before OpenSSL is first used). With
// OpenSSL's clean-up at exit, that release frees what OpenSSL already freed and the process crashes; CryptoExitTests
// runs it.
import DocgateCrypto
import Glibc

nonisolated(unsafe) var held: [SigningIdentity] = []

/// Loads the identity into `held` only (a binding at the top level would be a global that keeps it alive).
func load(_ key: String, _ cert: String) -> Bool {
    guard let identity = try? SigningIdentity.load(keyPath: key, certificatePath: cert, passphrase: nil) else { return false }
    held = [identity]
    return true
}

atexit { held.removeAll() }
guard CommandLine.arguments.count == 3, load(CommandLine.arguments[1], CommandLine.arguments[2]) else { exit(2) }
exit(0)
