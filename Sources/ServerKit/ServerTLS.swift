import NIOCore
import NIOSSL
import Synchronization

/// Why a TLS context could not be built.
public enum ServerTLSError: Error, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalid(reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .invalid(let reason): "invalid TLS certificate or key: \(reason)"
        }
    }
}

/// A server-side TLS context (certificate chain + private key), shared by every connection of a
/// listener. TLS 1.2 is the floor (RFC 8996 deprecates 1.0 and 1.1).
///
/// Copies share one slot: `replaceContext(with:)` (a certificate reload) changes the context every
/// copy hands out from then on. A handshake takes the context when the connection (or its STARTTLS)
/// starts, so connections already open keep theirs.
public struct ServerTLS: Sendable {
    private final class Slot: Sendable {
        let context: Mutex<NIOSSLContext>
        init(_ context: NIOSSLContext) { self.context = Mutex(context) }
    }

    private let slot: Slot

    /// The context new handshakes use.
    public var context: NIOSSLContext { slot.context.withLock { $0 } }

    public init(context: NIOSSLContext) {
        slot = Slot(context)
    }

    /// From now on, new handshakes of every copy of this value use `other`'s certificate and key.
    public func replaceContext(with other: ServerTLS) {
        let context = other.context
        slot.context.withLock { $0 = context }
    }

    /// From PEM text: a certificate chain (leaf first) and its private key.
    public init(certificatePEM: String, keyPEM: String) throws(ServerTLSError) {
        do {
            let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8))
            guard !chain.isEmpty else { throw ServerTLSError.invalid(reason: "no certificate in PEM") }
            let key = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)
            try self.init(chain: chain, key: key)
        } catch let error as ServerTLSError {
            throw error
        } catch {
            throw .invalid(reason: "\(error)")
        }
    }

    /// From PEM files. Reads the files now (start-up, never on an event loop).
    public init(certificateFile: String, keyFile: String) throws(ServerTLSError) {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do { chain = try NIOSSLCertificate.fromPEMFile(certificateFile) } catch {
            throw .unreadable(path: certificateFile, reason: "\(error)")
        }
        do { key = try NIOSSLPrivateKey(file: keyFile, format: .pem) } catch {
            throw .unreadable(path: keyFile, reason: "\(error)")
        }
        guard !chain.isEmpty else { throw .invalid(reason: "no certificate in \(certificateFile)") }
        try self.init(chain: chain, key: key)
    }

    private init(chain: [NIOSSLCertificate], key: NIOSSLPrivateKey) throws(ServerTLSError) {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        do { slot = Slot(try NIOSSLContext(configuration: configuration)) } catch {
            throw .invalid(reason: "\(error)")
        }
    }
}
