@testable import ArchiveStore
import Foundation
import Testing
import TestSupport
import StoreModel

/// `ArchiveHead`, the public view of `DATA/archive/HEAD` that others (exports) record and check
/// with the public key alone.
@Suite struct ArchiveHeadTests {
    @Test func headNamesTheLastRecordAndIsSignedByTheArchiveKey() async throws {
        try await withTemporaryDirectory { dir in
            let fixture = try ArchiveFixture(dir)
            #expect(try ArchiveHead.read(dataDirectory: dir) == nil, "no archive yet")
            let store = try fixture.open()
            for n in 0..<5 { _ = try await store.append(message: message(n), envelope: envelope(n)) }
            var records: [ArchiveRecord] = []
            try store.forEachRecord { records.append($0) }
            store.close()

            let head = try #require(try ArchiveHead.read(dataDirectory: dir))
            let record = try #require(records.last)
            let inSegment = records.filter { $0.location.segment == head.segment }.count
            #expect(head.segment == record.location.segment && head.recordCount == UInt64(inSegment) && inSegment >= 10)
            #expect(head.chainHex == record.chain && head.chainHead.count == 32 && head.signature.count == 64)
            #expect(head.length == UInt64(try fixture.bytes(of: fixture.segmentURL(head.segment)).count))
            let key = try ArchivePublicKey.load(fromKeysDirectory: fixture.keysDirectory)
            #expect(head.isSigned(by: key))
            #expect(ArchiveHead(file: try fixture.bytes(of: fixture.headURL)) == head)
            #expect(head.encoded == (try fixture.bytes(of: fixture.headURL)))

            var moved = head
            moved.length -= 1
            #expect(!moved.isSigned(by: key), "the signature covers the length")
            let other = try ArchiveKey.create(inKeysDirectory: dir.appendingPathComponent("other-keys"))
            #expect(!head.isSigned(by: other.publicKey))
            var signedByOther = moved
            signedByOther.signature = other.sign(moved.signedBytes)
            #expect(signedByOther.isSigned(by: other.publicKey) && !signedByOther.isSigned(by: key))
        }
    }

    @Test func aDamagedHeadIsCorrupted() async throws {
        try await withTemporaryDirectory { dir in
            let fixture = try ArchiveFixture(dir)
            let store = try fixture.open()
            _ = try await store.append(message: message(1), envelope: envelope(1))
            store.close()
            var bytes = try fixture.bytes(of: fixture.headURL)
            bytes[9] = 2  // version 2 is not one this reader knows
            try fixture.overwrite(fixture.headURL, with: bytes)
            #expect(throws: ArchiveError.corrupted(file: "HEAD", offset: 0, reason: "HEAD does not decode")) {
                try ArchiveHead.read(dataDirectory: dir)
            }
            #expect(ArchiveHead(file: Array(bytes.dropLast())) == nil)
        }
    }

    /// The JSON form export.json keeps: numbers and lower-case hex, under these five keys.
    @Test func jsonFormRoundTrips() throws {
        let head = ArchiveHead(segment: 3, length: 4096, recordCount: 17, chainHead: Array(0..<32),
                               signature: Array(repeating: 0xAB, count: 64))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = String(decoding: try encoder.encode(head), as: UTF8.self)
        #expect(json == #"{"chain":"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f","length":4096,"#
                    + #""records":17,"segment":3,"signature":"\#(String(repeating: "ab", count: 64))"}"#)
        #expect(try JSONDecoder().decode(ArchiveHead.self, from: Data(json.utf8)) == head)
        let notHex = json.replacingOccurrences(of: "\"chain\":\"00", with: "\"chain\":\"zz")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ArchiveHead.self, from: Data(notHex.utf8)) }
    }
}
