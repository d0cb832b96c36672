import SwiftASN1

/// The TSA's verdict on a request. RFC 3161 §2.4.2:
///
///     PKIStatusInfo ::= SEQUENCE {
///        status        PKIStatus,
///        statusString  PKIFreeText     OPTIONAL,
///        failInfo      PKIFailureInfo  OPTIONAL }
public struct PKIStatusInfo: Hashable, Sendable, CustomStringConvertible {
    /// PKIStatus. Only `granted` and `grantedWithMods` come with a token (§2.4.2).
    public enum Status: Hashable, Sendable {
        case granted, grantedWithMods, rejection, waiting, revocationWarning, revocationNotification
        /// A value RFC 3161 does not define.
        case unknown(Int)

        init(_ value: Int) {
            switch value {
            case 0: self = .granted
            case 1: self = .grantedWithMods
            case 2: self = .rejection
            case 3: self = .waiting
            case 4: self = .revocationWarning
            case 5: self = .revocationNotification
            default: self = .unknown(value)
            }
        }
    }

    /// PKIFailureInfo, a BIT STRING whose bits name the reasons (§2.4.2).
    public enum FailureInfo: Int, Hashable, Sendable, CaseIterable {
        case badAlg = 0, badRequest = 2, badDataFormat = 5, timeNotAvailable = 14, unacceptedPolicy = 15,
             unacceptedExtension = 16, addInfoNotAvailable = 17, systemFailure = 25
    }

    public var status: Status
    /// statusString: free text the TSA wrote (PKIFreeText, UTF-8).
    public var text: [String]
    public var failures: [FailureInfo]

    public var isGranted: Bool { status == .granted || status == .grantedWithMods }

    public var description: String {
        var parts = ["\(status)"]
        if !failures.isEmpty { parts.append("failInfo: " + failures.map { "\($0)" }.joined(separator: ", ")) }
        if !text.isEmpty { parts.append("\"" + text.joined(separator: "; ") + "\"") }
        return parts.joined(separator: ", ")
    }
}

// MARK: - DER

extension PKIStatusInfo {
    // PKIStatus ::= INTEGER; PKIFreeText ::= SEQUENCE SIZE (1..MAX) OF UTF8String (RFC 4210 §5.1.1);
    // PKIFailureInfo ::= BIT STRING
    init(derEncoded node: ASN1Node) throws {
        self = try DER.sequence(node, identifier: .sequence) { nodes in
            let status = Status(try Int(derEncoded: &nodes))
            var text: [String] = []
            var failures: [FailureInfo] = []
            if let free = nodes.next(ifIdentifier: .sequence) {
                let strings = try DER.sequence(of: ASN1UTF8String.self, identifier: .sequence, rootNode: free)
                text = strings.map { String($0) }
            }
            if let node = nodes.next(ifIdentifier: .bitString) {
                let bits = try ASN1BitString(derEncoded: node)
                failures = FailureInfo.allCases.filter { bits.isSet($0.rawValue) }
            }
            return PKIStatusInfo(status: status, text: text, failures: failures)
        }
    }
}

extension ASN1BitString {
    /// Whether bit `index` is set, counting from the most significant bit of the first byte
    /// (X.690 §8.6.2.1: bit 0 of a named bit list is the first bit).
    func isSet(_ index: Int) -> Bool {
        let byte = index / 8
        guard byte < bytes.count else { return false }
        return bytes[bytes.startIndex + byte] & (0x80 >> UInt8(index % 8)) != 0
    }
}
