import Foundation
import Logging
import ServerKit
import Synchronization
import Testing

@Suite struct LogLineTests {
    static let time = Date(timeIntervalSince1970: 1_796_638_535.125)  // 2026-12-07T10:15:35.125Z

    static func line(_ message: String, _ metadata: Logger.Metadata) -> LogLine {
        LogLine(time: time, level: .notice, label: "tresor.serve", message: message, metadata: metadata)
    }

    @Test func textIsTimeLevelLabelMessageThenSortedPairs() {
        let text = Self.line("refused", ["stage": "rcpt", "reason": "unknown user", "code": "550"]).rendered(as: .text)
        #expect(text == #"2026-12-07T10:15:35.125Z notice tresor.serve: refused code=550 reason="unknown user" stage=rcpt"#)
    }

    /// A value is quoted exactly when it would not split back: empty, or with a space, a quote,
    /// `=`, a backslash or a control character; inside quotes those are escaped.
    @Test(arguments: [
        ("alice@localhost", "alice@localhost"),
        ("", #""""#),
        ("550 5.1.1 <x@y>: unknown user", #""550 5.1.1 <x@y>: unknown user""#),
        (#"say "hi""#, #""say \"hi\"""#),
        ("a=b", #""a=b""#),
        (#"C:\path"#, #""C:\\path""#),
        ("two\nlines", #""two\nlines""#),
        ("tab\there", #""tab\there""#),
        ("bell\u{7}", #""bell\u{7}""#),
        ("grüße", "grüße"),
    ])
    func quoting(_ value: String, _ expected: String) {
        #expect(LogLine.quotedIfNeeded(value) == expected)
    }

    @Test func aLineFeedInTheMessageCannotForgeASecondLine() {
        let text = Self.line("evil\n2026-01-01T00:00:00.000Z info x: forged", [:]).rendered(as: .text)
        #expect(!text.contains("\n"))
    }

    @Test func jsonParsesBackWithEveryField() throws {
        let json = Self.line("message received", [
            "from": "\"quoted\" <a@b>", "to": "x@y,z@w", "size": "1234", "note": "line\nbreak\u{1}",
            "list": .array(["a", "b"]), "nested": .dictionary(["k": "v"]),
        ]).rendered(as: .json)
        #expect(!json.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object["time"] as? String == "2026-12-07T10:15:35.125Z")
        #expect(object["level"] as? String == "notice")
        #expect(object["label"] as? String == "tresor.serve")
        #expect(object["message"] as? String == "message received")
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["from"] as? String == "\"quoted\" <a@b>")
        #expect(metadata["note"] as? String == "line\nbreak\u{1}")
        #expect(metadata["size"] as? String == "1234")
        #expect(metadata["list"] as? [String] == ["a", "b"])
        #expect(metadata["nested"] as? [String: String] == ["k": "v"])
    }

    @Test func timestampsAreUTCWithMilliseconds() {
        #expect(LogLine.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(LogLine.timestamp(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
        #expect(LogLine.timestamp(Date(timeIntervalSince1970: 951_782_400.25)) == "2000-02-29T00:00:00.250Z")
    }

    @Test func theHandlerMergesItsOwnProvidedAndExplicitMetadataAndHonoursItsLevel() throws {
        let written = Mutex<[String]>([])
        let provider = Logger.MetadataProvider { ["provided": "yes"] }
        var logger = Logger(label: "tresor.test") { label in
            LineLogHandler(label: label, format: .json, level: .info, metadataProvider: provider,
                           now: { Self.time }, write: { line in written.withLock { $0.append(line) } })
        }
        logger[metadataKey: "listener"] = "imap"
        logger.debug("not written")
        logger.info("written", metadata: ["listener": "imaps", "user": "alice"])
        let lines = written.withLock { $0 }
        #expect(lines.count == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(object["metadata"] as? [String: String] == ["listener": "imaps", "user": "alice", "provided": "yes"])
    }
}
