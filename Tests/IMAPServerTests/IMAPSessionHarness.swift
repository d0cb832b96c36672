import Foundation
import IMAPServer
import ServerKit

/// Drives an `IMAPSession` the way `IMAPConnection` does, without sockets: bytes through the
/// parser, actions carried out against a backend, responses encoded. What a test reads is the
/// exact text a client would receive.
struct IMAPSessionHarness {
    var session: IMAPSession
    var parser = IMAPCommandParser()
    let backend: MemoryIMAPBackend
    /// Set when the session asked to start TLS or close.
    var startedTLS = false
    var closed = false

    init(backend: MemoryIMAPBackend = MemoryIMAPBackend(), tls: Bool = false, loopback: Bool = true,
         allowPlaintextOnLoopback: Bool = true, tlsAvailable: Bool = true, limits: IMAPLimits = IMAPLimits()) {
        self.backend = backend
        self.session = IMAPSession(
            settings: IMAPSession.Settings(serverName: "imap.test", tlsAvailable: tlsAvailable,
                                           allowPlaintextAuthOnLoopback: allowPlaintextOnLoopback, limits: limits),
            tls: tls, isLoopback: loopback)
        self.parser = IMAPCommandParser(limits: limits)
    }

    /// The greeting.
    mutating func connect() async -> String {
        await perform(session.connected(exceedsPerAddressLimit: false))
    }

    /// Sends raw text (CRLF added unless `raw`) and returns everything the server answers
    /// before it waits for input again.
    mutating func send(_ text: String, raw: Bool = false) async -> String {
        parser.append(Array((raw ? text : text + "\r\n").utf8))
        var out = ""
        while let event = parser.next() {
            out += await perform(session.receive(event))
        }
        return out
    }

    /// LOGIN as alice.
    mutating func login() async {
        _ = await connect()
        _ = await send("L LOGIN alice secret")
    }

    /// A change notification, as the connection delivers it during IDLE.
    mutating func mailboxChanged() async -> String {
        await perform(session.mailboxChanged())
    }

    mutating func perform(_ first: IMAPSession.Action) async -> String {
        var out: [UInt8] = []
        var next: IMAPSession.Action? = first
        while let action = next {
            next = nil
            let encoder = IMAPResponseEncoder(utf8Enabled: session.utf8Enabled)
            out += encoder.encode(action.responses)
            switch action.next {
            case .read: break
            case .perform(let operation):
                next = session.finished(await backend.run(operation, user: session.user ?? ""))
            case .authenticate(let credentials):
                let user = await backend.authenticate(
                    username: credentials.username, password: credentials.password,
                    session: IMAPSessionInfo(clientAddress: "127.0.0.1", isLoopback: true, tls: session.tls))
                next = session.authenticated(user: user)
            case .readAuthenticationResponse: parser.expect(.authenticationResponse)
            case .idle: parser.expect(.idleDone)
            case .startTLS:
                startedTLS = true
                session.tlsStarted()
            case .close: closed = true
            }
            parser.utf8Enabled = session.utf8Enabled
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The lines of a response text.
func lines(_ text: String) -> [String] {
    text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
}
