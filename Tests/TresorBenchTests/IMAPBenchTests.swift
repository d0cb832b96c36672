import Foundation
import Testing
@testable import tresor_bench

/// The benchmark client's framing of server responses, fed the way a socket delivers bytes.
struct IMAPResponseFramerTests {
    /// Feeds `wire` in chunks of `chunk` bytes and collects every response.
    private func frame(_ wire: String, chunk: Int) throws -> [IMAPBenchResponse] {
        var framer = IMAPResponseFramer()
        var responses: [IMAPBenchResponse] = []
        let bytes = Array(wire.utf8)
        var offset = 0
        while offset < bytes.count {
            framer.append(Array(bytes[offset..<min(offset + chunk, bytes.count)]))
            offset += chunk
            while let response = try framer.nextResponse() { responses.append(response) }
        }
        #expect(framer.bufferedBytes == 0)
        return responses
    }

    static let fetchTranscript = "* 1 FETCH (BODY[] {10}\r\nHello\r\nWor) UID 7)\r\n"
        + "* 2 FETCH (ENVELOPE (NIL {3}\r\nabc NIL) BODY[] {0}\r\n)\r\n"
        + "* OK [ALERT] still here\r\n"
        + "+ idling\r\n"
        + "B12 OK FETCH completed\r\n"

    @Test(arguments: [1, 2, 7, 64, 4096])
    func literalsAreSkippedWhateverTheChunking(chunk: Int) throws {
        let responses = try frame(Self.fetchTranscript, chunk: chunk)
        #expect(responses.map(\.kind) == [.untagged, .untagged, .untagged, .continuation, .tagged("B12")])
        #expect(responses[0].textString == "1 FETCH (BODY[] {10}) UID 7)")
        #expect(responses[0].literalBytes == 10)
        #expect(responses[1].textString == "2 FETCH (ENVELOPE (NIL {3} NIL) BODY[] {0})")
        #expect(responses[1].literalBytes == 3)
        #expect(responses[4].status == "OK")
        #expect(responses.reduce(0) { $0 + $1.wireBytes } == Self.fetchTranscript.utf8.count)
    }

    @Test func announcedLiteralForms() throws {
        #expect(try IMAPResponseFramer.announcedLiteral(atEndOf: Array("BODY[] {42}".utf8)) == 42)
        #expect(try IMAPResponseFramer.announcedLiteral(atEndOf: Array("x {5+}".utf8)) == 5)
        #expect(try IMAPResponseFramer.announcedLiteral(atEndOf: Array("BINARY[] ~{9}".utf8)) == 9)
        #expect(try IMAPResponseFramer.announcedLiteral(atEndOf: Array("OK done".utf8)) == nil)
        #expect(try IMAPResponseFramer.announcedLiteral(atEndOf: Array("text {}".utf8)) == nil)
        #expect(try IMAPResponseFramer.announcedLiteral(atEndOf: Array("text {a1}".utf8)) == nil)
        #expect(throws: IMAPFramingError.self) {
            try IMAPResponseFramer.announcedLiteral(atEndOf: Array("x {99999999999999999999}".utf8))
        }
    }

    @Test func incompleteResponsesWaitForMoreBytes() throws {
        var framer = IMAPResponseFramer()
        framer.append(Array("* 1 FETCH (BODY[] {10}\r\n12345".utf8))
        #expect(try framer.nextResponse() == nil)
        framer.append(Array("67890)".utf8))
        #expect(try framer.nextResponse() == nil)
        framer.append(Array("\r\n".utf8))
        let response = try #require(try framer.nextResponse())
        #expect(response.literalBytes == 10)
        #expect(response.textString == "1 FETCH (BODY[] {10})")
    }

    @Test func overlongLineIsRefused() throws {
        var framer = IMAPResponseFramer(maximumTextLength: 32)
        framer.append(Array(String(repeating: "a", count: 40).utf8))
        #expect(throws: IMAPFramingError.self) { try framer.nextResponse() }
    }

    @Test func taggedStatusIsUpperCased() throws {
        let responses = try frame("A1 no [AUTHENTICATIONFAILED] nope\r\nA2 BAD what\r\n", chunk: 100)
        #expect(responses.map(\.status) == ["NO", "BAD"])
    }
}

/// The generated mailbox: each search word is in exactly the messages its rate says.
struct IMAPBenchMailboxTests {
    @Test func wordsOccurAtTheirRates() {
        let count = 1000
        var found: [String: Int] = [:]
        for index in 0..<count {
            let text = String(decoding: IMAPBenchMailbox.message(index, size: 4096, from: "a@b.test", to: "c@d.test"),
                              as: UTF8.self).lowercased()
            for word in IMAPBenchMailbox.words where text.contains(word.word) { found[word.word, default: 0] += 1 }
        }
        for word in IMAPBenchMailbox.words {
            #expect(found[word.word, default: 0] == word.occurrences(in: count), "\(word.word)")
        }
    }

    @Test func messagesAreStableAndSized() {
        let first = IMAPBenchMailbox.message(7, size: 4096, from: "a@b.test", to: "c@d.test")
        let again = IMAPBenchMailbox.message(7, size: 4096, from: "a@b.test", to: "c@d.test")
        let other = IMAPBenchMailbox.message(8, size: 4096, from: "a@b.test", to: "c@d.test")
        #expect(first == again)
        #expect(first != other)
        #expect((4096...4200).contains(first.count))
        let text = String(decoding: first, as: UTF8.self)
        #expect(!text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(text.split(separator: "\r\n", omittingEmptySubsequences: false).allSatisfy { $0.utf8.count <= 78 })
    }

    @Test func fillerHoldsNoSearchWord() {
        for filler in IMAPBenchMailbox.filler {
            for word in IMAPBenchMailbox.words { #expect(!filler.contains(word.word), "\(filler) ⊃ \(word.word)") }
        }
    }
}

/// /proc parsing of the memory step.
struct ProcessMemoryTests {
    @Test func fieldsOfProcStatus() {
        let status = "Name:\timap\nUmask:\t0022\nVmPeak:\t   9000 kB\nVmRSS:\t    5512 kB\n"
        #expect(ProcessMemory.field("Name:", in: status) == "imap")
        #expect(ProcessMemory.field("VmRSS:", in: status).flatMap(ProcessMemory.kibibytes) == 5512)
        #expect(ProcessMemory.field("VmSwap:", in: status) == nil)
    }

    @Test func ownProcessIsFoundByPIDAndName() throws {
        let me = try #require(ProcessMemory.read(pid: getpid()))
        #expect(me.rssKiB > 0)
        let sample = ServerProcesses.named([me.name]).sample()
        #expect(sample.processes.contains { $0.pid == getpid() })
        #expect(sample.rssKiB >= me.rssKiB)
        #expect(ServerProcesses.pid(getpid()).sample().processes.count == 1)
    }
}

/// `tresor-bench imap --help` names the shared load generator by a path relative to the
/// repository's folder, which holds on every machine that has the shared peers beside it.
struct IMAPBenchHelpTests {
    @Test func helpNamesLoadgenRelativeToTheRepository() {
        let discussion = IMAPBenchmark.configuration.discussion
        #expect(discussion.contains("../shared/peers/loadgen.py"))
        #expect(!discussion.contains("/work/") && !discussion.contains("/home/"))
    }
}
