import SwiftASN1

/// How far genTime may be from UTC, either way. RFC 3161 §2.4.2:
///
///     Accuracy ::= SEQUENCE {
///        seconds        INTEGER              OPTIONAL,
///        millis     [0] INTEGER  (1..999)    OPTIONAL,
///        micros     [1] INTEGER  (1..999)    OPTIONAL }
///
/// A missing field counts as zero.
public struct Accuracy: Hashable, Sendable, CustomStringConvertible {
    public var seconds: Int
    public var milliseconds: Int
    public var microseconds: Int

    public init(seconds: Int = 0, milliseconds: Int = 0, microseconds: Int = 0) {
        self.seconds = seconds
        self.milliseconds = milliseconds
        self.microseconds = microseconds
    }

    public var duration: Duration {
        .seconds(seconds) + .milliseconds(milliseconds) + .microseconds(microseconds)
    }

    public var description: String { "±\(duration)" }
}

// MARK: - DER

extension Accuracy {
    init(derEncoded node: ASN1Node) throws {
        self = try DER.sequence(node, identifier: .sequence) { nodes in
            var accuracy = Accuracy()
            if let node = nodes.next(ifIdentifier: .integer) { accuracy.seconds = try Int(derEncoded: node) }
            if let node = nodes.next(ifIdentifier: .context(0)) {
                accuracy.milliseconds = try Int(derEncoded: node, withIdentifier: .context(0))
            }
            if let node = nodes.next(ifIdentifier: .context(1)) {
                accuracy.microseconds = try Int(derEncoded: node, withIdentifier: .context(1))
            }
            return accuracy
        }
    }
}
