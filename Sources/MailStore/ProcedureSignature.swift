import Crypto

/// report.sig of the procedure report: what the archive key signs, one `name value` line each —
/// the SHA-256 of report.md and report.html and the signing key — followed by `signature HEX`
/// over exactly those lines.
public enum ProcedureSignature {
    public static func signedText(markdown: [UInt8], html: [UInt8], publicKey: String) -> String {
        "tresor-procedure-report 1\n"
            + "report.md \(Hex.string(SHA256.hash(data: markdown)))\n"
            + "report.html \(Hex.string(SHA256.hash(data: html)))\n"
            + "key \(publicKey)\n"
    }
}
