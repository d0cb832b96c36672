import ArgumentParser
import Foundation
import MailMessage
import MailStore
import Sieve

/// A script file: read (or standard input for "-"), decoded as UTF-8 (RFC 5228 §2.2 requires
/// it; a bad byte is reported at its line and column), compiled with errors naming the file.
enum RulesScriptFile {
    struct ReadError: Error, CustomStringConvertible {
        let description: String
    }

    /// The name a script gets when `--name` is not given.
    static func defaultName(for path: String) -> String {
        path == "-" ? "default" : URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    }

    static func readBytes(_ path: String) throws -> [UInt8] {
        if path == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        do {
            return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            let reason = (error as NSError).localizedFailureReason ?? error.localizedDescription
            throw ReadError(description: "\(path): cannot read: \(reason)")
        }
    }

    static func read(_ path: String) throws -> String {
        let bytes = try readBytes(path)
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var line = 1, column = 1
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                if encoded.count == 1 && encoded.first == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            case .error:
                throw ReadError(description: "\(path):\(line):\(column): not UTF-8 (RFC 5228 §2.2)")
            case .emptyInput:
                return String(decoding: bytes, as: UTF8.self)
            }
        }
    }

    /// `read`, printing a failure to standard error and exiting with status 1.
    static func readOrExit(_ path: String) throws -> String {
        do {
            return try read(path)
        } catch {
            reportError("\(error)")
            throw ExitCode.failure
        }
    }

    /// Compiles `source`; on an error prints `FILE:line:column: message` to standard error and
    /// exits with status 1.
    static func compileOrExit(_ source: String, file: String) throws {
        do {
            _ = try SieveScript(source: source, name: defaultName(for: file))
        } catch {
            reportError("\(file):\(error)")
            throw ExitCode.failure
        }
    }

    static func reportError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
