// POP3Server: RFC 1939 mail download over SwiftNIO, with RFC 2449 (CAPA, response codes),
// RFC 2595 (STLS) and RFC 5034 (AUTH PLAIN), without storage.
//
// Invariants:
// - The grammar (`POP3Command`), the session rules (`POP3Session`) and the message encoding
//   (`POP3MessageEncoding`) are pure values: no I/O, no clock, no NIO channel. `POP3Connection`
//   is the only code that reads and writes sockets, and it only carries out their actions.
// - Accounts and maildrops are behind `POP3Backend`; this module never imports MailStore.
// - Deletions are handed to the backend only on QUIT in the TRANSACTION state (RFC 1939 §6,
//   the UPDATE state). A dropped connection, a timeout or a shutdown deletes nothing.
// - The maildrop a session opened is closed (its lock released) however the connection ends.
// - Bare LF and bare CR in commands are never taken as line ends (the `CRLFFramer` rules).
// - Plaintext pipelined after STLS closes the connection (CVE-2011-0411).
// - Logs carry no message bytes and no credentials.
