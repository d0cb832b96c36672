import Catalog
import Dispatch
import Foundation
import FuzzSupport
import MailMessage
import MailStore
import Synchronization

/// A catalog of two messages in a fresh temporary directory, made once per process: a query
/// that parses is compiled to SQL and run against it, so that the SQL and the FTS5 expressions
/// the compiler builds are checked by SQLite itself (FTS5 reads a MATCH string only when a row
/// is there to test).
let catalog: Catalog = {
    let directory = FileManager.default.temporaryDirectory
        .appendingPathComponent("tresor-fuzz-query-\(ProcessInfo.processInfo.processIdentifier)")
    try? FileManager.default.removeItem(at: directory)
    try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(at: FileManager.default.temporaryDirectory
        .appendingPathComponent("tresor-fuzz-query-\(ProcessInfo.processInfo.processIdentifier)")) }
    let catalog = try! Catalog(path: directory.appendingPathComponent("catalog.sqlite"))
    let raw = Array("""
        From: =?UTF-8?Q?Zo=C3=AB?= <zoe@example.com>\r
        To: Bob <bob@example.com>\r
        Subject: Merger with Globex\r
        Date: Fri, 15 Mar 2024 10:00:00 +0000\r
        Message-ID: <id@host>\r
        Content-Type: multipart/mixed; boundary=b\r
        \r
        --b\r
        \r
        Project Falcon: the e-mail at 12:30.\r
        --b\r
        Content-Disposition: attachment; filename=contract.pdf\r
        \r
        x\r
        --b--\r

        """.utf8)
    var items: [IndexItem] = []
    for (n, direction, source) in [(1, Direction.inbound, "smtp"), (2, Direction.outbound, "import")] {
        let offset = UInt64(n * 1000)
        let receipt = AppendReceipt(sha256: String(repeating: String(n), count: 64),
                                    body: RecordLocation(segment: 1, offset: offset),
                                    envelope: RecordLocation(segment: 1, offset: offset + 500),
                                    deduplicated: false, size: raw.count)
        let envelope = Envelope(mailFrom: "zoe@example.com", recipients: ["hidden@vault.example"],
                                receivedAt: Date(timeIntervalSince1970: 1_710_500_000), direction: direction,
                                source: MessageSource(source))
        items.append(IndexItem(message: Message(parsing: raw), receipt: receipt, envelope: envelope))
    }
    let fixtures = items
    let outcome = waitFor { try await catalog.messages.index(fixtures) }
    if case .failure(let error) = outcome { fatalError("could not index the fixture messages: \(error)") }
    return catalog
}()

/// Runs `body` on the concurrency pool and blocks this (libFuzzer's, not a pool) thread until it ends.
func waitFor<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) -> Result<T, any Error> {
    let result = Mutex<Result<T, any Error>?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        let outcome: Result<T, any Error>
        do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
        result.withLock { $0 = outcome }
        done.signal()
    }
    done.wait()
    return result.withLock { $0! }
}

/// One input is a query as typed into `tresor search` or written into a hold or a retention
/// policy. A query the parser refuses must say where (a column within the text, or just after
/// it); one it accepts must compile and run without an SQL or FTS5 error (the parser's promise).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzQuery(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let raw = fuzzInput(data, size)
    let text = String(decoding: raw, as: UTF8.self)
    let query: SearchQuery
    do throws(QueryError) {
        query = try SearchQuery(parsing: text)
    } catch {
        precondition(error.column >= 1 && error.column <= text.count + 1, "column \(error.column) outside the query")
        return 0
    }
    let catalog = catalog
    if case .failure(let error) = waitFor({ try await catalog.messages.count(query) }) {
        fatalError("query \(text.debugDescription) parsed but did not run: \(error)")
    }
    if case .failure(let error) = waitFor({ try await catalog.messages.search(query, limit: 2) }) {
        fatalError("query \(text.debugDescription) parsed but its search did not run: \(error)")
    }
    return 0
}

@main
enum FuzzQueryMain {
    static func main() { runLibFuzzer(fuzzQuery) }
}
