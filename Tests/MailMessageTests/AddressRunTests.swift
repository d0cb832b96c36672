import Testing

@testable import MailMessage

/// Bare addresses one after another without commas ("a@x b@y") are read from the end, one per
/// turn of a loop: 100,000 of them in one header field (400 KB, well inside a message SMTP
/// accepts) are all found, where reading each with a recursive call overflowed the stack.
@Test(arguments: [1, 2, 3, 100_000])
func bareAddressesWithoutCommasAreAllFound(_ count: Int) {
    let value = (0..<count).map { "u\($0)@x.example" }.joined(separator: " ")
    let addresses = AddressParser.parseList(Array(value.utf8))
    #expect(addresses.count == count)
    #expect(addresses.first?.mailbox == "u0@x.example")
    #expect(addresses.last?.mailbox == "u\(count - 1)@x.example")
    #expect(addresses.allSatisfy { $0.displayName == nil })
}

/// What the loop keeps of the recursive reading: a display name before the first bare address, an
/// obs-route in front, and an empty address spec that ends the run.
@Test func bareAddressRunsKeepTheirDisplayNameAndRoute() {
    let named = AddressParser.parseList(Array("Ann a@x b@y".utf8))
    #expect(named.map(\.mailbox) == ["a@x", "b@y"])
    #expect(named.map(\.displayName) == ["Ann", nil])
    let routed = AddressParser.parseList(Array("@relay.example:a@x b@y".utf8))
    #expect(routed.map(\.mailbox) == ["a@x", "b@y"])
}
