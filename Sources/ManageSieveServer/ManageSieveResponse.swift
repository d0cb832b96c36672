import NIOCore

/// The response codes of RFC 5804 §1.3, written in parentheses after OK, NO or BYE.
public enum ManageSieveResponseCode: Hashable, Sendable {
    /// Site policy forbids the mechanism for this identity.
    case authTooWeak
    /// Site policy requires encryption first (here: PLAIN without TLS).
    case encryptNeeded
    /// The credentials need an update before this mechanism works.
    case transitionNeeded
    /// Over a quota; QUOTA/MAXSCRIPTS and QUOTA/MAXSIZE say which.
    case quota
    case quotaMaxScripts
    case quotaMaxSize
    /// A temporary failure; the client may try later.
    case tryLater
    /// Not allowed on the active script (DELETESCRIPT).
    case active
    /// No script of that name.
    case nonexistent
    /// A script of that name already exists (RENAMESCRIPT).
    case alreadyExists
    /// The script is valid but may not do what was meant.
    case warnings
    /// NOOP's tag, echoed (RFC 5804 §2.13).
    case tag([UInt8])
}

/// One word of a response line: a string (sent quoted or as a literal, whichever fits) or an
/// atom such as ACTIVE.
public enum ManageSieveWord: Hashable, Sendable {
    case string([UInt8])
    case atom(String)

    public static func text(_ text: String) -> ManageSieveWord { .string(Array(text.utf8)) }
}

/// A server response (RFC 5804 §1.3, §4): any data lines (capabilities, script names, a
/// script), then the completion `OK` / `NO` / `BYE` with an optional response code and an
/// optional human-readable string.
public struct ManageSieveResponse: Hashable, Sendable {
    public enum Status: String, Hashable, Sendable {
        case ok = "OK"
        case no = "NO"
        case bye = "BYE"
    }

    /// Lines before the completion, each a list of words.
    public var data: [[ManageSieveWord]]
    public var status: Status
    public var code: ManageSieveResponseCode?
    /// Human-readable text (RFC 5804 §1.3: "MUST NOT attempt to parse the message for meaning").
    public var text: String?

    public init(data: [[ManageSieveWord]] = [], status: Status, code: ManageSieveResponseCode? = nil,
                text: String? = nil) {
        self.data = data
        self.status = status
        self.code = code
        self.text = text
    }

    public static func ok(_ text: String? = nil, code: ManageSieveResponseCode? = nil,
                          data: [[ManageSieveWord]] = []) -> ManageSieveResponse {
        ManageSieveResponse(data: data, status: .ok, code: code, text: text)
    }

    public static func no(_ text: String, code: ManageSieveResponseCode? = nil) -> ManageSieveResponse {
        ManageSieveResponse(status: .no, code: code, text: text)
    }

    public static func bye(_ text: String, code: ManageSieveResponseCode? = nil) -> ManageSieveResponse {
        ManageSieveResponse(status: .bye, code: code, text: text)
    }

    // MARK: - Encoding

    // response-oknobye = ("OK" / "NO" / "BYE") [SP "(" resp-code ")"] [SP string] CRLF
    /// The data lines, then the completion line, each ending with CRLF.
    public func encode(into buffer: inout ByteBuffer) {
        for line in data {
            for (index, word) in line.enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: " ")) }
                switch word {
                case .string(let bytes): Self.encodeString(bytes, into: &buffer)
                case .atom(let atom): buffer.writeString(atom)
                }
            }
            buffer.writeString("\r\n")
        }
        buffer.writeString(status.rawValue)
        if let code {
            buffer.writeString(" (")
            code.encode(into: &buffer)
            buffer.writeString(")")
        }
        if let text {
            buffer.writeInteger(UInt8(ascii: " "))
            Self.encodeString(Array(text.utf8), into: &buffer)
        }
        buffer.writeString("\r\n")
    }

    public var encoded: ByteBuffer {
        var buffer = ByteBuffer()
        encode(into: &buffer)
        return buffer
    }

    // string = quoted / literal-s2c ;  literal-s2c = "{" number "}" CRLF *OCTET      (RFC 5804 §4)
    /// A string as `quoted` when it can be one (at most 1024 octets of UTF-8 without CR, LF or
    /// NUL), otherwise as a literal.
    public static func encodeString(_ bytes: [UInt8], into buffer: inout ByteBuffer) {
        let quotable = bytes.count <= 1024 && !bytes.contains(where: { $0 == 0 || $0 == 0x0A || $0 == 0x0D })
            && String(validating: bytes, as: UTF8.self) != nil
        if quotable {
            buffer.writeInteger(UInt8(ascii: "\""))
            for byte in bytes {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { buffer.writeInteger(UInt8(ascii: "\\")) }
                buffer.writeInteger(byte)
            }
            buffer.writeInteger(UInt8(ascii: "\""))
        } else {
            buffer.writeString("{\(bytes.count)}\r\n")
            buffer.writeBytes(bytes)
        }
    }
}

extension ManageSieveResponseCode {
    // resp-code = "AUTH-TOO-WEAK" / "ENCRYPT-NEEDED" / "QUOTA" ["/" ("MAXSCRIPTS" / "MAXSIZE")] /
    //             "TRANSITION-NEEDED" / "TRYLATER" / "ACTIVE" / "NONEXISTENT" / "ALREADYEXISTS" /
    //             "WARNINGS" / "TAG" SP string / …                                  (RFC 5804 §4)
    func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .authTooWeak: buffer.writeString("AUTH-TOO-WEAK")
        case .encryptNeeded: buffer.writeString("ENCRYPT-NEEDED")
        case .transitionNeeded: buffer.writeString("TRANSITION-NEEDED")
        case .quota: buffer.writeString("QUOTA")
        case .quotaMaxScripts: buffer.writeString("QUOTA/MAXSCRIPTS")
        case .quotaMaxSize: buffer.writeString("QUOTA/MAXSIZE")
        case .tryLater: buffer.writeString("TRYLATER")
        case .active: buffer.writeString("ACTIVE")
        case .nonexistent: buffer.writeString("NONEXISTENT")
        case .alreadyExists: buffer.writeString("ALREADYEXISTS")
        case .warnings: buffer.writeString("WARNINGS")
        case .tag(let tag):
            buffer.writeString("TAG ")
            ManageSieveResponse.encodeString(tag, into: &buffer)
        }
    }
}

extension ManageSieveResponse {
    /// The one place a backend failure becomes a response (RFC 5804 §1.3 codes).
    ///
    /// `quotaExceeded`'s value names the variant: "MAXSCRIPTS" or "MAXSIZE" (with or without
    /// "QUOTA/", any case); any other value is sent as the text of a plain QUOTA.
    public init(_ failure: ManageSieveFailure) {
        switch failure {
        case .nonexistent:
            self = .no("There is no script by that name", code: .nonexistent)
        case .active:
            self = .no("The active script cannot be deleted; deactivate it first (SETACTIVE \"\")", code: .active)
        case .alreadyExists:
            self = .no("A script by that name already exists", code: .alreadyExists)
        case .quotaExceeded(let detail):
            switch detail.uppercased() {
            case "MAXSCRIPTS", "QUOTA/MAXSCRIPTS": self = .no("Too many scripts", code: .quotaMaxScripts)
            case "MAXSIZE", "QUOTA/MAXSIZE": self = .no("Script too large", code: .quotaMaxSize)
            default: self = .no(detail.isEmpty ? "Quota exceeded" : detail, code: .quota)
            }
        case .invalidScript(let message):
            // RFC 5804 §2.6: human-readable, with the line of the first error; may be several
            // CRLF-separated lines, which `encodeString` sends as a literal.
            self = .no(message.isEmpty ? "Invalid script" : message)
        case .badName(let reason):
            self = .no(reason.isEmpty ? "Invalid script name" : reason)
        case .tryLater:
            self = .no("Scripts cannot be reached now; try again later", code: .tryLater)
        }
    }
}
