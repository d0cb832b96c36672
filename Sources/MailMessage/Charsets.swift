#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Character sets named in MIME (RFC 2045 §5.1 `charset`, RFC 2047 §2, RFC 2231 §4) decoded to
/// `String`.
///
/// Invariants:
/// - UTF-8, US-ASCII and ISO-8859-1 are decoded in Swift; everything else goes through the C
///   library's iconv, opened per call (an `iconv_t` is not `Sendable`, so none is cached).
/// - A charset name never reaches iconv unless it is a short run of `[A-Za-z0-9-_.:()]`, so a
///   header cannot smuggle iconv options such as `//TRANSLIT` into the call.
/// - Where the IANA name denotes a strict subset of what mailers actually send under that label
///   (GB2312, Shift_JIS, EUC-KR, Big5, ISO-2022-JP), the Microsoft or later superset is used: every
///   valid text in the label's charset decodes to the same characters.
public enum Charsets {
    /// Decodes `bytes` in the charset named `charset` (case-insensitive, with common aliases).
    /// Returns nil if the charset is unknown or the bytes are not valid in it.
    public static func decode(_ bytes: some Collection<UInt8>, charset: String) -> String? {
        guard let known = Charset(name: charset) else { return nil }
        return known.decode(Array(bytes))
    }

    /// Never fails: tries `charset`, then UTF-8, then Windows-1252 (in which every byte maps,
    /// the five undefined positions to the C1 controls as WHATWG Encoding §9 does).
    public static func decodeLossy(_ bytes: some Collection<UInt8>, charset: String?) -> String {
        let array = Array(bytes)
        if let charset, let known = Charset(name: charset), let text = known.decode(array) {
            return text
        }
        if let text = String(validating: array, as: UTF8.self) { return text }
        return windows1252(array)
    }

    /// Windows-1252 with every byte mapped (0x81, 0x8D, 0x8F, 0x90, 0x9D to U+0081…).
    static func windows1252(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.reserveCapacity(bytes.count)
        for byte in bytes {
            if byte >= 0x80, byte < 0xA0 {
                scalars.append(Unicode.Scalar(windows1252High[Int(byte - 0x80)]) ?? Unicode.Scalar(byte))
            } else {
                scalars.append(Unicode.Scalar(byte))
            }
        }
        return String(scalars)
    }

    /// Latin-1: byte n is U+00nn (RFC 1345; ISO/IEC 8859-1 plus the C1 controls).
    static func latin1(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.reserveCapacity(bytes.count)
        for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }

    /// Windows-1252 0x80…0x9F (Microsoft's published table; undefined slots keep the C1 control).
    private static let windows1252High: [UInt32] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]
}

/// A charset label resolved to how we decode it.
enum Charset: Hashable, Sendable {
    case utf8
    case ascii
    case latin1
    /// Decoded by iconv under this (iconv) name.
    case iconv(String)

    /// Resolves a MIME charset label (RFC 2978 names and the aliases real mailers use).
    /// Returns nil for names that are empty, too long, contain unexpected characters, or that iconv
    /// does not know.
    init?(name raw: String) {
        var name = raw.utf8.count > 64 ? "" : raw
        name = String(name.unicodeScalars.filter { $0 != "\"" && $0 != "'" && $0 != " " && $0 != "\t" })
        guard !name.isEmpty,
            name.utf8.allSatisfy({ byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
                    UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "("), UInt8(ascii: ")"):
                    return true
                default: return false
                }
            })
        else { return nil }
        let key = name.lowercased()
        if let alias = Charset.aliases[key] {
            self = alias
            return
        }
        // ISO-8859-n in its spellings: iso8859-2, iso_8859-2, iso-8859-2:1987, 8859_2.
        let compact = String(key.unicodeScalars.filter { $0 != "-" && $0 != "_" && $0 != " " })
        for prefix in ["iso8859", "8859"] where compact.hasPrefix(prefix) {
            var number = compact.dropFirst(prefix.count)
            if let colon = number.firstIndex(of: ":") { number = number[..<colon] }
            if let n = Int(number), (1...16).contains(n), n != 12 {
                self = n == 1 ? .latin1 : .iconv("ISO-8859-\(n)")
                return
            }
        }
        // windows-125n, cp125n, x-cp125n, ms-125n.
        for prefix in ["windows", "xcp", "cp", "ms"] where compact.hasPrefix(prefix) {
            if let n = Int(compact.dropFirst(prefix.count)), (1250...1258).contains(n) {
                self = .iconv("CP\(n)")
                return
            }
        }
        let upper = name.uppercased()
        guard IConv.isSupported(upper) else { return nil }
        self = .iconv(upper)
    }

    func decode(_ bytes: [UInt8]) -> String? {
        switch self {
        case .utf8:
            // A byte-order mark is not part of the text (RFC 3629 §6).
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return String(validating: bytes.dropFirst(3), as: UTF8.self) }
            return String(validating: bytes, as: UTF8.self)
        case .ascii:
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            return String(decoding: bytes, as: UTF8.self)
        case .latin1:
            return Charsets.latin1(bytes)
        case .iconv(let name):
            if bytes.allSatisfy({ $0 < 0x80 }), Charset.asciiCompatible.contains(name) {
                return String(decoding: bytes, as: UTF8.self)
            }
            if let text = IConv.decode(bytes, from: name) { return text }
            // Strict ISO-2022-JP-2 rejects the NEC/IBM rows mailers use (CP50221); retry through EUC-JP-MS.
            if name == "ISO-2022-JP-2", let euc = ISO2022JP.transcodeToEUCJP(bytes) {
                return IConv.decode(euc, from: "EUC-JP-MS")
            }
            return nil
        }
    }

    /// iconv names whose pure-ASCII input decodes to the same ASCII (skip iconv for those). Not the
    /// ISO-2022 family, UTF-7 or UTF-16/32: their encoded text is ASCII bytes too.
    private static let asciiCompatible: Set<String> = [
        "CP932", "GB18030", "CP949", "CP950", "BIG5-HKSCS", "EUC-JP", "EUC-JP-MS", "KOI8-R", "KOI8-U",
        "CP1250", "CP1251", "CP1252", "CP1253", "CP1254", "CP1255", "CP1256", "CP1257", "CP1258",
        "ISO-8859-2", "ISO-8859-3", "ISO-8859-4", "ISO-8859-5", "ISO-8859-6", "ISO-8859-7", "ISO-8859-8",
        "ISO-8859-9", "ISO-8859-10", "ISO-8859-11", "ISO-8859-13", "ISO-8859-14", "ISO-8859-15", "ISO-8859-16",
        "TIS-620", "CP874", "CP866", "CP850", "CP437",
    ]

    /// Labels (lowercased) to decoders. IANA "Character Sets" registry names and aliases, plus the
    /// labels mailers are known to emit.
    private static let aliases: [String: Charset] = {
        var table: [String: Charset] = [:]
        func add(_ names: [String], _ charset: Charset) { for name in names { table[name] = charset } }
        add(["utf-8", "utf8", "unicode-1-1-utf-8", "unicode-2-0-utf-8", "x-unicode20utf8", "utf_8"], .utf8)
        add(["us-ascii", "ascii", "us", "ansi_x3.4-1968", "ansi_x3.4-1986", "iso646-us", "iso-ir-6", "cp367",
             "ibm367", "csascii", "646"], .ascii)
        add(["iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "cp819", "ibm819",
             "iso-ir-100", "csisolatin1", "iso_8859-1:1987", "8859-1", "iso88591"], .latin1)
        add(["latin2", "l2", "csisolatin2"], .iconv("ISO-8859-2"))
        add(["latin3", "l3"], .iconv("ISO-8859-3"))
        add(["latin4", "l4"], .iconv("ISO-8859-4"))
        add(["cyrillic", "csisolatincyrillic"], .iconv("ISO-8859-5"))
        add(["arabic", "ecma-114", "asmo-708"], .iconv("ISO-8859-6"))
        add(["greek", "greek8", "ecma-118", "elot_928"], .iconv("ISO-8859-7"))
        add(["hebrew", "iso-8859-8-i", "iso-8859-8-e", "visual", "logical"], .iconv("ISO-8859-8"))
        add(["latin5", "l5"], .iconv("ISO-8859-9"))
        add(["latin6", "l6"], .iconv("ISO-8859-10"))
        add(["latin7", "l7"], .iconv("ISO-8859-13"))
        add(["latin8", "l8"], .iconv("ISO-8859-14"))
        add(["latin9", "l9", "latin-9", "iso-8859-15"], .iconv("ISO-8859-15"))
        add(["latin10", "l10"], .iconv("ISO-8859-16"))
        add(["koi8-r", "koi8r", "cskoi8r", "koi8"], .iconv("KOI8-R"))
        add(["koi8-u", "koi8u", "koi8-ru"], .iconv("KOI8-U"))
        // Shift_JIS as sent is Microsoft's CP932 (NEC and IBM extensions).
        add(["shift_jis", "shift-jis", "sjis", "x-sjis", "s-jis", "ms_kanji", "csshiftjis", "windows-31j",
             "cp932", "ms932", "x-ms-cp932", "shiftjis"], .iconv("CP932"))
        add(["euc-jp", "eucjp", "x-euc-jp", "ujis", "x-euc", "cseucpkdfmtjapanese", "euc_jp"], .iconv("EUC-JP-MS"))
        // ISO-2022-JP-2 is a superset of ISO-2022-JP (RFC 1468) and of RFC 2237's ISO-2022-JP-1.
        add(["iso-2022-jp", "csiso2022jp", "iso2022jp", "iso-2022-jp-1", "iso-2022-jp-2", "csiso2022jp2",
             "jis", "x-iso-2022-jp"], .iconv("ISO-2022-JP-2"))
        add(["iso-2022-jp-3"], .iconv("ISO-2022-JP-3"))
        // GB2312 and GBK mail is decoded as GB18030, their superset.
        add(["gb2312", "gb_2312-80", "csgb2312", "euc-cn", "euccn", "x-euc-cn", "gbk", "cp936", "ms936",
             "windows-936", "x-gbk", "gb18030", "chinese", "csiso58gb231280", "iso-ir-58", "gb2312-80",
             "x-mac-chinesesimp"], .iconv("GB18030"))
        add(["big5", "big-5", "cn-big5", "x-x-big5", "csbig5", "big5-2003", "cp950", "ms950", "x-big5",
             "windows-950"], .iconv("CP950"))
        add(["big5-hkscs", "big5hkscs"], .iconv("BIG5-HKSCS"))
        // EUC-KR and KS C 5601 mail is decoded as CP949 (Unified Hangul Code), their superset.
        add(["euc-kr", "euckr", "cseuckr", "ks_c_5601-1987", "ks_c_5601", "ks_c_5601-1989", "ksc5601",
             "ksc_5601", "korean", "iso-ir-149", "csksc56011987", "cp949", "uhc", "x-windows-949",
             "windows-949", "ms949"], .iconv("CP949"))
        add(["iso-2022-kr", "csiso2022kr"], .iconv("ISO-2022-KR"))
        add(["tis-620", "tis620", "iso-8859-11", "windows-874", "cp874", "x-cp874"], .iconv("CP874"))
        add(["utf-7", "utf7", "unicode-1-1-utf-7", "csunicode11utf7", "x-utf-7"], .iconv("UTF-7"))
        add(["utf-16", "utf16", "ucs-2", "iso-10646-ucs-2", "csunicode"], .iconv("UTF-16"))
        table["utf-16be"] = .iconv("UTF-16BE")
        table["utf-16le"] = .iconv("UTF-16LE")
        table["utf-32"] = .iconv("UTF-32")
        table["utf-32be"] = .iconv("UTF-32BE")
        table["utf-32le"] = .iconv("UTF-32LE")
        add(["ibm866", "cp866", "866", "csibm866"], .iconv("CP866"))
        add(["ibm850", "cp850", "850"], .iconv("CP850"))
        add(["ibm437", "cp437", "437"], .iconv("CP437"))
        add(["macintosh", "mac", "x-mac-roman", "macroman", "csmacintosh"], .iconv("MACINTOSH"))
        add(["x-mac-cyrillic", "maccyrillic"], .iconv("MAC-CYRILLIC"))
        add(["viscii", "csviscii"], .iconv("VISCII"))
        return table
    }()
}

/// The C library's iconv (POSIX.1-2008 `iconv_open`, `iconv`, `iconv_close`), converting to UTF-8.
enum IConv {
    /// Whether iconv can convert from `name` (opens and closes a descriptor).
    static func isSupported(_ name: String) -> Bool {
        let descriptor = iconv_open("UTF-8", name)
        guard Int(bitPattern: descriptor) != -1 else { return false }
        iconv_close(descriptor)
        return true
    }

    /// Converts `bytes` from `name` to UTF-8; nil on an invalid or incomplete sequence.
    static func decode(_ bytes: [UInt8], from name: String) -> String? {
        let descriptor = iconv_open("UTF-8", name)
        guard Int(bitPattern: descriptor) != -1 else { return nil }
        defer { iconv_close(descriptor) }
        if bytes.isEmpty { return "" }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 2 + 16)
        var chunk = [UInt8](repeating: 0, count: Swift.max(64, bytes.count * 3 + 16))
        var input = bytes
        let ok: Bool = input.withUnsafeMutableBufferPointer { inBuffer -> Bool in
            var inPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuffer.baseAddress!)
                .assumingMemoryBound(to: CChar.self)
            var inLeft = inBuffer.count
            var flushed = false
            while true {
                let result: Int = chunk.withUnsafeMutableBufferPointer { outBuffer -> Int in
                    var outPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuffer.baseAddress!)
                        .assumingMemoryBound(to: CChar.self)
                    var outLeft = outBuffer.count
                    let status: Int
                    if inLeft > 0 {
                        status = iconv(descriptor, &inPointer, &inLeft, &outPointer, &outLeft)
                    } else {
                        // Flush: a stateful encoding (ISO-2022-JP) may owe a final shift sequence.
                        status = iconv(descriptor, nil, nil, &outPointer, &outLeft)
                    }
                    let produced = outBuffer.count - outLeft
                    output.append(contentsOf: outBuffer[0..<produced])
                    return status == -1 ? Int(errno) : 0
                }
                if result == E2BIG { continue }
                if result != 0 { return false }  // EILSEQ (invalid) or EINVAL (truncated at the end)
                if inLeft == 0 {
                    if flushed { return true }
                    flushed = true
                }
            }
        }
        guard ok else { return nil }
        return String(validating: output, as: UTF8.self)
    }
}
