import Testing
@testable import IMAPServer

/// QUOTA (RFC 9208): GETQUOTA, GETQUOTAROOT, the STORAGE resource in units of 1024 octets, and
/// NO [OVERQUOTA] for an APPEND that would pass the limit.
@Suite struct IMAPQuotaTests {
    /// RFC 9208 §7: `getquota = "GETQUOTA" SP quota-root-name`, `getquotaroot = "GETQUOTAROOT" SP mailbox`.
    static let forms: [(String, IMAPCommand)] = [
        ("a GETQUOTA \"\"", .getQuota(root: "")),
        ("a getquota \"User quota\"", .getQuota(root: "User quota")),
        ("a GETQUOTAROOT INBOX", .getQuotaRoot(.inbox)),
        ("a GetQuotaRoot \"Sent Items\"", .getQuotaRoot(mailbox("Sent Items"))),
    ]

    @Test(arguments: forms)
    func parses(line: String, expected: IMAPCommand) {
        #expect(command(line) == expected)
    }

    @Test(arguments: ["a GETQUOTA", "a GETQUOTAROOT", "a GETQUOTA a b", "a SETQUOTA \"\" (STORAGE 512)"])
    func refusesMalformedOrUnofferedCommands(line: String) {
        #expect(refusal(line)?.status == .bad)
    }

    /// §5.1: usage and limit in units of 1024 octets; usage rounded up, the limit down.
    @Test(arguments: [
        (UInt64(0), UInt64(1024), UInt64(0), UInt64(1)),
        (1, 1024, 1, 1),
        (1024, 2047, 1, 1),
        (1025, 10 << 20, 2, 10240),
    ])
    func storageUnits(used: UInt64, limit: UInt64, usedUnits: UInt64, limitUnits: UInt64) {
        let quota = IMAPQuota(root: "", usedOctets: used, limitOctets: limit)
        #expect(quota.usedUnits == usedUnits)
        #expect(quota.limitUnits == limitUnits)
    }

    @Test func exceededOnlyPastTheLimit() {
        let quota = IMAPQuota(root: "", usedOctets: 900, limitOctets: 1000)
        #expect(!quota.exceeded(adding: 100))
        #expect(quota.exceeded(adding: 101))
        #expect(IMAPQuota(root: "", usedOctets: 1, limitOctets: .max).exceeded(adding: .max))
    }

    /// §5.1 and §5.2 on the wire.
    @Test func responsesOnTheWire() {
        let encoder = IMAPResponseEncoder(utf8Enabled: false)
        #expect(text(encoder.encode(.data(.quotaRoot(.inbox, roots: [""])))) == "* QUOTAROOT INBOX \"\"\r\n")
        #expect(text(encoder.encode(.data(.quotaRoot(mailbox("Sent Items"), roots: [])))) == "* QUOTAROOT \"Sent Items\"\r\n")
        #expect(text(encoder.encode(.data(.quota(IMAPQuota(root: "", usedOctets: 10 * 1024, limitOctets: 512 * 1024)))))
            == "* QUOTA \"\" (STORAGE 10 512)\r\n")
    }

    @Test func sessionAnswersQuotasAndRefusesAnAppendOverIt() async {
        let backend = MemoryIMAPBackend()
        backend.deliver(Samples.hello)
        let used = UInt64(IMAPMessageEncoding.transmittedSize(of: Array(Samples.hello.utf8)))
        backend.state.withLock { $0.storageLimit = used + 100 }
        var harness = IMAPSessionHarness(backend: backend)
        await harness.login()
        let capabilities = await harness.send("c CAPABILITY")
        #expect(capabilities.contains(" QUOTA ") && capabilities.contains(" QUOTA=RES-STORAGE"), "\(capabilities)")
        #expect(!capabilities.contains("QUOTASET"), "SETQUOTA is not offered (RFC 9208 §3.2)")
        let units = used / 1024 + (used % 1024 == 0 ? 0 : 1)
        #expect(await harness.send("q GETQUOTAROOT INBOX")
            == "* QUOTAROOT INBOX \"\"\r\n* QUOTA \"\" (STORAGE \(units) \((used + 100) / 1024))\r\nq OK GETQUOTAROOT completed\r\n")
        #expect(await harness.send("q GETQUOTA \"\"") == "* QUOTA \"\" (STORAGE \(units) \((used + 100) / 1024))\r\nq OK GETQUOTA completed\r\n")
        #expect(await harness.send("q GETQUOTA other") == "q NO [NONEXISTENT] No quota root \"other\"\r\n")
        #expect(await harness.send("q GETQUOTAROOT Nowhere") == "q NO [NONEXISTENT] Mailbox does not exist\r\n")
        // 100 octets fit, 101 do not (RFC 9208 §4.1: [OVERQUOTA]).
        let fits = String(repeating: "x", count: 98)
        #expect(await harness.send("a APPEND INBOX {100+}\r\n\(fits)\r\n").hasPrefix("a OK [APPENDUID "))
        #expect(await harness.send("b APPEND INBOX {1+}\r\nx") == "b NO [OVERQUOTA] Quota exceeded\r\n")
        // Without a limit, the mailbox has no quota root.
        backend.state.withLock { $0.storageLimit = nil }
        #expect(await harness.send("q GETQUOTAROOT INBOX") == "* QUOTAROOT INBOX\r\nq OK GETQUOTAROOT completed\r\n")
    }
}
