import Delivery
import Foundation
import TestSupport

/// Runs dkimpy (Debian's /usr/bin/python3 with python3-dkim) over signed messages, with the key
/// records served from a table instead of DNS.
enum Dkimpy {
    static let python = "/usr/bin/python3"

    /// Whether dkimpy (and PyNaCl, for Ed25519) can be used; false means skip, with the reason
    /// printed. Under CI=true a missing dkimpy is a failure (CI installs python3-dkim).
    static func available() throws -> Bool {
        try DebianPython.canImport("dkim, nacl", package: "python3-dkim python3-nacl")
    }

    /// dkimpy's verdict on one message.
    enum Verdict: Equatable {
        /// Every DKIM-Signature field verified; the count of them.
        case verified(signatures: Int)
        case failed(String)
        /// dkimpy cannot parse the message at all (its RFC 822 parser is stricter than ours).
        case unparseable(String)
    }

    static let script = #"""
        import json, sys
        import dkim
        records = json.load(open(sys.argv[1]))
        expected = int(sys.argv[2])   # the topmost fields are ours; older ones are not checked
        def dnsfunc(name, timeout=5):
            key = (name.decode() if isinstance(name, bytes) else name).rstrip('.').lower()
            value = records.get(key)
            return value.encode() if value is not None else None
        for path in sys.argv[3:]:
            message = open(path, 'rb').read()
            try:
                d = dkim.DKIM(message)
            except dkim.MessageFormatError as e:
                print('UNPARSEABLE', str(e).replace('\n', ' '))
                continue
            try:
                present = sum(1 for name, _ in d.headers if name.lower() == b'dkim-signature')
                count = min(present, expected)
                results = [d.verify(idx=i, dnsfunc=dnsfunc) for i in range(count)]
                if count == expected and all(results):
                    print('OK', count)
                else:
                    print('FAIL', count, results)
            except Exception as e:
                print('FAIL', repr(e).replace('\n', ' '))
        """#

    /// Verifies the topmost `signatures` DKIM-Signature fields of each message (the ones we
    /// prepended; a corpus message may carry older ones for keys we do not have); `records` maps
    /// "selector._domainkey.domain" to the TXT text.
    static func verify(_ messages: [[UInt8]], signatures: Int = 2, records: [String: String]) throws -> [Verdict] {
        let folder = try makeTemporaryDirectory(prefix: "tresor-dkimpy")
        defer { try? FileManager.default.removeItem(at: folder) }
        let scriptURL = folder.appendingPathComponent("verify.py")
        try Data(script.utf8).write(to: scriptURL)
        let recordsURL = folder.appendingPathComponent("records.json")
        try JSONSerialization.data(withJSONObject: records).write(to: recordsURL)
        var paths: [String] = []
        for (index, message) in messages.enumerated() {
            let url = folder.appendingPathComponent("\(index).eml")
            try Data(message).write(to: url)
            paths.append(url.path)
        }
        let process = SpawnedProcess()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [scriptURL.path, recordsURL.path, String(signatures)] + paths
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        guard process.terminationStatus == 0, lines.count == messages.count else {
            return messages.map { _ in .failed("dkimpy exited \(process.terminationStatus): \(lines.suffix(3))") }
        }
        return lines.map { line in
            if line.hasPrefix("OK ") { return .verified(signatures: Int(line.dropFirst(3)) ?? 0) }
            if line.hasPrefix("UNPARSEABLE") { return .unparseable(line) }
            return .failed(line)
        }
    }
}

extension Array where Element == UInt8 {
    /// Bare LF → CRLF (existing CRLF kept): the form a message has on the wire (RFC 5321 §2.3.8).
    var withCRLFLineEnds: [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(count + count / 40)
        var previous: UInt8 = 0
        for byte in self {
            if byte == UInt8(ascii: "\n"), previous != UInt8(ascii: "\r") { output.append(UInt8(ascii: "\r")) }
            output.append(byte)
            previous = byte
        }
        return output
    }
}
