import Testing
@testable import IMAPServer

/// Modified UTF-7 (RFC 3501 §5.1.3), UTF8=ACCEPT (RFC 6855) and the name policy.
@Suite struct MailboxNameTests {
    @Test(arguments: [
        // RFC 3501 §5.1.3's example, and its pieces.
        ("~peter/mail/\u{53F0}\u{5317}/\u{65E5}\u{672C}\u{8A9E}", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"),
        ("&", "&-"), ("Tom & Jerry", "Tom &- Jerry"), ("Entw\u{00FC}rfe", "Entw&APw-rfe"),
        ("Gel\u{00F6}schte Elemente", "Gel&APY-schte Elemente"), ("plain", "plain"),
        ("\u{1F600}", "&2D3eAA-"), ("\u{00E9}\u{00E8}", "&AOkA6A-"),
    ])
    func modifiedUTF7RoundTrips(unicode: String, encoded: String) throws {
        #expect(text(ModifiedUTF7.encode(unicode)) == encoded)
        #expect(try ModifiedUTF7.decode(bytes(encoded)) == unicode)
    }

    @Test(arguments: [
        "&", "&U,BTFw", "&Jjo!-", "caf\u{00E9}", "&AGE-", "&2D0-", "&3gA-", "&U,BTF-", "a\u{7F}b",
    ])
    func invalidModifiedUTF7IsRefused(input: String) {
        #expect(throws: ModifiedUTF7.DecodingError.self) { try ModifiedUTF7.decode(bytes(input)) }
    }

    @Test func wireDecodingDependsOnUTF8Mode() throws {
        #expect(try MailboxName(wire: bytes("Entw&APw-rfe"), utf8Enabled: false).name == "Entw\u{00FC}rfe")
        // With UTF8=ACCEPT the bytes are UTF-8 and "&" is an ordinary character.
        #expect(try MailboxName(wire: bytes("Entw&APw-rfe"), utf8Enabled: true).name == "Entw&APw-rfe")
        #expect(try MailboxName(wire: bytes("Entw\u{00FC}rfe"), utf8Enabled: true).name == "Entw\u{00FC}rfe")
        #expect(throws: MailboxNameError.invalidUTF8) { try MailboxName(wire: [0x61, 0xFF], utf8Enabled: true) }
        let name = mailbox("Entw\u{00FC}rfe/Alt")
        #expect(text(name.wire(utf8Enabled: false)) == "Entw&APw-rfe/Alt")
        #expect(text(name.wire(utf8Enabled: true)) == "Entw\u{00FC}rfe/Alt")
    }

    @Test func inboxIsCaseInsensitive() throws {
        #expect(try MailboxName("inbox") == MailboxName.inbox)
        #expect(try MailboxName("InBoX").isInbox)
        #expect(try MailboxName("iNbox/Sub").name == "INBOX/Sub")
        #expect(try MailboxName("Inboxes").name == "Inboxes")
    }

    @Test(arguments: [
        ("", MailboxNameError.empty), ("a//b", .emptyComponent), ("/a", .emptyComponent), ("..", .traversal),
        ("a/../b", .traversal), ("a/.", .traversal), ("a\u{0}b", .controlCharacter), ("a\tb", .controlCharacter),
        ("a\u{7F}", .controlCharacter), ("a\u{85}", .controlCharacter), ("line\nbreak", .controlCharacter),
    ])
    func policyRefusals(name: String, error: MailboxNameError) {
        #expect(throws: error) { try MailboxName(name) }
    }

    @Test func hierarchy() throws {
        let name = try MailboxName("Archive/2024/Q1/")  // a trailing delimiter declares a parent (§6.3.3)
        #expect(name.name == "Archive/2024/Q1")
        #expect(name.components == ["Archive", "2024", "Q1"])
        #expect(name.parent?.name == "Archive/2024")
        #expect(name.isDescendant(of: try MailboxName("Archive")))
        #expect(!(try MailboxName("Archived")).isDescendant(of: try MailboxName("Archive")))
        #expect(try MailboxName("...a").name == "...a")  // only whole "." and ".." components are traversal
    }
}
