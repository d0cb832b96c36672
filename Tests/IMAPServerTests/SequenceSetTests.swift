import Testing
@testable import IMAPServer

/// RFC 3501 §9 `sequence-set` and its resolution against a mailbox.
@Suite struct SequenceSetTests {
    @Test(arguments: [
        ("1", "1"), ("1:5", "1:5"), ("5:2", "5:2"), ("*", "*"), ("1,3:*,7", "1,3:*,7"), ("4294967295", "4294967295"),
        ("$", "$"), ("2:*", "2:*"),
    ])
    func parsesAndPrints(input: String, printed: String) throws {
        let set = try #require(SequenceSet(parsing: bytes(input)))
        #expect(set.description == printed)
    }

    @Test(arguments: ["", "0", "01", "1:", ":2", "1,,2", "1:2:3", "4294967296", "a", "1,", "-1", "1:0", "$,1", "**"])
    func refusesMalformed(input: String) {
        #expect(SequenceSet(parsing: bytes(input)) == nil)
    }

    @Test func messageNumbersResolveInAnyOrderAndMerge() throws {
        let set = try #require(SequenceSet(parsing: bytes("5:2,7,*,6")))
        #expect(try set.messageNumbers(count: 9) == [2...7, 9...9])
        #expect(try SequenceSet(parsing: bytes("*:3"))!.messageNumbers(count: 4) == [3...4])
    }

    @Test func messageNumbersBeyondTheCountAreErrors() throws {
        let set = try #require(SequenceSet(parsing: bytes("1:10")))
        #expect(throws: SequenceSet.ResolutionError.noSuchMessage(10)) { try set.messageNumbers(count: 9) }
        #expect(throws: SequenceSet.ResolutionError.noSuchMessage(0)) {
            try SequenceSet(parsing: bytes("*"))!.messageNumbers(count: 0)
        }
        #expect(throws: SequenceSet.ResolutionError.savedResultNotResolved) {
            try SequenceSet.savedResult.messageNumbers(count: 3)
        }
    }

    @Test func uidRangesUseTheLargestUIDForStar() throws {
        // RFC 3501 §6.4.8: "UID 20:*" with 12 as the largest UID is 12:20, and still finds UID 12.
        #expect(SequenceSet(parsing: bytes("20:*"))!.uidRanges(largestUID: 12) == [12...20])
        #expect(SequenceSet(parsing: bytes("1:3,2:4,10"))!.uidRanges(largestUID: 100) == [1...4, 10...10])
        #expect(SequenceSet(parsing: bytes("5,6"))!.uidRanges(largestUID: 9) == [5...6])
        #expect(SequenceSet(parsing: bytes("7"))!.contains(7, largest: 3))
        #expect(!SequenceSet(parsing: bytes("1:3"))!.contains(4, largest: 10))
    }

    @Test func compactsValuesForResponses() {
        #expect(SequenceSet([5, 1, 2, 3, 9, 10]).description == "1:3,5,9:10")
        #expect(SequenceSet([UInt32]()).description == "")
        #expect(SequenceSet(orderedValues: [3, 1, 2]).description == "3,1,2")
        #expect(SequenceSet([4294967295, 4294967294]).description == "4294967294:4294967295")
    }
}
