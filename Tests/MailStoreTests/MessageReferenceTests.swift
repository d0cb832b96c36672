import Foundation
@testable import MailStore
import Testing
import TestSupport

/// Naming a message the ways people meet it: the archive's id, a Message-ID, the SMTP
/// transaction id from the log; and the headlines retention lists print.
@Suite struct MessageReferenceTests {
    static func message(_ tag: String, messageID: String) -> [UInt8] {
        Array("""
            From: Anna <anna@example.org>\r
            To: <bob@example.org>\r
            Subject: About \(tag)\r
            Date: Tue, 1 Jul 2025 10:00:00 +0000\r
            Message-ID: \(messageID)\r
            \r
            Body of \(tag).\r

            """.utf8)
    }

    @Test func aMessageIsFoundByItsIdAMessageIDOrItsSMTPTransactionID() async throws {
        try await ResolutionTests.withAccounts { store in
            var envelope = DeliveryTests.envelope(to: ["bob@example.org"])
            envelope.sourceDetail = "7QZ2KX9MBD4HNC1R"
            let first = try await store.delivery.deliver(message: Self.message("one", messageID: "<One.1@Example.org>"),
                                                         envelope: envelope).receipt.sha256
            let second = try await store.delivery.deliver(
                message: Self.message("two", messageID: "<two.2@example.org>"),
                envelope: DeliveryTests.envelope(to: ["bob@example.org"])).receipt.sha256
            let compliance = store.compliance
            #expect(try await compliance.messageID(for: first) == first)
            #expect(try await compliance.messageID(for: String(first.prefix(10))) == first)
            // A Message-ID with or without brackets, compared ignoring case as message-id: searches do.
            #expect(try await compliance.messageID(for: "<one.1@example.org>") == first)
            #expect(try await compliance.messageID(for: "two.2@EXAMPLE.org") == second)
            #expect(try await compliance.messageID(for: "7QZ2KX9MBD4HNC1R") == first)
            await #expect(throws: ComplianceError.self) { try await compliance.messageID(for: "<nobody@example.org>") }

            // The same Message-ID on two different messages is named, not guessed.
            let third = try await store.delivery.deliver(
                message: Self.message("three", messageID: "<two.2@example.org>"),
                envelope: DeliveryTests.envelope(to: ["bob@example.org"])).receipt.sha256
            do {
                _ = try await compliance.messageID(for: "<two.2@example.org>")
                Issue.record("an ambiguous Message-ID resolved")
            } catch {
                #expect("\(error)".contains(second) && "\(error)".contains(third), "\(error)")
            }

            let headlines = try await compliance.headlines(of: [first, second, "0000"])
            #expect(headlines.count == 2 && headlines[first]?.subject == "About one")
            #expect(headlines[second]?.from == ["Anna <anna@example.org>"], "\(String(describing: headlines[second]))")
            #expect(headlines[first]?.date == Date(timeIntervalSince1970: 1_751_364_000))
        }
    }
}
