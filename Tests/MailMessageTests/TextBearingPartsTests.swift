import MailMessage
import Testing
import TestSupport

/// Every text-bearing part reaches `Message.plainText`, the text both the index and IMAP SEARCH
/// BODY/TEXT read; `SearchFolding` spells sharp s as "ss".
@Suite struct TextBearingPartsTests {
    @Test(arguments: TextBearingMessages.all.map { [$0.kind, $0.marker] })
    func theMarkerOfEachPartKindIsInTheText(_ case: [String]) throws {
        let message = try #require(TextBearingMessages.all.first { $0.kind == `case`[0] })
        let text = Message(parsing: message.message).plainText()
        #expect(text.contains(message.marker), "\(message.kind): \(text)")
    }

    @Test func aNestedMessageGivesItsHeaderFieldsAsLinesThenItsText() throws {
        let nested = try #require(TextBearingMessages.all.first { $0.marker == "zqleveltwobody" }?.message)
        let text = Message(parsing: nested).plainText()
        #expect(text.contains("Subject: zqleveloneheader"))
        #expect(text.contains("X-Case: zqleveltwoheader\n\nzqleveltwobody here"))
        #expect(text.hasPrefix("Forwarded."))
        let body = Message(parsing: nested).plainText(nestedHeaders: false)
        #expect(!body.contains("zqleveloneheader") && !body.contains("zqleveltwoheader"))
        #expect(body.contains("zqlevelonebody") && body.contains("zqleveltwobody"))
    }

    @Test func aDeliveryStatusIsReadInItsCharsetAndTransferEncoding() {
        let raw = Array(("Content-Type: message/global-delivery-status\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                         + "RmluYWwtUmVjaXBpZW50OiB1dGYtODsgasO2cmdAYmVpc3BpZWwuZGUNCg==\r\n").utf8)
        #expect(Message(parsing: raw).plainText() == "Final-Recipient: utf-8; jörg@beispiel.de\r\n")
    }

    @Test func imagesAndApplicationsStayOut() {
        let raw = Array(("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: image/png\r\n\r\nzqpng\r\n"
                         + "--b\r\nContent-Type: application/octet-stream\r\n\r\nzqbin\r\n--b--\r\n").utf8)
        #expect(Message(parsing: raw).plainText() == "")
    }

    @Test(arguments: [
        ("Straße", "Strasse"), ("STRAẞE", "STRAssE"), ("Hauptstrasse", "Hauptstrasse"), ("", ""),
        ("Maßstab für Grüße", "Massstab für Grüsse"), ("ßẞ", "ssss"),
    ])
    func sharpSIsSpelledDouble(_ text: String, _ folded: String) {
        #expect(SearchFolding.fold(text) == folded)
    }
}
