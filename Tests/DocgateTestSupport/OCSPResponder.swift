import Dispatch
import Foundation
import Glibc
import Testing

/// `openssl ocsp` running as a responder on a port the kernel chose (OpenSSL 3.0's `-port 0`, reported on its
/// standard output as `ACCEPT [::]:PORT`; it listens on every interface, as 3.0's `-port` takes no address), ready once
/// it answers a request on 127.0.0.1, retried until it does. Stopped by `stop()`, which kills its own process id only.
///
/// The probe is a whole OCSP request, not a bare connection: OpenSSL 3.0.19's responder spins on a connection closed
/// before a request arrives and never serves another (measured: 70–98 % CPU, later requests time out).
public final class OCSPResponder: @unchecked Sendable {
    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)/" }
    private let pid: pid_t
    private let log: String
    private var stopped = false

    /// - Parameters:
    ///   - index: an `openssl ca` index (V good, R revoked; a serial not in it is unknown).
    ///   - ca: the certificate(s) of the CA whose certificates the index describes.
    ///   - signer, key: the responder's certificate and key (the CA itself, or a responder it delegated).
    ///   - nextUpdateMinutes: nextUpdate of the answers; nil: answers without nextUpdate.
    public init(index: String, ca: String, signer: String, key: String, nextUpdateMinutes: Int? = 5, logDirectory: String) throws {
        log = logDirectory + "/ocsp-\(UUID().uuidString).log"
        var args = ["ocsp", "-index", index, "-port", "0", "-CA", ca, "-rsigner", signer, "-rkey", key]
        if let nextUpdateMinutes { args += ["-nmin", String(nextUpdateMinutes)] }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        closeInheritedDescriptors(&actions)
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "OPENSSL_CONF")
        let argv = (["/usr/bin/openssl"] + args).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let rc = posix_spawn(&child, "/usr/bin/openssl", &actions, nil, argv, envp)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
        pid = child
        // The port, from the ACCEPT line; then a connection, retried until the responder takes it.
        let deadline = DispatchTime.now().uptimeNanoseconds + 20_000_000_000
        var found: Int?
        while found == nil {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("ACCEPT ") }),
               let address = line.split(separator: " ").dropFirst().first, let colon = address.lastIndex(of: ":") {
                found = Int(address[address.index(after: colon)...])
            }
            if found == nil {
                var status: Int32 = 0
                if waitpid(child, &status, WNOHANG) == child {
                    stopped = true
                    throw TestPKI.PKIError(command: "openssl " + args.joined(separator: " "), output: text)
                }
                if DispatchTime.now().uptimeNanoseconds > deadline {
                    Self.end(child)
                    throw TestPKI.PKIError(command: "openssl " + args.joined(separator: " "), output: "no ACCEPT line: " + text)
                }
                usleep(10_000)
            }
        }
        port = found!
        while !Self.answers(port) {
            if DispatchTime.now().uptimeNanoseconds > deadline {
                Self.end(child)
                throw TestPKI.PKIError(command: "connect 127.0.0.1:\(port)", output: "the responder does not accept")
            }
            usleep(10_000)
        }
    }

    deinit { stop() }

    /// Ends the responder (SIGTERM to its process id) and reaps it.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        Self.end(pid)
    }

    /// What the responder wrote (its requests), for messages.
    public var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// How many requests the responder received so far, its readiness probe not counted.
    public var requests: Int { output.components(separatedBy: "Received request").count - 2 }

    /// SIGKILL: the 3.0 responder does not always end on SIGTERM.
    private static func end(_ pid: pid_t) {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    /// An OCSP request for serial 1 of an issuer no responder knows (SHA-1 certificate id, zero hashes, no nonce).
    static let probeRequest: [UInt8] = {
        let certID: [UInt8] = [0x30, 0x3A, 0x30, 0x09, 0x06, 0x05, 0x2B, 0x0E, 0x03, 0x02, 0x1A, 0x05, 0x00]
            + [0x04, 0x14] + [UInt8](repeating: 0, count: 20) + [0x04, 0x14] + [UInt8](repeating: 0, count: 20) + [0x02, 0x01, 0x01]
        return [0x30, 0x42, 0x30, 0x40, 0x30, 0x3E, 0x30, 0x3C] + certID
    }()

    /// Whether the responder at 127.0.0.1:`port` takes a connection and answers the probe request now (2 s at most).
    static func answers(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var limit = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = loopback(port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return false }
        let request = Array("POST / HTTP/1.0\r\nContent-Type: application/ocsp-request\r\nContent-Length: \(probeRequest.count)\r\n\r\n".utf8)
            + probeRequest
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { return false }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            answer += buffer[0..<n]
        }
        return String(decoding: answer.prefix(16), as: UTF8.self).hasPrefix("HTTP/1.0 200")
    }

    static func loopback(_ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}

/// A TCP port on 127.0.0.1 that takes connections (the kernel completes them) and never answers: a responder that
/// hangs. Closed by `close()`.
public final class SilentListener: @unchecked Sendable {
    public let port: Int
    let fd: Int32
    public var url: String { "http://127.0.0.1:\(port)/" }

    public init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        var address = OCSPResponder.loopback(0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            Glibc.close(fd)
            throw POSIXError(.EADDRINUSE)
        }
        self.fd = fd
        port = Self.port(of: fd)
    }

    public func close() { Glibc.close(fd) }

    /// A port nothing listens on: bound, then closed at once (connections to it are refused).
    public static func closedPort() throws -> Int {
        let listener = try SilentListener()
        listener.close()
        return listener.port
    }

    static func port(of fd: Int32) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A TCP server on 127.0.0.1 that answers every connection with the same bytes (an HTTP response made by the
/// test), after reading the request: a responder that answers with an error status, or too much. Closed by `close()`.
public final class CannedHTTPServer: @unchecked Sendable {
    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)/" }
    private let fd: Int32
    private let done = DispatchSemaphore(value: 0)

    public init(response: [UInt8]) throws {
        let listener = try SilentListener()
        fd = listener.fd
        port = listener.port
        let listening = self.fd
        let done = self.done
        Thread.detachNewThread {
            while true {
                let client = accept(listening, nil, nil)
                if client < 0 {
                    if errno == EINTR { continue }
                    break
                }
                var request = [UInt8](repeating: 0, count: 65_536)
                _ = request.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                var sent = 0
                while sent < response.count {
                    let n = response[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if n <= 0 { break }
                    sent += n
                }
                Glibc.close(client)
            }
            done.signal()
        }
    }

    /// Stops taking connections and waits for the serving thread to end.
    public func close() {
        shutdown(fd, Int32(SHUT_RDWR))
        done.wait()
        Glibc.close(fd)
    }

    /// An HTTP/1.0 200 response with an OCSP content type around `body`.
    public static func http(_ body: [UInt8], contentLength: Int? = nil) -> [UInt8] {
        Array("HTTP/1.0 200 OK\r\nContent-Type: application/ocsp-response\r\nContent-Length: \(contentLength ?? body.count)\r\n\r\n".utf8) + body
    }
}

/// Certificates for OCSP tests beside the shared test PKI, made once per test process in `dir` (below the PKI's):
/// a responder the CA delegated (extended key usage OCSPSigning), a responder from the unrelated CA (untrusted), a
/// signer certificate no index lists, and an index that lists the RSA signer as good beside the PKI's own entries
/// (where `revokedCert` is revoked).
public final class OCSPMaterial: Sendable {
    public let pki: TestPKI
    public let dir: String
    public var responderCert: String { dir + "/responder.pem" }
    public var responderKey: String { dir + "/responder.key" }
    /// OCSPSigning, but issued by the unrelated CA.
    public var rogueResponderCert: String { dir + "/rogue-responder.pem" }
    public var rogueResponderKey: String { dir + "/rogue-responder.key" }
    /// A signer from the trusted CA that no index lists (the responder answers "unknown").
    public var unlistedCert: String { dir + "/unlisted.pem" }
    /// The PKI's index (revokedCert revoked) and the RSA and ECDSA signers as good.
    public var index: String { dir + "/index.txt" }

    private static let made: Result<OCSPMaterial, any Error> = Result { try OCSPMaterial(pki: TestPKI.shared()) }

    public static func shared() throws -> OCSPMaterial { try made.get() }

    private init(pki: TestPKI) throws {
        self.pki = pki
        dir = pki.dir + "/ocsp"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try issue(cert: responderCert, newKey: responderKey, ca: (pki.caCert, pki.dir + "/ca.key"), subject: "/CN=OCSP-ответчик docgate",
                  extensions: Self.responderExtensions)
        try issue(cert: rogueResponderCert, newKey: rogueResponderKey, ca: (pki.otherCACert, pki.dir + "/other-ca.key"),
                  subject: "/CN=Посторонний OCSP-ответчик", extensions: Self.responderExtensions)
        try issue(cert: unlistedCert, key: pki.rsaKey, ca: (pki.caCert, pki.dir + "/ca.key"), subject: "/C=RU/O=Минсоцполитики Красноярского края/INNLE=2466012340/OGRN=1022401123458/CN=Неизвестный ответчику подписант")
        var lines = try String(contentsOfFile: pki.dir + "/index.txt", encoding: .utf8)
        for cert in [pki.rsaCert, pki.ecCert] { lines += Self.indexLine(good: try serial(of: cert)) }
        try lines.write(toFile: index, atomically: true, encoding: .utf8)
    }

    public static let responderExtensions = "basicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = OCSPSigning\n"
    public static let signerExtensions = "basicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature,nonRepudiation\n"
    public static let caExtensions = "basicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n"

    /// An index line for a good certificate (serial in upper-case hexadecimal).
    /// (Subjects must differ within an index: the responder refuses one that repeats a subject.)
    public static func indexLine(good serial: String) -> String { "V\t351231235959Z\t\t\(serial)\tunknown\t/CN=good-\(serial)\n" }

    /// An index line for a revoked certificate (revoked 2025-01-01, with the reason given).
    public static func indexLine(revoked serial: String, reason: String) -> String {
        "R\t351231235959Z\t250101000000Z,\(reason)\t\(serial)\tunknown\t/CN=revoked-\(serial)\n"
    }

    /// A random serial for `issue(serial:)`: 8 bytes, upper-case hexadecimal, as an index lists it.
    public static func newSerial() -> String {
        String(format: "%02X", UInt8.random(in: 0x10...0x7F)) + (0..<7).map { _ in String(format: "%02X", UInt8.random(in: 0...255)) }.joined()
    }

    public func serial(of cert: String) throws -> String {
        try pki.openssl(["x509", "-in", cert, "-noout", "-serial"]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "serial=", with: "")
    }

    /// Issues `cert` for `key` (or a new P-256 key written to `newKey`) from `ca` (certificate, key), with the
    /// extensions given (a signer's by default), an OCSP address in Authority Information Access when `aia` is
    /// given, and the serial given (hexadecimal) or a random one.
    public func issue(cert: String, key: String? = nil, newKey: String? = nil, ca: (cert: String, key: String), subject: String,
                      extensions: String = signerExtensions, aia: String? = nil, serial: String? = nil) throws {
        let keyPath = key ?? newKey ?? (cert + ".key")
        if key == nil {
            try pki.openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", keyPath])
            chmod(keyPath, 0o600)
        }
        let ext = cert + ".ext"
        try (extensions + (aia.map { "authorityInfoAccess = OCSP;URI:\($0)\n" } ?? "")).write(toFile: ext, atomically: true, encoding: .utf8)
        let csr = cert + ".csr"
        try pki.openssl(["req", "-new", "-key", keyPath, "-out", csr, "-subj", subject, "-utf8", "-config", pki.dir + "/ca-req.cnf"])
        try pki.openssl(["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-out", cert, "-days", "365",
                         "-extfile", ext, "-set_serial", "0x" + (serial ?? Self.newSerial())])
    }

    /// A responder for the trusted CA over `index` (by default this material's), signed by the delegated responder.
    public func responder(index: String? = nil, signer: (cert: String, key: String)? = nil, nextUpdateMinutes: Int? = 5) throws -> OCSPResponder {
        try OCSPResponder(index: index ?? self.index, ca: pki.caCert, signer: signer?.cert ?? responderCert, key: signer?.key ?? responderKey,
                          nextUpdateMinutes: nextUpdateMinutes, logDirectory: dir)
    }
}
