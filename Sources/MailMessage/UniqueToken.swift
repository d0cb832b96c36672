/// 128 random bits as 32 lower-case hex digits, for what must not repeat in the messages Tresor
/// writes itself: a MIME boundary (RFC 2046 §5.1.1: it must not occur in the parts it
/// encloses) and the left side of a Message-ID (RFC 5322 §3.6.4: unique worldwide).
public enum UniqueToken {
    public static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }
}
