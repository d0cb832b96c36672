@testable import ArchiveStore
import Foundation
import Testing
import TestSupport
import StoreModel

@Suite struct DeflateTests {
    @Test(arguments: [DeflateDictionary.none, .v1])
    func roundTripsWithEitherDictionary(_ dictionary: DeflateDictionary) throws {
        for sample in [[], message(1), message(2, padding: 100_000), Array(repeating: UInt8(0), count: 1 << 20)] {
            let packed = Deflate.compress(sample, level: 6, dictionary: dictionary)
            #expect(try Deflate.inflate(packed, dictionary: dictionary, maximumSize: sample.count) == sample)
        }
    }

    @Test func refusesToInflatePastTheCap() throws {
        let packed = Deflate.compress(Array(repeating: 7, count: 100_000), level: 6, dictionary: .none)
        #expect(throws: Deflate.Failure.tooLarge(limit: 99_999)) {
            try Deflate.inflate(packed, dictionary: .none, maximumSize: 99_999)
        }
    }

    @Test func rejectsTruncatedAndWrongDictionaryStreams() throws {
        let sample = message(3, padding: 2_000)
        let packed = Deflate.compress(sample, level: 6, dictionary: .v1)
        #expect(throws: (any Error).self) {
            try Deflate.inflate(packed.dropLast(10), dictionary: .v1, maximumSize: 1 << 20)
        }
        let wrong = try? Deflate.inflate(packed, dictionary: .none, maximumSize: 1 << 20)
        #expect(wrong != sample)
    }

    /// The preset dictionary must pay for itself on real mail (DESIGN.md: "measure it"). It helps
    /// most where headers are most of the message.
    @Test func presetDictionaryShrinksSmallCorpusMessages() throws {
        guard let corpus = try Corpus.locate() else { return }
        let messages = try Corpus.emlFiles(in: corpus).map { try Corpus.bytes(of: $0) }
        var gains: [Int: Double] = [:]
        for cap in [2_048, 4_096, 16_384] {
            var raw = 0, plain = 0, primed = 0
            for bytes in messages where bytes.count <= cap {
                raw += bytes.count
                plain += Deflate.compress(bytes, level: 6, dictionary: .none).count
                primed += Deflate.compress(bytes, level: 6, dictionary: .v1).count
            }
            gains[cap] = 100 * Double(plain - primed) / Double(plain)
            print("deflate of corpus messages <= \(cap) B: raw \(raw) B, no dictionary \(plain) B, "
                + "dictionary v1 \(primed) B (\(String(format: "%.1f", gains[cap]!))% smaller)")
        }
        #expect(gains[2_048]! > 15)
        #expect(gains[16_384]! > 5)
    }
}
