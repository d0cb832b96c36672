/// One end of a sequence range: a number, or `*`, the largest number in use. RFC 3501 §9 `seq-number`.
public enum SequenceNumber: Hashable, Sendable, CustomStringConvertible {
    case number(UInt32)
    /// `*`: the largest message sequence number or UID in the mailbox.
    case last

    public var description: String {
        switch self {
        case .number(let n): "\(n)"
        case .last: "*"
        }
    }

    func resolved(last: UInt32) -> UInt32 {
        switch self {
        case .number(let n): n
        case .last: last
        }
    }
}

/// `seq-range`: two ends in either order, "5:2" is "2:5" (RFC 3501 §9).
public struct SequenceRange: Hashable, Sendable, CustomStringConvertible {
    public var first: SequenceNumber
    public var second: SequenceNumber

    public init(_ first: SequenceNumber, _ second: SequenceNumber) {
        self.first = first
        self.second = second
    }

    public init(single: SequenceNumber) { self.init(single, single) }

    public var description: String { first == second ? first.description : "\(first):\(second)" }
}

/// A `sequence-set` (RFC 3501 §9, RFC 9051 §9): comma-separated numbers and ranges, with `*`, or
/// `$`, the result saved by SEARCH RETURN (SAVE) (RFC 5182 §2).
///
/// Resolution depends on what the numbers mean: message sequence numbers must exist
/// (RFC 9051 §6.4.6: a non-existent one is an error), UIDs need not (RFC 3501 §6.4.8).
public enum SequenceSet: Hashable, Sendable, CustomStringConvertible {
    case ranges([SequenceRange])
    /// `$`: the saved search result (RFC 5182).
    case savedResult

    public var description: String {
        switch self {
        case .ranges(let ranges): ranges.map(\.description).joined(separator: ",")
        case .savedResult: "$"
        }
    }

    public enum ResolutionError: Error, Hashable, Sendable {
        /// A message sequence number beyond the count, or `*` in an empty mailbox.
        case noSuchMessage(UInt32)
        /// `$` must be replaced by the session's saved result before resolving.
        case savedResultNotResolved
    }

    /// The set as ascending, disjoint, non-adjacent ranges, with `*` as `largest`.
    func normalized(largest: UInt32) throws(ResolutionError) -> [ClosedRange<UInt32>] {
        guard case .ranges(let ranges) = self else { throw .savedResultNotResolved }
        let plain = ranges.map { range -> ClosedRange<UInt32> in
            let a = range.first.resolved(last: largest)
            let b = range.second.resolved(last: largest)
            return min(a, b)...max(a, b)
        }
        return Self.merge(plain)
    }

    /// Message sequence numbers (RFC 3501 §2.3.1.2) in a mailbox of `count` messages: every
    /// number must be 1...count, `*` is `count`.
    public func messageNumbers(count: UInt32) throws(ResolutionError) -> [ClosedRange<UInt32>] {
        guard case .ranges(let ranges) = self else { throw .savedResultNotResolved }
        for range in ranges {
            for end in [range.first, range.second] {
                switch end {
                case .number(let n) where n > count: throw .noSuchMessage(n)
                case .last where count == 0: throw .noSuchMessage(0)
                default: break
                }
            }
        }
        return try normalized(largest: count)
    }

    /// UIDs (RFC 3501 §2.3.1.1): `*` is the largest UID in use (0 when empty, matching nothing
    /// in a range like "*"), and numbers beyond it simply match no message. "UID n:*" with n
    /// above the largest UID still matches the largest one (RFC 3501 §6.4.8).
    public func uidRanges(largestUID: UInt32) -> [ClosedRange<UInt32>] {
        (try? normalized(largest: largestUID)) ?? []
    }

    /// Whether `value` is in the set, `*` being `largest`.
    public func contains(_ value: UInt32, largest: UInt32) -> Bool {
        guard let ranges = try? normalized(largest: largest) else { return false }
        return ranges.contains { $0.contains(value) }
    }

    /// A compact set for responses (COPYUID, ESEARCH ALL): ascending values become ranges.
    public init(_ values: some Sequence<UInt32>) {
        let sorted = Array(Set(values)).sorted()
        var ranges: [SequenceRange] = []
        var start: UInt32? = nil
        var previous: UInt32 = 0
        for value in sorted {
            if start != nil, value == previous &+ 1, value != 0 {
                previous = value
                continue
            }
            if let s = start { ranges.append(SequenceRange(.number(s), .number(previous))) }
            start = value
            previous = value
        }
        if let s = start { ranges.append(SequenceRange(.number(s), .number(previous))) }
        self = .ranges(ranges)
    }

    /// A set in the order given, not merged: COPYUID pairs source and destination UIDs by
    /// position (RFC 4315 §3), so "3,1" must stay "3,1".
    public init(orderedValues values: [UInt32]) {
        self = .ranges(values.map { SequenceRange(single: .number($0)) })
    }

    static func merge(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        var result: [ClosedRange<UInt32>] = []
        for range in sorted {
            if let last = result.last, UInt64(range.lowerBound) <= UInt64(last.upperBound) + 1 {
                result[result.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                result.append(range)
            }
        }
        return result
    }
}

// MARK: - Parsing

extension SequenceSet {
    // sequence-set = (seq-number / seq-range) ["," sequence-set] / "$"   ; RFC 3501 §9, RFC 5182 §3
    // seq-range    = seq-number ":" seq-number
    // seq-number   = nz-number / "*"
    // nz-number    = digit-nz *DIGIT    ; (0 < n < 4,294,967,296)
    /// Parses a whole sequence set; nil when any element is malformed (0, leading zero, overflow,
    /// empty element).
    public init?(parsing bytes: some Collection<UInt8>) {
        let bytes = Array(bytes)
        if bytes == [UInt8(ascii: "$")] {
            self = .savedResult
            return
        }
        guard !bytes.isEmpty else { return nil }
        var ranges: [SequenceRange] = []
        for element in bytes.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            let ends = element.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            guard ends.count == 1 || ends.count == 2 else { return nil }
            guard let first = Self.number(ends[0]) else { return nil }
            if ends.count == 1 {
                ranges.append(SequenceRange(single: first))
            } else {
                guard let second = Self.number(ends[1]) else { return nil }
                ranges.append(SequenceRange(first, second))
            }
        }
        self = .ranges(ranges)
    }

    private static func number(_ bytes: ArraySlice<UInt8>) -> SequenceNumber? {
        if bytes.count == 1, bytes.first == UInt8(ascii: "*") { return .last }
        guard let value = IMAPGrammar.nzNumber(bytes) else { return nil }
        return .number(value)
    }
}
