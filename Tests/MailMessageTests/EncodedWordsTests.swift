import Testing

@testable import MailMessage

/// Expected values are what Python 3.11's `email` (policy `default`) shows for the same Subject,
/// except where noted.
@Test(arguments: [
    ("=?utf-8?q?caf=C3=A9?=", "café"),
    ("=?iso-8859-1?q?caf=E9?= au lait", "café au lait"),
    ("=?utf-8?b?Y2Fmw6k=?=", "café"),
    ("=?UTF-8?B?Y2Fmw6k=?=", "café"),
    ("=?utf-8?b?Y2Fmw6k?=", "café"),  // missing padding
    ("=?utf-8?q?a?= =?utf-8?q?b?=", "ab"),  // RFC 2047 §6.2: space between words dropped
    ("=?utf-8?q?a?=\t \t=?utf-8?q?b?=", "ab"),
    ("a =?utf-8?q?b?= c", "a b c"),  // space next to plain text kept
    ("=?utf-8?q?hello_world?=", "hello world"),
    ("=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=", "日本語"),
    ("=?gb2312?B?1tDOxA==?=", "中文"),
    // ISO-2022-JP with an NEC row-13 character (№), as in php-mime-mail-parser issue 116; Python fails.
    ("=?iso-2022-jp?B?GyRCJygnJS1iGyhCNDEgGyRCJ2AnZBsoQiAyOC4wOS4yMDE2?=", "ЖД№41 от 28.09.2016"),
    ("=?utf-8?q?Chaply?= =?utf-8?q?gina?=", "Chaplygina"),  // a word split over two encoded words
    ("=?utf-8*en?q?Hi?=", "Hi"),  // RFC 2231 §5 language suffix
    ("=?utf-8?x?bad?=", "=?utf-8?x?bad?="),  // unknown encoding: left as is
    ("=?utf-8?q?unterminated", "=?utf-8?q?unterminated"),
    ("=??q?empty-charset?=", "=??q?empty-charset?="),
    ("Re:=?utf-8?q?x?=", "Re:x"),  // no white space before the word
    ("=?utf-8?q?x?=y", "xy"),
    ("=?utf-8?q?=E6=97?= =?utf-8?q?=A5?=", "日"),  // one character split over two words
    ("=?utf-8?q?a b?=", "a b"),  // white space inside a Q word
    ("=?unknown?q?abc?=", "abc"),
    ("=?utf-8?Q?100=25_sure?=", "100% sure"),
    ("=?utf-8?q?bad=ZZhex?=", "bad=ZZhex"),
    ("=?iso-8859-1?q?a?= =?utf-8?q?=C3=A9?=", "aé"),  // different charsets, both decoded
    ("plain subject", "plain subject"),
    ("folded\r\n subject", "folded subject"),
    ("", ""),
    ("= ? not a word", "= ? not a word"),
])
func decodesEncodedWords(_ input: String, _ expected: String) {
    #expect(EncodedWords.decode(Array(input.utf8)) == expected)
}

@Test func rawEightBitIsUTF8ElseWindows1252() {
    #expect(EncodedWords.decode([0x63, 0x61, 0x66, 0xC3, 0xA9, 0x20, 0x72, 0x61, 0x77]) == "café raw")
    // Python shows U+FFFD here; Windows-1252 recovers what the sender most likely meant.
    #expect(EncodedWords.decode([0x63, 0x61, 0x66, 0xE9, 0x20, 0x72, 0x61, 0x77]) == "café raw")
    // Raw UTF-8 next to an encoded word.
    #expect(EncodedWords.decode(Array("Grüße =?utf-8?q?aus_K=C3=B6ln?=".utf8)) == "Grüße aus Köln")
}

@Test func rawEightBitUsesTheFallbackCharsetBeforeWindows1252() {
    // Raw GB2312 in a Subject (SpamAssassin nice-cjk-gb2312): readable only with the body's charset.
    let raw: [UInt8] = [0xD6, 0xD0, 0xCE, 0xC4, 0x20, 0x3D, 0x3F, 0x75, 0x74, 0x66, 0x2D, 0x38, 0x3F, 0x71, 0x3F, 0x78, 0x3F, 0x3D]
    #expect(EncodedWords.decode(raw, fallbackCharset: "gb2312") == "中文 x")
    #expect(EncodedWords.decode(raw) == "ÖÐÎÄ x")
    // UTF-8 still wins over the fallback.
    #expect(EncodedWords.decode(Array("é".utf8), fallbackCharset: "koi8-r") == "é")
}
