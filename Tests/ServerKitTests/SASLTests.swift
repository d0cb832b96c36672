import ServerKit
import Testing

@Suite struct SASLTests {
    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foobar", "Zm9vYmFy")])
    func base64MatchesRFC4648TestVectors(_ plain: String, _ encoded: String) {
        #expect(Base64.encodeToString(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(Array(encoded.utf8)) == Array(plain.utf8))
    }

    @Test(arguments: ["Zg=", "Zg", "Z===", "Zm9v YmFy", "Zg==Zg==", "Zm9v\r\n", "Zm=v", "*"])
    func base64RejectsMalformedInput(_ text: String) {
        #expect(Base64.decode(Array(text.utf8)) == nil)
    }

    @Test func base64RoundTripsEveryByte() {
        let bytes = (0...255).map { UInt8($0) }
        #expect(Base64.decode(Base64.encode(bytes)) == bytes)
    }

    @Test func plainDecodesRFC4616Examples() {
        // RFC 4616 §4: "\0tim\0tanstaaftanstaaf" and with authzid "Ursel\0Kurt\0xipj3plmq".
        #expect(SASLPlain.decode(Array("\0tim\0tanstaaftanstaaf".utf8))
                == SASLCredentials(username: "tim", password: "tanstaaftanstaaf"))
        #expect(SASLPlain.decode(Array("Ursel\0Kurt\0xipj3plmq".utf8))
                == SASLCredentials(authorizationIdentity: "Ursel", username: "Kurt", password: "xipj3plmq"))
    }

    @Test(arguments: ["tim\0secret", "\0\0secret", "\0tim\0", "\0tim\0pa\0ss", "\0tim"])
    func plainRejectsMalformedMessages(_ message: String) {
        #expect(SASLPlain.decode(Array(message.utf8)) == nil)
    }

    @Test func plainRejectsInvalidUTF8() {
        #expect(SASLPlain.decode([0, 0xFF, 0xFE, 0, 0x41]) == nil)
    }

    @Test func plainEncodeRoundTrips() {
        let credentials = SASLCredentials(username: "alice@example.com", password: "p\u{E4}ss w0rd")
        #expect(SASLPlain.decode(SASLPlain.encode(credentials)) == credentials)
    }

    @Test func loginChallengesAreBase64OfTheirPrompts() {
        #expect(SASLLogin.usernameChallenge == "VXNlcm5hbWU6")
        #expect(SASLLogin.passwordChallenge == "UGFzc3dvcmQ6")
        #expect(SASLLogin.decodeField(Array("bob".utf8)) == "bob")
        #expect(SASLLogin.decodeField([0x62, 0]) == nil)
    }

    @Test func mechanismNamesAreCaseInsensitive() {
        #expect(SASLMechanism(name: Array("plain".utf8)) == .plain)
        #expect(SASLMechanism(name: Array("LoGiN".utf8)) == .login)
        #expect(SASLMechanism(name: Array("CRAM-MD5".utf8)) == nil)
    }
}
