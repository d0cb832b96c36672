// ServerKit: what the protocol servers (SMTP, POP3, ManageSieve, IMAP) share — the connection shell.
//
// Invariants:
// - Nothing here knows a protocol's grammar. Framing (`CRLFFramer`), SASL decoding, base64,
//   TLS contexts, the `Listener`, the `ConnectionShell` and the STARTTLS upgrade are
//   protocol-neutral; a protocol plugs in its framer (`InboundFramer`), its session and the glue
//   from the session's actions to the shell (`ProtocolConnection`).
// - Bytes, not Strings, on the wire: framing works on `ByteBuffer`; bare LF and bare CR are
//   rejected, never repaired (SMTP smuggling, CVE-2023-51764).
// - Every buffer is bounded: a line longer than its limit is discarded, not accumulated.
// - Every connection is bounded: per client address and in total (`ConnectionLimiter`, counted
//   over all listeners that share it), in silence (the idle timeout) and in slowness (a command
//   must arrive whole by its `CommandDeadline`, which later bytes do not extend).
// - Nothing here blocks an event loop or sleeps: timeouts are timers (`TimerSource`). File I/O
//   (certificates) happens once at start-up, before any loop serves a client.
// - STARTTLS refuses plaintext the client pipelined after the command (CVE-2011-0411).
