import Foundation
import TestSupport

/// Python scripts that read an export back with the standard library, independently of our
/// code: `mailbox.mbox` (mboxrd escapes undone by hand: Python's reader leaves them),
/// `mailbox.Maildir` (with flags) and `email` for `.eml` files. Each prints one JSON object per
/// message: SHA-256 and size of the bytes, subject, flags.
enum ReadBack {
    static let script = #"""
import email, email.policy, hashlib, json, mailbox, os, re, sys
kind, path = sys.argv[1], sys.argv[2]
out = []
def entry(raw, flags=''):
    subject = str(email.message_from_bytes(raw, policy=email.policy.default)['Subject'] or '')
    out.append({'sha256': hashlib.sha256(raw).hexdigest(), 'size': len(raw), 'subject': subject, 'flags': flags})
if kind == 'mbox':
    box = mailbox.mbox(path, create=False)
    for key in box.keys():
        raw = re.sub(rb'(?m)^>(>*From )', rb'\1', box.get_bytes(key))
        entry(raw)
elif kind == 'maildir':
    box = mailbox.Maildir(path, factory=None, create=False)
    for key in box.keys():
        entry(box.get_bytes(key), box.get_message(key).get_flags())
else:
    for name in sorted(os.listdir(path)):
        if not name.endswith('.eml'): continue
        entry(open(os.path.join(path, name), 'rb').read())
print(json.dumps(out))
"""#

    struct Message: Decodable, Hashable {
        var sha256: String
        var size: Int
        var subject: String
        var flags: String
    }

    static func read(_ kind: String, _ path: URL) async throws -> [Message] {
        let output = try await ChildProcess.python(script, [kind, path.path])
        return try JSONDecoder().decode([Message].self, from: Data(output.utf8))
    }
}
