import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The public half, all that `verify` needs.
public struct ArchivePublicKey: Sendable, Hashable {
    package let key: Curve25519.Signing.PublicKey

    package init(key: Curve25519.Signing.PublicKey) { self.key = key }

    /// From 64 hex digits, as `tresor init` prints them.
    public init?(hex: String) {
        guard let raw = Hex.bytes(hex.trimmingASCIIWhitespace()),
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
        else { return nil }
        self.key = key
    }

    public var hex: String { Hex.string(key.rawRepresentation) }
    package var raw: [UInt8] { Array(key.rawRepresentation) }

    /// Whether `signature` is this key's Ed25519 signature of `message`.
    public func isValidSignature(_ signature: some Collection<UInt8>, for message: [UInt8]) -> Bool {
        key.isValidSignature(Array(signature), for: message)
    }

    public static func == (lhs: ArchivePublicKey, rhs: ArchivePublicKey) -> Bool { lhs.raw == rhs.raw }
    public func hash(into hasher: inout Hasher) { hasher.combine(raw) }
}

extension String {
    package func trimmingASCIIWhitespace() -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        let utf8 = Array(self.utf8)
        guard let first = utf8.firstIndex(where: { !isSpace($0) }), let last = utf8.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(decoding: utf8[first...last], as: UTF8.self)
    }
}
