/// Turns responses into bytes, each ending in CRLF. RFC 3501 §7, §9 `response`.
public struct IMAPResponseEncoder: Sendable {
    /// Mailbox names in UTF-8 and UTF-8 in quoted strings (RFC 6855 §3, RFC 9051).
    public var utf8Enabled: Bool

    public init(utf8Enabled: Bool = false) {
        self.utf8Enabled = utf8Enabled
    }

    public func encode(_ response: IMAPResponse) -> [UInt8] {
        var writer = IMAPWriter(utf8Enabled: utf8Enabled)
        write(response, to: &writer)
        return writer.bytes
    }

    public func encode(_ responses: [IMAPResponse]) -> [UInt8] {
        var writer = IMAPWriter(utf8Enabled: utf8Enabled)
        for response in responses { write(response, to: &writer) }
        return writer.bytes
    }

    func write(_ response: IMAPResponse, to writer: inout IMAPWriter) {
        switch response {
        // response-tagged = tag SP resp-cond-state CRLF ; resp-cond-state = ("OK" / "NO" / "BAD") SP resp-text
        case .tagged(let tag, let status, let code, let text):
            writer.append(tag + " " + status.rawValue + " ")
            writeText(code: code, text: text, to: &writer)
        case .untaggedStatus(let status, let code, let text):
            writer.append("* " + status.rawValue + " ")
            writeText(code: code, text: text, to: &writer)
        // continue-req = "+" SP (resp-text / base64) CRLF
        case .continuation(let text):
            writer.append("+ ")
            writer.appendText(text)
        case .data(let data):
            writer.append("* ")
            write(data, to: &writer)
        }
        writer.appendCRLF()
    }

    // resp-text = ["[" resp-text-code "]" SP] text ; text = 1*TEXT-CHAR
    private func writeText(code: IMAPResponseCode?, text: String, to writer: inout IMAPWriter) {
        if let code {
            code.write(to: &writer)
            writer.append(" ")
        }
        // RFC 3501 §9 requires at least one character of text.
        writer.appendText(text.isEmpty ? "done" : text)
    }

    private func write(_ data: IMAPResponseData, to writer: inout IMAPWriter) {
        switch data {
        case .capability(let names): writer.append((["CAPABILITY"] + names).joined(separator: " "))
        case .enabled(let names): writer.append((["ENABLED"] + names).joined(separator: " "))
        case .id(let parameters):
            writer.append("ID ")
            guard let parameters, !parameters.isEmpty else {
                writer.append("NIL")
                return
            }
            writer.append("(")
            for (i, parameter) in parameters.enumerated() {
                if i > 0 { writer.append(" ") }
                writer.appendString(Array(parameter.field.utf8))
                writer.append(" ")
                writer.appendNString(parameter.value)
            }
            writer.append(")")
        // Namespace-Response = "NAMESPACE" SP Namespace SP Namespace SP Namespace   ; RFC 2342 §5
        case .namespace(let personal, let other, let shared):
            writer.append("NAMESPACE")
            for namespaces in [personal, other, shared] {
                writer.append(" ")
                guard let namespaces, !namespaces.isEmpty else {
                    writer.append("NIL")
                    continue
                }
                writer.append("(")
                for namespace in namespaces {
                    writer.append("(")
                    writer.appendString(
                        utf8Enabled ? Array(namespace.prefix.utf8) : ModifiedUTF7.encode(namespace.prefix))
                    writer.append(" ")
                    writeDelimiter(namespace.delimiter, to: &writer)
                    writer.append(")")
                }
                writer.append(")")
            }
        case .list(let item): writeList("LIST", item, to: &writer)
        case .lsub(let item): writeList("LSUB", item, to: &writer)
        // mailbox-data =/ "STATUS" SP mailbox SP "(" [status-att-list] ")"
        case .status(let mailbox, let values):
            writer.append("STATUS ")
            writer.appendMailbox(mailbox)
            writer.append(" (" + values.map { "\($0.attribute.rawValue) \($0.value)" }.joined(separator: " ") + ")")
        case .flags(let flags):
            writer.append("FLAGS ")
            writer.appendFlags(flags)
        case .exists(let n): writer.append("\(n) EXISTS")
        case .recent(let n): writer.append("\(n) RECENT")
        case .expunge(let n): writer.append("\(n) EXPUNGE")
        case .search(let numbers, let modSeq):
            writer.append((["SEARCH"] + numbers.map(String.init)).joined(separator: " "))
            if let modSeq { writer.append(" (MODSEQ \(modSeq))") }
        // esearch-response = "ESEARCH" [search-correlator] [SP "UID"] *(SP search-return-data)
        case .esearch(let result):
            writer.append("ESEARCH")
            if let tag = result.tag {
                writer.append(" (TAG ")
                writer.appendQuoted(Array(tag.utf8))
                writer.append(")")
            }
            if result.uid { writer.append(" UID") }
            if let min = result.min { writer.append(" MIN \(min)") }
            if let max = result.max { writer.append(" MAX \(max)") }
            if let all = result.all { writer.append(" ALL \(all)") }
            if let count = result.count { writer.append(" COUNT \(count)") }
            if let modSeq = result.modSeq { writer.append(" MODSEQ \(modSeq)") }
        // message-data = nz-number SP ("EXPUNGE" / ("FETCH" SP msg-att))
        case .fetch(let number, let items):
            writer.append("\(number) FETCH (")
            for (i, item) in items.enumerated() {
                if i > 0 { writer.append(" ") }
                write(item, to: &writer)
            }
            writer.append(")")
        // quotaroot-response = "QUOTAROOT" SP mailbox *(SP quota-root-name)          (RFC 9208 §7)
        case .quotaRoot(let mailbox, let roots):
            writer.append("QUOTAROOT ")
            writer.appendMailbox(mailbox)
            for root in roots {
                writer.append(" ")
                writer.appendAString(Array(root.utf8))
            }
        // quota-response = "QUOTA" SP quota-root-name SP quota-list ;
        // quota-resource = resource-name SP resource-usage SP resource-limit          (RFC 9208 §7)
        case .quota(let quota):
            writer.append("QUOTA ")
            writer.appendAString(Array(quota.root.utf8))
            writer.append(" (STORAGE \(quota.usedUnits) \(quota.limitUnits))")
        }
    }

    // mailbox-list = "(" [mbx-list-flags] ")" SP (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox [SP mbox-list-extended]
    private func writeList(_ name: String, _ item: IMAPListItem, to writer: inout IMAPWriter) {
        writer.append(name + " (" + item.attributes.joined(separator: " ") + ") ")
        writeDelimiter(item.delimiter, to: &writer)
        writer.append(" ")
        writer.appendMailbox(item.name)
        if !item.childInfo.isEmpty {
            // mbox-list-extended-item = "CHILDINFO" SP "(" tagged-ext-val ")"    ; RFC 5258 §3.5
            writer.append(" (\"CHILDINFO\" (")
            for (i, info) in item.childInfo.enumerated() {
                if i > 0 { writer.append(" ") }
                writer.appendQuoted(Array(info.utf8))
            }
            writer.append("))")
        }
    }

    private func writeDelimiter(_ delimiter: Character?, to writer: inout IMAPWriter) {
        guard let delimiter else {
            writer.append("NIL")
            return
        }
        writer.appendQuoted(Array(String(delimiter).utf8))
    }

    // msg-att-dynamic / msg-att-static, RFC 3501 §9, RFC 3516 §4.2, RFC 7162 §7
    private func write(_ item: IMAPFetchItem, to writer: inout IMAPWriter) {
        switch item {
        case .uid(let uid): writer.append("UID \(uid)")
        case .flags(let flags):
            writer.append("FLAGS ")
            writer.appendFlags(flags)
        case .internalDate(let date): writer.append("INTERNALDATE \"\(date)\"")
        case .rfc822Size(let size): writer.append("RFC822.SIZE \(size)")
        case .modSeq(let modSeq): writer.append("MODSEQ (\(modSeq))")
        case .envelope(let bytes):
            writer.append("ENVELOPE ")
            writer.append(bytes: bytes)
        case .bodyStructure(let bytes, let extensible):
            writer.append(extensible ? "BODYSTRUCTURE " : "BODY ")
            writer.append(bytes: bytes)
        case .bodySection(let section, let origin, let data):
            writer.append("BODY[\(section)]")
            if let origin { writer.append("<\(origin)>") }
            writer.append(" ")
            writeBody(data, to: &writer)
        case .binary(let part, let origin, let data):
            writer.append("BINARY[\(part.map(String.init).joined(separator: "."))]")
            if let origin { writer.append("<\(origin)>") }
            writer.append(" ")
            if let data {
                writer.appendLiteral(data, binary: data.contains(0))
            } else {
                writer.append("NIL")
            }
        case .binarySize(let part, let size):
            writer.append("BINARY.SIZE[\(part.map(String.init).joined(separator: "."))] \(size)")
        case .rfc822(let data):
            writer.append("RFC822 ")
            writeBody(data, to: &writer)
        case .rfc822Header(let data):
            writer.append("RFC822.HEADER ")
            writeBody(data, to: &writer)
        case .rfc822Text(let data):
            writer.append("RFC822.TEXT ")
            writeBody(data, to: &writer)
        }
    }

    /// Message content is always sent as a literal (it may hold CR, LF and 8-bit octets), NIL
    /// when the section does not exist (RFC 3501 §6.4.5).
    private func writeBody(_ data: [UInt8]?, to writer: inout IMAPWriter) {
        guard let data else {
            writer.append("NIL")
            return
        }
        writer.appendLiteral(data)
    }
}
