import Testing

@testable import Sieve

/// `:regex` keys this implementation refuses before `regcomp` sees them (`SieveRegex.boundsProblem`):
/// back-references, which POSIX extended regular expressions do not have and glibc matches in
/// exponential time, and patterns that expand past `SieveRegex.maximumPositions`, which glibc's
/// `regcomp` builds in time and memory that multiply with each nested interval.
@Test(arguments: [
    ("((a{1,255}){1,255}){1,255}", false),  // 16 million positions: minutes of regcomp
    ("(a{1,255}){1,255}", false),  // 65,025
    ("(ab|cd){1000}", false),  // 4,000
    ("a{2049}", false),
    ("a{2048}", true),
    ("x{1,}{1,}{1,}", true),
    ("a" + String(repeating: "+", count: 12), false),  // each + doubles what it repeats: 4,096
    ("a" + String(repeating: "+", count: 11), true),  // 2,048
    ("(ab)+*+", true),
    ("(.*)(.*)(.*)\\3\\2\\1x", false),  // minutes over a 2 KB subject
    ("^(a)\\1", false),
    ("[\\1]", true),  // in a bracket expression a backslash is itself
    ("[]\\1]", true),
    ("[[:digit:]\\1]+", true),
    ("^\\[([a-z-]+)\\] (.*)$", true),
    ("^([a-z]+)-(list|bounces)@", true),
    ("\\{1,99999999999}", true),  // an escaped brace is no interval
    ("(unclosed", true),  // regcomp's own error, not a bound
])
func regexKeysAreBounded(_ pattern: String, accepted: Bool) {
    #expect((SieveRegex.boundsProblem(in: pattern) == nil) == accepted)
    if !accepted {
        #expect(SieveRegex(pattern, comparator: .octet) == nil)
    }
}

/// A constant key over the bounds fails the script where the key list is; one made at run time
/// from a variable ends the run with an error (and the implicit keep), as any invalid key does.
@Test func boundedRegexKeysFailAtCompileTimeAndRunTime() throws {
    let constant = "require \"regex\";\nif header :regex \"subject\" \"((a{1,255}){1,255}){1,255}\" { keep; }"
    let error = try #require(throws: SieveError.self) { try SieveScript(source: constant) }
    #expect(error.location == SourceLocation(line: 2, column: 28))
    #expect(error.message.hasPrefix("invalid regular expression \"((a{1,255}){1,255}){1,255}\": the pattern is too large"))

    let backReference = "require \"regex\";\nif header :regex \"subject\" \"(.*)\\\\1\" { keep; }"
    let refused = try #require(throws: SieveError.self) { try SieveScript(source: backReference) }
    #expect(refused.message.hasSuffix("back-references are not part of POSIX extended regular expressions"))

    let variable = """
        require ["regex", "variables", "fileinto"];
        set "pattern" "((a{1,255}){1,255}){1,255}";
        if header :regex "subject" "${pattern}" { fileinto "Never"; }
        """
    let outcome = try SieveHarness.run(variable)
    #expect(outcome.error != nil)
    #expect(outcome.implicitKeep)
    #expect(outcome.actions.isEmpty)
}
