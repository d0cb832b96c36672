import Foundation
import MailMessage
import TestSupport

/// The small always-present fixtures in `Fixtures/mime/`, stored with LF line ends; every test
/// runs them with LF and with CRLF (Stalwart's habit: the same tree either way).
enum MIMEFixture {
    enum LineEnding: String, CaseIterable, Sendable { case lf, crlf }

    static func load(_ name: String, _ ending: LineEnding) throws -> [UInt8] {
        let url = Corpus.fixtures("MailMessageTests").appendingPathComponent("mime/\(name)")
        let bytes = try Corpus.bytes(of: url)
        return ending == .crlf ? crlf(bytes) : bytes
    }

    /// LF → CRLF (an existing CRLF stays as it is).
    static func crlf(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 32)
        for (index, byte) in bytes.enumerated() {
            if byte == 0x0A, index == 0 || bytes[index - 1] != 0x0D { out.append(0x0D) }
            out.append(byte)
        }
        return out
    }

    static func text(_ string: String, _ ending: LineEnding) -> [UInt8] {
        let bytes = Array(string.utf8)
        return ending == .crlf ? crlf(bytes) : bytes
    }

    /// The bytes `range` selects, as a String (for readable expectations).
    static func slice(_ message: Message, _ range: Range<Int>) -> String {
        String(decoding: message.raw[range], as: UTF8.self)
    }
}

extension Message {
    func part(_ number: String) -> MIMEPart? { root.part(numbered: number) }
}
