import Testing
@testable import IMAPServer

/// CREATE-SPECIAL-USE (RFC 6154 §3): the USE parameter of CREATE, and NO [USEATTR] — with
/// nothing created — for a special use the server cannot give.
@Suite struct IMAPCreateSpecialUseTests {
    /// RFC 6154 §6 `create-param =/ "USE" SP "(" [use-attr *(SP use-attr)] ")"` inside RFC 4466
    /// §2.2's `create-params`.
    static let forms: [(String, IMAPCommand)] = [
        ("a CREATE Spam (USE (\\Junk))", .create(mailbox("Spam"), use: ["\\Junk"])),
        ("a create \"My Sent\" (use (\\Sent \\Archive))", .create(mailbox("My Sent"), use: ["\\Sent", "\\Archive"])),
        ("a CREATE x (USE ())", .create(mailbox("x"), use: [])),
        ("a CREATE x (USE (\\Important))", .create(mailbox("x"), use: ["\\Important"])),
        ("a CREATE x", .create(mailbox("x"))),
    ]

    @Test(arguments: forms)
    func parses(line: String, expected: IMAPCommand) {
        #expect(command(line) == expected)
    }

    /// Malformed parameters are BAD (RFC 4466 §2.2: unknown parameters too).
    @Test(arguments: [
        "a CREATE x ()", "a CREATE x (USE)", "a CREATE x (USE \\Junk)", "a CREATE x (USE (Junk))",
        "a CREATE x (FOO (\\Junk))", "a CREATE x (USE (\\Junk)", "a CREATE x (USE (\\))",
    ])
    func refusesMalformedParameters(line: String) {
        #expect(command(line) == nil)
        #expect(refusal(line)?.status == .bad)
    }

    /// RFC 6154 §2's attributes, matched without regard to case; one per mailbox here.
    @Test(arguments: [
        ([String](), IMAPSpecialUse.Request.plain),
        (["\\Junk"], .one("\\Junk")),
        (["\\junk"], .one("\\Junk")),
        (["\\ALL"], .one("\\All")),
        (["\\Sent", "\\sent"], .one("\\Sent")),
        (["\\Sent", "\\Archive"], .refused("A mailbox can have only one special use")),
        (["\\Important"], .refused("Special use \\Important is not supported")),
    ])
    func requests(uses: [String], expected: IMAPSpecialUse.Request) {
        #expect(IMAPSpecialUse.requested(uses) == expected)
    }

    @Test func createsWithTheUseOrNotAtAll() async {
        var harness = await loggedIn(selecting: nil)
        #expect(lines(await harness.send("c CAPABILITY"))[0].contains(" CREATE-SPECIAL-USE "))
        #expect(await harness.send("c CREATE Spam (USE (\\Junk))") == "c OK CREATE completed\r\n")
        #expect(await harness.send("c CREATE Drafts (USE (\\Drafts))") == "c OK CREATE completed\r\n")
        // RFC 6154 §3: "it MUST NOT create the mailbox" and SHOULD answer [USEATTR].
        #expect(await harness.send("c CREATE Drafts2 (USE (\\Drafts))")
            == "c NO [USEATTR] There is a \\Drafts mailbox already\r\n")
        #expect(await harness.send("c CREATE Keep (USE (\\Important))")
            == "c NO [USEATTR] Special use \\Important is not supported\r\n")
        #expect(await harness.send("c CREATE Both (USE (\\Sent \\Trash))")
            == "c NO [USEATTR] A mailbox can have only one special use\r\n")
        let list = lines(await harness.send("l LIST \"\" \"*\" RETURN (SPECIAL-USE)"))
        #expect(list.contains("* LIST (\\HasNoChildren \\Junk) \"/\" Spam"), "\(list)")
        #expect(list.contains("* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts"), "\(list)")
        for refused in ["Drafts2", "Keep", "Both"] {
            #expect(!list.contains { $0.hasSuffix("\"/\" \(refused)") }, "\(list)")
        }
    }
}
