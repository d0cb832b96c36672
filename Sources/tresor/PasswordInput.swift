import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where a new password comes from: one line of standard input (`--password-stdin`, for scripts),
/// or a prompt on the terminal with echo off, asked twice. The password is never an argument (it
/// would show in `ps` and shell history) and is never printed, logged or audited.
struct PasswordOptions: ParsableArguments {
    @Flag(name: .customLong("password-stdin"), help: "Read the password from the first line of standard input.")
    var fromStandardInput = false

    func read() throws -> String {
        let password: String
        if fromStandardInput {
            guard let line = readLine(strippingNewline: true) else {
                throw PasswordInputError("--password-stdin: standard input is empty")
            }
            password = line.hasSuffix("\r") ? String(line.dropLast()) : line
        } else {
            password = try TerminalPrompt.readSecret("Password: ")
            guard try TerminalPrompt.readSecret("Again: ") == password else {
                throw PasswordInputError("the passwords differ")
            }
        }
        guard !password.isEmpty else { throw PasswordInputError("the password is empty") }
        return password
    }
}

/// Reads a line from the controlling terminal with echo turned off (termios), restoring the
/// terminal's settings afterwards, also when reading fails.
enum TerminalPrompt {
    static func readSecret(_ prompt: String) throws -> String {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY)
        guard fd >= 0 else {
            throw PasswordInputError("no terminal to ask for the password on; use --password-stdin")
        }
        defer { close(fd) }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else {
            throw PasswordInputError("cannot read terminal settings; use --password-stdin")
        }
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        silent.c_lflag |= tcflag_t(ECHONL)
        write(fd, prompt)
        guard tcsetattr(fd, TCSAFLUSH, &silent) == 0 else {
            throw PasswordInputError("cannot turn off echo; use --password-stdin")
        }
        defer { _ = tcsetattr(fd, TCSAFLUSH, &saved) }
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = Glibc.read(fd, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 || byte == UInt8(ascii: "\n") { break }
            bytes.append(byte)
        }
        if bytes.last == UInt8(ascii: "\r") { bytes.removeLast() }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw PasswordInputError("the password is not valid UTF-8")
        }
        return text
    }

    private static func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)
        _ = Glibc.write(fd, &bytes, bytes.count)
    }
}

/// A password could not be read; printed as `Error: …` with exit status 1 (no usage text: the
/// command line was right).
struct PasswordInputError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
