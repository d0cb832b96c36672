#!/usr/bin/env python3
"""Records a reference IMAP server's ENVELOPE and BODYSTRUCTURE for every corpus message.

Writes dovecot-envelope-bodystructure.jsonl (and dovecot-envelope-bodystructure.README.md)
beside this script, for a test that compares Tresor's FETCH answers with Dovecot's,
message by message. Python 3 standard library only.

Usage (the peer servers of ../shared/peers running, see its README):
    python3 record-dovecot.py [--corpus DIR] [--host 127.0.0.1 --port 1143]
                              [--user bob@peer.test --password secret]
                              [--mailbox TresorFixtures] [--keep] [--out FILE]

What it does:
1. Enumerates the corpus: every rfc822/*.eml (the whole file), then every mbox/*.mbox split
   into messages the way MailMessage's MboxReader does with mboxrd unescaping (the default):
   the "From " separator line and the one empty line before the next separator are not part
   of a message, and one ">" is removed from body lines matching ^>+From (RFC 4155 section 2).
   One difference: the empty line after the LAST message of a file is dropped too (the corpus
   README says every message is followed by one; manifest.tsv's sha256 excludes it), whereas
   MboxReader keeps it. So every sha256_original here equals manifest.tsv's sha256.
   Keys: "rfc822/NAME.eml" and "mbox/NAME.mbox#INDEX", INDEX 0-based as in CorpusTests.swift
   (manifest.tsv numbers mbox members from 1: manifest "#n" is index n-1 here).
2. Messages whose bytes contain NUL or a bare CR (CR not followed by LF) are not appended:
   an IMAP literal in APPEND cannot carry NUL (RFC 3501 section 4.3; RFC 9051 section 4.3),
   and a bare CR is not a line end of RFC 5322 section 2.3, so what a server stores for it
   would not be these bytes. They get a line with "skip" (the reason) and no answers.
3. Every other message: bare LF becomes CRLF (the line end IMAP requires, RFC 3501 section
   2.2; existing CRLF is kept), the result is APPENDed to a freshly created mailbox, and its
   UID is read from the APPENDUID response code (RFC 4315 section 3).
4. One "UID FETCH 1:* (ENVELOPE BODYSTRUCTURE RFC822.SIZE)", whose answers are reassembled
   byte for byte from imaplib's pieces (a literal arrives as a tuple: the line up to "{n}",
   then the n bytes; the CRLF that ends the "{n}" line is put back).
5. The mailbox is deleted again unless --keep is given.

Output: JSON Lines sorted by (file, index), one object per message:
    file              path relative to the corpus root ("rfc822/x.eml", "mbox/y.mbox")
    index             0-based member index (mbox members only)
    key               "rfc822/x.eml" or "mbox/y.mbox#INDEX"
    sha256_original   SHA-256 (hex) of the message bytes as enumerated in step 1
    size_original     their length
    leading_from_line true when an .eml file begins with an mbox "From " line (kept, appended)
    sha256_appended   SHA-256 of the bytes sent in APPEND (after bare LF -> CRLF)
    size_appended     their length
    rfc822_size       Dovecot's RFC822.SIZE
    envelope          Dovecot's ENVELOPE value exactly as on the wire, from its "(" to its
    bodystructure     ")"; literals stay inline in their wire form "{n}\\r\\n<n bytes>".
                      Text when those bytes are valid UTF-8; otherwise the field is named
                      envelope_base64 / bodystructure_base64 and holds the bytes in base64.
    skip              (instead of the answers) why the message was not appended
    append_refused    (instead of the answers) the server's tagged NO/BAD text for APPEND
"""

import argparse
import base64
import datetime
import gzip
import hashlib
import imaplib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "dovecot-envelope-bodystructure.jsonl"
README_NAME = "dovecot-envelope-bodystructure.README.md"
GZIP_ABOVE = 5 * 1024 * 1024
BARE_LF = re.compile(rb"(?<!\r)\n")
BARE_CR = re.compile(rb"\r(?!\n)")
APPENDUID = re.compile(rb"\[APPENDUID (\d+) (\d+)\]", re.IGNORECASE)
LITERAL_AT_END = re.compile(rb"\{(\d+)\}$")


def default_corpus():
    env = os.environ.get("TRESOR_CORPUS")
    if env:
        return Path(env)
    # Tests/IMAPServerTests/Fixtures -> the checkout -> its parent -> shared/corpus
    return HERE.parents[2].parent / "shared" / "corpus"


# ---------------------------------------------------------------------------------------------
# Corpus enumeration


def split_mbox(data):
    """Yields the messages of an mbox, with the semantics of MailMessage's MboxReader(.mboxrd)."""
    position = 0
    while position < len(data) and data[position] in (0x0A, 0x0D):
        position += 1

    def line_end(start):
        newline = data.find(b"\n", start)
        return len(data) if newline < 0 else newline + 1

    def content_end(start, end):
        e = end
        if e > start and data[e - 1] == 0x0A:
            e -= 1
        if e > start and data[e - 1] == 0x0D:
            e -= 1
        return e

    while position < len(data):
        body_start = position
        if data.startswith(b"From ", position):
            body_start = line_end(position)
        line_start = body_start
        previous_empty = False
        message_end = next_start = len(data)
        while line_start < len(data):
            if previous_empty and data.startswith(b"From ", line_start):
                next_start = line_start
                message_end = content_end(0, line_start)  # drops the empty line's own end
                break
            end = line_end(line_start)
            previous_empty = content_end(line_start, end) == line_start
            line_start = end
        if next_start == len(data):
            # The last message is followed by the same one empty line (corpus README, "Formats";
            # manifest.tsv's sha256 excludes it). MboxReader keeps it at the end of the data.
            if data.endswith(b"\n\n", body_start):
                message_end -= 1
            elif data.endswith(b"\n\r\n", body_start):
                message_end -= 2
        position = next_start
        yield unescape_mboxrd(data[body_start:max(body_start, message_end)])


def unescape_mboxrd(raw):
    """Removes one ">" from every line matching ^>+From (RFC 4155 section 2, mboxrd)."""
    lines = raw.split(b"\n")
    for i, line in enumerate(lines):
        stripped = line.lstrip(b">")
        if len(stripped) < len(line) and stripped.startswith(b"From "):
            lines[i] = line[1:]
    return b"\n".join(lines)


def corpus_messages(corpus):
    """(file, index or None, bytes) in output order: by file name, then by index."""
    messages = []
    for path in sorted((corpus / "rfc822").glob("*.eml")):
        messages.append(("rfc822/" + path.name, None, path.read_bytes()))
    for path in sorted((corpus / "mbox").glob("*.mbox")):
        for index, message in enumerate(split_mbox(path.read_bytes())):
            messages.append(("mbox/" + path.name, index, message))
    messages.sort(key=lambda m: (m[0], -1 if m[1] is None else m[1]))
    return messages


def key_of(file, index):
    return file if index is None else f"{file}#{index}"


def cannot_append(raw):
    """Why APPEND cannot carry these bytes unchanged, or None."""
    reasons = []
    if b"\x00" in raw:
        nul = raw.count(b"\x00")
        reasons.append(f"contains NUL ({nul} bytes; an IMAP literal cannot carry NUL)")
    bare_cr = len(BARE_CR.findall(raw))
    if bare_cr:
        reasons.append(f"contains bare CR ({bare_cr} not followed by LF; not an RFC 5322 line end)")
    return "; ".join(reasons) or None


# ---------------------------------------------------------------------------------------------
# IMAP response bytes


def reassemble(data):
    """imaplib's untagged FETCH data -> list of whole responses (bytes, "{n}\\r\\n" inline).

    imaplib returns a response without literals as one bytes item; a response with literals as
    one tuple (line up to and including "{n}", literal bytes) per literal, then the rest of the
    last line as bytes. The CRLF after each "{n}" was consumed by imaplib and is put back."""
    responses = []
    current = None
    for item in data:
        if isinstance(item, tuple):
            head, literal = item
            if not LITERAL_AT_END.search(head):
                raise ValueError(f"tuple head does not end in a literal: {head[:80]!r}")
            current = (current or b"") + head + b"\r\n" + literal
        elif item is None:
            continue
        elif current is not None:
            responses.append(current + item)
            current = None
        else:
            responses.append(item)
    if current is not None:
        raise ValueError("FETCH data ended inside a response")
    return responses


class Scanner:
    """Finds the extent of IMAP values (RFC 3501 section 9 / RFC 9051 section 9 grammar)."""

    def __init__(self, data, position=0):
        self.data = data
        self.pos = position

    def peek(self):
        return self.data[self.pos:self.pos + 1]

    def expect(self, byte):
        if self.peek() != byte:
            raise ValueError(f"expected {byte!r} at {self.pos}: {self.data[self.pos:self.pos + 60]!r}")
        self.pos += 1

    def skip_value(self):
        """Moves past one value; returns its (start, end)."""
        start = self.pos
        c = self.peek()
        if c == b"(":
            self.pos += 1
            while self.peek() != b")":
                if self.pos >= len(self.data):
                    raise ValueError("unterminated list")
                if self.peek() == b" ":
                    self.pos += 1
                    continue
                self.skip_value()
            self.pos += 1
        elif c == b'"':
            self.pos += 1
            while True:
                if self.pos >= len(self.data):
                    raise ValueError("unterminated quoted string")
                b = self.data[self.pos]
                if b == 0x5C:  # backslash quotes the next character
                    self.pos += 2
                    continue
                self.pos += 1
                if b == 0x22:
                    break
        elif c in (b"{", b"~"):
            match = re.compile(rb"~?\{(\d+)\+?\}\r\n").match(self.data, self.pos)
            if not match:
                raise ValueError(f"bad literal at {self.pos}")
            self.pos = match.end() + int(match.group(1))
        else:
            while self.pos < len(self.data) and self.data[self.pos:self.pos + 1] not in (b" ", b")", b"("):
                # an atom may carry a section, as in BODY[HEADER]: keep brackets inside the atom
                if self.data[self.pos:self.pos + 1] == b"[":
                    close = self.data.index(b"]", self.pos)
                    self.pos = close + 1
                    continue
                self.pos += 1
            if self.pos == start:
                raise ValueError(f"empty value at {start}")
        return start, self.pos


def fetch_attributes(response):
    """'<seq> (NAME value NAME value ...)' -> {NAME: raw value bytes}."""
    space = response.index(b" ")
    scanner = Scanner(response, space + 1)
    scanner.expect(b"(")
    attributes = {}
    while True:
        if scanner.peek() == b" ":
            scanner.pos += 1
        if scanner.peek() == b")":
            break
        name_start, name_end = scanner.skip_value()
        scanner.expect(b" ")
        value_start, value_end = scanner.skip_value()
        attributes[response[name_start:name_end].upper().decode("ascii")] = response[value_start:value_end]
    return attributes


def store_bytes(entry, name, value):
    try:
        entry[name] = value.decode("utf-8")
    except UnicodeDecodeError:
        entry[name + "_base64"] = base64.b64encode(value).decode("ascii")


# ---------------------------------------------------------------------------------------------
# Recording


def dovecot_version(override):
    if override:
        return override
    try:
        return subprocess.run(["dovecot", "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def check(typ, data, what):
    if typ != "OK":
        raise SystemExit(f"{what} failed: {typ} {data!r}")


def record(args):
    corpus = Path(args.corpus)
    if not (corpus / "rfc822").is_dir():
        raise SystemExit(f"no corpus at {corpus} (set --corpus or TRESOR_CORPUS)")
    messages = corpus_messages(corpus)
    if args.limit:
        messages = messages[:args.limit]

    imap = imaplib.IMAP4(args.host, args.port, timeout=120)
    check(*imap.login(args.user, args.password), "LOGIN")
    typ, _ = imap.select(args.mailbox)
    if typ == "OK":
        imap.close()
        check(*imap.delete(args.mailbox), "DELETE old mailbox")
    check(*imap.create(args.mailbox), "CREATE")

    entries = []
    by_uid = {}
    skipped = []
    refused = []
    for n, (file, index, raw) in enumerate(messages):
        entry = {"file": file}
        if index is not None:
            entry["index"] = index
        entry["key"] = key_of(file, index)
        entry["sha256_original"] = hashlib.sha256(raw).hexdigest()
        entry["size_original"] = len(raw)
        if raw.startswith(b"From "):
            entry["leading_from_line"] = True  # an mbox envelope line, appended as it stands
        entries.append(entry)
        reason = cannot_append(raw)
        if reason:
            entry["skip"] = reason
            skipped.append((entry["key"], reason))
            continue
        appended = BARE_LF.sub(b"\r\n", raw)
        entry["sha256_appended"] = hashlib.sha256(appended).hexdigest()
        entry["size_appended"] = len(appended)
        try:
            # imaplib maps \r\n, \r and \n each to CRLF: with no bare CR left this is the identity.
            typ, data = imap.append(args.mailbox, None, None, appended)
        except imaplib.IMAP4.error as error:  # a tagged NO or BAD
            entry["append_refused"] = str(error)
            refused.append((entry["key"], str(error)))
            continue
        match = APPENDUID.search(b" ".join(d for d in data if isinstance(d, bytes)))
        if typ != "OK" or not match:
            raise SystemExit(f"APPEND of {entry['key']}: {typ} {data!r} (no APPENDUID)")
        by_uid[int(match.group(2))] = entry
        if (n + 1) % 500 == 0:
            print(f"  appended {n + 1}/{len(messages)}", file=sys.stderr)

    check(*imap.select(args.mailbox, readonly=True), "SELECT")
    typ, data = imap.uid("FETCH", "1:*", "(UID RFC822.SIZE ENVELOPE BODYSTRUCTURE)")
    check(typ, data, "UID FETCH")
    answered = 0
    for response in reassemble(data):
        attributes = fetch_attributes(response)
        uid = int(attributes["UID"])
        entry = by_uid.get(uid)
        if entry is None:
            raise SystemExit(f"FETCH answer for unknown UID {uid}")
        entry["rfc822_size"] = int(attributes["RFC822.SIZE"])
        store_bytes(entry, "envelope", attributes["ENVELOPE"])
        store_bytes(entry, "bodystructure", attributes["BODYSTRUCTURE"])
        answered += 1
    if answered != len(by_uid):
        raise SystemExit(f"FETCH answered {answered} of {len(by_uid)} appended messages")

    imap.close()
    if not args.keep:
        check(*imap.delete(args.mailbox), "DELETE")
    imap.logout()
    return entries, skipped, refused


def write_outputs(args, entries, skipped, refused):
    out = Path(args.out)
    text = "".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for e in entries)
    payload = text.encode("utf-8")
    if len(payload) > GZIP_ABOVE:
        out = out.with_name(out.name + ".gz")
        # mtime 0 and no file name: the same answers give the same bytes
        with open(out, "wb") as raw_file:
            with gzip.GzipFile(filename="", mode="wb", fileobj=raw_file, mtime=0, compresslevel=9) as gz:
                gz.write(payload)
    else:
        out.write_bytes(payload)
    for stale in (Path(args.out), Path(args.out).with_name(Path(args.out).name + ".gz")):
        if stale != out and stale.exists():
            stale.unlink()

    version = dovecot_version(args.dovecot_version)
    today = datetime.date.today().isoformat()
    base64_fields = sum(1 for e in entries for k in e if k.endswith("_base64"))
    size_mismatch = [e["key"] for e in entries if "rfc822_size" in e and e["rfc822_size"] != e["size_appended"]]
    answered = len(entries) - len(skipped) - len(refused)
    compressed = "gzip-compressed (the JSON Lines exceed 5 MB), " if out.suffix == ".gz" else ""
    leading_from = sum(1 for e in entries if e.get("leading_from_line"))
    readme = f"""# {out.name}

Dovecot's answers to `UID FETCH 1:* (UID RFC822.SIZE ENVELOPE BODYSTRUCTURE)` for every
message of the shared corpus, recorded by `record-dovecot.py` (its docstring gives the exact
procedure and every field).

- Dovecot {version}, Debian 12 package with the configuration of `shared/peers/setup.sh`
  (Maildir, FETCH settings at their defaults); user `{args.user}`, a fresh mailbox
  `{args.mailbox}`, deleted again afterwards.
- Recorded {today}: {len(entries)} messages; {answered} with answers, {len(skipped)} not
  appended (NUL or bare CR), {len(refused)} refused by APPEND; {base64_fields} values stored as
  base64 (bytes not valid UTF-8); {len(size_mismatch)} with RFC822.SIZE other than the appended size.
- {compressed}one JSON object per line, sorted by (file, index). `envelope` and `bodystructure`
  are the values exactly as sent on the wire, literals inline as `{{n}}\\r\\n<n bytes>`; where
  those bytes are not valid UTF-8 the field is `envelope_base64` / `bodystructure_base64`.
- Message bytes: `.eml` files whole ({leading_from} of them begin with an mbox `From ` line,
  appended as it stands; `leading_from_line: true` marks them); mbox members as MailMessage's
  `MboxReader` (mboxrd unescaping) yields them, keyed `mbox/NAME.mbox#INDEX` with INDEX from 0
  (manifest.tsv counts from 1), except that the empty line after the last message of each
  mbox file is dropped as the corpus README says (MboxReader keeps it: for those 7 messages
  strip one trailing line end before comparing). `sha256_original` equals manifest.tsv's sha256
  for every message. APPEND sent the bytes with bare LF turned into CRLF: `sha256_appended`
  identifies exactly what Dovecot stored.

Regenerate (as root, peers running: `../shared/peers/setup.sh && ../shared/peers/start.sh`):

    /usr/bin/python3 Tests/IMAPServerTests/Fixtures/record-dovecot.py

Not appended (the comparison skips them with this reason):

""" + "".join(f"- `{k}`: {r}\n" for k, r in skipped) + ("- none\n" if not skipped else "") + """
Refused by APPEND:

""" + "".join(f"- `{k}`: {r}\n" for k, r in refused) + ("- none\n" if not refused else "")
    if not args.limit:
        (out.parent / README_NAME).write_text(readme, encoding="utf-8")
    return out, len(payload), version, size_mismatch


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=str(default_corpus()))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1143)
    parser.add_argument("--user", default="bob@peer.test")
    parser.add_argument("--password", default="secret")
    parser.add_argument("--mailbox", default="TresorFixtures")
    parser.add_argument("--keep", action="store_true", help="keep the mailbox afterwards")
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    parser.add_argument("--limit", type=int, default=0, help="first N messages only (no README)")
    parser.add_argument("--dovecot-version", default="", help="instead of `dovecot --version`")
    args = parser.parse_args()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("refusing a non-loopback host: the peers listen on 127.0.0.1 only")

    entries, skipped, refused = record(args)
    out, size, version, size_mismatch = write_outputs(args, entries, skipped, refused)
    print(f"Dovecot {version}: {len(entries)} messages, "
          f"{len(entries) - len(skipped) - len(refused)} recorded, -> {out} "
          f"({out.stat().st_size} bytes on disk, {size} uncompressed)")
    print(f"not appended (NUL / bare CR): {len(skipped)}")
    for key, reason in skipped:
        print(f"  {key}: {reason}")
    print(f"refused by APPEND: {len(refused)}")
    for key, reason in refused:
        print(f"  {key}: {reason}")
    print(f"RFC822.SIZE != appended size: {len(size_mismatch)}")
    for key in size_mismatch:
        print(f"  {key}")


if __name__ == "__main__":
    main()
