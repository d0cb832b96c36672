// ManageSieveServer: RFC 5804 remote management of Sieve scripts over SwiftNIO (CAPABILITY,
// STARTTLS, AUTHENTICATE PLAIN, the script commands and UNAUTHENTICATE), without storage and
// without the Sieve language.
//
// Invariants:
// - Framing (`ManageSieveCommandFramer`: CRLF lines and `{n+}` literals), the grammar
//   (`ManageSieveCommand`), the session rules (`ManageSieveSession`) and the wire encoding
//   (`ManageSieveResponse`) are pure values: no I/O, no clock, no NIO channel.
//   `ManageSieveConnection` is the only code that reads and writes sockets, and it only carries
//   out the session's actions.
// - Scripts, accounts and the Sieve compiler are behind `ManageSieveBackend`; this module never
//   imports MailStore or Sieve. Script names are checked (RFC 5804 §1.6) before the backend sees
//   them; script bytes reach it unchanged (valid UTF-8 only) and leave it unchanged.
// - Every buffer is bounded: a command line by `maximumLineLength`, a literal by
//   `maximumScriptSize`, the literals of one command by `ManageSieveCommandFramer.maximumLiterals`.
//   A literal over the limit is read and thrown away (never buffered), or, past
//   `literalDiscardLimit`, the connection is closed.
// - The octets of a literal are never read as commands, whatever happens to the command.
// - Plaintext passwords only over TLS (or from loopback when configured); plaintext pipelined
//   after STARTTLS closes the connection (CVE-2011-0411).
// - Logs carry no script content and no credentials.
