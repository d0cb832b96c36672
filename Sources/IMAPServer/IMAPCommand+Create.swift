extension IMAPCommand {
    /// CREATE with the parameters of RFC 4466 §2.2; the one parameter known is USE (RFC 6154 §3).
    // create        = "CREATE" SP mailbox [create-params]           ; RFC 4466 §2.2
    // create-params = SP "(" create-param *(SP create-param) ")"
    // create-param  =/ "USE" SP "(" [use-attr *(SP use-attr)] ")"   ; RFC 6154 §6
    // use-attr      = "\All" / "\Archive" / "\Drafts" / "\Flagged" / "\Junk" / "\Sent" / "\Trash" / use-attr-ext
    // use-attr-ext  = "\" atom
    static func parseCreate(_ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> IMAPCommand {
        try reader.space()
        let mailbox = try reader.mailbox()
        var uses: [String] = []
        if try reader.spaceIfMore() {
            let parameters = try reader.parenthesizedList(allowEmpty: false) {
                (r: inout IMAPCommandReader) throws(IMAPSyntaxError) -> [String] in
                let name = try r.keyword("a CREATE parameter")
                // RFC 4466 §2.2: a parameter the server does not know is an error (BAD).
                guard name == "USE" else { throw IMAPSyntaxError("unknown CREATE parameter \(name)") }
                try r.space()
                return try r.parenthesizedList { (item: inout IMAPCommandReader) throws(IMAPSyntaxError) -> String in
                    try item.expect(IMAPGrammar.backslash, "a special-use attribute (\"\\\" atom)")
                    return "\\" + String(decoding: try item.atom("a special-use attribute"), as: UTF8.self)
                }
            }
            uses = parameters.flatMap { $0 }
        }
        return .create(mailbox, use: uses)
    }
}
