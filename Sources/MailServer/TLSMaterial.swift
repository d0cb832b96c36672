import Logging
import ServerKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The server's TLS certificate and key: the configured PEM files, or a self-signed pair that
/// the first start generates into `DATA/tls/` (`certificate.pem`, `key.pem` mode 0600) and
/// every later start reuses. Runs once at start-up, before any event loop serves a client.
enum TLSMaterial {
    static func certificateURL(in dataDirectory: URL) -> URL {
        dataDirectory.appendingPathComponent("tls/certificate.pem")
    }

    static func keyURL(in dataDirectory: URL) -> URL {
        dataDirectory.appendingPathComponent("tls/key.pem")
    }

    static func load(_ tls: TresorConfiguration.TLS, hostname: String, dataDirectory: URL,
                     logger: Logger) throws -> ServerTLS {
        if let certificate = tls.certificate, let key = tls.key {
            return try ServerTLS(certificateFile: certificate.path, keyFile: key.path)
        }
        let certificate = certificateURL(in: dataDirectory), key = keyURL(in: dataDirectory)
        let manager = FileManager.default
        if manager.fileExists(atPath: certificate.path) && manager.fileExists(atPath: key.path) {
            return try ServerTLS(certificateFile: certificate.path, keyFile: key.path)
        }
        // A start that died between the two writes leaves one file: make both again.
        let folder = certificate.deletingLastPathComponent()
        try manager.createDirectory(at: folder, withIntermediateDirectories: true,
                                    attributes: [.posixPermissions: 0o700])
        let generated = try SelfSignedCertificate.generate(hostname: hostname)
        try writeDurably(generated.keyPEM, to: key, mode: 0o600)
        try writeDurably(generated.certificatePEM, to: certificate, mode: 0o644)
        try syncDirectory(folder)
        logger.notice("generated a self-signed TLS certificate", metadata: [
            "hostname": "\(hostname)", "path": "\(certificate.path)"])
        return try ServerTLS(certificatePEM: generated.certificatePEM, keyPEM: generated.keyPEM)
    }

    /// SIGHUP: the configured files, or the ones in `DATA/tls/`, read again (never generated: a
    /// missing file is an error, and the certificate in use stays). `path` names the certificate.
    static func reload(_ tls: TresorConfiguration.TLS, dataDirectory: URL) throws -> (tls: ServerTLS, path: String) {
        let certificate = tls.certificate ?? certificateURL(in: dataDirectory)
        let key = tls.key ?? keyURL(in: dataDirectory)
        return (try ServerTLS(certificateFile: certificate.path, keyFile: key.path), certificate.path)
    }

    struct WriteError: Error, CustomStringConvertible {
        var path: String
        var operation: String
        var errno: Int32
        var description: String { "cannot \(operation) \(path): \(String(cString: strerror(errno)))" }
    }

    /// Writes a new file and fsyncs it; the mode is set at creation, so a key is never readable
    /// by others, not even for a moment.
    private static func writeDurably(_ text: String, to url: URL, mode: mode_t) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw WriteError(path: url.path, operation: "create", errno: errno) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw WriteError(path: url.path, operation: "write", errno: errno) }
            written += n
        }
        guard fsync(fd) == 0 else { throw WriteError(path: url.path, operation: "fsync", errno: errno) }
    }

    private static func syncDirectory(_ url: URL) throws {
        let fd = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw WriteError(path: url.path, operation: "open", errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw WriteError(path: url.path, operation: "fsync", errno: errno) }
    }
}
