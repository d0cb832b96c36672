// IMAPServer: RFC 3501 (IMAP4rev1) and RFC 9051 (IMAP4rev2) with the extensions a modern
// client expects, without storage.
//
// This first layer is the protocol as pure values over bytes:
// - `IMAPCommandParser` frames commands incrementally (lines and literals, RFC 3501 §4.3,
//   RFC 7888, RFC 3516) and turns each complete one into an `IMAPCommand` (the grammar of
//   RFC 3501 §9 / RFC 9051 §9, one parse function per production).
// - `IMAPResponse` and `IMAPResponseEncoder` are the server's side of the grammar: bytes out.
// - `MailboxName` is the modified UTF-7 / UTF8=ACCEPT codec and the name policy.
// - `IMAPEnvelope`, `IMAPBodyStructure` and `IMAPBodySection` turn a parsed `Message` into
//   what FETCH returns.
//
// Invariants:
// - No I/O, no clock, no NIO channel in any of these types; the session drives them.
// - Every limit is in `IMAPLimits`. A literal larger than the limit is refused when it is
//   announced, before a byte of it is buffered; a synchronizing one never gets "+".
// - A bad command never ends the session: the parser skips to the end of that command and
//   reports an error with the tag when it could read one. Only a non-synchronizing literal
//   that cannot be accepted ends the connection (the client has committed to sending it).
// - Wire text is bytes; Strings appear only for names, keywords and human text.
