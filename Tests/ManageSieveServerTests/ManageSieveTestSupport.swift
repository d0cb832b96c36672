import Logging
import ManageSieveServer
import NIOCore
import NIOPosix
import NIOSSL
import ServerKit
import SocketTestSupport
import ServiceLifecycle
import Synchronization
import Testing

/// In-memory scripts for alice (password "secret"). A line starting with "frob" does not
/// compile; a line "frob2" gives a two-line error. Scripts may total `quota` octets.
final class MemorySieveBackend: ManageSieveBackend {
    struct State {
        var scripts: [String: String] = [:]
        var active: String?
    }
    let quota: Int
    private let state = Mutex(State())

    init(quota: Int = 10_000) {
        self.quota = quota
    }

    var scripts: [String: String] { state.withLock { $0.scripts } }
    var active: String? { state.withLock { $0.active } }

    var sieveExtensions: [String] { ["fileinto", "vacation"] }

    func authenticate(username: String, password: String, session: ManageSieveSessionInfo) async -> String? {
        username == "alice" && password == "secret" ? "alice" : nil
    }

    func listScripts(of user: String) async throws(ManageSieveFailure) -> [ManageSieveScriptInfo] {
        state.withLock { state in
            state.scripts.keys.sorted().map { ManageSieveScriptInfo(name: $0, active: $0 == state.active) }
        }
    }

    func getScript(_ name: String, of user: String) async throws(ManageSieveFailure) -> String {
        guard let source = state.withLock({ $0.scripts[name] }) else { throw .nonexistent }
        return source
    }

    func putScript(_ name: String, source: String, of user: String) async throws(ManageSieveFailure) {
        try await checkScript(source, of: user)
        try state.withLock { (state: inout State) throws(ManageSieveFailure) in
            let others = state.scripts.filter { $0.key != name }.values.reduce(0) { $0 + $1.utf8.count }
            guard others + source.utf8.count <= quota else { throw .quotaExceeded("MAXSIZE") }
            state.scripts[name] = source
        }
    }

    func checkScript(_ source: String, of user: String) async throws(ManageSieveFailure) {
        // Split on LF bytes: as Characters, "\r\n" is one grapheme and never equals "\n".
        let lines = source.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        for (index, line) in lines.enumerated() {
            if line.hasPrefix("frob2") {
                throw .invalidScript("\(index + 1):1: unknown command \"frob2\"\r\n\(index + 1):6: missing semicolon")
            }
            if line.hasPrefix("frob") { throw .invalidScript("\(index + 1):1: unknown command \"frob\"") }
        }
    }

    func deleteScript(_ name: String, of user: String) async throws(ManageSieveFailure) {
        try state.withLock { (state: inout State) throws(ManageSieveFailure) in
            guard state.scripts[name] != nil else { throw .nonexistent }
            guard state.active != name else { throw .active }
            state.scripts[name] = nil
        }
    }

    func renameScript(_ name: String, to newName: String, of user: String) async throws(ManageSieveFailure) {
        try state.withLock { (state: inout State) throws(ManageSieveFailure) in
            guard let source = state.scripts[name] else { throw .nonexistent }
            guard state.scripts[newName] == nil else { throw .alreadyExists }
            state.scripts[name] = nil
            state.scripts[newName] = source
            if state.active == name { state.active = newName }
        }
    }

    func setActive(_ name: String?, of user: String) async throws(ManageSieveFailure) {
        try state.withLock { (state: inout State) throws(ManageSieveFailure) in
            if let name, state.scripts[name] == nil { throw .nonexistent }
            state.active = name
        }
    }

    func haveSpace(for name: String, size: Int, of user: String) async throws(ManageSieveFailure) {
        let others = state.withLock { $0.scripts.filter { $0.key != name }.values.reduce(0) { $0 + $1.utf8.count } }
        guard others + size <= quota else { throw .quotaExceeded("MAXSIZE") }
    }
}

/// The raw socket client of every protocol test, with ManageSieve's responses.
typealias SieveTestClient = SocketTestClient

extension SocketTestClient {
    /// Everything up to and including the completion line (OK, NO or BYE), literals read by
    /// their counts, as the exact bytes sent; what came before the close if the server closed.
    mutating func responseBytes() async throws -> [UInt8] {
        var all: [UInt8] = []
        while true {
            var logical: [UInt8] = []
            while true {
                guard let line = try await lineBytes() else { return all + logical }
                logical += line
                if let count = Self.literalCount(line) {
                    logical += try await bytes(count)
                    continue
                }
                break
            }
            all += logical
            let text = String(decoding: logical.prefix(3), as: UTF8.self).uppercased()
            if text.hasPrefix("OK") || text.hasPrefix("NO") || text.hasPrefix("BYE") { return all }
        }
    }

    mutating func response() async throws -> String {
        String(decoding: try await responseBytes(), as: UTF8.self)
    }

    /// The n of a line ending with "{n}\r\n".
    static func literalCount(_ line: [UInt8]) -> Int? {
        // Bytes, not Characters: "\r\n" is a single Character.
        guard line.count >= 5, line.suffix(3) == Array("}\r\n".utf8),
              let open = line.lastIndex(of: UInt8(ascii: "{"))
        else { return nil }
        return Int(String(decoding: line[(open + 1)..<(line.count - 3)], as: UTF8.self))
    }
}

/// Runs a `ManageSieveService` on 127.0.0.1 port 0 inside a `ServiceGroup`.
func withSieveServer(
    backend: MemorySieveBackend = MemorySieveBackend(),
    configure: (inout ManageSieveConfiguration) -> Void = { _ in },
    _ body: (Int, MemorySieveBackend, ServiceGroup) async throws -> Void
) async throws {
    var configuration = ManageSieveConfiguration(implementationName: "Tresor test", allowPlaintextAuthOnLoopback: true)
    configure(&configuration)
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    var logger = Logger(label: "managesieve-test")
    logger.logLevel = .critical
    let service = ManageSieveService(host: "127.0.0.1", port: 0, configuration: configuration, backend: backend,
                                     logger: logger, onBound: { continuation.yield($0) })
    let group = ServiceGroup(configuration: .init(services: [service], logger: logger))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        do {
            try await body(port, backend, group)
        } catch {
            await group.triggerGracefulShutdown()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
    }
}

/// A TLS context with a fresh self-signed certificate.
func testTLS() throws -> ServerTLS {
    let generated = try SelfSignedCertificate.generate(hostname: "sieve.test")
    return try ServerTLS(certificatePEM: generated.certificatePEM, keyPEM: generated.keyPEM)
}

/// "AUTHENTICATE" PLAIN's base64 for user/password.
func plainResponse(_ user: String, _ password: String) -> String {
    Base64.encodeToString(SASLPlain.encode(SASLCredentials(username: user, password: password)))
}

/// A non-synchronizing literal holding `text`: `{n+}` CRLF and the octets.
func literal(_ text: String) -> String {
    "{\(text.utf8.count)+}\r\n\(text)"
}
