import Logging
import ServerKit
import ServiceLifecycle

/// One ManageSieve listener (RFC 5804; port 4190, plaintext with STARTTLS) as a
/// swift-service-lifecycle `Service`. Graceful shutdown stops accepting, lets operations in
/// flight finish, and closes idle sessions with BYE (TRYLATER).
public struct ManageSieveService: Service {
    private let listener: Listener<ManageSieveConnectionHandler<AnyManageSieveBackend>>

    public init(
        host: String, port: Int, configuration: ManageSieveConfiguration, backend: some ManageSieveBackend,
        logger: Logger, onBound: @escaping @Sendable (Int) -> Void = { _ in }
    ) {
        listener = Listener(
            host: host, port: port, connectionsPerAddress: configuration.connectionsPerAddress,
            handler: ManageSieveConnectionHandler(configuration: configuration, backend: AnyManageSieveBackend(backend)),
            logger: logger, onBound: onBound)
    }

    public func run() async throws {
        try await listener.run()
    }
}

/// Type erasure, so that `ManageSieveService` is not generic over its backend.
struct AnyManageSieveBackend: ManageSieveBackend {
    private let base: any ManageSieveBackend

    init(_ base: some ManageSieveBackend) { self.base = base }

    var sieveExtensions: [String] { base.sieveExtensions }

    func authenticate(username: String, password: String, session: ManageSieveSessionInfo) async -> String? {
        await base.authenticate(username: username, password: password, session: session)
    }
    func listScripts(of user: String) async throws(ManageSieveFailure) -> [ManageSieveScriptInfo] {
        try await base.listScripts(of: user)
    }
    func getScript(_ name: String, of user: String) async throws(ManageSieveFailure) -> String {
        try await base.getScript(name, of: user)
    }
    func putScript(_ name: String, source: String, of user: String) async throws(ManageSieveFailure) {
        try await base.putScript(name, source: source, of: user)
    }
    func checkScript(_ source: String) async throws(ManageSieveFailure) {
        try await base.checkScript(source)
    }
    func deleteScript(_ name: String, of user: String) async throws(ManageSieveFailure) {
        try await base.deleteScript(name, of: user)
    }
    func renameScript(_ name: String, to newName: String, of user: String) async throws(ManageSieveFailure) {
        try await base.renameScript(name, to: newName, of: user)
    }
    func setActive(_ name: String?, of user: String) async throws(ManageSieveFailure) {
        try await base.setActive(name, of: user)
    }
    func haveSpace(for name: String, size: Int, of user: String) async throws(ManageSieveFailure) {
        try await base.haveSpace(for: name, size: size, of: user)
    }
}
