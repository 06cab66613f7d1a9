import DocgateCore
import Glibc

/// Writes to the standard streams directly (unbuffered `write(2)`, retried on partial writes).
public enum Terminal {
    /// Text to standard output as it is, no newline added.
    public static func out(_ text: String) { write(fd: 1, text) }

    /// A message on standard error, always with its code: `docgate: DG5001 …`.
    public static func error(_ code: Code, _ text: String) { error(code: code.rawValue, text) }

    /// A message whose code comes with an error value (a typed error of a library carries its own).
    public static func error(code: String, _ text: String) { write(fd: 2, "docgate: " + code + " " + text + "\n") }

    /// Text to descriptor `fd` as it is, without a prefix or code.
    public static func raw(fd: Int32, _ text: String) { write(fd: fd, text) }

    /// Bytes to standard output as they are (a signed document in its own encoding).
    public static func bytes(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { write(fd: 1, $0) }
    }

    private static func write(fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { write(fd: fd, UnsafeRawBufferPointer($0)) }
    }

    private static func write(fd: Int32, _ buffer: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < buffer.count {
            let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 { if errno == EINTR { continue }; return }
            offset += n
        }
    }

    /// True when standard error is a terminal (progress is shown only then).
    public static var stderrIsTerminal: Bool { isatty(2) == 1 }
}
