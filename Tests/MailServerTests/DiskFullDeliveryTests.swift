@testable import ArchiveStore
import Foundation
import Glibc
import Logging
@testable import MailServer
@testable import MailStore
import SMTPServer
import Synchronization
import Testing
import TestSupport

/// A full disk defers SMTP deliveries instead of failing the store until a restart: while the
/// archive's writes fail with ENOSPC (the writer's fault seam: half of each write reaches the
/// segment, then the real errno), the SMTP backend answers 452 4.3.1 (451 4.3.0 for another I/O
/// error); what was acknowledged before stays; once the disk has room, the same running store
/// takes mail again, and the archive verifies with every acknowledged message in its mailbox.
@Suite struct DiskFullDeliveryTests {
    final class Full: Sendable {
        private let on = Atomic<Bool>(false)
        var isOn: Bool { on.load(ordering: .relaxed) }
        func set(_ value: Bool) { on.store(value, ordering: .relaxed) }
    }

    @Test(arguments: [(ENOSPC, 452, "4.3.1"), (EDQUOT, 452, "4.3.1"), (EIO, 451, "4.3.0")])
    func deliveriesAreDeferredWhileWritesFailAndResumeWithoutRestart(errno code: Int32, reply: Int, enhanced: String)
        async throws
    {
        try await withTemporaryDirectory { folder in
            let data = try await ServerHarness.makeDataDirectory(in: folder, users: EndToEndTests.users)
            let full = Full()
            var archive = ArchiveConfiguration()
            archive.writeFault = { full.isOn ? code : nil }
            let store = try MailStore(dataDirectory: data, archiveConfiguration: archive)
            let backend = SMTPMailStoreBackend(store: store, logger: Logger(label: "tresor.test"),
                                               primaryDomain: "localhost")
            let session = SMTPSessionInfo(listener: .mx, clientAddress: "192.0.2.7", isLoopback: false,
                                          helo: "client.test")
            func send(_ n: Int) async -> SMTPReply {
                let message = Array("From: sender@remote.test\r\nTo: alice@localhost\r\nSubject: disk \(n)\r\nMessage-ID: <disk-\(n)@e2e.test>\r\n\r\nBody \(n).\r\n".utf8)
                return await backend.deliver(
                    envelope: SMTPEnvelope(id: "T\(n)", mailFrom: "sender@remote.test", recipients: ["alice@localhost"],
                                           utf8: false, body: .sevenBit),
                    message: message, session: session)
            }
            #expect(await send(1).code == 250)
            full.set(true)
            for n in 2...3 {
                let deferred = await send(n)
                #expect(deferred.code == reply && deferred.enhanced == enhanced, "\(deferred)")
            }
            full.set(false)
            for n in 2...4 {
                let accepted = await send(n)
                #expect(accepted.code == 250, "\(accepted)")
            }
            store.close()

            #expect(ArchiveVerifier.verify(dataDirectory: data).problem == nil)
            let reopened = try MailStore(dataDirectory: data)
            defer { reopened.close() }
            for n in 1...4 {
                let stored = try await Stored.find(messageID: "disk-\(n)@e2e.test", user: "alice@localhost", in: reopened)
                #expect(stored.inbox.count == 1, "message \(n)")
            }
        }
    }
}
