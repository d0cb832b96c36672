extension IMAPTaggedCommand {
    /// Parses one complete framed command (see `IMAPCommandReader`). Errors carry the tag when
    /// it could be read (RFC 3501 §7.1.3: tagged BAD), else none (untagged BAD).
    // command = tag SP (command-any / command-auth / command-nonauth / command-select) CRLF
    /// `streamedLiterals`: where in `bytes` a literal's octets would begin that were streamed out
    /// instead (`IMAPCommandParser.Event.literalOctets`); they are absent from `bytes`.
    static func parse(_ bytes: [UInt8], limits: IMAPLimits, utf8Enabled: Bool, streamedLiterals: [Int] = [])
        throws(IMAPCommandError) -> IMAPTaggedCommand
    {
        var reader = IMAPCommandReader(bytes: bytes, limits: limits, utf8Enabled: utf8Enabled,
                                       streamedLiterals: streamedLiterals)
        guard let tag = IMAPTaggedCommand.readTag(&reader) else {
            throw IMAPCommandError(tag: nil, text: bytes.isEmpty ? "empty command line" : "invalid tag")
        }
        do throws(IMAPSyntaxError) {
            guard reader.skip(IMAPGrammar.space) else { throw IMAPSyntaxError("missing command") }
            let command = try IMAPCommand.parse(&reader)
            try reader.expectEnd()
            return IMAPTaggedCommand(tag: tag, command: command)
        } catch {
            throw IMAPCommandError(tag: tag, status: error.status, code: error.code, text: error.text)
        }
    }

    // tag = 1*<any ASTRING-CHAR except "+">
    static func readTag(_ reader: inout IMAPCommandReader) -> String? {
        let tag = reader.take(while: IMAPGrammar.isTagChar)
        guard !tag.isEmpty, reader.isAtEnd || reader.current == IMAPGrammar.space else { return nil }
        return String(decoding: tag, as: UTF8.self)
    }
}

extension IMAPCommand {
    static func parse(_ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> IMAPCommand {
        let name = try reader.keyword("a command name")
        switch name {
        case "CAPABILITY": return .capability
        case "NOOP": return .noop
        case "LOGOUT": return .logout
        case "STARTTLS": return .startTLS
        case "NAMESPACE": return .namespace
        case "IDLE": return .idle
        case "CHECK": return .check
        case "CLOSE": return .close
        case "UNSELECT": return .unselect
        case "EXPUNGE": return .expunge
        case "AUTHENTICATE": return try parseAuthenticate(&reader)
        case "LOGIN":
            // login = "LOGIN" SP userid SP password ; userid = astring ; password = astring
            try reader.space()
            let user = try reader.astring("a user name")
            try reader.space()
            let password = try reader.astring("a password")
            return .login(user: user, password: password)
        case "ENABLE":
            // enable = "ENABLE" 1*(SP capability)                    ; RFC 5161 §4
            var names: [String] = []
            while try reader.spaceIfMore() { names.append(try reader.keyword("a capability name")) }
            guard !names.isEmpty else { throw IMAPSyntaxError("ENABLE needs at least one capability") }
            return .enable(names)
        case "ID": return try parseID(&reader)
        case "SELECT", "EXAMINE":
            // select = "SELECT" SP mailbox [select-params]           ; RFC 4466 §2.1, RFC 7162 §3.1.8
            try reader.space()
            let mailbox = try reader.mailbox()
            var condstore = false
            if try reader.spaceIfMore() {
                let parameters = try reader.parenthesizedList { (r: inout IMAPCommandReader) throws(IMAPSyntaxError) in
                    try r.keyword("a SELECT parameter")
                }
                for parameter in parameters {
                    guard parameter == "CONDSTORE" else {
                        throw IMAPSyntaxError("unknown \(name) parameter \(parameter)")
                    }
                    condstore = true
                }
            }
            return name == "SELECT" ? .select(mailbox, condstore: condstore) : .examine(mailbox, condstore: condstore)
        case "CREATE": return try parseCreate(&reader)
        case "DELETE", "SUBSCRIBE", "UNSUBSCRIBE":
            try reader.space()
            let mailbox = try reader.mailbox()
            switch name {
            case "DELETE": return .delete(mailbox)
            case "SUBSCRIBE": return .subscribe(mailbox)
            default: return .unsubscribe(mailbox)
            }
        case "RENAME":
            try reader.space()
            let from = try reader.mailbox()
            try reader.space()
            return .rename(from: from, to: try reader.mailbox())
        case "LIST": return .list(try IMAPListCommand.parse(&reader))
        case "LSUB":
            // lsub = "LSUB" SP mailbox SP list-mailbox
            try reader.space()
            let reference = try IMAPListCommand.parseReference(&reader)
            try reader.space()
            return .lsub(reference: reference, pattern: try IMAPListCommand.parsePattern(&reader))
        case "STATUS":
            // status = "STATUS" SP mailbox SP "(" status-att *(SP status-att) ")"
            try reader.space()
            let mailbox = try reader.mailbox()
            try reader.space()
            return .status(mailbox, try IMAPStatusAttribute.parseList(&reader))
        case "APPEND": return try parseAppend(&reader)
        case "GETQUOTA":
            // getquota = "GETQUOTA" SP quota-root-name ; quota-root-name = astring   (RFC 9208 §7)
            try reader.space()
            return .getQuota(root: String(decoding: try reader.astring("a quota root name"), as: UTF8.self))
        case "GETQUOTAROOT":
            // getquotaroot = "GETQUOTAROOT" SP mailbox                               (RFC 9208 §7)
            try reader.space()
            return .getQuotaRoot(try reader.mailbox())
        case "SEARCH": return .search(try IMAPSearchCommand.parse(&reader), uid: false)
        case "FETCH": return try parseFetch(&reader, uid: false)
        case "STORE": return try parseStore(&reader, uid: false)
        case "COPY", "MOVE":
            // copy = "COPY" SP sequence-set SP mailbox ; move = "MOVE" SP sequence-set SP mailbox (RFC 6851)
            try reader.space()
            let set = try reader.sequenceSet()
            try reader.space()
            let mailbox = try reader.mailbox()
            return name == "COPY" ? .copy(set, mailbox, uid: false) : .move(set, mailbox, uid: false)
        case "UID": return try parseUID(&reader)
        default:
            throw IMAPSyntaxError("unknown command \(name)")
        }
    }

    // authenticate = "AUTHENTICATE" SP auth-type [SP (base64 / "=")]   ; RFC 4959 §3
    private static func parseAuthenticate(_ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> IMAPCommand {
        try reader.space()
        let mechanism = try reader.keyword("a SASL mechanism")
        guard try reader.spaceIfMore() else { return .authenticate(mechanism: mechanism, initialResponse: nil) }
        let response = reader.take { IMAPCommandReader.isBase64($0) || $0 == UInt8(ascii: "=") }
        guard !response.isEmpty else { throw IMAPSyntaxError("invalid initial response (base64 expected)") }
        if response.elementsEqual([UInt8(ascii: "=")]) { return .authenticate(mechanism: mechanism, initialResponse: []) }
        return .authenticate(mechanism: mechanism, initialResponse: Array(response))
    }

    // id = "ID" SP id-params-list ; id-params-list = "(" *(string SP nstring) ")" / nil  ; RFC 2971 §4
    private static func parseID(_ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> IMAPCommand {
        try reader.space()
        if reader.skipKeyword("NIL") { return .id(nil) }
        try reader.expect(UInt8(ascii: "("), "\"(\" or NIL")
        var parameters: [IDParameter] = []
        if !reader.skip(UInt8(ascii: ")")) {
            while true {
                let field = try reader.string("an ID field name")
                try reader.space()
                let value = try reader.nstring("an ID value")
                parameters.append(
                    IDParameter(
                        field: String(decoding: field, as: UTF8.self), value: value.map { String(decoding: $0, as: UTF8.self) }))
                guard parameters.count <= reader.limits.idPairs else {
                    throw IMAPSyntaxError("too many ID parameters (RFC 2971 allows \(reader.limits.idPairs))")
                }
                if reader.skip(UInt8(ascii: ")")) { break }
                guard !reader.isAtEnd else { throw IMAPSyntaxError("unbalanced parentheses: missing \")\"") }
                try reader.space()
            }
        }
        return .id(parameters)
    }

    // append = "APPEND" SP mailbox 1*append-message                       ; RFC 3502, RFC 4466 §2.2
    // append-message = [SP flag-list] [SP date-time] SP (literal / literal8)
    private static func parseAppend(_ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> IMAPCommand {
        try reader.space()
        let mailbox = try reader.mailbox()
        var messages: [IMAPAppendMessage] = []
        while try reader.spaceIfMore() {
            var flags: [IMAPFlag] = []
            var date: IMAPDateTime? = nil
            if reader.current == UInt8(ascii: "(") {
                flags = try IMAPFlag.parseList(&reader, allowRecent: false)
                try reader.space()
            }
            if reader.current == IMAPGrammar.quote {
                let text = try reader.quoted()
                guard let parsed = IMAPDateTime(text: text) else {
                    throw IMAPSyntaxError("invalid date-time \"\(String(decoding: text, as: UTF8.self))\"")
                }
                date = parsed
                try reader.space()
            }
            guard reader.current == UInt8(ascii: "{") || reader.current == UInt8(ascii: "~") else {
                throw IMAPSyntaxError("APPEND needs the message as a literal")
            }
            let (octets, binary) = try reader.messageLiteral()
            messages.append(IMAPAppendMessage(flags: flags, internalDate: date, octets: octets, isBinary: binary))
            guard messages.count <= reader.limits.messagesPerAppend else {
                throw IMAPSyntaxError("too many messages in one APPEND")
            }
        }
        guard !messages.isEmpty else { throw IMAPSyntaxError("APPEND needs a message") }
        return .append(mailbox, messages)
    }

    // uid = "UID" SP (copy / move / fetch / search / store / uid-expunge)   ; RFC 4315 §4, RFC 6851 §5
    private static func parseUID(_ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> IMAPCommand {
        try reader.space()
        let name = try reader.keyword("a UID command")
        switch name {
        case "FETCH": return try parseFetch(&reader, uid: true)
        case "STORE": return try parseStore(&reader, uid: true)
        case "SEARCH": return .search(try IMAPSearchCommand.parse(&reader), uid: true)
        case "COPY", "MOVE":
            try reader.space()
            let set = try reader.sequenceSet()
            try reader.space()
            let mailbox = try reader.mailbox()
            return name == "COPY" ? .copy(set, mailbox, uid: true) : .move(set, mailbox, uid: true)
        case "EXPUNGE":
            try reader.space()
            return .uidExpunge(try reader.sequenceSet())
        default:
            throw IMAPSyntaxError("unknown UID command \(name)")
        }
    }

    // fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att *(SP fetch-att) ")")
    //         [fetch-modifiers]                                                  ; RFC 4466 §2.4, RFC 7162 §3.1.4
    // fetch-modifiers = SP "(" fetch-modifier *(SP fetch-modifier) ")" ; "CHANGEDSINCE" SP mod-sequence-value
    private static func parseFetch(_ reader: inout IMAPCommandReader, uid: Bool) throws(IMAPSyntaxError) -> IMAPCommand {
        try reader.space()
        let set = try reader.sequenceSet()
        try reader.space()
        var attributes: [IMAPFetchAttribute]
        if reader.current == UInt8(ascii: "(") {
            attributes = try reader.parenthesizedList(allowEmpty: false) {
                (r: inout IMAPCommandReader) throws(IMAPSyntaxError) in try IMAPFetchAttribute.parse(&r)
            }
        } else if reader.skipKeyword("ALL") {
            attributes = IMAPFetchAttribute.all
        } else if reader.skipKeyword("FAST") {
            attributes = IMAPFetchAttribute.fast
        } else if reader.skipKeyword("FULL") {
            attributes = IMAPFetchAttribute.full
        } else {
            attributes = [try IMAPFetchAttribute.parse(&reader)]
        }
        var changedSince: UInt64? = nil
        if try reader.spaceIfMore() {
            try reader.expect(UInt8(ascii: "("), "\"(\" before FETCH modifiers")
            while true {
                let modifier = try reader.keyword("a FETCH modifier")
                guard modifier == "CHANGEDSINCE" else { throw IMAPSyntaxError("unknown FETCH modifier \(modifier)") }
                try reader.space()
                changedSince = try reader.number64("a mod-sequence")
                if reader.skip(UInt8(ascii: ")")) { break }
                try reader.space()
            }
        }
        // RFC 7162 §3.1.4.1: CHANGEDSINCE implies MODSEQ in every response.
        if changedSince != nil, !attributes.contains(.modSeq) { attributes.append(.modSeq) }
        return .fetch(set, attributes, changedSince: changedSince, uid: uid)
    }

    // store = "STORE" SP sequence-set [store-modifiers] SP store-att-flags       ; RFC 7162 §3.1.3
    // store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP (flag-list / (flag *(SP flag)))
    private static func parseStore(_ reader: inout IMAPCommandReader, uid: Bool) throws(IMAPSyntaxError) -> IMAPCommand {
        try reader.space()
        let set = try reader.sequenceSet()
        try reader.space()
        var unchangedSince: UInt64? = nil
        if reader.skip(UInt8(ascii: "(")) {
            let modifier = try reader.keyword("a STORE modifier")
            guard modifier == "UNCHANGEDSINCE" else { throw IMAPSyntaxError("unknown STORE modifier \(modifier)") }
            try reader.space()
            unchangedSince = try reader.number64("a mod-sequence")
            try reader.expect(UInt8(ascii: ")"), "\")\" after the STORE modifier")
            try reader.space()
        }
        let operation: IMAPStoreAction.Operation
        if reader.skip(UInt8(ascii: "+")) {
            operation = .add
        } else if reader.skip(UInt8(ascii: "-")) {
            operation = .remove
        } else {
            operation = .replace
        }
        let item = try reader.keyword("FLAGS or FLAGS.SILENT")
        guard item == "FLAGS" || item == "FLAGS.SILENT" else { throw IMAPSyntaxError("unknown STORE item \(item)") }
        try reader.space()
        var flags: [IMAPFlag]
        if reader.current == UInt8(ascii: "(") {
            flags = try IMAPFlag.parseList(&reader, allowRecent: false)
        } else {
            flags = [try IMAPFlag.parse(&reader, allowRecent: false)]
            while try reader.spaceIfMore() { flags.append(try IMAPFlag.parse(&reader, allowRecent: false)) }
        }
        return .store(
            set, IMAPStoreAction(operation, silent: item == "FLAGS.SILENT", flags: flags), unchangedSince: unchangedSince,
            uid: uid)
    }
}

extension IMAPCommandReader {
    static func isBase64(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || isDigit(byte) || byte == UInt8(ascii: "+")
            || byte == UInt8(ascii: "/")
    }
}

extension IMAPFlag {
    // flag-list = "(" [flag *(SP flag)] ")"
    static func parseList(_ reader: inout IMAPCommandReader, allowRecent: Bool) throws(IMAPSyntaxError) -> [IMAPFlag] {
        try reader.parenthesizedList { (r: inout IMAPCommandReader) throws(IMAPSyntaxError) in
            try IMAPFlag.parse(&r, allowRecent: allowRecent)
        }
    }

    static func parse(_ reader: inout IMAPCommandReader, allowRecent: Bool) throws(IMAPSyntaxError) -> IMAPFlag {
        let start = reader.position
        _ = reader.skip(IMAPGrammar.backslash)
        _ = reader.take(while: IMAPGrammar.isAtomChar)
        let text = reader.bytes[start..<reader.position]
        guard let flag = IMAPFlag(text), flag != .wildcard else {
            throw IMAPSyntaxError("invalid flag \"\(String(decoding: text, as: UTF8.self))\"")
        }
        if flag == .recent, !allowRecent { throw IMAPSyntaxError("\\Recent cannot be set by a client") }
        return flag
    }
}

extension IMAPStatusAttribute {
    // "(" status-att *(SP status-att) ")"
    static func parseList(_ reader: inout IMAPCommandReader) throws(IMAPSyntaxError) -> [IMAPStatusAttribute] {
        try reader.parenthesizedList(allowEmpty: false) { (r: inout IMAPCommandReader) throws(IMAPSyntaxError) in
            let name = try r.keyword("a STATUS item")
            guard let attribute = IMAPStatusAttribute(rawValue: name) else {
                throw IMAPSyntaxError("unknown STATUS item \(name)")
            }
            return attribute
        }
    }
}
