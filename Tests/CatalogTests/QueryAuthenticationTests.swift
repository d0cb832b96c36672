import Testing

@testable import Catalog
@testable import QueryLanguage

/// `auth:METHOD=RESULT`: the three methods with RFC 8601's results, case-insensitive; anything
/// else is an error at the value.
@Suite struct QueryAuthenticationTests {
    @Test(arguments: [
        ("auth:dmarc=fail", AuthenticationMethod.dmarc, "fail"),
        ("auth:SPF=Pass", .spf, "pass"),
        ("auth:dkim=temperror", .dkim, "temperror"),
        ("auth:spf=softfail", .spf, "softfail"),
    ])
    func parses(_ text: String, _ method: AuthenticationMethod, _ result: String) throws {
        #expect(try SearchQuery(parsing: text).root == .term(.authentication(method, result)))
    }

    @Test(arguments: ["auth:dmarc", "auth:arc=pass", "auth:dmarc=softfail", "auth:spf=pass=x", "auth:dkim=pa*",
                      "auth:=pass"])
    func refuses(_ text: String) {
        #expect(throws: QueryError.self) { try SearchQuery(parsing: text) }
    }
}
