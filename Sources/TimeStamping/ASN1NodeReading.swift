import SwiftASN1

extension ASN1NodeCollection.Iterator {
    /// The next node if it has `identifier` (an OPTIONAL or DEFAULT field that is present);
    /// otherwise nil, and the node stays to be read as the next field.
    mutating func next(ifIdentifier identifier: ASN1Identifier) -> ASN1Node? {
        var lookahead = self
        guard let node = lookahead.next(), node.identifier == identifier else { return nil }
        self = lookahead
        return node
    }

    /// The next node, which the structure requires; `field` names it in the error.
    mutating func required(_ field: String) throws -> ASN1Node {
        guard let node = next() else { throw ASN1Error.invalidASN1Object(reason: "\(field) is missing") }
        return node
    }
}

extension ASN1Identifier {
    /// A context-specific tag, `[number]` in ASN.1.
    static func context(_ number: UInt) -> ASN1Identifier {
        ASN1Identifier(tagWithNumber: number, tagClass: .contextSpecific)
    }
}

extension ASN1Node {
    /// The single node inside an EXPLICIT tag.
    func explicitlyTaggedChild() throws -> ASN1Node {
        guard case .constructed(let children) = content else {
            throw ASN1Error.invalidASN1Object(reason: "an explicit tag must be constructed")
        }
        var iterator = children.makeIterator()
        guard let child = iterator.next(), iterator.next() == nil else {
            throw ASN1Error.invalidASN1Object(reason: "an explicit tag must hold exactly one value")
        }
        return child
    }

    /// The nodes of a constructed node whose tag was replaced (IMPLICIT SET OF / SEQUENCE OF).
    func children() throws -> [ASN1Node] {
        guard case .constructed(let children) = content else {
            throw ASN1Error.invalidASN1Object(reason: "\(identifier) must be constructed")
        }
        return Array(children)
    }

    /// The elements of a SET OF.
    func childrenOfSet() throws -> [ASN1Node] {
        guard identifier == .set else { throw ASN1Error.unexpectedFieldType(identifier) }
        return try children()
    }
}
