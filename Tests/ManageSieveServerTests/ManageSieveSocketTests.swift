import ManageSieveServer
import NIOCore
import ServerKit
import Testing

/// The server on real sockets, read as transcripts: greeting, STARTTLS, AUTHENTICATE PLAIN, the
/// whole script lifecycle, limits and bad input.
@Suite struct ManageSieveSocketTests {
    static func capabilities(_ text: String) -> String {
        """
        "IMPLEMENTATION" "Tresor test"\r
        "SASL" "PLAIN"\r
        "SIEVE" "fileinto vacation"\r
        "UNAUTHENTICATE"\r
        "VERSION" "1.0"\r
        OK "\(text)"\r

        """
    }

    /// Connected and logged in as alice (plaintext allowed on loopback).
    private func logIn(_ client: inout SieveTestClient) async throws {
        _ = try await client.response()
        try await client.send("AUTHENTICATE \"PLAIN\" \"\(plainResponse("alice", "secret"))\"\r\n")
        #expect(try await client.response() == "OK \"Logged in\"\r\n")
    }

    @Test func greetsWithTheCapabilitiesAndLogsOut() async throws {
        try await withSieveServer { port, _, _ in
            try await SieveTestClient.with(port) { client in
                #expect(try await client.response() == Self.capabilities("Tresor test ManageSieve ready"))
                try await client.send("CAPABILITY\r\n")
                #expect(try await client.response() == Self.capabilities("Capability completed"))
                try await client.send("LOGOUT\r\nNOOP\r\n")
                #expect(try await client.response() == "OK \"Logout completed\"\r\n")
                #expect(try await client.line() == nil, "closed after LOGOUT; the NOOP is ignored")
            }
        }
    }

    @Test func startTLSResendsTheCapabilitiesThenOffersPlain() async throws {
        let tls = try testTLS()
        try await withSieveServer(configure: { $0.tls = tls; $0.allowPlaintextAuthOnLoopback = false }) { port, _, _ in
            try await SieveTestClient.with(port) { client in
                let greeting = try await client.response()
                #expect(greeting.contains("\"SASL\" \"\"\r\n"))
                #expect(greeting.contains("\"STARTTLS\"\r\n"))
                try await client.send("AUTHENTICATE \"PLAIN\" \"\(plainResponse("alice", "secret"))\"\r\n")
                #expect(try await client.response().hasPrefix("NO (ENCRYPT-NEEDED) "))
                try await client.send("STARTTLS\r\n")
                #expect(try await client.response() == "OK \"Begin TLS negotiation now\"\r\n")
                try await client.startTLS()
                let again = try await client.response()
                #expect(again.contains("\"SASL\" \"PLAIN\"\r\n"))
                #expect(!again.contains("STARTTLS"))
                #expect(again.hasSuffix("OK \"TLS negotiation successful\"\r\n"))
                try await client.send("AUTHENTICATE \"PLAIN\" \"\(plainResponse("alice", "secret"))\"\r\n")
                #expect(try await client.response() == "OK \"Logged in\"\r\n")
                try await client.send("CAPABILITY\r\n")
                #expect(try await client.response().contains("\"OWNER\" \"alice\"\r\n"))
            }
        }
    }

    @Test func plaintextPipelinedAfterStartTLSClosesTheConnection() async throws {
        let tls = try testTLS()
        try await withSieveServer(configure: { $0.tls = tls }) { port, _, _ in
            try await SieveTestClient.with(port) { client in
                _ = try await client.response()
                try await client.send("STARTTLS\r\nLISTSCRIPTS\r\n")
                #expect(try await client.line() == nil, "the connection must close without OK")
            }
        }
    }

    @Test func authenticatePlainInBothFormsAndAWrongPassword() async throws {
        try await withSieveServer { port, _, _ in
            try await SieveTestClient.with(port) { client in
                _ = try await client.response()
                try await client.send("AUTHENTICATE \"PLAIN\" \"\(plainResponse("alice", "wrong"))\"\r\n")
                #expect(try await client.response() == "NO \"Authentication failed\"\r\n")
                // The exchange: an empty challenge, then the response as a string.
                try await client.send("AUTHENTICATE \"PLAIN\"\r\n")
                #expect(try await client.line() == "\"\"\r\n")
                try await client.send("\"*\"\r\n")
                #expect(try await client.response() == "NO \"Authentication cancelled\"\r\n")
                try await client.send("AUTHENTICATE \"PLAIN\"\r\n")
                #expect(try await client.line() == "\"\"\r\n")
                let response = plainResponse("alice", "secret")
                try await client.send("{\(response.utf8.count)+}\r\n\(response)\r\n")
                #expect(try await client.response() == "OK \"Logged in\"\r\n")
                try await client.send("AUTHENTICATE \"PLAIN\" \"\(response)\"\r\n")
                #expect(try await client.response() == "NO \"Already authenticated\"\r\n")
            }
            // The initial response as a literal.
            try await SieveTestClient.with(port) { client in
                _ = try await client.response()
                let response = plainResponse("alice", "secret")
                try await client.send("AUTHENTICATE \"PLAIN\" {\(response.utf8.count)+}\r\n\(response)\r\n")
                #expect(try await client.response() == "OK \"Logged in\"\r\n")
            }
        }
    }

    @Test func threeFailedLoginsEndWithBye() async throws {
        try await withSieveServer { port, _, _ in
            try await SieveTestClient.with(port) { client in
                _ = try await client.response()
                for _ in 0..<2 {
                    try await client.send("AUTHENTICATE \"PLAIN\" \"\(plainResponse("alice", "nope"))\"\r\n")
                    #expect(try await client.response() == "NO \"Authentication failed\"\r\n")
                }
                try await client.send("AUTHENTICATE \"PLAIN\" \"\(plainResponse("alice", "nope"))\"\r\n")
                #expect(try await client.response() == "BYE \"Too many failed authentication attempts\"\r\n")
                #expect(try await client.line() == nil)
            }
        }
    }

    @Test func theWholeScriptLifecycle() async throws {
        // CRLF, a bare LF, a tab, non-ASCII and braces: the bytes must come back unchanged.
        let script = "require [\"fileinto\"];\r\n# Ünïcode ✓\n\tif header :contains \"subject\" \"{5}\" {\r\n  fileinto \"Lists\";\r\n}\r\n"
        let size = script.utf8.count
        try await withSieveServer { port, backend, _ in
            try await SieveTestClient.with(port) { client in
                try await logIn(&client)
                try await client.send("HAVESPACE \"main\" \(size)\r\n")
                #expect(try await client.response() == "OK \"Putscript would succeed\"\r\n")
                try await client.send("PUTSCRIPT \"main\" {\(size)+}\r\n\(script)\r\n")
                #expect(try await client.response() == "OK \"Putscript completed\"\r\n")
                #expect(backend.scripts["main"] == script)
                try await client.send("LISTSCRIPTS\r\n")
                #expect(try await client.response() == "\"main\"\r\nOK \"Listscripts completed\"\r\n")
                try await client.send("SETACTIVE \"main\"\r\nLISTSCRIPTS\r\n")
                #expect(try await client.response() == "OK \"Setactive completed\"\r\n")
                #expect(try await client.response() == "\"main\" ACTIVE\r\nOK \"Listscripts completed\"\r\n")
                try await client.send("GETSCRIPT \"main\"\r\n")
                let expected = Array("{\(size)}\r\n".utf8) + Array(script.utf8) + Array("\r\nOK \"Getscript completed\"\r\n".utf8)
                #expect(try await client.responseBytes() == expected)
                try await client.send("RENAMESCRIPT \"main\" \"filters\"\r\nLISTSCRIPTS\r\n")
                #expect(try await client.response() == "OK \"Renamescript completed\"\r\n")
                #expect(try await client.response() == "\"filters\" ACTIVE\r\nOK \"Listscripts completed\"\r\n")
                try await client.send("GETSCRIPT \"main\"\r\n")
                #expect(try await client.response().hasPrefix("NO (NONEXISTENT) "))
                try await client.send("DELETESCRIPT \"filters\"\r\n")
                #expect(try await client.response().hasPrefix("NO (ACTIVE) "))
                try await client.send("SETACTIVE \"\"\r\n")
                #expect(try await client.response() == "OK \"Script deactivated\"\r\n")
                #expect(backend.active == nil)
                try await client.send("DELETESCRIPT \"filters\"\r\nLISTSCRIPTS\r\n")
                #expect(try await client.response() == "OK \"Deletescript completed\"\r\n")
                #expect(try await client.response() == "OK \"Listscripts completed\"\r\n")
                #expect(backend.scripts.isEmpty)
            }
        }
    }

    @Test func renameOntoAnExistingNameIsAlreadyExists() async throws {
        try await withSieveServer { port, _, _ in
            try await SieveTestClient.with(port) { client in
                try await logIn(&client)
                try await client.send("PUTSCRIPT \"a\" \"keep;\"\r\nPUTSCRIPT \"b\" {5}\r\nkeep;\r\nRENAMESCRIPT \"a\" \"b\"\r\n")
                #expect(try await client.response() == "OK \"Putscript completed\"\r\n")
                #expect(try await client.response() == "OK \"Putscript completed\"\r\n", "a synchronizing literal is read too")
                #expect(try await client.response().hasPrefix("NO (ALREADYEXISTS) "))
            }
        }
    }

    @Test func checkScriptAndPutScriptReportCompileErrors() async throws {
        try await withSieveServer { port, backend, _ in
            try await SieveTestClient.with(port) { client in
                try await logIn(&client)
                try await client.send("CHECKSCRIPT \(literal("keep;\r\nfrob"))\r\n")
                #expect(try await client.response() == "NO \"2:1: unknown command \\\"frob\\\"\"\r\n")
                try await client.send("CHECKSCRIPT \"keep;\"\r\n")
                #expect(try await client.response() == "OK \"Script is valid\"\r\n")
                // A message of several lines comes as a literal.
                try await client.send("PUTSCRIPT \"bad\" \(literal("frob2\r\n"))\r\n")
                let message = "1:1: unknown command \"frob2\"\r\n1:6: missing semicolon"
                let refusal = try await client.responseBytes()
                #expect(refusal == Array("NO {\(message.utf8.count)}\r\n\(message)\r\n".utf8))
                #expect(backend.scripts.isEmpty, "a script that fails to compile is not stored")
            }
        }
    }

    @Test func haveSpaceOverTheQuotaAndOverTheSizeLimit() async throws {
        try await withSieveServer(backend: MemorySieveBackend(quota: 100), configure: { $0.maximumScriptSize = 1000 }) {
            port, _, _ in
            try await SieveTestClient.with(port) { client in
                try await logIn(&client)
                try await client.send("HAVESPACE \"x\" 101\r\n")
                #expect(try await client.response() == "NO (QUOTA/MAXSIZE) \"Script too large\"\r\n")
                try await client.send("HAVESPACE \"x\" 100\r\n")
                #expect(try await client.response() == "OK \"Putscript would succeed\"\r\n")
                try await client.send("HAVESPACE \"x\" 1001\r\n")
                #expect(try await client.response() == "NO (QUOTA/MAXSIZE) \"Scripts are limited to 1000 octets\"\r\n")
            }
        }
    }

    @Test func anOversizedLiteralIsRefusedAndTheSessionGoesOn() async throws {
        try await withSieveServer(configure: { $0.maximumScriptSize = 100; $0.literalDiscardLimit = 10_000 }) {
            port, backend, _ in
            try await SieveTestClient.with(port) { client in
                try await logIn(&client)
                let big = String(repeating: "keep;\r\n", count: 100)
                try await client.send("PUTSCRIPT \"big\" {\(big.utf8.count)+}\r\n\(big)\r\nNOOP \"after\"\r\n")
                #expect(try await client.response()
                    == "NO (QUOTA/MAXSIZE) \"A literal of 700 octets is over the limit of 100\"\r\n")
                #expect(try await client.response() == "OK (TAG \"after\") \"Done\"\r\n")
                #expect(backend.scripts.isEmpty)
                // Past the discard limit: BYE, and the connection closes.
                try await client.send("PUTSCRIPT \"huge\" {20000+}\r\nkeep;")
                #expect(try await client.response() == "BYE (QUOTA/MAXSIZE) \"Literal too large\"\r\n")
                #expect(try await client.line() == nil)
            }
        }
    }

    @Test func garbageIsNoUntilTooMuchThenBye() async throws {
        try await withSieveServer(configure: { $0.errorLimit = 6 }) { port, _, _ in
            try await SieveTestClient.with(port) { client in
                _ = try await client.response()
                try await client.send("FROB\r\n\"quoted\"\r\nLISTSCRIPTS\r\nGETSCRIPT\r\n")
                #expect(try await client.response() == "NO \"Unknown command\"\r\n")
                #expect(try await client.response() == "NO \"Unknown command\"\r\n")
                #expect(try await client.response() == "NO \"Authenticate first\"\r\n")
                #expect(try await client.response() == "NO \"usage: GETSCRIPT \\\"name\\\"\"\r\n")
                try await client.send(bytes: [0x01, 0xFF, 0xFE, 0x0D, 0x0A])
                #expect(try await client.response() == "NO \"Unexpected character in command\"\r\n")
                try await client.send("NOOP\nNOOP\r\n")
                #expect(try await client.response() == "BYE \"Too many errors; closing\"\r\n")
                #expect(try await client.line() == nil)
            }
        }
    }

    @Test func aLineOverTheLimitClosesTheConnection() async throws {
        try await withSieveServer(configure: { $0.maximumLineLength = 64 }) { port, _, _ in
            try await SieveTestClient.with(port) { client in
                _ = try await client.response()
                try await client.send("NOOP \"" + String(repeating: "x", count: 100) + "\"\r\n")
                #expect(try await client.response() == "BYE \"Line too long\"\r\n")
                #expect(try await client.line() == nil)
            }
        }
    }

    @Test func silenceEndsWithBye() async throws {
        try await withSieveServer(configure: { $0.unauthenticatedIdleTimeout = .milliseconds(200) }) { port, _, _ in
            try await SieveTestClient.with(port) { client in
                _ = try await client.response()
                #expect(try await client.response() == "BYE \"Idle for too long; closing\"\r\n")
                #expect(try await client.line() == nil)
            }
        }
    }

    @Test func gracefulShutdownClosesIdleSessionsWithByeTryLater() async throws {
        try await withSieveServer { port, _, group in
            try await SieveTestClient.with(port) { client in
                try await logIn(&client)
                await group.triggerGracefulShutdown()
                #expect(try await client.response() == "BYE (TRYLATER) \"Server shutting down\"\r\n")
                #expect(try await client.line() == nil)
            }
        }
    }

    @Test func pastTheAddressLimitTheGreetingIsBye() async throws {
        try await withSieveServer(configure: { $0.connectionsPerAddress = 1 }) { port, _, _ in
            try await SieveTestClient.with(port) { first in
                _ = try await first.response()
                try await SieveTestClient.with(port) { second in
                    let refusal = try await second.response()
                    #expect(refusal == "BYE (TRYLATER) \"Too many connections from your address\"\r\n")
                }
            }
        }
    }
}
