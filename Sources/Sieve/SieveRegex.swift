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

    /// Compiles `pattern`; nil if it is not a valid extended regular expression.
    init?(_ pattern: String, comparator: SieveComparator) {
        guard !pattern.utf8.contains(0) else { return nil }
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
