import MailStore
/// IMAP flags in a Maildir file name's info part (cr.yp.to/proto/maildir.html, "2,"
/// followed by flag letters in ASCII order): D draft, F flagged, R replied (`\Answered`),
/// S seen, T trashed (`\Deleted`). Keywords have no letter in plain Maildir; the manifest's
/// `flags` column keeps them.
public enum MaildirFlags {
    public static func letters(_ flags: [String]) -> String {
        var letters: [Character] = []
        for flag in flags {
            switch flag.lowercased() {
            case "\\draft": letters.append("D")
            case "\\flagged": letters.append("F")
            case "\\answered": letters.append("R")
            case "\\seen": letters.append("S")
            case "\\deleted": letters.append("T")
            default: break
            }
        }
        return String(Set(letters).sorted())
    }
}
