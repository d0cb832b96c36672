import Delivery
import Testing
import TestSupport

/// RFC 1035 §4 encoding and decoding, with hostile input: every malformed message must end in a
/// DNSMessageError, never a crash.
@Suite struct DNSMessageTests {
    /// A response like a recursive server sends: question, MX answers, glue in additional.
    static func sampleResponse() throws -> DNSMessage {
        let domain = try DNSName("Example.TEST")
        return DNSMessage(id: 0xBEEF, isResponse: true, recursionAvailable: true,
                          questions: [DNSQuestion(name: domain, type: .mx)],
                          answers: [DNSResourceRecord(name: domain, data: .mx(preference: 10, exchange: try DNSName("mx1.example.test"))),
                                    DNSResourceRecord(name: domain, data: .mx(preference: 20, exchange: try DNSName("mx2.example.test")))],
                          authorities: [DNSResourceRecord(name: domain, type: DNSRecordType(rawValue: 2), ttl: 60,
                                                          data: .other([0, 1, 2]))],
                          additionals: [DNSResourceRecord(name: try DNSName("mx1.example.test"), data: .a([192, 0, 2, 1])),
                                        DNSResourceRecord(name: try DNSName("mx1.example.test"),
                                                          data: .aaaa([0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1])),
                                        DNSResourceRecord(name: domain, data: .txt([Array("v=spf1 -all".utf8), []]))])
    }

    @Test func roundTripsAndCompressesRepeatedSuffixes() throws {
        let message = try Self.sampleResponse()
        let bytes = try message.encoded()
        #expect(try DNSMessage(decoding: bytes) == message)
        // "example.test" is written once in full; the other five names point back to it.
        let full = Array("\u{7}Example\u{4}TEST\u{0}".utf8)
        #expect(bytes.indices.filter { Array(bytes[$0...].prefix(full.count)) == full }.count == 1)
        #expect(bytes.count < 160)
    }

    @Test func namesCompareWithoutASCIICase() throws {
        #expect(try DNSName("MX.Example.Test.") == DNSName("mx.example.test"))
        #expect(try DNSName("mx.example.test") != DNSName("mx.example.tes"))
        #expect(try DNSName("mx.example.test").description == "mx.example.test")
        #expect(DNSName.root.description == ".")
        #expect(throws: DNSMessageError.invalidName) { try DNSName("a..b") }
        #expect(throws: DNSMessageError.invalidName) { try DNSName(String(repeating: "x", count: 64) + ".test") }
        #expect(throws: DNSMessageError.invalidName) { try DNSName(Array(repeating: "abcdefg", count: 40).joined(separator: ".")) }
    }

    @Test func queryCarriesRecursionDesiredAndEDNS() throws {
        let query = DNSMessage.query(id: 7, name: try DNSName("example.test"), type: .mx)
        let bytes = try query.encoded()
        #expect(Array(bytes[0..<4]) == [0, 7, 0x01, 0x00])   // ID, RD set, QR clear
        let decoded = try DNSMessage(decoding: bytes)
        #expect(decoded.additionals.first?.type == .opt)
        #expect(decoded.additionals.first?.recordClass == 1232)
    }

    /// Hand-made bytes: the answer's owner is a pointer to the question's name at offset 12.
    @Test func followsACompressionPointer() throws {
        var bytes: [UInt8] = [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]
        bytes += [3] + Array("www".utf8) + [4] + Array("test".utf8) + [0, 0, 1, 0, 1]
        bytes += [0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 9]
        let message = try DNSMessage(decoding: bytes)
        #expect(message.answers.first?.name == (try DNSName("www.test")))
        #expect(message.answers.first?.data == .a([127, 0, 0, 9]))
    }

    @Test func refusesAPointerToItself() {
        var bytes: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0]
        bytes += [0xC0, 12, 0, 1, 0, 1]
        #expect(throws: DNSMessageError.compressionLoop) { try DNSMessage(decoding: bytes) }
    }

    @Test func refusesPointersThatGoForwardOrCycle() {
        // Question name at 12: label "a", then a pointer forward to 20; at 20 a pointer back to 12.
        var bytes: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0]
        bytes += [1, UInt8(ascii: "a"), 0xC0, 20, 0, 1, 0, 1, 0xC0, 12]
        #expect(throws: DNSMessageError.compressionLoop) { try DNSMessage(decoding: bytes) }
    }

    @Test func refusesReservedLabelTypes() {
        let bytes: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 0, 0, 1, 0, 1]
        #expect(throws: DNSMessageError.reservedLabelType) { try DNSMessage(decoding: bytes) }
    }

    /// A chain of one-label names, each pointing back at the one before, kept in an earlier
    /// record's opaque RDATA; the second answer's owner points at the chain's end. Every pointer
    /// is legal (backwards), but `labels` of them make a name of 2 × labels + 1 octets.
    static func pointerChain(labels: Int) -> [UInt8] {
        var bytes: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0]
        bytes += [1, UInt8(ascii: "q"), 0, 0, 1, 0, 1]                  // question at 12
        var chain: [UInt8] = [0]                                         // RDATA starts at 31: the root
        var previous = 31
        for _ in 0..<labels {
            let here = 31 + chain.count
            chain += [1, UInt8(ascii: "x"), 0xC0 | UInt8(previous >> 8), UInt8(previous & 0xFF)]
            previous = here
        }
        bytes += [0xC0, 12, 0, 99, 0, 1, 0, 0, 0, 1, UInt8(chain.count >> 8), UInt8(chain.count & 0xFF)] + chain
        bytes += [0xC0 | UInt8(previous >> 8), UInt8(previous & 0xFF), 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 127, 0, 0, 1]
        return bytes
    }

    @Test func refusesNamesOver255OctetsReachedThroughPointers() throws {
        let fits = try DNSMessage(decoding: Self.pointerChain(labels: 127))   // 255 octets
        #expect(fits.answers.last?.name.labels.count == 127)
        #expect(throws: DNSMessageError.invalidName) { try DNSMessage(decoding: Self.pointerChain(labels: 128)) }
        #expect(throws: DNSMessageError.invalidName) { try DNSMessage(decoding: Self.pointerChain(labels: 200)) }
    }

    @Test func refusesRecordDataThatDoesNotMatchItsType() throws {
        var message = try Self.sampleResponse()
        message.answers = [DNSResourceRecord(name: try DNSName("x.test"), type: .a, ttl: 1, data: .other([1, 2, 3, 4, 5]))]
        message.authorities = []
        message.additionals = []
        #expect(throws: DNSMessageError.invalidRecordData(type: 1)) { try DNSMessage(decoding: try message.encoded()) }
        // An MX whose RDLENGTH ends before its exchange name does.
        message.answers = [DNSResourceRecord(name: try DNSName("x.test"), type: .mx, ttl: 1,
                                             data: .other([0, 10, 2, UInt8(ascii: "m"), UInt8(ascii: "x"), 0, 9]))]
        #expect(throws: DNSMessageError.invalidRecordData(type: 15)) { try DNSMessage(decoding: try message.encoded()) }
    }

    @Test func everyTruncationOfAResponseIsAnErrorNotACrash() throws {
        let bytes = try Self.sampleResponse().encoded()
        for length in 0..<bytes.count {
            #expect(throws: DNSMessageError.self, "cut at \(length)") { try DNSMessage(decoding: Array(bytes.prefix(length))) }
        }
    }

    /// Random corruption of a valid response: decoding either succeeds or throws, always ends.
    @Test func corruptedResponsesNeverCrash() throws {
        let original = try Self.sampleResponse().encoded()
        var random = SplitMix64(seed: 0xD15)
        var failures = 0
        for _ in 0..<20_000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            if (try? DNSMessage(decoding: bytes)) == nil { failures += 1 }
        }
        #expect(failures > 0)  // the mutations do hit the structure
        for _ in 0..<5_000 {
            let bytes = (0..<Int.random(in: 0..<300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            _ = try? DNSMessage(decoding: bytes)
        }
    }

    @Test func resolvConfListsAtMostThreeNameservers() {
        let text = """
            # generated
            search example.test
            nameserver 192.0.2.53
            ; a comment
            nameserver   2001:db8::53 # trailing words are ignored
            options timeout:2
            nameserver 192.0.2.54
            nameserver 192.0.2.55
            """
        #expect(ResolvConf.nameservers(in: text) == [ResolverAddress(host: "192.0.2.53"), ResolverAddress(host: "2001:db8::53"),
                                                     ResolverAddress(host: "192.0.2.54")])
        #expect(ResolvConf.nameservers(in: "search x\n").isEmpty)
        #expect(DNSResolver.systemServers(resolvConf: "/nonexistent/resolv.conf") == [ResolverAddress(host: "127.0.0.1")])
    }

    @Test(arguments: [
        ("127.0.0.1:5353", ResolverAddress(host: "127.0.0.1", port: 5353)),
        ("192.0.2.1", ResolverAddress(host: "192.0.2.1", port: 53)),
        ("[2001:db8::1]:5300", ResolverAddress(host: "2001:db8::1", port: 5300)),
        ("2001:db8::1", ResolverAddress(host: "2001:db8::1", port: 53)),
    ])
    func parsesResolverAddresses(_ text: String, _ expected: ResolverAddress) {
        #expect(ResolverAddress(parsing: text) == expected)
    }

    @Test func refusesMalformedResolverAddresses() {
        for text in ["", "127.0.0.1:0", "127.0.0.1:x", "[::1", "[::1]x", "a b"] {
            #expect(ResolverAddress(parsing: text) == nil, "\(text)")
        }
    }
}
