// SMTPServer: RFC 5321 receiving and submission over SwiftNIO, without storage.
//
// Invariants:
// - The grammar (`SMTPCommand`), the session rules (`SMTPSession`) and the DATA decoder
//   (`SMTPDataDecoder`) are pure values: no I/O, no clock, no NIO channel. `SMTPConnection`
//   is the only code that reads and writes sockets, and it only carries out their actions.
// - Storage and accounts are behind `SMTPBackend`; this module never imports MailStore.
//   `deliver` is called once per transaction, with `Return-Path:` and `Received:` prepended,
//   and its reply is what the client gets: 250 only when the backend says it is durable.
// - Replies go out in command order (RFC 2920 §3) and are flushed before the server waits
//   for more input, so a pipelining client never waits on a reply we hold back.
// - Bare LF and bare CR are never taken as line ends (RFC 5321 §2.3.8; CVE-2023-51764). In
//   a command they draw 500; inside DATA the message is refused with 521 and the connection
//   closed, because the client's idea of where the message ends is no longer knowable.
// - Plaintext pipelined after STARTTLS closes the connection (CVE-2011-0411).
// - Logs carry no bodies and no credentials: one .info line per transaction (id, client,
//   from, recipients, size, result).
