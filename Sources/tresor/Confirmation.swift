import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Asks a person before something that cannot be undone. On a terminal the question is asked and
/// only "y" or "yes" goes ahead; without a terminal on standard input nobody can answer, so the
/// command refuses and names the flag a script passes instead.
enum Confirmation {
    /// Returns when the person agreed; throws otherwise (a refusal without a terminal says why).
    static func require(_ question: String, flag: String) throws {
        guard isatty(STDIN_FILENO) == 1 else {
            throw CommandError("""
                not confirmed: standard input is not a terminal, so nobody can be asked. Pass \(flag) \
                to go ahead without asking (scripts), or run it on a terminal
                """)
        }
        FileHandle.standardError.write(Data("\(question) [y/N] ".utf8))
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        guard answer == "y" || answer == "yes" else { throw CommandError("not confirmed: nothing was changed") }
    }
}
