#!/usr/bin/env python3
"""Writes the seed inputs of every fuzz target into OUT/<Target>/ (default Fuzz/.build/seeds).

Seeds come from the shared corpus (../shared/corpus, or $TRESOR_CORPUS) for messages, and from
the repository's own tests: the string literals of the protocol tests that are command lines, the
Sieve scripts of Tests/SieveTests, the queries of Tests/CatalogTests, the MIME fixtures, and every
kept crash input (Tests/*/Fixtures/fuzz-regressions/<target>/). Nothing here is committed; the
folder is made anew on each run.
"""
import hashlib
import os
import re
import shutil
import sys
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
TESTS = ROOT / "Tests"

# The largest seed kept: libFuzzer's -max_len defaults to the largest seed, and mutations of
# multi-megabyte messages are slow without finding more.
MAX_SEED = 64 * 1024

SMTP_VERBS = {"EHLO", "HELO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "NOOP", "QUIT", "VRFY", "EXPN", "HELP",
              "STARTTLS", "AUTH"}
POP3_VERBS = {"USER", "PASS", "APOP", "STAT", "LIST", "RETR", "DELE", "NOOP", "RSET", "QUIT", "TOP", "UIDL", "CAPA",
              "STLS", "AUTH", "UTF8"}
IMAP_VERBS = {"CAPABILITY", "NOOP", "LOGOUT", "STARTTLS", "AUTHENTICATE", "LOGIN", "ENABLE", "ID", "NAMESPACE",
              "SELECT", "EXAMINE", "CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE", "LIST", "LSUB",
              "STATUS", "APPEND", "IDLE", "CHECK", "CLOSE", "UNSELECT", "EXPUNGE", "SEARCH", "FETCH", "STORE",
              "COPY", "MOVE", "UID", "GETQUOTA", "GETQUOTAROOT", "SETQUOTA"}
MANAGESIEVE_VERBS = {"AUTHENTICATE", "STARTTLS", "LOGOUT", "CAPABILITY", "HAVESPACE", "PUTSCRIPT", "LISTSCRIPTS",
                     "SETACTIVE", "GETSCRIPT", "DELETESCRIPT", "RENAMESCRIPT", "CHECKSCRIPT", "NOOP",
                     "UNAUTHENTICATE"}

ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", "\\": "\\", '"': '"', "'": "'"}


def unescape(body):
    """A Swift string literal's text without interpolation; None when it interpolates."""
    out = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            n = body[i + 1]
            if n == "(":
                return None
            if n == "u" and body[i + 2:i + 3] == "{":
                end = body.index("}", i)
                out.append(chr(int(body[i + 3:end], 16)))
                i = end + 1
                continue
            out.append(ESCAPES.get(n, n))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


LINE_LITERAL = re.compile(r'(?<![#"])"((?:[^"\\\n]|\\.)*)"(?!")')


def line_literals(path):
    """Single-line string literals of a Swift file, unescaped."""
    for match in LINE_LITERAL.finditer(path.read_text(errors="replace")):
        text = unescape(match.group(1))
        if text:
            yield text


def block_literals(path):
    """Multi-line (\"\"\" or #\"\"\"#) string literals of a Swift file, with the indentation removed."""
    lines = path.read_text(errors="replace").split("\n")
    i = 0
    while i < len(lines):
        opening = re.search(r'(#*)"""\s*$', lines[i])
        if not opening:
            i += 1
            continue
        hashes = opening.group(1)
        body = []
        i += 1
        while i < len(lines) and not re.match(r'\s*"""' + hashes + r'(?!")', lines[i]):
            body.append(lines[i])
            i += 1
        if i >= len(lines):
            break
        indent = len(lines[i]) - len(lines[i].lstrip())
        text = "\n".join(line[indent:] for line in body) + "\n"
        if not hashes:
            text = unescape(text.replace("\\\n", ""))
        if text:
            yield text
        i += 1


def swift_files(*folders):
    for folder in folders:
        yield from sorted((TESTS / folder).rglob("*.swift"))


def first_word(text):
    return text.split(" ", 1)[0].split("\r", 1)[0].split("\n", 1)[0].upper()


def command_lines(folders, verbs, tagged=False):
    """String literals of the tests in `folders` that start with a command of the protocol."""
    for path in swift_files(*folders):
        for text in list(line_literals(path)) + list(block_literals(path)):
            words = text.split(" ", 2)
            if tagged:
                if len(words) < 2 or first_word(words[1]) not in verbs:
                    continue
            elif first_word(text) not in verbs:
                continue
            if not text.endswith("\n"):
                text += "\r\n"
            yield text.encode()


def corpus_messages(corpus):
    """The corpus's single messages, and the first messages of each mbox file."""
    for path in sorted((corpus / "rfc822").glob("*")):
        yield path.read_bytes()
    for path in sorted((corpus / "mbox").glob("*")):
        count = 0
        for message in re.split(rb"\n(?=From )", path.read_bytes()):
            message = message.split(b"\n", 1)[1] if message.startswith(b"From ") else message
            yield message
            count += 1
            if count == 150:
                break


def regressions(target):
    for path in sorted(TESTS.glob(f"*/Fixtures/fuzz-regressions/{target}/*")):
        yield path.read_bytes()


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else FUZZ / ".build" / "seeds"
    corpus = Path(os.environ.get("TRESOR_CORPUS", ROOT.parent / "shared" / "corpus"))
    if not (corpus / "rfc822").is_dir():
        print(f"seeds: no corpus at {corpus}; message seeds come from the MIME fixtures only", file=sys.stderr)

    seeds = {
        "FuzzMIME": [p.read_bytes() for p in sorted((TESTS / "MailMessageTests" / "Fixtures").rglob("*.eml"))]
        + (list(corpus_messages(corpus)) if (corpus / "rfc822").is_dir() else [])
        + [t.encode() for p in swift_files("MailMessageTests", "IMAPServerTests") for t in block_literals(p)
           if re.match(r"[A-Za-z-]+: ", t)],
        "FuzzSMTP": list(command_lines(["SMTPServerTests"], SMTP_VERBS)),
        "FuzzPOP3": list(command_lines(["POP3ServerTests"], POP3_VERBS)),
        "FuzzIMAP": [b"\x00" + c for c in command_lines(["IMAPServerTests"], IMAP_VERBS, tagged=True)],
        "FuzzManageSieve": [b"\x00" + c for c in command_lines(["ManageSieveServerTests"], MANAGESIEVE_VERBS)],
        "FuzzSieve": [t.encode() for p in swift_files("SieveTests") for t in block_literals(p)]
        + [t.encode() for p in swift_files("SieveTests") for t in line_literals(p) if ";" in t or "{" in t],
        "FuzzQuery": [t.encode() for p in swift_files("CatalogTests") for t in line_literals(p)
                      if len(t) < 200 and "\n" not in t],
    }
    for target, inputs in seeds.items():
        folder = out / target
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        kept = 0
        for data in inputs + list(regressions(target)):
            if 0 < len(data) <= MAX_SEED:
                (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)
                kept += 1
        print(f"seeds: {target}: {len(list(folder.iterdir()))} inputs in {folder}")


if __name__ == "__main__":
    main()
