import Testing

@testable import MailMessage

private func address(_ name: String?, _ mailbox: String, group: String? = nil) -> Address {
    Address(displayName: name, mailbox: mailbox, group: group)
}

/// Where Python's `email` (policy `default`) gives a sensible answer, these match it; the cases
/// marked "Python differs" are broken input where we recover more.
@Test(arguments: [
    ("john@example.com", [address(nil, "john@example.com")]),
    ("John Doe <john@example.com>", [address("John Doe", "john@example.com")]),
    ("\"Doe, John\" <john@example.com>", [address("Doe, John", "john@example.com")]),
    ("John  Q.  Public <jqp@example.com>", [address("John Q. Public", "jqp@example.com")]),  // obs-phrase dots
    ("Mr. Smith <s@example.com>", [address("Mr. Smith", "s@example.com")]),
    ("john@example.com (John Doe)", [address(nil, "john@example.com")]),  // comments are not names
    ("John (the man) Doe <j@x.com>", [address("John Doe", "j@x.com")]),
    ("<john@example.com>", [address(nil, "john@example.com")]),
    ("John <j@x.com", [address("John", "j@x.com")]),  // missing ">"
    ("John Doe <j @ x.com>", [address("John Doe", "j@x.com")]),
    ("<@a.com,@b.com:x@y.com>", [address(nil, "x@y.com")]),  // obs-route, RFC 5322 §4.4
    ("\"john\"@x.com", [address(nil, "john@x.com")]),  // needless quotes removed
    ("\"john doe\"@x.com", [address(nil, "\"john doe\"@x.com")]),
    ("\"a\"b <c@d>", [address("ab", "c@d")]),
    ("\" Angles  Puglisi\" <a@x.com>", [address(" Angles  Puglisi", "a@x.com")]),  // quoted text as written
    ("\"  \" <a@x.com>", [address(nil, "a@x.com")]),
    ("root", [address(nil, "root")]),
    ("undisclosed recipients", [address(nil, "\"undisclosed recipients\"")]),
    ("undisclosed-recipients:;", []),
    ("undisclosed-recipients: ;", []),
    (
        "Team: a@b.com, \"B\" <b@c.com>;, z@z.com",
        [address(nil, "a@b.com", group: "Team"), address("B", "b@c.com", group: "Team"), address(nil, "z@z.com")]
    ),
    ("a@b.com, c@d.com", [address(nil, "a@b.com"), address(nil, "c@d.com")]),
    ("a@b.com; c@d.com", [address(nil, "a@b.com"), address(nil, "c@d.com")]),  // Python differs: drops c@d.com
    ("a@b.com,, ,c@d.com,", [address(nil, "a@b.com"), address(nil, "c@d.com")]),
    ("Smith, John <j@x.com>", [address("Smith, John", "j@x.com")]),  // Python differs: two addresses
    ("John Smith j@x.com", [address("John Smith", "j@x.com")]),  // Python differs: "John Smith j"@x.com
    ("foo@bar <baz@qux>", [address("foo@bar", "baz@qux")]),  // Python differs: foo@bar
    ("=?utf-8?q?J=C3=B6rg?= <j@x.com>", [address("Jörg", "j@x.com")]),
    ("\"=?utf-8?q?J=C3=B6rg?=\" <j@x.com>", [address("Jörg", "j@x.com")]),  // encoded word inside quotes
    ("=?utf-8?q?a?= =?utf-8?q?b?= <c@d>", [address("ab", "c@d")]),  // RFC 2047 §6.2; Python keeps the space
    ("=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>", [address("André Pirard", "PIRARD@vm1.ulg.ac.be")]),
    ("Jürgen <jürgen@bücher.example>", [address("Jürgen", "jürgen@bücher.example")]),  // RFC 6532
    ("\"Joe Q. Public\" <john.q.public@example.com>, Mary Smith <mary@x.test>, jdoe@example.org",
     [address("Joe Q. Public", "john.q.public@example.com"), address("Mary Smith", "mary@x.test"),
      address(nil, "jdoe@example.org")]),
    ("A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",  // RFC 5322 Appendix A.1.3
     [address("Ed Jones", "c@a.test", group: "A Group"), address(nil, "joe@where.test", group: "A Group"),
      address("John", "jdoe@one.test", group: "A Group")]),
    ("Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>", [address("Pete", "pete@silly.test")]),
    ("<user@[192.168.0.1]>", [address(nil, "user@[192.168.0.1]")]),
    ("\"quote\\\"d\" <q@x.test>", [address("quote\"d", "q@x.test")]),
    ("john@example.com\r\n\t, mary@example.com", [address(nil, "john@example.com"), address(nil, "mary@example.com")]),
    ("develop!nextmime@ebony@sblab.att.com", [address(nil, "\"develop!nextmime@ebony\"@sblab.att.com")]),  // UUCP
    ("@develop:sblab!att!thumper.bellcore.com!nsb", [address(nil, "sblab!att!thumper.bellcore.com!nsb")]),
    ("jang.abcdef@xyzlinu <jang@xyzlinux.it>", [address("jang.abcdef@xyzlinu", "jang@xyzlinux.it")]),
    ("tim@powerupdev.com concierge@powerupdev.com", [address(nil, "tim@powerupdev.com"), address(nil, "concierge@powerupdev.com")]),
    ("Mary Smith <@machine.tld:mary@example.net>, , jdoe@test   . example",  // RFC 5322 Appendix A.6.3
     [address("Mary Smith", "mary@example.net"), address(nil, "jdoe@test.example")]),
    ("<Undisclosed-Recipient:;>", [address(nil, "Undisclosed-Recipient")]),
    ("<Undisclosed-Recipient:@mailman.enron.com;>", [address(nil, "Undisclosed-Recipient")]),
    ("=?UTF-16?B?//492Enc?= test", [address(nil, "\"👉 test\"")]),  // as Python reads it
    ("alice@example.com <bob@example.com>", [address("alice@example.com", "bob@example.com")]),  // the mailbox is bob
    ("", []),
    ("<>", []),
])
func parsesAddressList(_ input: String, _ expected: [Address]) {
    #expect(AddressParser.parseList(Array(input.utf8)) == expected)
}

@Test func rawLatin1DisplayNameIsRecovered() {
    // "Andr\xE9 <a@x>" from an 8-bit mailer: Windows-1252 fallback.
    let value: [UInt8] = [0x41, 0x6E, 0x64, 0x72, 0xE9, 0x20, 0x3C, 0x61, 0x40, 0x78, 0x3E]
    #expect(AddressParser.parseList(value) == [address("André", "a@x")])
}

@Test func addressSplitsLocalPartAndDomain() {
    let parsed = address(nil, "\"a@b\"@example.com")
    #expect(parsed.localPart == "\"a@b\"")
    #expect(parsed.domain == "example.com")
    #expect(address(nil, "root").domain.isEmpty)
}

@Test func rawDisplayNameUsesTheFallbackCharset() {
    // "\xC9\xCC <a@x>" in GB2312 (商), as 1990s Chinese mailers wrote it.
    let value: [UInt8] = [0xC9, 0xCC, 0x20, 0x3C, 0x61, 0x40, 0x78, 0x3E]
    #expect(AddressParser.parseList(value, fallbackCharset: "gb2312") == [address("商", "a@x")])
}
