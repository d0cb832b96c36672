@testable import AttachmentText
import MailMessage
import Testing

@Suite struct TextPassTests {
    @Test func rtfSkipsTablesAndDecodesCharacters() throws {
        let rtf = #"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Decoyfont;}}{\colortbl;\red0;}{\*\generator Decoygen;}"#
            + #"{\info{\title Decoytitle}}\pard Stra\'dfe caf\u233?s \uc0\u8364 x\par\{braces\}{\field{\*\fldinst HYPERLINK decoylink}{\fldrslt visible}}}"#
        let text = try RTFText.extract(Array(rtf.utf8), limit: 1 << 20, deadline: nil)
        #expect(text.contains("Straße"))
        #expect(text.contains("cafés"))
        #expect(text.contains("€"))
        #expect(text.contains("{braces}"))
        #expect(text.contains("visible"))
        for decoy in ["Decoyfont", "Decoygen", "Decoytitle", "decoylink", "red0"] {
            #expect(!text.contains(decoy), "\(decoy) in \(text)")
        }
    }

    @Test func rtfSurrogatePairsMakeOneCharacter() throws {
        let text = try RTFText.extract(Array(#"{\rtf1 \u-10179?\u-8704?}"#.utf8), limit: 100, deadline: nil)
        #expect(text == "😀")
    }

    @Test func markupEntitiesAndCDATAAreText() throws {
        var sink = TextSink(limit: 1 << 20)
        let xml = #"<?xml version="1.0"?><!-- <w:t>hidden</w:t> --><w:p><w:t xml:space="preserve">a &amp; b &lt;c&gt; &#233;&#x20AC; &bogus;</w:t><w:t><![CDATA[<raw>]]></w:t></w:p>"#
        try MarkupTextRules(textElements: ["t"], lineBreaks: ["p"]).collect(Array(xml.utf8), into: &sink, deadline: nil)
        #expect(sink.text == "a & b <c> é€ &bogus;<raw>\n")
    }

    @Test func brokenMarkupYieldsWhatItCan() throws {
        var sink = TextSink(limit: 1 << 20)
        try MarkupTextRules(textElements: ["t"]).collect(Array("<t>kept</t><t attr=\"unterminated".utf8), into: &sink, deadline: nil)
        #expect(sink.text == "kept")
    }

    @Test func theTextLimitCutsAtACharacter() {
        var sink = TextSink(limit: 5)
        sink.append("abcdé")
        #expect(sink.text == "abcd")
        #expect(sink.isFull)
    }

    @Test func attachmentsOfAMessageAreItsNamedLeafParts() {
        let raw = """
            From: a@example.com\r
            Subject: s\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="b"\r
            \r
            --b\r
            Content-Type: text/plain\r
            \r
            body\r
            --b\r
            Content-Type: application/rtf; name="memo.rtf"\r
            Content-Disposition: attachment; filename="memo.rtf"\r
            Content-Transfer-Encoding: base64\r
            \r
            e1xydGYxIG1hcmtlcm1pbWVydGZ9\r
            --b\r
            Content-Type: message/rfc822\r
            \r
            Subject: inner\r
            \r
            inner body\r
            --b--\r

            """
        let attachments = Message(parsing: Array(raw.utf8)).attachmentDocuments
        #expect(attachments.map(\.document.fileName) == ["memo.rtf"])
        #expect(attachments.first?.partNumber == "2")
        #expect(attachments.first.map { String(decoding: $0.document.bytes, as: UTF8.self) } == "{\\rtf1 markermimertf}")
    }
}
