import MailMessage
import Testing

/// Boundary delimiter recognition, RFC 2046 §5.1.1, as a table: each case is a message (LF
/// line ends; every case also runs with CRLF), the leaves' bodies it must give, and the
/// problems it must report.
@Suite struct BoundaryTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var message: String
        /// "number type: body" for every part that is not multipart.
        var leaves: [String]
        var problems: [ParseProblem.Kind] = []
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "trailing white space after a delimiter is transport padding",
            message: "Content-Type: multipart/mixed; boundary=b\n\n--b  \t\n\none\n--b--  \n",
            leaves: ["1 text/plain: one"]),
        Case(
            name: "a longer word starting with the boundary is not a delimiter",
            message: "Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--bx\n--b--\n",
            leaves: ["1 text/plain: one\n--bx"]),
        Case(
            name: "inner boundary with the outer as prefix",
            message: """
                Content-Type: multipart/mixed; boundary=abc

                --abc
                Content-Type: multipart/alternative; boundary=abc-1

                --abc-1

                inner
                --abc-1--
                --abc

                outer
                --abc--

                """,
            leaves: ["1.1 text/plain: inner", "2 text/plain: outer"]),
        Case(
            name: "longest match: '--a--' is the inner delimiter of boundary 'a--', not the outer close",
            message: """
                Content-Type: multipart/mixed; boundary=a

                --a
                Content-Type: multipart/mixed; boundary=a--

                --a--

                first
                --a--

                second
                --a----
                --a

                third
                --a--

                """,
            leaves: ["1.1 text/plain: first", "1.2 text/plain: second", "2 text/plain: third"]),
        Case(
            name: "missing close delimiter: the last part runs to the end",
            message: "Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\n\ntwo\n",
            leaves: ["1 text/plain: one", "2 text/plain: two\n"],
            problems: [.unterminatedMultipart]),
        Case(
            name: "no delimiter at all: a multipart without children",
            message: "Content-Type: multipart/mixed; boundary=b\n\njust text\n",
            leaves: [],
            problems: [.boundaryNotFound]),
        Case(
            name: "no boundary parameter",
            message: "Content-Type: multipart/mixed\n\n--b\n\ntext\n",
            leaves: [],
            problems: [.missingBoundary]),
        Case(
            name: "preamble and epilogue are not parts",
            message: "Content-Type: multipart/mixed; boundary=b\n\npreamble\n--b\n\none\n--b--\nepilogue\n--b\n",
            leaves: ["1 text/plain: one"]),
        Case(
            name: "close delimiter followed by other text is no delimiter",
            message: "Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b--x\n--b--\n",
            leaves: ["1 text/plain: one\n--b--x"]),
        Case(
            name: "repeated delimiter lines make one",
            message: "Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n\none\n--b\n--b\n\ntwo\n--b--\n",
            leaves: ["1 text/plain: one", "2 text/plain: two"]),
        Case(
            name: "an empty part before the close delimiter is kept",
            message: "Content-Type: multipart/mixed; boundary=b\n\n--b\n--b--\n",
            leaves: ["1 text/plain: "]),
        Case(
            name: "an outer delimiter ends an unterminated inner multipart",
            message: """
                Content-Type: multipart/mixed; boundary=out

                --out
                Content-Type: multipart/mixed; boundary=in

                --in

                inner
                --out

                after
                --out--

                """,
            leaves: ["1.1 text/plain: inner", "2 text/plain: after"],
            problems: [.unterminatedMultipart]),
        Case(
            name: "a part header that runs into the next delimiter has an empty body",
            message: "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/x-a\n--b\n\ntwo\n--b--\n",
            leaves: ["1 text/x-a: ", "2 text/plain: two"]),
        Case(
            name: "quoted boundary with special characters",
            message: "Content-Type: multipart/mixed; boundary=\"=_a:b(c)?\"\n\n--=_a:b(c)?\n\none\n--=_a:b(c)?--\n",
            leaves: ["1 text/plain: one"]),
        Case(
            name: "message/rfc822 inside a multipart ends at the enclosing delimiter",
            message: """
                Content-Type: multipart/mixed; boundary=b

                --b
                Content-Type: message/rfc822

                Subject: inner

                inner body
                --b--

                """,
            leaves: ["1.1 text/plain: inner body"]),
    ]

    @Test(arguments: cases)
    func delimiters(_ test: Case) {
        for ending in MIMEFixture.LineEnding.allCases {
            let raw = MIMEFixture.text(test.message, ending)
            let message = Message(parsing: raw)
            let leaves = message.parts.filter { !$0.isMultipart && !$0.isEncapsulatedMessage }.map { part in
                "\(part.partNumber) \(part.contentType.mimeType): "
                    + MIMEFixture.slice(message, part.bodyRange).replacingOccurrences(of: "\r\n", with: "\n")
            }
            #expect(leaves == test.leaves, "\(ending)")
            #expect(message.problems.map(\.kind) == test.problems, "\(ending)")
            #expect(StructureCheck.violations(message).isEmpty, "\(ending)")
        }
    }

    @Test func nestingBeyondTheLimitIsOpaque() {
        var text = ""
        for level in 0..<100 { text += "Content-Type: multipart/mixed; boundary=l\(level)\n\n--l\(level)\n" }
        text += "\ninnermost\n"
        let message = Message(parsing: Array(text.utf8))
        #expect(message.problems.contains { $0.kind == .nestingTooDeep })
        var depth = 0
        var part = message.root
        while let child = part.children.first {
            depth += 1
            part = child
        }
        #expect(depth == MIMELimits().nestingDepth)
        #expect(StructureCheck.violations(message).isEmpty)
    }
}
