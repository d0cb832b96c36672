import Foundation

/// The messages `tresor-bench imap --load-messages` delivers, and the ten words it searches for
/// by default. Message i is the same bytes in every run (a seeded generator, a fixed date), so
/// two servers filled by two runs hold the same text. Filler words come from a vocabulary that
/// contains none of the search words, not even as a substring (IMAP SEARCH TEXT matches
/// substrings, RFC 9051 §6.4.4), so each word is found in exactly the messages given below.
enum IMAPBenchMailbox {
    /// A search word and the messages that contain it: index % every == 0 (every 0: none).
    struct Word: Sendable {
        var word: String
        var every: Int
        /// Messages of 0..<count that contain the word.
        func occurrences(in count: Int) -> Int { every == 0 ? 0 : (count + every - 1) / every }
    }

    /// One very common word, four medium, four rare, one absent. With loadgen.py's messages
    /// instead, `delivery` is in all, `report` in 1/10 (Subject), `zebracorn` in 1/100,
    /// `milestone`, `invoice`, `roadmap` in nearly all (its vocabulary), the rest in none.
    static let words: [Word] = [
        Word(word: "delivery", every: 1),
        Word(word: "milestone", every: 2),
        Word(word: "invoice", every: 3),
        Word(word: "report", every: 10),       // in the Subject, as loadgen.py does
        Word(word: "roadmap", every: 25),
        Word(word: "zebracorn", every: 100),
        Word(word: "quokka", every: 500),
        Word(word: "tamarind", every: 2000),
        Word(word: "xylograph", every: 10000),
        Word(word: "qwxzvnotthere", every: 0),
    ]

    static let filler = """
        alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar
        papa quebec romeo sierra tango uniform victor whiskey yankee zulu account agenda answer archive
        budget calendar client contract customer deadline design draft estimate feature forecast issue
        launch ledger meeting minutes network office order payment planning policy pricing product
        project proposal quarter question release request revenue schedule server service shipment
        status summary support supplier team ticket timeline travel update vendor version weekly the
        and for with that this have will please thanks regards attached below above note soon today
        """.split(whereSeparator: \.isWhitespace).map(String.init)

    /// Message `index` (0-based) of about `size` bytes, CRLF line ends, not yet dot-stuffed.
    static func message(_ index: Int, size: Int, from: String, to: String) -> [UInt8] {
        let subject = index % 10 == 0 ? "Weekly report \(index)" : "Benchmark message \(index)"
        var text = """
            From: IMAP Bench <\(from)>\r
            To: <\(to)>\r
            Subject: \(subject)\r
            Date: Mon, 1 Jan 2024 12:00:00 +0000\r
            Message-ID: <imapbench.\(index)@bench.test>\r
            \r

            """
        var body = words.filter { $0.every > 0 && $0.word != "report" && index % $0.every == 0 }.map(\.word)
        var random = SplitMix64(seed: UInt64(index) &+ 0x1D_B7A5)
        var length = text.utf8.count + body.reduce(0) { $0 + $1.utf8.count + 1 }
        while length < size {
            let word = filler[Int(random.next() % UInt64(filler.count))]
            body.append(word)
            length += word.utf8.count + 1
        }
        // The search words sit at seeded places among the filler, not all on the first line.
        for position in body.indices.reversed() {
            body.swapAt(position, Int(random.next() % UInt64(position + 1)))
        }
        var line = ""
        for word in body {
            if !line.isEmpty && line.utf8.count + 1 + word.utf8.count > 72 {
                text += line + "\r\n"
                line = ""
            }
            line += line.isEmpty ? word : " " + word
        }
        if !line.isEmpty { text += line + "\r\n" }
        return Array(text.utf8)
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): a tiny seeded generator, the same numbers everywhere.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
