#!/usr/bin/env python3
"""Writes corpus-expectations.json: what Python's email package (policy.default) makes of
every corpus message, for CorpusTests.swift to compare against MailMessage.

Usage: python3 generate_expectations.py [CORPUS_DIR]   (default ../../../../shared/corpus,
i.e. /work/shared/corpus beside the checkout, or $TRESOR_CORPUS)

Messages: every rfc822/*.eml, and from each mbox/*.mbox (split by mailbox.mbox, no
unescaping) the first MBOX_CAP messages in file order -- a bounded, deterministic sample
that keeps the JSON small. Keys: "rfc822/NAME.eml" and "mbox/NAME.mbox#INDEX" (0-based).

Normalisation, applied identically in CorpusTests.swift:
- text values (subject, display names): CR and LF removed, runs of ASCII white space
  (space, tab, FF, VT) collapsed to one space, leading/trailing white space trimmed;
- addresses: [addr_spec, display_name or null], the domain (after the last "@") lowercased,
  the local part kept; all fields of a name (From, To) are concatenated in order; group
  syntax is flattened (a group's members are listed, the group name is not);
- date: whole seconds since 1970 UTC; a date without a zone (or -0000) is read as UTC;
  null when absent or unparsable;
- message_id: the first <...> of Message-ID without the brackets; else the value itself if it
  is one word (a bare id, as some mailers write it); else null;
- types: the content type (lowercased type/subtype) of every entity in walk order, where
  the walk descends into multiparts and into message/rfc822 and message/global only (Python
  also parses message/delivery-status and other message/* bodies as messages; MailMessage
  keeps those as leaves, as IMAP's BODYSTRUCTURE does);
- filenames: part.get_filename() of every entity of that walk that has one, normalised as text;
- raw 8-bit bytes in header values (which Python keeps as lone surrogates) are read as UTF-8
  when valid, else as Windows-1252, as MailMessage reads undeclared 8-bit header text.
A field that Python raises on is recorded as {"error": "..."} and skipped by the test.
"""

import email
import email.policy
import email.utils
import json
import mailbox
import os
import re
import sys
from pathlib import Path

MBOX_CAP = 200
HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "corpus-expectations.json"
WS = re.compile(r"[ \t\r\n\f\v]+")


def undo_surrogates(value):
    """Raw 8-bit header bytes reach Python strings as lone surrogates (surrogateescape); read
    them as MailMessage does for undeclared 8-bit text: UTF-8 if valid, else Windows-1252."""
    if not any("\udc80" <= c <= "\udcff" for c in value):
        return value
    raw = value.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(bytes([b]).decode("cp1252", "ignore") or chr(b) for b in raw)


def text(value):
    if value is None:
        return None
    value = undo_surrogates(str(value))
    return WS.sub(" ", value.replace("\r", "").replace("\n", "")).strip(" \t\f\v")


def address_list(msg, name):
    result = []
    for header in msg.get_all(name) or []:
        for address in header.addresses:
            spec = address.addr_spec
            at = spec.rfind("@")
            if at >= 0:
                spec = spec[:at] + spec[at:].lower()
            result.append([undo_surrogates(spec), text(address.display_name) or None])
    return result


def date_value(msg):
    header = msg["date"]
    if header is None:
        return None
    moment = header.datetime
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=__import__("datetime").timezone.utc)
    return int(moment.timestamp())


def message_id(msg):
    header = msg["message-id"]
    if header is None:
        return None
    value = str(header).strip()
    match = re.search(r"<([^>]*)>", value)
    if match:
        return undo_surrogates(match.group(1).strip()) or None
    return undo_surrogates(value) if value and not WS.search(value) else None


def walk(part):
    yield part
    if not part.is_multipart():
        return
    ctype = part.get_content_type()
    if part.get_content_maintype() == "message" and ctype not in ("message/rfc822", "message/global"):
        return
    for sub in part.get_payload():
        yield from walk(sub)


def guarded(function, *args):
    try:
        return function(*args)
    except Exception as error:  # a field Python cannot read
        return {"error": type(error).__name__}


def expectations(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    parts = list(walk(msg))
    return {
        "subject": guarded(lambda: text(msg["subject"]) if msg["subject"] is not None else None),
        "from": guarded(address_list, msg, "from"),
        "to": guarded(address_list, msg, "to"),
        "date": guarded(date_value, msg),
        "message_id": guarded(message_id, msg),
        "types": guarded(lambda: [p.get_content_type() for p in parts]),
        "filenames": guarded(lambda: [text(p.get_filename()) for p in parts if p.get_filename()]),
    }


def main():
    corpus = Path(sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TRESOR_CORPUS")
                  or HERE.parents[3] / "shared" / "corpus")
    entries = {}
    for path in sorted((corpus / "rfc822").glob("*.eml")):
        entries[f"rfc822/{path.name}"] = expectations(path.read_bytes())
    for path in sorted((corpus / "mbox").glob("*.mbox")):
        box = mailbox.mbox(str(path), create=False)
        for index, key in enumerate(box.iterkeys()):
            if index >= MBOX_CAP:
                break
            entries[f"mbox/{path.name}#{index}"] = expectations(box.get_bytes(key))
    with open(OUTPUT, "w", encoding="utf-8") as out:
        out.write("{\n")
        items = sorted(entries.items())
        for n, (key, value) in enumerate(items):
            comma = "," if n + 1 < len(items) else ""
            out.write(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False, separators=(',', ':'))}{comma}\n")
        out.write("}\n")
    print(f"{len(entries)} messages -> {OUTPUT}")


if __name__ == "__main__":
    main()
