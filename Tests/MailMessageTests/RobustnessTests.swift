import Foundation
import MailMessage
import Testing
import TestSupport

/// Any bytes give a Message, quickly, with the structural invariants intact.
@Suite struct RobustnessTests {

    func checkParses(_ raw: [UInt8], _ label: String) {
        let message = Message(parsing: raw)
        #expect(message.raw == raw, "\(label)")
        let violations = StructureCheck.violations(message)
        #expect(violations.isEmpty, "\(label): \(violations.prefix(3))")
        _ = message.plainText(limit: 4096)
        _ = message.attachmentFileNames
        for part in message.parts { _ = part.decodedBody(in: message.raw) }
    }

    @Test func truncatedCorpusMessages() throws {
        guard let corpus = try Corpus.locate() else { return }
        let files = try Corpus.emlFiles(in: corpus)
        for url in stride(from: 0, to: files.count, by: 7).map({ files[$0] }) {
            let bytes = try Corpus.bytes(of: url)
            for fraction in [0.0, 0.1, 0.33, 0.5, 0.77, 0.99] {
                let cut = Int(Double(bytes.count) * fraction)
                checkParses(Array(bytes[..<cut]), "\(url.lastPathComponent) cut at \(cut)")
            }
        }
    }

    @Test func randomBytesBiasedTowardsMIMESyntax() {
        var random = SplitMix64(state: 0x5EED)
        let alphabet = Array("--\n\r\n: \t=?boundary=\"b\";Content-Type: multipart/mixed;message/rfc822\nb".utf8)
        for round in 0..<500 {
            let count = Int(random.next() % 2048)
            var raw: [UInt8] = round % 2 == 0 ? Array("Content-Type: multipart/mixed; boundary=b\n\n".utf8) : []
            for _ in 0..<count {
                raw.append(random.next() % 3 == 0 ? UInt8(truncatingIfNeeded: random.next()) : alphabet[Int(random.next() % UInt64(alphabet.count))])
            }
            checkParses(raw, "round \(round)")
        }
    }

    @Test func tenMegabyteSingleLine() {
        var raw = Array("Content-Type: multipart/mixed; boundary=b\n\n--b\n\n".utf8)
        raw += [UInt8](repeating: UInt8(ascii: "a"), count: 10 << 20)
        checkParses(raw, "10 MB line in a part")
        checkParses([UInt8](repeating: UInt8(ascii: "-"), count: 10 << 20), "10 MB of hyphens")
        checkParses([UInt8](repeating: UInt8(ascii: "x"), count: 10 << 20), "10 MB header line without colon")
    }

    @Test func deeplyNestedMultipartsAndMessages() {
        var multipart = ""
        for level in 0..<5000 { multipart += "Content-Type: multipart/mixed; boundary=\"\(level)\"\n\n--\(level)\n" }
        checkParses(Array(multipart.utf8), "5000 nested multiparts")
        let messages = String(repeating: "Content-Type: message/rfc822\n\n", count: 5000) + "body"
        let message = Message(parsing: Array(messages.utf8))
        #expect(message.problems.map(\.kind) == [.nestingTooDeep])
        checkParses(Array(messages.utf8), "5000 nested messages")
    }

    @Test func manyPartsAreCapped() {
        var limits = MIMELimits()
        limits.partsPerMultipart = 10
        let text = "Content-Type: multipart/mixed; boundary=b\n\n" + String(repeating: "--b\n\nx\n", count: 50) + "--b--\n"
        let message = Message(parsing: Array(text.utf8), limits: limits)
        #expect(message.root.children.count == 10)
        #expect(StructureCheck.violations(message).isEmpty)
    }
}
