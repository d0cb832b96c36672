import Foundation
import TestSupport
import IMAPServer
import Testing

/// Python's `imaplib`, a client independent of our code, against the real service.
@Suite struct IMAPSocketPythonTests {
    static let script = #"""
import imaplib, sys
port = int(sys.argv[1])
m = imaplib.IMAP4("127.0.0.1", port)
m.login("alice", "secret")
typ, data = m.select("INBOX")
print("select", typ, data[0].decode())
typ, data = m.search(None, "BODY", '"ransf"')
print("search", data[0].decode())
typ, data = m.uid("SEARCH", None, "ALL")
print("uids", data[0].decode())
typ, data = m.fetch("2", "(RFC822.SIZE BODY.PEEK[])")
size = int(data[0][0].decode().split("RFC822.SIZE ")[1].split(" ")[0])
print("size-agrees", size == len(data[0][1]), data[0][1].count(b"\r\n"))
typ, data = m.store("1", "+FLAGS", "(\\Flagged)")
print("store", typ, data[0].decode())
typ, data = m.copy("1:2", "Trash")
print("copy", typ, data[0].decode())
m.create("Projects/2024")
typ, data = m.list()
print("list", len(data), sorted(d.decode().split(' "/" ')[1] for d in data))
typ, data = m.status("Trash", "(MESSAGES UIDNEXT)")
print("status", data[0].decode())
m.store("2", "+FLAGS", "(\\Deleted)")
typ, data = m.expunge()
print("expunge", data)
m.logout()
"""#

    @Test func imaplibDrivesAWholeSession() async throws {
        let backend = MemoryIMAPBackend()
        backend.deliver(Samples.hello)
        backend.deliver(Samples.bareLF)
        try await withIMAPServer(backend: backend) { port, _ in
            let output = try await runPython(Self.script, ["\(port)"])
            #expect(output == """
                select OK 2
                search 1
                uids 1 2
                size-agrees True 6
                store OK 1 (FLAGS (\\Flagged))
                copy OK [COPYUID 102 1,2 1,2] COPY completed
                list 6 ['Archive/2023', 'INBOX', 'Projects', 'Projects/2024', 'Sent', 'Trash']
                status Trash (MESSAGES 2 UIDNEXT 3)
                expunge [b'2']

                """)
        }
    }
}

/// Runs `python3 -c script args…` and returns its standard output; waits for the exit through
/// `terminationHandler` so that no thread of the cooperative pool blocks.
func runPython(_ script: String, _ arguments: [String]) async throws -> String {
    let process = SpawnedProcess()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    process.standardInput = FileHandle.nullDevice
    let status: Int32 = try await withCheckedThrowingContinuation { continuation in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do { try process.run() } catch { continuation.resume(throwing: error) }
    }
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let failure = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(status == 0, "python3 failed: \(failure)")
    return text
}
