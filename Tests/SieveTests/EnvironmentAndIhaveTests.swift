import Foundation
import Testing

@testable import Sieve

/// `environment` (RFC 5183) and `ihave`/`error` (RFC 5463).
@Suite struct EnvironmentAndIhaveTests {
    private func mailboxes(_ source: String, environment: [String: String] = [:]) throws -> SieveOutcome {
        var input = SieveHarness.input(mailboxes: ["INBOX", "A", "B"])
        input.environment.merge(environment) { $1 }
        return try SieveHarness.run([source], input)
    }

    private func filedInto(_ outcome: SieveOutcome) -> [String] {
        outcome.actions.compactMap { if case .fileInto(let mailbox, _, _, _) = $0 { mailbox } else { nil } }
    }

    @Test func environmentItemsMatchAndUnknownOnesAreFalse() throws {
        let outcome = try mailboxes("""
            require ["environment", "fileinto", "relational"];
            if allof (environment "location" "MDA", environment "phase" "during",
                      environment :contains "name" "tresor", environment :matches "domain" "*.org") {
                fileinto "A";
            }
            if environment :count "ge" "remote-ip" "0" { fileinto "B"; }
            if environment "no-such-item" "" { discard; }
            """, environment: ["domain": "example.org"])
        #expect(filedInto(outcome) == ["A"])
        #expect(outcome.error == nil)
    }

    @Test func ihaveGuardsBlocksThatUseUnknownExtensions() throws {
        // The first block uses a command no one knows: it is neither checked nor run.
        let outcome = try mailboxes("""
            require ["ihave", "fileinto"];
            if ihave "x-no-such-extension" {
                x_no_such_command :tag "whatever";
            } elsif ihave ["vacation", "relational"] {
                vacation "Away.";
                if header :count "ge" "to" "1" { fileinto "A"; }
            }
            """)
        #expect(outcome.error == nil)
        #expect(filedInto(outcome) == ["A"])
        #expect(outcome.actions.contains { if case .vacation = $0 { true } else { false } })
    }

    @Test func withoutIhaveAnUnrequiredExtensionStillFailsToCompile() {
        #expect(throws: SieveError.self) { try SieveScript(source: "require \"ihave\"; vacation \"x\";") }
        #expect(throws: SieveError.self) { try SieveScript(source: "if ihave \"vacation\" { keep; }") }
    }

    @Test func errorIsARunTimeErrorWithTheScriptsMessage() throws {
        let outcome = try mailboxes("""
            require ["ihave", "fileinto"];
            fileinto "A";
            if not ihave "x-unknown" { error "this server lacks x-unknown"; }
            """)
        #expect(outcome.actions.isEmpty && outcome.implicitKeep)
        #expect(outcome.error?.message.contains("this server lacks x-unknown") == true)
    }
}
