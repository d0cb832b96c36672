/// The Authentication-Results header field of RFC 8601 §2.2 for one message: the SPF, DKIM
/// and DMARC results, each as `method=result (comment) ptype.property=value`.
///
///     authres-header-field = "Authentication-Results:" authserv-id
///                            [ CFWS authres-version ] ( no-result / 1*resinfo ) CRLF
///     resinfo    = [CFWS] ";" methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ]
///     methodspec = [CFWS] method [CFWS] "=" [CFWS] result
///     propspec   = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
public enum AuthenticationResultsField {
    /// The field's bytes, folded one result per line, ending in CRLF. `authservID` is this
    /// server's host name (§2.5). `helo` is the separate check of the HELO identity (RFC 7208
    /// §2.3), listed before the MAIL FROM result when there is one.
    public static func format(authservID: String, spf: (SPFResult, SPFIdentity, domain: String)?,
                              dkim: [DKIMSignatureResult], dmarc: DMARCEvaluator.Outcome?,
                              helo: (SPFResult, SPFIdentity, domain: String)? = nil) -> [UInt8] {
        var results: [String] = []
        for (result, identity, domain) in [helo, spf].compactMap({ $0 }) {
            // §2.7.2: smtp.mailfrom carries the checked MAIL FROM domain, smtp.helo the HELO name.
            results.append("spf=\(result.code.rawValue) \(comment(result.reason)) smtp.\(identity.rawValue)=\(value(domain))")
        }
        if dkim.isEmpty {
            results.append("dkim=none")  // §2.7.1: the message was not signed
        }
        for signature in dkim {
            var entry = "dkim=\(signature.code.rawValue) \(comment(signature.reason)) header.d=\(value(signature.domain))"
            entry += " header.s=\(value(signature.selector))"
            if let identity = signature.identity { entry += " header.i=\(value(identity))" }
            entry += " header.a=\(value(signature.algorithm))"
            results.append(entry)
        }
        if let dmarc {
            // RFC 7489 §11.2: header.from; the applied policy as a comment.
            results.append("dmarc=\(dmarc.code.rawValue) \(comment("p=\(dmarc.disposition.rawValue); \(dmarc.reason)")) header.from=\(value(dmarc.fromDomain))")
        }
        let text = "Authentication-Results: \(authservID);\r\n\t" + results.joined(separator: ";\r\n\t") + "\r\n"
        return Array(text.utf8)
    }

    /// An RFC 5322 §3.2.2 comment: "(" text ")" with "(", ")" and "\" quoted, control
    /// characters dropped.
    static func comment(_ text: String) -> String {
        var output = "("
        for character in text where !(character.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false) {
            if character == "(" || character == ")" || character == "\\" { output.append("\\") }
            output.append(character)
        }
        return output + ")"
    }

    /// A pvalue (§2.2): the text as it is when it is a domain name or `[local-part] "@" domain`
    /// of atoms, else an RFC 2045 quoted-string.
    static func value(_ text: String) -> String {
        let atom = "!#$%&'*+-/=?^_`{|}~."
        if !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || atom.contains($0) || $0 == "@") }),
           text.filter({ $0 == "@" }).count <= 1, !text.hasPrefix("."), !text.hasSuffix(".") {
            return text
        }
        var quoted = "\""
        for character in text where !(character.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false) {
            if character == "\"" || character == "\\" { quoted.append("\\") }
            quoted.append(character)
        }
        return quoted + "\""
    }
}
