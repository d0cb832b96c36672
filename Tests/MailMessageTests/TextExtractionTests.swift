import MailMessage
import Testing

/// `Message.plainText(limit:)`: the text the search index sees.
@Suite struct TextExtractionTests {
    func text(_ message: String, limit: Int = 1 << 20) -> String {
        Message(parsing: Array(message.utf8)).plainText(limit: limit)
    }

    @Test func htmlOnlyBecomesText() {
        let result = text("""
            Content-Type: text/html; charset=utf-8

            <!DOCTYPE html><html><head><title>T</title><style>b{x:y}</style></head>
            <body><h1>Title</h1><p>One&nbsp;&amp; two</p><script type="x">var a = "<p>";</script>
            <p>Price: &#x20AC;3 &lt;ok&gt; &unknown; a < b</p><!-- comment --></body></html>
            """)
        #expect(result == "T\n\nTitle\n\nOne & two\n\nPrice: €3 <ok> &unknown; a < b")
    }

    @Test func plainAlternativeWinsOverHTML() {
        let result = text("""
            Content-Type: multipart/alternative; boundary=b

            --b
            Content-Type: text/html

            <p>rich</p>
            --b
            Content-Type: text/plain

            plain
            --b--
            """)
        #expect(result == "plain")
    }

    @Test func htmlInsideRelatedIsUsedWithoutPlain() {
        let result = text("""
            Content-Type: multipart/alternative; boundary=b

            --b
            Content-Type: multipart/related; boundary=r

            --r
            Content-Type: text/html

            <p>rich only</p>
            --r
            Content-Type: image/png

            xx
            --r--
            --b--
            """)
        #expect(result == "rich only")
    }

    @Test func textAttachmentsAreIncluded() {
        let result = text("""
            Content-Type: multipart/mixed; boundary=b

            --b

            body
            --b
            Content-Type: text/csv
            Content-Disposition: attachment; filename=a.csv

            x,y
            --b
            Content-Type: application/zip

            PK
            --b--
            """)
        #expect(result == "body\n\nx,y")
    }

    @Test func limitCutsAtACharacterBoundary() {
        let body = String(repeating: "é", count: 100)
        let result = text("Content-Type: text/plain; charset=utf-8\n\n\(body)", limit: 51)
        #expect(result == String(repeating: "é", count: 25))
        #expect(text("Subject: s\n\nabc", limit: 0) == "")
    }

    @Test func charsetOfTheBodyIsHonoured() {
        let raw: [UInt8] = Array("Content-Type: text/plain; charset=iso-8859-1\n\n".utf8) + [0x4B, 0xF6, 0x6C, 0x6E]
        #expect(Message(parsing: raw).plainText() == "Köln")
    }
}
