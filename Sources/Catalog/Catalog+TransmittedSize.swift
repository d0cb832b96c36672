import GRDB

/// The size of a message as IMAP sends it: every line ending in CRLF. RFC 3501 §2.3.4 counts
/// RFC822.SIZE "in RFC 5322 format" (CRLF line ends), and a stored message may have bare LFs (an
/// imported mbox, an APPEND from a Unix client), so RFC822.SIZE and the length of BODY[] agree only
/// when both count a CR before every bare LF. `IMAPMessageEncoding.transmittedSize(of:)` in
/// IMAPServer counts the same (the catalog cannot import it; the MailServer tests compare the two).
///
/// Kept in `mailbox_message.transmitted_size` (schema "v5"), computed once when a message is
/// placed, so that SELECT never reads bodies to learn sizes.
public enum TransmittedSize {
    /// The octets of `raw` once each LF not preceded by CR has a CR before it.
    public static func of(_ raw: [UInt8]) -> Int {
        raw.withUnsafeBufferPointer { bytes in
            var size = bytes.count
            var previous: UInt8 = 0
            for byte in bytes {
                if byte == 0x0A, previous != 0x0D { size += 1 }
                previous = byte
            }
            return size
        }
    }
}

extension CatalogMailboxes {
    /// Stores the transmitted sizes of bodies placed before schema "v5", by SHA-256: bodies are
    /// content-addressed, so one size is right for every placement of the same hash (archived or
    /// draft). Rows that already have a size are left alone. One transaction.
    public func recordTransmittedSizes(_ sizes: [String: Int]) async throws {
        guard !sizes.isEmpty else { return }
        try await pool.write { db in
            let update = try db.cachedStatement(sql: """
                UPDATE mailbox_message SET transmitted_size = ? WHERE sha256 = ? AND transmitted_size IS NULL
                """)
            for (sha256, size) in sizes {
                try update.execute(arguments: [size, sha256.lowercased()])
            }
        }
    }
}
