extension IMAPSearchCommand {
    // search = "SEARCH" [search-return-opts] [SP "CHARSET" SP astring] 1*(SP search-key)   ; RFC 4466 §2.6
    // search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")"  ; RFC 4731 §4
    static func parse(_ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> IMAPSearchCommand {
        try reader.space()
        var returnOptions: [IMAPSearchReturnOption]? = nil
        if reader.skipKeyword("RETURN") {
            try reader.space()
            returnOptions = try reader.parenthesizedList { (r: inout IMAPCommandReader) throws(IMAPSyntaxError) in
                let name = try r.keyword("a SEARCH return option")
                guard let option = IMAPSearchReturnOption(rawValue: name) else {
                    throw IMAPSyntaxError("unknown SEARCH return option \(name)")
                }
                return option
            }
            try reader.space()
        }
        var charset: String? = nil
        if reader.skipKeyword("CHARSET") {
            try reader.space()
            charset = IMAPGrammar.uppercased(try reader.astring("a charset"))
            try reader.space()
        }
        var keys = [try IMAPSearchKey.parse(&reader)]
        while try reader.spaceIfMore() { keys.append(try IMAPSearchKey.parse(&reader)) }
        return IMAPSearchCommand(returnOptions: returnOptions, charset: charset, key: keys.count == 1 ? keys[0] : .and(keys))
    }
}

extension IMAPSearchKey {
    // search-key, RFC 3501 §9 and RFC 7162 §7 (search-modsequence)
    static func parse(_ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> IMAPSearchKey {
        if reader.current == UInt8(ascii: "(") {
            let keys = try reader.parenthesizedList(allowEmpty: false) { (r: inout IMAPCommandReader) throws(IMAPSyntaxError) in
                try IMAPSearchKey.parse(&r)
            }
            return keys.count == 1 ? keys[0] : .and(keys)
        }
        if let byte = reader.current, IMAPCommandReader.isDigit(byte) || byte == UInt8(ascii: "*") || byte == UInt8(ascii: "$") {
            return .sequenceNumbers(try reader.sequenceSet())
        }
        let name = try reader.keyword("a search key")
        func string() throws(IMAPSyntaxError) -> [UInt8] {
            try reader.space()
            return try reader.astring("a search string")
        }
        func date() throws(IMAPSyntaxError) -> IMAPDate {
            try reader.space()
            let quoted = reader.skip(IMAPGrammar.quote)
            let text = reader.take { $0 != IMAPGrammar.quote && $0 != IMAPGrammar.space && $0 != UInt8(ascii: ")") }
            if quoted { try reader.expect(IMAPGrammar.quote, "a closing quote after the date") }
            guard let date = IMAPDate(text: text) else {
                throw IMAPSyntaxError("invalid date \"\(String(decoding: text, as: UTF8.self))\" (expected e.g. 1-Feb-1994)")
            }
            return date
        }
        func keywordFlag() throws(IMAPSyntaxError) -> String {
            try reader.space()
            return String(decoding: try reader.atom("a keyword"), as: UTF8.self)
        }
        func nested() throws(IMAPSyntaxError) -> IMAPSearchKey {
            try reader.space()
            try reader.enter(at: reader.position)
            defer { reader.depth -= 1 }
            return try IMAPSearchKey.parse(&reader)
        }
        switch name {
        case "ALL": return .all
        case "ANSWERED": return .answered
        case "DELETED": return .deleted
        case "DRAFT": return .draft
        case "FLAGGED": return .flagged
        case "SEEN": return .seen
        case "RECENT": return .recent
        case "NEW": return .new
        case "OLD": return .old
        case "UNANSWERED": return .unanswered
        case "UNDELETED": return .undeleted
        case "UNDRAFT": return .undraft
        case "UNFLAGGED": return .unflagged
        case "UNSEEN": return .unseen
        case "KEYWORD": return .keyword(try keywordFlag())
        case "UNKEYWORD": return .unkeyword(try keywordFlag())
        case "BCC": return .bcc(try string())
        case "CC": return .cc(try string())
        case "FROM": return .from(try string())
        case "TO": return .to(try string())
        case "SUBJECT": return .subject(try string())
        case "BODY": return .body(try string())
        case "TEXT": return .text(try string())
        case "HEADER":
            let field = try string()
            guard !field.isEmpty, let fieldName = String(validating: field, as: UTF8.self) else {
                throw IMAPSyntaxError("HEADER needs a field name")
            }
            return .header(fieldName, try string())
        case "BEFORE": return .before(try date())
        case "ON": return .on(try date())
        case "SINCE": return .since(try date())
        case "SENTBEFORE": return .sentBefore(try date())
        case "SENTON": return .sentOn(try date())
        case "SENTSINCE": return .sentSince(try date())
        case "LARGER":
            try reader.space()
            return .larger(try reader.number("a size"))
        case "SMALLER":
            try reader.space()
            return .smaller(try reader.number("a size"))
        case "UID":
            try reader.space()
            return .uid(try reader.sequenceSet())
        case "MODSEQ":
            // search-modsequence = "MODSEQ" [search-modseq-ext] SP mod-sequence-value
            // search-modseq-ext = SP entry-name SP entry-type-req               ; RFC 7162 §7
            try reader.space()
            if reader.current == IMAPGrammar.quote {
                _ = try reader.quoted()
                try reader.space()
                let type = try reader.keyword("an entry type")
                guard ["PRIV", "SHARED", "ALL"].contains(type) else { throw IMAPSyntaxError("invalid MODSEQ entry type") }
                try reader.space()
            }
            return .modSeq(try reader.number64("a mod-sequence"))
        case "NOT": return .not(try nested())
        case "OR":
            let first = try nested()
            return .or(first, try nested())
        default:
            throw IMAPSyntaxError("unknown search key \(name)")
        }
    }
}
