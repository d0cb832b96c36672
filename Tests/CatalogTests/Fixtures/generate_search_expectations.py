#!/usr/bin/env python3
"""Independent expectations for CorpusSearchTests.

Parses every rfc822/*.eml of the shared corpus with Python's own `email` package
(policy.default), gives each message the same synthetic envelope the Swift test gives it
(see ENVELOPE RULE below; keep both in step), and evaluates each query of QUERIES with small
Python predicates written from the query language's documented semantics, not from the Swift
code. Output: search_expectations.json = {query: sorted list of corpus file names}.

Usage: python3 generate_search_expectations.py [CORPUS_DIR]   (default ../../../../shared/corpus)
"""
import datetime
import email
import email.policy
import email.utils
import html
import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "../../../../shared/corpus")

# ENVELOPE RULE (mirrored in CorpusSearchTests.swift): for the i-th file in name order,
DIRECTIONS = ["inbound", "outbound", "internal", "imported"]          # direction = DIRECTIONS[i % 4]
def source(i): return "import" if i % 3 == 0 else "smtp"
def envelope_recipients(i):
    r = []
    if i % 5 == 0: r.append("legal-hold@vault.example")
    if i % 7 == 0: r.append("Zoë.Compliance@Vault.Example")
    return r
EPOCH_2030 = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc).timestamp()
def received_at(i): return EPOCH_2030 + 3600 * i                    # archive time, used when no Date


def fold(text):
    """Case and diacritics removed, as unicode61 remove_diacritics 2 and the address keys do."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def tokens(text):
    """unicode61 splits on everything that is not a letter or digit (underscore included)."""
    return re.findall(r"[^\W_]+", fold(text))


def contains_phrase(haystack, words, prefix=False):
    if not words:
        return False
    n = len(words)
    for k in range(len(haystack) - n + 1):
        if haystack[k:k + n - 1] == words[:-1]:
            last = haystack[k + n - 1]
            if last == words[-1] or (prefix and last.startswith(words[-1])):
                return True
    return False


def addresses(msg, name):
    try:
        header = msg[name]
        if header is None:
            return []
        return [(a.display_name or "", a.addr_spec) for a in header.addresses]
    except Exception:
        return []


def body_text(msg):
    texts = []
    htmls = []
    for part in msg.walk():
        if part.is_multipart() or part.get_filename() or part.get_content_disposition() == "attachment":
            continue
        try:
            if part.get_content_type() == "text/plain":
                texts.append(part.get_content())
            elif part.get_content_type() == "text/html":
                htmls.append(html.unescape(re.sub(r"<[^>]*>", " ", part.get_content())))
        except Exception:
            pass
    return "\n".join(texts or htmls)


def raw_date(raw):
    """The Date field of the header block, for messages whose header Python stops parsing early."""
    head = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("latin-1")
    found = re.search(r"^Date:[ \t]*(.+)$", head, re.IGNORECASE | re.MULTILINE)
    return email.utils.parsedate_to_datetime(found.group(1).strip()) if found else None


class Record:
    def __init__(self, i, name, raw):
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        self.name, self.size = name, len(raw)
        try:
            self.subject = str(msg["subject"] or "")
        except Exception:
            self.subject = ""
        self.roles = {r: addresses(msg, h) for r, h in
                      [("from", "From"), ("sender", "Sender"), ("reply-to", "Reply-To"), ("to", "To"),
                       ("cc", "Cc"), ("bcc", "Bcc")]}
        self.date = None
        try:
            dt = msg["date"].datetime if msg["date"] else raw_date(raw)
            if dt is not None:
                if dt.tzinfo is None:
                    dt = dt.replace(tzinfo=datetime.timezone.utc)
                self.date = dt.timestamp()
        except Exception:
            pass
        self.sort_date = self.date if self.date is not None else received_at(i)
        try:
            self.message_id = fold(str(msg["message-id"] or "").strip().strip("<>"))
        except Exception:
            self.message_id = ""
        self.attachments = [p.get_filename() for p in msg.walk() if p.get_filename()]
        self.body = body_text(msg)
        self.direction, self.source = DIRECTIONS[i % 4], source(i)
        self.envelope_to = [fold(a) for a in envelope_recipients(i)]
        header_rcpts = {fold(a) for _, a in self.roles["to"] + self.roles["cc"]}
        self.blind = [fold(a) for _, a in self.roles["bcc"]] + [a for a in self.envelope_to if a not in header_rcpts]

    def role_text(self, role):
        return " \n ".join(f"{n} {a}" for n, a in self.roles[role])

    def participant_text(self):
        return " \n ".join([self.role_text(r) for r in self.roles] + self.envelope_to)

    def keys(self, role):
        if role == "bcc":
            return self.blind
        if role == "participant":
            return [fold(a) for r in self.roles for _, a in self.roles[r]] + self.envelope_to
        return [fold(a) for _, a in self.roles[role]]


# Predicates over a Record, one per query-language form.
def word(text, prefix=False):
    w = tokens(text)
    return lambda r: any(contains_phrase(tokens(field), w, prefix) for field in
                         [r.subject, r.participant_text(), r.body, "\n".join(r.attachments)])
def subject(text, prefix=False): return lambda r: contains_phrase(tokens(r.subject), tokens(text), prefix)
def body(text): return lambda r: contains_phrase(tokens(r.body), tokens(text))
def attachment(text): return lambda r: any(contains_phrase(tokens(a), tokens(text)) for a in r.attachments)
def addr(role, address): return lambda r: fold(address) in r.keys(role)
def addr_words(role, text):
    return lambda r: contains_phrase(tokens(r.participant_text() if role == "participant" else
                                            " ".join(r.blind) if role == "bcc" else r.role_text(role)), tokens(text))
def domain(d):
    d = fold(d)
    return lambda r: any(k.rpartition("@")[2] == d or k.rpartition("@")[2].endswith("." + d)
                         for k in r.keys("participant"))
def role_domain(role, d):
    return lambda r: any(k.rpartition("@")[2] == d or k.rpartition("@")[2].endswith("." + d) for k in r.keys(role))
def day(text): return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.timezone.utc).timestamp()
def after(text): return lambda r: r.sort_date >= day(text)
def before(text): return lambda r: r.sort_date < day(text)
def larger(n): return lambda r: r.size > n
def smaller(n): return lambda r: r.size < n
def direction(d): return lambda r: r.direction == d
def src(s): return lambda r: r.source == s
def message_id(m): return lambda r: r.message_id == fold(m)
def both(*ps): return lambda r: all(p(r) for p in ps)
def either(*ps): return lambda r: any(p(r) for p in ps)
def neg(p): return lambda r: not p(r)

QUERIES = {
    # words, phrases, prefixes, diacritics, RFC 2047 subjects
    "subject:\"fichier attaché\"": subject("fichier attaché"),
    "subject:\"fichier attache\"": subject("fichier attaché"),
    "subject:árvíztűrő": subject("arvizturo"),
    "subject:TÜKÖRFÚRÓGÉP": subject("tukorfurogep"),
    "subject:saying": subject("saying"),
    "subject:domace": subject("domace"),
    "subject:путін": subject("путін"),
    "subject:한국말로": subject("한국말로"),
    "subject:漢字 subject:tail": both(subject("漢字"), subject("tail")),
    "subject:\"MIME UTF8 Test\"": subject("MIME UTF8 Test"),
    "subject:invoic*": subject("invoic", prefix=True),
    "subject:eelanalüüsi": subject("eelanalüüsi"),
    "subject:multimedia subject:preussen": both(subject("multimedia"), subject("preussen")),
    "lockergnome": word("lockergnome"),
    "dilbert": word("dilbert"),
    "\"razor-users\"": word("razor-users"),
    # attachments
    "attachment:broken.pdf": attachment("broken.pdf"),
    "attachment:3d-eye.gif": attachment("3d-eye.gif"),
    "attachment:hasenundfrösche": attachment("hasenundfrosche"),
    "attachment:\"attachment.äöü\"": attachment("attachment.aou"),
    "attachment:smime.p7s OR attachment:signature.asc": either(attachment("smime.p7s"), attachment("signature.asc")),
    "attachment:favicon -attachment:favicon.png": both(attachment("favicon"), neg(attachment("favicon.png"))),
    # addresses
    "from:subscriptions@lockergnome.com": addr("from", "subscriptions@lockergnome.com"),
    "from:James@Makita.Skynet": addr("from", "james@makita.skynet"),
    "from:barry@python.org": addr("from", "barry@python.org"),
    "from:barry": addr_words("from", "barry"),
    "to:qqqqqqqqqq-zdnet@spamassassin.taint.org": addr("to", "qqqqqqqqqq-zdnet@spamassassin.taint.org"),
    "to:greg@inbucket": addr("to", "greg@inbucket"),
    "cc:john.pavetto@enron.com": addr("cc", "john.pavetto@enron.com"),
    "cc:john.pavetto@enron.com OR cc:leonardo.pacheco@enron.com":
        either(addr("cc", "john.pavetto@enron.com"), addr("cc", "leonardo.pacheco@enron.com")),
    "participant:mickey@dkim.org": addr("participant", "mickey@dkim.org"),
    "from:@enron.com OR cc:@enron.com": either(role_domain("from", "enron.com"), role_domain("cc", "enron.com")),
    "domain:theregister.co.uk": domain("theregister.co.uk"),
    "from:@taint.org OR cc:@taint.org -to:qqqqqqqqqq-zdnet@spamassassin.taint.org":
        both(either(role_domain("from", "taint.org"), role_domain("cc", "taint.org")),
             neg(addr("to", "qqqqqqqqqq-zdnet@spamassassin.taint.org"))),
    # envelope-only recipients
    "bcc:legal-hold@vault.example": addr("bcc", "legal-hold@vault.example"),
    "bcc:zoe.compliance@vault.example": addr("bcc", "zoe.compliance@vault.example"),
    "bcc:ZOË.COMPLIANCE@VAULT.EXAMPLE bcc:legal-hold@vault.example":
        both(addr("bcc", "zoe.compliance@vault.example"), addr("bcc", "legal-hold@vault.example")),
    "participant:legal-hold@vault.example from:subscriptions@lockergnome.com":
        both(addr("participant", "legal-hold@vault.example"), addr("from", "subscriptions@lockergnome.com")),
    "domain:vault.example direction:in": both(domain("vault.example"), direction("inbound")),
    # dates (UTC; after: includes the day, before: excludes it)
    "after:2002-09-01 before:2002-10-01": both(after("2002-09-01"), before("2002-10-01")),
    "before:1995-01-01": before("1995-01-01"),
    "after:2029-12-31 before:2030-01-10": both(after("2029-12-31"), before("2030-01-10")),
    "on:2030-01-04": both(after("2030-01-04"), before("2030-01-05")),
    "after:2020-01-01 before:2029-01-01 from:@example.com":
        both(after("2020-01-01"), before("2029-01-01"), role_domain("from", "example.com")),
    # sizes, direction, source
    "larger:1M": larger(1 << 20),
    "smaller:400": smaller(400),
    "larger:100k smaller:200k": both(larger(100 << 10), smaller(200 << 10)),
    "direction:out from:subscriptions@lockergnome.com":
        both(direction("outbound"), addr("from", "subscriptions@lockergnome.com")),
    "source:import direction:internal smaller:1k": both(src("import"), direction("internal"), smaller(1024)),
    "-source:smtp -direction:imported larger:300k":
        both(neg(src("smtp")), neg(direction("imported")), larger(300 << 10)),
    # boolean structure: OR binds tighter than implicit AND
    "lockergnome OR dilbert direction:in":
        both(either(word("lockergnome"), word("dilbert")), direction("inbound")),
    "(from:barry@python.org OR from:james@makita.skynet) -larger:2k":
        both(either(addr("from", "barry@python.org"), addr("from", "james@makita.skynet")), neg(larger(2048))),
    "message-id:<15090.61304.110929.45684@aaa.zzz.org>": message_id("15090.61304.110929.45684@aaa.zzz.org"),
}


def main():
    folder = os.path.join(CORPUS, "rfc822")
    names = sorted(n for n in os.listdir(folder) if n.endswith(".eml"))
    records = []
    for i, name in enumerate(names):
        with open(os.path.join(folder, name), "rb") as f:
            records.append(Record(i, name, f.read()))
    out = {q: sorted(r.name for r in records if p(r)) for q, p in QUERIES.items()}
    with open(os.path.join(HERE, "search_expectations.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")
    for q, found in out.items():
        print(f"{len(found):4d}  {q}")


if __name__ == "__main__":
    main()
