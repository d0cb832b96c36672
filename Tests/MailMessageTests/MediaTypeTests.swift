import Testing

@testable import MailMessage

@Test(arguments: [
    ("text/plain", "text/plain", [String: String]()),
    ("TEXT/HTML; CHARSET=UTF-8", "text/html", ["charset": "UTF-8"]),
    ("text/plain; charset=us-ascii (Plain text)", "text/plain", ["charset": "us-ascii"]),
    ("text/plain;charset=\"iso-8859-1\";format=flowed", "text/plain", ["charset": "iso-8859-1", "format": "flowed"]),
    ("multipart/mixed; boundary=\"----=_Part_1\"", "multipart/mixed", ["boundary": "----=_Part_1"]),
    ("multipart/mixed; boundary=\"=?x?q?y?=\"", "multipart/mixed", ["boundary": "=?x?q?y?="]),  // never decoded
    ("multipart/alternative;\r\n\tboundary=\"b1\"", "multipart/alternative", ["boundary": "b1"]),
    ("text / plain ; charset = utf-8", "text/plain", ["charset": "utf-8"]),
    ("(comment) text/plain", "text/plain", [:]),
    // RFC 2231 §3 continuations, §4 charset and percent-encoding, mixed sections.
    ("application/octet-stream; name*0*=utf-8''%E6%97%A5%E6%9C%AC; name*1=\".txt\"", "application/octet-stream",
     ["name": "日本.txt"]),
    ("text/plain; name*=iso-8859-1'en'caf%E9.txt", "text/plain", ["name": "café.txt"]),
    ("text/plain; name*0=\"long\"; name*1=\"name.txt\"", "text/plain", ["name": "longname.txt"]),
    ("text/plain; name*1=\"second\"; name*0=\"first-\"", "text/plain", ["name": "first-second"]),  // any order
    ("text/plain; name=\"plain.txt\"; name*=utf-8''%C3%A9.txt", "text/plain", ["name": "é.txt"]),  // 2231 wins
    ("text/plain; name*=''no-charset%20here", "text/plain", ["name": "no-charset here"]),
    ("text/plain; name*=utf-8''bad%ZZ", "text/plain", ["name": "bad%ZZ"]),
    // RFC 2047 inside a quoted value, as mailers write it.
    ("application/pdf; name=\"=?utf-8?B?Y2Fmw6kucGRm?=\"", "application/pdf", ["name": "café.pdf"]),
    ("text/plain; name=my file.pdf", "text/plain", ["name": "my file.pdf"]),  // Python keeps only "my"
    ("text/plain; name=\"unterminated", "text/plain", ["name": "unterminated"]),
    ("text/plain;; ;charset=utf-8;", "text/plain", ["charset": "utf-8"]),
    ("text/plain; junk; charset=utf-8", "text/plain", ["charset": "utf-8"]),
    ("text/plain; charset=a; charset=b", "text/plain", ["charset": "a"]),  // first wins
    ("text/plain; name=\"a \\\"q\\\" b\"", "text/plain", ["name": "a \"q\" b"]),
    // Unquoted encoded word (mime4j russian-headers); Python drops the value.
    ("text/plain; charset=\"US-ASCII\"; name==?koi8-r?B?89DJ08/LLmRvYw==?=", "text/plain",
     ["charset": "US-ASCII", "name": "Список.doc"]),
])
func parsesMediaType(_ input: String, _ mimeType: String, _ parameters: [String: String]) {
    let parsed = MediaType.parse(Array(input.utf8))
    #expect(parsed?.mimeType == mimeType)
    #expect(parsed?.parameters == parameters)
}

@Test(arguments: [
    "", "text", "text/", "/plain", "; charset=utf-8", "(only comment)", "text; charset=us-ascii",
    "application-x-gzip; name=\"document.xml.gz\"",
])
func unusableMediaTypeIsNil(_ input: String) {
    #expect(MediaType.parse(Array(input.utf8)) == nil)
}

@Test(arguments: [
    ("attachment; filename=\"report.pdf\"", "attachment", ["filename": "report.pdf"]),
    ("INLINE", "inline", [String: String]()),
    ("attachment; filename*=UTF-8''%E2%82%AC%20rates.txt", "attachment", ["filename": "€ rates.txt"]),
    ("attachment;\r\n filename*0*=ISO-8859-1''%E9t%E9; filename*1*=.doc", "attachment", ["filename": "été.doc"]),
    ("attachment; filename=\"=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=.txt\"", "attachment", ["filename": "日本語.txt"]),
    ("attachment; size=1024; creation-date=\"Wed, 12 Feb 1997 16:29:51 -0500\"", "attachment",
     ["size": "1024", "creation-date": "Wed, 12 Feb 1997 16:29:51 -0500"]),
    ("attachment filename=x.txt", "attachment", ["filename": "x.txt"]),  // missing ";"
    ("; filename=x.txt", "", ["filename": "x.txt"]),
])
func parsesContentDisposition(_ input: String, _ kind: String, _ parameters: [String: String]) {
    let parsed = ContentDisposition.parse(Array(input.utf8))
    #expect(parsed?.kind == kind)
    #expect(parsed?.parameters == parameters)
}

@Test func emptyContentDispositionIsNil() {
    #expect(ContentDisposition.parse(Array("  ".utf8)) == nil)
}

@Test func rawUTF8FilenameIsKept() {
    #expect(ContentDisposition.parse(Array("attachment; filename=\"Grüße.txt\"".utf8))?.parameters["filename"] == "Grüße.txt")
}
