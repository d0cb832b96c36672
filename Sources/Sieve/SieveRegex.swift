#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `:regex` key (draft-ietf-sieve-regex-01 §3, as Pigeonhole implements it): a POSIX extended
/// regular expression (IEEE Std 1003.2 §2.8.4, via the C library's `regcomp`), unanchored, case
/// folded under "i;ascii-casemap" and exact under "i;octet". A successful match yields `${0}` (the
/// matched text) and the first nine groups as `${1}`…`${9}` (draft §4; an unset group is "").
///
/// Bytes, not characters: the C library runs in the "C" locale here, so "." matches one octet.
/// A key with a NUL character is refused (a pattern is a C string).
final class SieveRegex {
    private let compiled: UnsafeMutablePointer<regex_t>

    /// Compiles `pattern`; nil if it is not a valid extended regular expression, or one this
    /// implementation refuses (`boundsProblem`).
    init?(_ pattern: String, comparator: SieveComparator) {
        guard !pattern.utf8.contains(0), Self.boundsProblem(in: pattern) == nil else { return nil }
        let regex = UnsafeMutablePointer<regex_t>.allocate(capacity: 1)
        var flags = REG_EXTENDED
        if comparator == .asciiCasemap { flags |= REG_ICASE }
        // Compiled before `self` is complete: a failed init must not run `deinit`.
        guard regcomp(regex, pattern, flags) == 0 else {
            regex.deallocate()
            return nil
        }
        compiled = regex
    }

    /// Compile-time check of a constant key: nil when `pattern` compiles, else the C library's
    /// description of the problem (for the `line:column: message` of `rules check`).
    static func compileProblem(in pattern: String) -> String? {
        if let problem = boundsProblem(in: pattern) { return problem }
        var regex = regex_t()
        let status = regcomp(&regex, pattern, REG_EXTENDED | REG_NOSUB)
        guard status != 0 else {
            regfree(&regex)
            return nil
        }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = regerror(status, &regex, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        regfree(compiled)
        compiled.deallocate()
    }

    /// The whole match and the nine first groups when `text` matches, else nil. The text is
    /// given by its bounds (`REG_STARTEND`, in glibc and the BSDs), so a NUL byte in a body
    /// does not end it early; it is still followed by a NUL, because `regexec` takes a C string
    /// and whatever reads it as one (AddressSanitizer's interceptor does) must find its end
    /// inside the buffer.
    func match(_ text: String) -> [String]? {
        var bytes = Array(text.utf8)
        let length = bytes.count
        bytes.append(0)
        let groupCount = 10
        var groups = [regmatch_t](repeating: regmatch_t(), count: groupCount)
        groups[0].rm_so = 0
        groups[0].rm_eo = regoff_t(length)
        let status = bytes.withUnsafeBufferPointer { buffer -> Int32 in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { start in
                regexec(compiled, start, groupCount, &groups, REG_STARTEND)
            }
        }
        guard status == 0 else { return nil }
        return groups.map { group in
            let start = Int(group.rm_so)
            let end = Int(group.rm_eo)
            guard start >= 0, end >= start, end <= length else { return "" }
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }
    }
}

// MARK: - Bounds

extension SieveRegex {
    /// How large a pattern may become once its intervals are expanded, in positions (characters,
    /// bracket expressions, `.`). glibc's `regcomp` copies an atom once per count of its interval,
    /// so nested intervals multiply: `((a{1,255}){1,255}){1,255}`, 27 bytes, would be 16 million
    /// positions, minutes of `regcomp` and gigabytes, in ManageSieve's PUTSCRIPT or at delivery.
    /// `regexec` then takes up to one step per position for each byte of text. Filters need a few
    /// hundred positions at most.
    static let maximumPositions = 2_048

    /// Why `pattern` is refused before `regcomp` sees it, or nil:
    /// - a back-reference (`\1`…`\9`): not part of POSIX extended regular expressions (IEEE Std
    ///   1003.2 §2.8.4, only basic ones have them); glibc accepts them in ERE as an extension, and
    ///   matches them by backtracking, which takes exponential time (`(.*)(.*)(.*)\3\2\1x` over a
    ///   2 KB subject runs for minutes);
    /// - more than `maximumPositions` positions once intervals are expanded.
    static func boundsProblem(in pattern: String) -> String? {
        let bytes = Array(pattern.utf8)
        // Positions of the enclosing groups so far, innermost last; and of the atom just read,
        // which a following `*`, `+`, `?` or interval repeats.
        var groups: [Int] = [0]
        var lastAtom = 0
        var index = 0
        func add(_ positions: Int) {
            groups[groups.count - 1] = min(groups[groups.count - 1] + positions, maximumPositions + 1)
            lastAtom = positions
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\\"):
                if index < bytes.count, (UInt8(ascii: "1")...UInt8(ascii: "9")).contains(bytes[index]) {
                    return "back-references are not part of POSIX extended regular expressions"
                }
                index += 1
                add(1)
            case UInt8(ascii: "["):
                index = Self.bracketExpressionEnd(bytes, from: index)
                add(1)
            case UInt8(ascii: "("):
                groups.append(0)
                lastAtom = 0
            case UInt8(ascii: ")") where groups.count > 1:
                add(max(1, groups.removeLast()))
            case UInt8(ascii: "|"):
                lastAtom = 0
            case UInt8(ascii: "*"), UInt8(ascii: "?"):
                break
            case UInt8(ascii: "+"):
                // regcomp makes a+ into a a*, two copies of what `+` repeats; a second `+` repeats
                // that pair, so each `+` in a row doubles the atom (`a+++…`, 80 of them, is 2^80).
                let repeated = lastAtom
                add(repeated)
                lastAtom = min(repeated * 2, maximumPositions + 1)
            case UInt8(ascii: "{"):
                guard let (count, end) = Self.interval(bytes, from: index) else {
                    add(1)
                    continue
                }
                index = end
                let repeated = lastAtom
                add(min(repeated * max(count - 1, 0), maximumPositions + 1))
                lastAtom = min(repeated * max(count, 1), maximumPositions + 1)
            default:
                add(1)
            }
            if groups[groups.count - 1] > maximumPositions {
                return "the pattern is too large once its repetitions are expanded (more than \(maximumPositions) positions)"
            }
        }
        let total = groups.reduce(0) { min($0 + $1, maximumPositions + 1) }
        if total > maximumPositions {
            return "the pattern is too large once its repetitions are expanded (more than \(maximumPositions) positions)"
        }
        return nil
    }

    /// `{m}`, `{m,}` or `{m,n}` starting after the `{` at `start`: how many copies `regcomp` makes
    /// (n, or m + 1 for `{m,}`) and where the interval ends; nil when it is not an interval.
    private static func interval(_ bytes: [UInt8], from start: Int) -> (Int, Int)? {
        var index = start
        func number() -> Int? {
            var value: Int?
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                value = min((value ?? 0) * 10 + Int(bytes[index] - UInt8(ascii: "0")), 1 << 20)
                index += 1
            }
            return value
        }
        guard let low = number() else { return nil }
        var high = low
        if index < bytes.count, bytes[index] == UInt8(ascii: ",") {
            index += 1
            high = number() ?? low + 1
        }
        guard index < bytes.count, bytes[index] == UInt8(ascii: "}") else { return nil }
        return (max(low, high), index + 1)
    }

    /// The index after the `]` closing a bracket expression whose `[` was just before `start`:
    /// a leading `^` and a `]` first in the list are members, as are `[:class:]`, `[=x=]`, `[.x.]`.
    private static func bracketExpressionEnd(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start
        if index < bytes.count, bytes[index] == UInt8(ascii: "^") { index += 1 }
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1 }
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "["), index + 1 < bytes.count,
                [UInt8(ascii: ":"), UInt8(ascii: "="), UInt8(ascii: ".")].contains(bytes[index + 1])
            {
                let delimiter = bytes[index + 1]
                index += 2
                while index + 1 < bytes.count, !(bytes[index] == delimiter && bytes[index + 1] == UInt8(ascii: "]")) {
                    index += 1
                }
                index += 2
                continue
            }
            if bytes[index] == UInt8(ascii: "]") { return index + 1 }
            index += 1
        }
        return index
    }
}
