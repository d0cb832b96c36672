import Testing

@testable import MailMessage

@Test(arguments: [
    ("<abc@example.com>", "abc@example.com"),
    ("  <abc@example.com>  ", "abc@example.com"),
    ("<abc@example.com> (added by relay)", "abc@example.com"),
    ("(comment) <abc@example.com>", "abc@example.com"),
    ("abc@example.com", "abc@example.com"),  // missing brackets
    ("<abc@example.com", "abc@example.com"),  // missing ">"
    ("<abc@\r\n example.com>", "abc@example.com"),  // folded inside the id
    ("<\"quoted.left\"@example.com>", "\"quoted.left\"@example.com"),
    ("<1234.5678@[192.0.2.1]>", "1234.5678@[192.0.2.1]"),
    ("<local-only>", "local-only"),
    ("<\"a  b\"@MHS>", "\"a  b\"@MHS"),  // white space inside a quoted id-left is kept
])
func parsesMessageID(_ input: String, _ expected: String) {
    #expect(MessageID.parse(Array(input.utf8)) == expected)
}

@Test(arguments: ["", "   ", "<>", "(just a comment)"])
func emptyMessageIDIsNil(_ input: String) {
    #expect(MessageID.parse(Array(input.utf8)) == nil)
}

@Test(arguments: [
    ("<a@x> <b@y>\r\n\t<c@z>", ["a@x", "b@y", "c@z"]),
    ("<a@x>,<b@y>", ["a@x", "b@y"]),
    ("<a@x> (Message from John of \"Mon, 1 Jan\")", ["a@x"]),
    ("Your message of Mon, 3 Jan 2000 <a@x>", ["a@x"]),
    ("a@x b@y", ["a@x", "b@y"]),  // bare ids
    ("Your message of Mon, 3 Jan 2000", []),
    ("", []),
])
func parsesMessageIDList(_ input: String, _ expected: [String]) {
    #expect(MessageID.parseList(Array(input.utf8)) == expected)
}
