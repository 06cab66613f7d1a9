import DocgateConsole
import DocgateCore
import Glibc

/// Where `user add` and `user passwd` take a password from: the terminal without echo (asked twice), or one line of
/// standard input (`--password-stdin`).
enum PasswordInput {
    /// Longest line read: well past bcrypt's 72 bytes, so a longer password is refused by its rule rather than cut.
    static let lineLimit = 1024

    /// The first line of standard input, without its line end (`\n`, or `\r\n`).
    static func fromStandardInput() throws(ConsoleError) -> String {
        guard let bytes = readLine(fd: 0) else {
            throw ConsoleError(.DG5055, ru: "на стандартном вводе нет пароля", en: "no password on standard input")
        }
        return try text(bytes)
    }

    /// Asks on the controlling terminal (`/dev/tty`) with echo off, twice; the terminal's settings are restored
    /// before returning. Ctrl-C is read as a character (signals off while asking) and cancels.
    static func fromTerminal(_ language: Language) throws(ConsoleError) -> String {
        let tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard tty >= 0 else {
            throw ConsoleError(.DG5055, ru: "нет терминала, чтобы спросить пароль; передайте его через --password-stdin",
                               en: "no terminal to ask for the password on; pass it with --password-stdin")
        }
        defer { close(tty) }
        var saved = termios()
        guard tcgetattr(tty, &saved) == 0 else {
            throw ConsoleError(.DG5055, ru: "терминал не настраивается; передайте пароль через --password-stdin",
                               en: "the terminal cannot be set up; pass the password with --password-stdin")
        }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO | ECHONL | ISIG)
        quiet.c_lflag |= tcflag_t(ICANON)
        guard tcsetattr(tty, TCSAFLUSH, &quiet) == 0 else {
            throw ConsoleError(.DG5055, ru: "эхо терминала не отключается; передайте пароль через --password-stdin",
                               en: "the terminal's echo cannot be turned off; pass the password with --password-stdin")
        }
        defer { _ = tcsetattr(tty, TCSAFLUSH, &saved) }
        let ru = language == .ru
        let first = try ask(tty, ru ? "Пароль: " : "Password: ")
        try Password.check(first)
        let second = try ask(tty, ru ? "Ещё раз: " : "Again: ")
        guard first == second else {
            throw ConsoleError(.DG5055, ru: "пароли не совпали", en: "the two passwords differ")
        }
        return first
    }

    private static func ask(_ tty: Int32, _ prompt: String) throws(ConsoleError) -> String {
        write(tty, prompt)
        let line = readLine(fd: tty)
        write(tty, "\n")
        guard let line, !line.contains(0x03) else {
            throw ConsoleError(.DG5055, ru: "ввод пароля прерван", en: "the password was not entered")
        }
        return try text(line)
    }

    private static func text(_ bytes: [UInt8]) throws(ConsoleError) -> String {
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw ConsoleError(.DG5055, ru: "пароль не в кодировке UTF-8", en: "the password is not UTF-8")
        }
        return s
    }

    /// Bytes up to a newline (not included; a `\r` before it dropped), at most ``lineLimit`` (one over is kept so
    /// that the password's rule refuses it); nil at the end of input with nothing read.
    static func readLine(fd: Int32) -> [UInt8]? {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while line.count <= lineLimit {
            let n = read(fd, &byte, 1)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return line.isEmpty ? nil : line }
            if byte == UInt8(ascii: "\n") { break }
            line.append(byte)
        }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        return line
    }

    private static func write(_ fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { _ = Glibc.write(fd, $0.baseAddress, $0.count) }
    }
}
