#!/usr/bin/env python3
"""Records a reference IMAP server's SEARCH BODY and SEARCH TEXT answers on the corpus.

Writes dovecot-search-body-text.json beside this script, for a test that compares the messages
Tresor's SEARCH BODY/TEXT find with the ones Dovecot finds, word by word. Python 3 standard
library only; the corpus is enumerated and appended exactly as record-dovecot.py does it (its
functions are loaded from that file), so the keys are the same.

Usage (the peer servers of ../shared/peers running, see its README; user bob@peer.test has no
full-text plugin, so Dovecot reads the MIME text of each message itself):
    python3 record-dovecot-search.py [--corpus DIR] [--host 127.0.0.1 --port 1143]
                                     [--user bob@peer.test --password secret]
                                     [--mailbox TresorSearchFixtures] [--out FILE]

For every word of WORDS, "UID SEARCH CHARSET UTF-8 BODY <word>" and "... TEXT <word>", the word
sent as a literal (RFC 3501 section 6.4.4: BODY is the body, TEXT the header and body; both
case-insensitive substrings). The mailbox is deleted again afterwards.

Output: one JSON object:
    dovecot    `dovecot --version`
    recorded   the UTC date
    appended   the keys of every message appended (the universe the answers are drawn from)
    skipped    key -> why the message was not appended (NUL, bare CR: see record-dovecot.py)
    searches   [{"key": "BODY" | "TEXT", "word": ..., "matches": [keys, sorted]}], or instead of
               "matches" "all_but": the appended messages it does not find (whichever is shorter)
"""

import argparse
import datetime
import importlib.util
import imaplib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "dovecot-search-body-text.json"

_spec = importlib.util.spec_from_file_location("record_dovecot", HERE / "record-dovecot.py")
recorder = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(recorder)

# Words chosen to stand in different kinds of MIME text: plain and HTML bodies, words only in
# message/delivery-status and message/feedback-report reports, in forwarded message/rfc822 parts
# (their header fields and their bodies), in text/* subtypes other than plain and html
# (calendar, vcard, csv, enriched, rfc822-headers), in encoded parts (base64, quoted-printable,
# non-UTF-8 charsets), German words with and without the sharp s, and words in header fields
# only (which TEXT finds and BODY does not).
WORDS = [
    "ransf", "the", "invoice", "unsubscribe", "attached",
    "reporting-mta", "final-recipient", "diagnostic-code", "smtp; 550", "arrival-date",
    "feedback-type", "abuse", "user-agent", "original-recipient",
    "forwarded", "begin forwarded", "original message", "message-id",
    "vevent", "dtstart", "vcard", "enriched", "charset",
    "strasse", "straße", "grüße", "für", "привет", "日本",
    "received:", "x-mailer", "boundary", "content-type", "mime-version",
    "hello", "test", "lorem", "zebracorn",
]


def compact(search_key, word, matches, appended):
    """One search's answer as the shorter of its list of matches and its list of the others."""
    others = set(appended) - matches
    if len(others) < len(matches):
        return {"key": search_key, "word": word, "all_but": sorted(others)}
    return {"key": search_key, "word": word, "matches": sorted(matches)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=str(recorder.default_corpus()))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1143)
    parser.add_argument("--user", default="bob@peer.test")
    parser.add_argument("--password", default="secret")
    parser.add_argument("--mailbox", default="TresorSearchFixtures")
    parser.add_argument("--out", default=str(DEFAULT_OUT))
    args = parser.parse_args()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("refusing a non-loopback host: the peers listen on 127.0.0.1 only")
    corpus = Path(args.corpus)
    if not (corpus / "rfc822").is_dir():
        raise SystemExit(f"no corpus at {corpus} (set --corpus or TRESOR_CORPUS)")

    imap = imaplib.IMAP4(args.host, args.port, timeout=300)
    recorder.check(*imap.login(args.user, args.password), "LOGIN")
    typ, _ = imap.select(args.mailbox)
    if typ == "OK":
        imap.close()
        recorder.check(*imap.delete(args.mailbox), "DELETE old mailbox")
    recorder.check(*imap.create(args.mailbox), "CREATE")

    by_uid, appended, skipped = {}, [], {}
    messages = recorder.corpus_messages(corpus)
    for n, (file, index, raw) in enumerate(messages):
        key = recorder.key_of(file, index)
        reason = recorder.cannot_append(raw)
        if reason:
            skipped[key] = reason
            continue
        try:
            typ, data = imap.append(args.mailbox, None, None, recorder.BARE_LF.sub(b"\r\n", raw))
        except imaplib.IMAP4.error as error:
            skipped[key] = f"refused by APPEND: {error}"
            continue
        match = recorder.APPENDUID.search(b" ".join(d for d in data if isinstance(d, bytes)))
        if typ != "OK" or not match:
            raise SystemExit(f"APPEND of {key}: {typ} {data!r} (no APPENDUID)")
        by_uid[int(match.group(2))] = key
        appended.append(key)
        if (n + 1) % 500 == 0:
            print(f"  appended {n + 1}/{len(messages)}", file=sys.stderr)

    recorder.check(*imap.select(args.mailbox, readonly=True), "SELECT")
    searches = []
    for word in WORDS:
        for search_key in ("BODY", "TEXT"):
            imap.literal = word.encode("utf-8")
            typ, data = imap.uid("SEARCH", "CHARSET", "UTF-8", search_key)
            recorder.check(typ, data, f"UID SEARCH {search_key} {word}")
            uids = [int(u) for d in data if d for u in d.split()]
            searches.append(compact(search_key, word, {by_uid[u] for u in uids}, appended))
            print(f"  {search_key} {word!r}: {len(uids)}", file=sys.stderr)
    imap.close()
    recorder.check(*imap.delete(args.mailbox), "DELETE")
    imap.logout()

    out = Path(args.out)
    document = {
        "dovecot": recorder.dovecot_version(""),
        "recorded": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
        "user": args.user,
        "appended": sorted(appended),
        "skipped": dict(sorted(skipped.items())),
        "searches": searches,
    }
    out.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(appended)} appended, {len(skipped)} skipped, {len(searches)} searches -> {out}")


if __name__ == "__main__":
    main()
