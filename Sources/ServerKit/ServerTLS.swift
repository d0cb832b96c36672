import NIOCore
import NIOSSL

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
public struct ServerTLS: Sendable {
    public let context: NIOSSLContext

    public init(context: NIOSSLContext) {
        self.context = context
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
        do { context = try NIOSSLContext(configuration: configuration) } catch {
            throw .invalid(reason: "\(error)")
        }
    }
}
