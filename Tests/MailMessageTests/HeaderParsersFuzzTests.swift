import Testing
import TestSupport

@testable import MailMessage


/// Fragments that steer random input into the parsers' interesting states.
private let fragments: [[UInt8]] = [
    "=?", "?=", "?q?", "?B?", "utf-8", "iso-2022-jp", "\"", "\\", "(", ")", "<", ">", "@", ",", ";", ":", "[", "]",
    "*0*=", "*1=", "*=", "'", "%", "%E9", "=E9", "_", " ", "\t", "\r\n ", "+0100", "-", "12", "1999", "Jan", "Mon,",
    "12:34:56", "GMT", "Z", "T", ".", "/", "=", "name", "charset", "\u{1B}$B", "\u{1B}(B",
].map { Array($0.utf8) } + [[0xFF], [0x80], [0xC3], [0xE9], [0x00]]

private let parsers: [@Sendable ([UInt8]) -> Void] = [
    { _ = EncodedWords.decode($0) },
    { _ = AddressParser.parseList($0) },
    { _ = DateParser.parse($0) },
    { _ = MediaType.parse($0) },
    { _ = ContentDisposition.parse($0) },
    { _ = MessageID.parse($0) },
    { _ = MessageID.parseList($0) },
    { _ = Charsets.decodeLossy($0, charset: "iso-2022-jp") },
    { _ = Charsets.decode($0, charset: "gb2312") },
]

/// 20,000 random and spliced inputs through every parser, plus every prefix of real values:
/// a trap (overflow, out-of-range index) fails the whole test process.
@Test func parsersNeverCrash() {
    var random = SplitMix64(state: 0x7265_736F_7274)
    var checked = 0
    var violations: [[UInt8]] = []
    for _ in 0..<20_000 {
        var input: [UInt8] = []
        let pieces = Int.random(in: 0...12, using: &random)
        for _ in 0..<pieces {
            if Bool.random(using: &random) {
                input += fragments[Int.random(in: 0..<fragments.count, using: &random)]
            } else {
                for _ in 0..<Int.random(in: 1...6, using: &random) { input.append(UInt8.random(in: 0...255, using: &random)) }
            }
        }
        for parse in parsers { parse(input) }
        // Invariants of the results, not only the absence of traps.
        if AddressParser.parseList(input).contains(where: { $0.mailbox.isEmpty }) { violations.append(input) }
        if MessageID.parseList(input).contains(where: { id in
            id.isEmpty || id.unicodeScalars.contains { $0 == "<" || $0 == ">" || $0 == "\r" || $0 == "\n" }
        }) {
            violations.append(input)
        }
        if let type = MediaType.parse(input), type.type.isEmpty || type.subtype.isEmpty { violations.append(input) }
        checked += 1
    }
    let realValues = [
        "=?utf-8?B?w6l0w6k=?= =?iso-8859-1?q?caf=E9?= plain",
        "\"Doe, John\" <john@example.com>, Team: a@b.c, <@r1,@r2:x@y>;, (c) d@e",
        "Fri, 21 Nov 1997 09:55:06 -0600 (CST)",
        "application/octet-stream; name*0*=utf-8''%E6%97%A5; name*1=\".txt\"; x=\"=?utf-8?q?a?=\"",
        "<a@b> (comment) <c@d>",
    ]
    for value in realValues {
        let bytes = Array(value.utf8)
        for end in 0...bytes.count {
            for parse in parsers { parse(Array(bytes[..<end])) }
            for parse in parsers { parse(Array(bytes[end...])) }
        }
    }
    #expect(checked == 20_000)
    #expect(violations.isEmpty, "first: \(violations.first ?? [])")
}
