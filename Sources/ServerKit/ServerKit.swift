// ServerKit: what the protocol servers (SMTP, POP3, IMAP, ManageSieve) share.
//
// Invariants:
// - Nothing here knows a protocol's grammar. Framing (`CRLFFramer`), SASL decoding, base64,
//   TLS contexts, the generic `Listener` and the STARTTLS upgrade are protocol-neutral.
// - Bytes, not Strings, on the wire: framing works on `ByteBuffer`; bare LF and bare CR are
//   rejected, never repaired (SMTP smuggling, CVE-2023-51764).
// - Every buffer is bounded: a line longer than its limit is discarded, not accumulated.
// - Nothing here blocks an event loop. File I/O (certificates) happens once at start-up,
//   before any loop serves a client.
// - STARTTLS refuses plaintext the client pipelined after the command (CVE-2011-0411).
