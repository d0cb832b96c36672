@testable import ArchiveStore
import Foundation
import Testing
import TestSupport
import StoreModel

/// The seal key: rotation (a record signed by both keys, seals after it by the new key, `verify`
/// following the chain and a pinned key), a key kept outside the data directory, and key files that
/// are missing, open to others or not this archive's.
@Suite struct SealKeyTests {
    func publicKey(_ fixture: ArchiveFixture) throws -> ArchivePublicKey {
        try ArchivePublicKey.load(fromKeysDirectory: fixture.keysDirectory)
    }

    @Test func rotationHandsOverAndVerifyFollowsTheChain() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let root = try publicKey(fixture)
            let store = try fixture.open()
            for n in 0..<3 { _ = try await store.append(message: message(n), envelope: envelope(n)) }
            try await store.sealActiveSegment()
            _ = try await store.append(message: message(3), envelope: envelope(3))
            let rotation = try await store.rotateSealKey()
            #expect(rotation.record.old == root.hex && rotation.record.new != root.hex)
            for n in 4..<6 { _ = try await store.append(message: message(n), envelope: envelope(n)) }
            try await store.sealActiveSegment()
            _ = try await store.append(message: message(6), envelope: envelope(6))
            let chain = try await store.sealKeyChain()
            store.close()

            let new = try #require(ArchivePublicKey(hex: rotation.record.new))
            #expect(chain.keys == [root, new] && chain.current == new)
            // The published files follow; the private key file holds the new key, no `.new` is left.
            #expect(try publicKey(fixture) == new)
            let listed = try String(contentsOf: fixture.keysDirectory.appendingPathComponent("archive.ed25519.chain"),
                                    encoding: .utf8)
            #expect(try ArchiveKeyList.parse(listed).get() == [root, new])
            #expect(try ArchiveKey.load(fromKeysDirectory: fixture.keysDirectory).publicKey == new)
            #expect(!FileManager.default.fileExists(atPath: fixture.keysDirectory.appendingPathComponent("archive.ed25519.new").path))
            #expect(try SealKeyChain.read(dataDirectory: directory) == chain)

            let unpinned = fixture.verify()
            #expect(unpinned.problem == nil, "\(String(describing: unpinned.problem))")
            #expect(unpinned.sealKeys == chain && unpinned.sealedSegments == 2)
            #expect(ArchiveVerifier.verify(dataDirectory: directory, publicKey: root).problem == nil)
            // Pinned to the new key alone, the seal of segment 1 (by the root) is not trusted.
            let newOnly = ArchiveVerifier.verify(dataDirectory: directory, publicKey: new).problem
            #expect(newOnly?.segment == 1 && newOnly?.reason.contains("signed by key \(root.hex)") == true)
            // Pinned to an unrelated key: the finding names the key that signed.
            let stranger = ArchiveKey.generate().publicKey
            let strange = ArchiveVerifier.verify(dataDirectory: directory, publicKey: stranger).problem
            #expect(strange?.reason.contains(root.hex) == true && strange?.reason.contains(stranger.hex) == true)

            // Reopened, the store seals with the new key.
            let again = try fixture.open()
            _ = try await again.append(message: message(7), envelope: envelope(7))
            try await again.sealActiveSegment()
            again.close()
            #expect(ArchiveVerifier.verify(dataDirectory: directory, publicKey: root).problem == nil)
        }
    }

    @Test func aServerFollowsARotationByAnotherProcess() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let root = try publicKey(fixture)
            let server = try fixture.open()
            _ = try await server.append(message: message(0), envelope: envelope(0))
            let command = try fixture.open()
            let rotation = try await command.rotateSealKey()
            command.close()
            // The server's next batch reads the rotation and seals with the new key.
            _ = try await server.append(message: message(1), envelope: envelope(1))
            try await server.sealActiveSegment()
            #expect(try await server.sealKeyChain().current.hex == rotation.record.new)
            server.close()
            let report = ArchiveVerifier.verify(dataDirectory: directory, publicKey: root)
            #expect(report.problem == nil, "\(String(describing: report.problem))")
            #expect(report.sealKeys?.rotations.map(\.record) == [rotation.record])
        }
    }

    @Test func aCrashBeforeTheNewKeyIsInstalledIsFinishedOnOpen() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let keyFile = fixture.keysDirectory.appendingPathComponent("archive.ed25519")
            let oldKey = try Data(contentsOf: keyFile)
            let store = try fixture.open()
            _ = try await store.append(message: message(0), envelope: envelope(0))
            let rotation = try await store.rotateSealKey()
            store.close()
            // As if the process died after journaling the rotation, before the rename.
            let staged = fixture.keysDirectory.appendingPathComponent("archive.ed25519.new")
            try FileManager.default.moveItem(at: keyFile, to: staged)
            try oldKey.write(to: keyFile)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile.path)

            let reopened = try fixture.open()
            _ = try await reopened.append(message: message(1), envelope: envelope(1))
            reopened.close()
            #expect(try ArchiveKey.load(fromKeysDirectory: fixture.keysDirectory).publicKeyHex == rotation.record.new)
            #expect(!FileManager.default.fileExists(atPath: staged.path))
            #expect(fixture.verify().problem == nil)
        }
    }

    @Test func oneRotationAtATimeAndAStrayNewKeyIsReplaced() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let store = try fixture.open()
            defer { store.close() }
            let lock = try SealKeyFiles(dataDirectory: directory).lockForRotation()
            await #expect(throws: ArchiveError.rotationInProgress(lock: fixture.keysDirectory.path + "/archive.ed25519.lock")) {
                try await store.rotateSealKey()
            }
            lock.release()
            // A `.new` file of a rotation that never got journaled is not the key in effect: replaced.
            let stray = fixture.keysDirectory.appendingPathComponent("archive.ed25519.new").path
            try FileIO.createExclusively(path: stray, contents: ArchiveKey.generate().fileContents, mode: 0o600)
            let rotation = try await store.rotateSealKey()
            #expect(try ArchiveKey.load(fromKeysDirectory: fixture.keysDirectory).publicKeyHex == rotation.record.new)
            #expect(!FileManager.default.fileExists(atPath: stray))
        }
    }

    @Test func aRotationNotSignedByTheKeyInEffectIsDamage() async throws {
        try await withTemporaryDirectory { directory in
            let fixture = try ArchiveFixture(directory)
            let store = try fixture.open()
            _ = try await store.append(message: message(0), envelope: envelope(0))
            // Someone without the private key hands the archive over to a key of their own.
            let intruder = ArchiveKey.generate()
            let root = try publicKey(fixture)
            var record = KeyRotationRecord(old: root.hex, new: intruder.publicKeyHex, time: Date(timeIntervalSince1970: 1_700_000_000))
            let signed = record.signedBytes(previousChain: [])
            record.oldSignature = Hex.string(intruder.sign(signed))
            record.newSignature = Hex.string(intruder.sign(signed))
            let outcomes = try await store.submit([.event(kind: .keyRotation, payload: record.encoded())])
            guard case .event(let location)? = outcomes.first else { Issue.record("no location"); return }
            store.close()

            let problem = fixture.verify().problem
            #expect(problem?.segment == location.segment && problem?.offset == location.offset)
            #expect(problem?.reason.contains("not signed by the old key") == true)
            #expect(throws: ArchiveError.self) { try fixture.open() }
        }
    }

    @Test func aReSignedArchiveFailsOnlyWithThePinnedKey() async throws {
        try await withTemporaryDirectory { directory in
            // The original: five messages, sealed by its key.
            let original = try ArchiveFixture(directory.appendingPathComponent("original"))
            let pinned = try publicKey(original)
            let store = try original.open()
            for n in 0..<5 { _ = try await store.append(message: message(n), envelope: envelope(n)) }
            try await store.sealActiveSegment()
            store.close()
            // The forgery: the first three again, under a fresh key, put in the original's place.
            let forged = try ArchiveFixture(directory.appendingPathComponent("forged"))
            let forger = try publicKey(forged)
            let rewriting = try forged.open()
            for n in 0..<3 { _ = try await rewriting.append(message: message(n), envelope: envelope(n)) }
            try await rewriting.sealActiveSegment()
            rewriting.close()
            for folder in ["archive", "keys"] {
                try FileManager.default.removeItem(at: original.dataDirectory.appendingPathComponent(folder))
                try FileManager.default.copyItem(at: forged.dataDirectory.appendingPathComponent(folder),
                                                 to: original.dataDirectory.appendingPathComponent(folder))
            }
            #expect(original.verify().problem == nil)
            let problem = ArchiveVerifier.verify(dataDirectory: original.dataDirectory, publicKey: pinned).problem
            #expect(problem?.reason.contains("signed by key \(forger.hex)") == true)
            #expect(problem?.reason.contains(pinned.hex) == true)
        }
    }

    @Test func theSealKeyCanLiveOutsideTheDataDirectory() async throws {
        try await withTemporaryDirectory { directory in
            let data = directory.appendingPathComponent("data")
            let outside = directory.appendingPathComponent("etc/tresor/seal.key").path
            let key = try SealKeyFiles(dataDirectory: data, configuredPath: outside).createFirstKey()
            let keys = try FileManager.default.contentsOfDirectory(atPath: data.appendingPathComponent("keys").path).sorted()
            #expect(keys == ["archive.ed25519.chain", "archive.ed25519.location", "archive.ed25519.pub"])
            let mode = try FileManager.default.attributesOfItem(atPath: outside)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            // Opened without configuration, the store finds the key where the data directory recorded it.
            let store = try ArchiveStore(dataDirectory: data)
            _ = try await store.append(message: message(0), envelope: envelope(0))
            let rotation = try await store.rotateSealKey()
            store.close()
            #expect(try SealKeyFiles.readPrivateKey(at: outside).publicKeyHex == rotation.record.new)
            #expect(ArchiveVerifier.verify(dataDirectory: data, publicKey: key.publicKey).problem == nil)
            // Rotating to a key elsewhere moves the recorded location and removes the retired key.
            let moved = directory.appendingPathComponent("etc/tresor/seal-2.key").path
            let reopened = try ArchiveStore(dataDirectory: data)
            let second = try await reopened.rotateSealKey(newKeyPath: moved)
            reopened.close()
            #expect(!FileManager.default.fileExists(atPath: outside))
            #expect(SealKeyFiles(dataDirectory: data).privateKeyPath == moved)
            #expect(try SealKeyFiles.readPrivateKey(at: moved).publicKeyHex == second.record.new)
            #expect(ArchiveVerifier.verify(dataDirectory: data, publicKey: key.publicKey).problem == nil)
        }
    }

    @Test func badKeyFilesAreRefusedNamingThePath() async throws {
        try await withTemporaryDirectory { directory in
            let data = directory.appendingPathComponent("data")
            let outside = directory.appendingPathComponent("seal.key").path
            _ = try SealKeyFiles(dataDirectory: data, configuredPath: outside).createFirstKey()
            func opening(_ configure: (inout ArchiveConfiguration) -> Void = { _ in }) -> ArchiveError? {
                var configuration = ArchiveConfiguration()
                configure(&configuration)
                do {
                    try ArchiveStore(dataDirectory: data, configuration: configuration).close()
                    return nil
                } catch {
                    return error
                }
            }
            #expect(opening() == nil)

            try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: outside)
            #expect(opening() == .keyPermissions(path: outside, mode: 0o640))
            #expect(opening()?.description.contains(outside) == true)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: outside)

            let missing = directory.appendingPathComponent("nowhere.key").path
            #expect(opening { $0.sealKeyPath = missing } == .keyMissing(path: missing))
            #expect(opening { $0.sealKeyPath = directory.path } == .keyUnreadable(path: directory.path, reason: "not a regular file"))

            let garbage = directory.appendingPathComponent("garbage.key").path
            _ = FileManager.default.createFile(atPath: garbage, contents: Data("not a key\n".utf8), attributes: [.posixPermissions: 0o600])
            #expect(opening { $0.sealKeyPath = garbage } == .invalidKey(path: garbage))

            let other = directory.appendingPathComponent("other")
            _ = try ArchiveKey.create(inKeysDirectory: other)
            let otherKey = other.appendingPathComponent("archive.ed25519").path
            guard case .sealKeyMismatch(let path, _)? = opening({ $0.sealKeyPath = otherKey }) else {
                Issue.record("another archive's key was accepted")
                return
            }
            #expect(path == otherKey)

            // A private key left in DATA/keys defeats keeping it elsewhere.
            let left = data.appendingPathComponent("keys/archive.ed25519").path
            try FileManager.default.copyItem(atPath: outside, toPath: left)
            #expect(opening() == .privateKeyInDataDirectory(path: left, keptAt: outside))
        }
    }
}
