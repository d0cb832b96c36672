extension IMAPListCommand {
    // list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]   ; RFC 5258 §6
    // list-select-opts = "(" [list-select-option *(SP list-select-option)] ")"
    // mbox-or-pat = list-mailbox / patterns ; patterns = "(" list-mailbox *(SP list-mailbox) ")"
    // list-return-opts = "RETURN" SP "(" [return-option *(SP return-option)] ")"
    static func parse(_ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> IMAPListCommand {
        try reader.space()
        var selection: [SelectionOption] = []
        if reader.current == UInt8(ascii: "(") {
            selection = try reader.parenthesizedList { (r: inout IMAPCommandReader) throws(IMAPSyntaxError) in
                let name = try r.keyword("a LIST selection option")
                guard let option = SelectionOption(rawValue: name) else {
                    throw IMAPSyntaxError("unknown LIST selection option \(name)")
                }
                return option
            }
            // RFC 5258 §3.1: RECURSIVEMATCH "MUST NOT occur as the only selection option (or only with
            // REMOTE)"; the server "MUST return BAD" when it does.
            if selection.contains(.recursiveMatch),
                selection.allSatisfy({ $0 == .recursiveMatch || $0 == .remote })
            {
                throw IMAPSyntaxError("RECURSIVEMATCH needs a selection option other than REMOTE")
            }
            try reader.space()
        }
        let reference = try parseReference(&reader)
        try reader.space()
        let patterns: [String]
        if reader.current == UInt8(ascii: "(") {
            patterns = try reader.parenthesizedList(allowEmpty: false) { (r: inout IMAPCommandReader) throws(IMAPSyntaxError) in
                try IMAPListCommand.parsePattern(&r)
            }
        } else {
            patterns = [try parsePattern(&reader)]
        }
        var returns: [ReturnOption] = []
        if try reader.spaceIfMore() {
            guard reader.skipKeyword("RETURN") else { throw IMAPSyntaxError("expected RETURN options") }
            try reader.space()
            returns = try reader.parenthesizedList { (r: inout IMAPCommandReader) throws(IMAPSyntaxError) in
                let name = try r.keyword("a LIST return option")
                switch name {
                case "SUBSCRIBED": return .subscribed
                case "CHILDREN": return .children
                case "SPECIAL-USE": return .specialUse
                case "STATUS":
                    try r.space()
                    return .status(try IMAPStatusAttribute.parseList(&r))
                default: throw IMAPSyntaxError("unknown LIST return option \(name)")
                }
            }
        }
        return IMAPListCommand(selectionOptions: selection, reference: reference, patterns: patterns, returnOptions: returns)
    }

    /// The reference: an astring decoded like a mailbox name, not checked against the policy
    /// (it may be empty or end in the delimiter).
    static func parseReference(_ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> String {
        try decode(try reader.astring("a reference name"), &reader)
    }

    // list-mailbox = 1*list-char / string
    static func parsePattern(_ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> String {
        let bytes: [UInt8]
        if reader.current == IMAPGrammar.quote || reader.current == UInt8(ascii: "{") {
            bytes = try reader.string("a mailbox pattern")
        } else {
            bytes = Array(reader.take(while: IMAPGrammar.isListChar))
            guard !bytes.isEmpty else { throw IMAPSyntaxError("expected a mailbox pattern") }
        }
        return try decode(bytes, &reader)
    }

    private static func decode(_ bytes: [UInt8], _ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> String {
        if reader.utf8Enabled {
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw IMAPSyntaxError("mailbox pattern is not valid UTF-8")
            }
            return text
        }
        // A pattern or reference that is not modified UTF-7 (RFC 3501 §5.1.3) is still a valid
        // list-mailbox (§9): it is taken byte for byte and simply matches no name the server
        // encodes, so LIST answers OK, as Dovecot does, instead of BAD.
        if let decoded = try? ModifiedUTF7.decode(bytes) { return decoded }
        return String(decoding: bytes, as: UTF8.self)
    }
}
