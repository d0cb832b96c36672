import TOMLKit
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

extension TresorConfiguration {
    /// Parses `tresor.toml` text (TOML v1.0.0) into a configuration. Keys that are not set
    /// keep their defaults; unknown keys and bad values are errors naming the key and line. Throws
    /// the first problem in file order; `check` lists them all.
    public static func parse(_ text: String, file: String = defaultFileName,
                             relativeTo folder: URL? = nil) throws(ConfigurationError) -> TresorConfiguration {
        let (configuration, problems) = check(text, file: file, relativeTo: folder)
        if let first = problems.first { throw first }
        return configuration
    }

    /// Reads the whole text and returns every problem found (in file order), with the configuration
    /// as far as it could be read (meaningful only when there is no problem). A TOML syntax error
    /// is the one problem: nothing after it can be read.
    public static func check(_ text: String, file: String = defaultFileName,
                             relativeTo folder: URL? = nil) -> (TresorConfiguration, [ConfigurationError]) {
        let root: TOMLTable
        do {
            root = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            return (TresorConfiguration(), [ConfigurationError(file: "\(file):\(error.source.begin.line)", line: nil,
                                                               key: "", problem: "column \(error.source.begin.column): \(error.description)")])
        } catch {
            return (TresorConfiguration(), [ConfigurationError(file: file, line: nil, key: "", problem: "\(error)")])
        }
        let problems = ConfigurationProblems()
        var reader = TOMLTableReader(table: root, path: "", lines: TOMLKeyLines(text: text), file: file,
                                     problems: problems)
        var configuration = TresorConfiguration()
        configuration.folder = folder
        if folder != nil { configuration.file = file }
        configuration.read(&reader, resolve: { path in
            if path.hasPrefix("/") || folder == nil { return URL(fileURLWithPath: path).standardizedFileURL }
            return folder!.appendingPathComponent(path).standardizedFileURL
        })
        return (configuration, problems.sorted)
    }

    /// Every key of the file, each step recording its problems in the reader's list and going on.
    private mutating func read(_ reader: inout TOMLTableReader, resolve: (String) -> URL) {
        let problems = reader.problems
        problems.collect { () throws(ConfigurationError) in
            if let path = try reader.string("data_dir", nonEmpty: true) { dataDirectory = resolve(path) }
        }
        problems.collect { () throws(ConfigurationError) in
            if let hostname = try reader.string("hostname", nonEmpty: true) {
                guard DomainName.isValid(hostname) else {
                    throw reader.error("hostname", "must be a domain name (letters, digits, '-' and '.'), not \"\(hostname)\"")
                }
                self.hostname = hostname
            }
        }
        problems.collect { () throws(ConfigurationError) in
            if let domains = try reader.strings("domains") {
                for domain in domains where !DomainName.isValid(domain) {
                    throw reader.error("domains", "\"\(domain)\" is not a domain name")
                }
                self.domains = domains.map { $0.lowercased() }
            }
        }
        problems.collect { () throws(ConfigurationError) in try readListenAddress(&reader) }
        for (key, keyPath) in [("smtp", \TresorConfiguration.smtp), ("submission", \.submission),
                               ("submissions", \.submissions), ("pop3", \.pop3), ("pop3s", \.pop3s),
                               ("imap", \.imap), ("imaps", \.imaps)] {
            problems.collect { () throws(ConfigurationError) in
                guard var table = try reader.table(key) else { return }
                var listener = self[keyPath: keyPath]
                try table.readListener(into: &listener)
                try table.finish()
                self[keyPath: keyPath] = listener
            }
        }
        problems.collect { () throws(ConfigurationError) in
            guard var table = try reader.table("managesieve") else { return }
            var manageSieve = self.manageSieve
            try table.readListener(into: &manageSieve.listener)
            if let scripts = try table.int("max_scripts", in: 1...10_000) { manageSieve.maximumScripts = scripts }
            if let size = try table.byteSize("max_script_size", in: 1024...(64 << 20)) {
                manageSieve.maximumScriptSize = size
            }
            try table.finish()
            self.manageSieve = manageSieve
        }
        problems.collect { () throws(ConfigurationError) in
            guard var table = try reader.table("sieve") else { return }
            var sieve = self.sieve
            sieve.spamScoreField = try table.string("spam_score_header", nonEmpty: true)
            if let maximum = try table.int("spam_score_max", in: 1...1_000_000) { sieve.spamScoreMaximum = Double(maximum) }
            sieve.virusField = try table.string("virus_header", nonEmpty: true)
            if let values = try table.strings("virus_infected_values") { sieve.infectedValues = values }
            try table.finish()
            self.sieve = sieve
        }
        problems.collect { () throws(ConfigurationError) in
            guard var table = try reader.table("tls") else { return }
            let certificate = try table.string("certificate", nonEmpty: true)
            let key = try table.string("key", nonEmpty: true)
            try table.finish()
            switch (certificate, key) {
            case (nil, nil): break
            case (let certificate?, let key?):
                tls = TLS(certificate: resolve(certificate), key: resolve(key))
            case (nil, _?): throw table.error("key", "needs tls.certificate too")
            case (_?, nil): throw table.error("certificate", "needs tls.key too")
            }
        }
        problems.collect { () throws(ConfigurationError) in
            guard var table = try reader.table("auth") else { return }
            if let allow = try table.bool("allow_plaintext_on_loopback") {
                auth.allowPlaintextOnLoopback = allow
            }
            if let milliseconds = try table.int("failure_delay_ms", in: 0...60_000) {
                auth.failureDelay = .milliseconds(milliseconds)
            }
            if let seconds = try table.int("login_cache_seconds", in: 0...86_400) {
                auth.loginCacheLifetime = .seconds(seconds)
            }
            try table.finish()
        }
        problems.collect { () throws(ConfigurationError) in
            guard var table = try reader.table("limits") else { return }
            if let size = try table.byteSize("message_size", in: 1024...(2 << 30)) {
                limits.messageSize = size
            }
            if let recipients = try table.int("recipients", in: 100...100_000) {
                limits.recipients = recipients
            }
            if let connections = try table.int("connections_per_ip", in: 1...100_000) {
                limits.connectionsPerIP = connections
            }
            if let connections = try table.int("connections", in: 1...1_000_000) {
                limits.connections = connections
            }
            if let seconds = try table.int("command_deadline_seconds", in: 5...3600) {
                limits.commandDeadline = .seconds(seconds)
            }
            if let rate = try table.int("minimum_data_rate", in: 1...(1 << 30)) {
                limits.minimumDataRate = rate
            }
            if let size = try table.byteSize("spool_threshold", in: 0...(2 << 30)) {
                limits.spoolThreshold = size
            }
            if let size = try table.byteSize("in_flight_size", in: (1 << 20)...(1 << 40)) {
                limits.inFlightSize = size
            }
            if let seconds = try table.int("write_timeout_seconds", in: 1...3600) {
                limits.writeTimeout = .seconds(seconds)
            }
            try table.finish()
        }
        problems.collect { () throws(ConfigurationError) in try readFolderSettings(&reader, resolve: resolve) }
        problems.collect { () throws(ConfigurationError) in try readRetentionSettings(&reader, resolve: resolve) }
        problems.collect { () throws(ConfigurationError) in try readDeliverySettings(&reader, resolve: resolve) }
        problems.collect { () throws(ConfigurationError) in try readArchiveSettings(&reader, resolve: resolve) }
        problems.collect { () throws(ConfigurationError) in try readAnchorSettings(&reader, resolve: resolve) }
        problems.collect { () throws(ConfigurationError) in try readAccessSettings(&reader) }
        problems.collect { () throws(ConfigurationError) in try readLogSettings(&reader) }
        problems.collect { () throws(ConfigurationError) in try readMetricsSettings(&reader) }
        problems.collect { () throws(ConfigurationError) in try readQuotaSettings(&reader) }
        problems.collect { () throws(ConfigurationError) in try readFilterSettings(&reader) }
        problems.collect { () throws(ConfigurationError) in try readAuthCheckSettings(&reader) }
        problems.collect { () throws(ConfigurationError) in try readDLPSettings(&reader, resolve: resolve) }
        problems.collect { () throws(ConfigurationError) in try reader.finish() }
    }
}

/// Reads one TOML table key by key, remembering which keys it consumed so that `finish()`
/// can name the unknown ones. A value of the wrong type or out of range is recorded in
/// `problems` and read as unset, so one bad key does not hide the next.
struct TOMLTableReader {
    let table: TOMLTable
    let path: String
    let lines: TOMLKeyLines
    let file: String
    /// Shared by every reader of one file: a bad value is recorded there and reads as unset.
    let problems: ConfigurationProblems
    private var used: Set<String> = []

    init(table: TOMLTable, path: String, lines: TOMLKeyLines, file: String, problems: ConfigurationProblems) {
        self.table = table
        self.path = path
        self.lines = lines
        self.file = file
        self.problems = problems
    }

    /// Records a problem with `key`; the caller then treats the key as unset.
    private func record<Value>(_ problem: ConfigurationError) -> Value? {
        problems.add(problem)
        return nil
    }

    func fullKey(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ key: String, _ problem: String) -> ConfigurationError {
        let full = fullKey(key)
        return ConfigurationError(file: file, line: lines.line(of: full), key: full, problem: problem)
    }

    private mutating func value(_ key: String) -> (any TOMLValueConvertible)? {
        used.insert(key)
        return table[key]
    }

    private func typeError(_ key: String, expected: String, got value: any TOMLValueConvertible) -> ConfigurationError {
        error(key, "must be \(expected), not \(value.type)")
    }

    mutating func string(_ key: String, nonEmpty: Bool = false) throws(ConfigurationError) -> String? {
        guard let value = value(key) else { return nil }
        guard let string = value.string else { return record(typeError(key, expected: "a string", got: value)) }
        if nonEmpty && string.isEmpty { return record(error(key, "must not be empty")) }
        return string
    }

    mutating func bool(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard let bool = value.bool else { return record(typeError(key, expected: "true or false", got: value)) }
        return bool
    }

    mutating func int(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let value = value(key) else { return nil }
        guard let int = value.int else { return record(typeError(key, expected: "an integer", got: value)) }
        guard range.contains(int) else {
            return record(error(key, "must be an integer from \(range.lowerBound) to \(range.upperBound), not \(int)"))
        }
        return int
    }

    /// An integer number of bytes, or a string with a suffix: `"25M"`, `"512k"`, `"1G"`.
    mutating func byteSize(_ key: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let value = value(key) else { return nil }
        let bytes: Int
        if let int = value.int {
            bytes = int
        } else if let text = value.string, let parsed = ByteSize.parse(text) {
            bytes = parsed
        } else {
            return record(error(key, "must be a number of bytes or a size like \"25M\", not \(value.debugDescription)"))
        }
        guard range.contains(bytes) else {
            return record(error(key, "must be from \(range.lowerBound) to \(range.upperBound) bytes, not \(bytes)"))
        }
        return bytes
    }

    mutating func strings(_ key: String) throws(ConfigurationError) -> [String]? {
        guard let value = value(key) else { return nil }
        guard let array = value.array else { return record(typeError(key, expected: "an array of strings", got: value)) }
        var strings: [String] = []
        for element in array {
            guard let string = element.string else {
                return record(typeError(key, expected: "an array of strings", got: element))
            }
            strings.append(string)
        }
        return strings
    }

    mutating func table(_ key: String) throws(ConfigurationError) -> TOMLTableReader? {
        guard let value = value(key) else { return nil }
        guard let table = value.table else { return record(typeError(key, expected: "a table", got: value)) }
        return TOMLTableReader(table: table, path: fullKey(key), lines: lines, file: file, problems: problems)
    }

    /// An array of tables (`[[key]]` headers, TOML v1.0.0 "Array of Tables"); entry n reports its
    /// keys as `key[n].name`.
    mutating func tables(_ key: String) throws(ConfigurationError) -> [TOMLTableReader]? {
        guard let value = value(key) else { return nil }
        guard let array = value.array else { return record(typeError(key, expected: "an array of tables ([[\(fullKey(key))]])", got: value)) }
        var readers: [TOMLTableReader] = []
        for (index, element) in array.enumerated() {
            guard let table = element.table else {
                return record(typeError(key, expected: "an array of tables ([[\(fullKey(key))]])", got: element))
            }
            readers.append(TOMLTableReader(table: table, path: "\(fullKey(key))[\(index)]", lines: lines, file: file,
                                           problems: problems))
        }
        return readers
    }

    /// A string or an array of strings, as a list.
    mutating func stringOrStrings(_ key: String) throws(ConfigurationError) -> [String]? {
        if let value = table[key], let single = value.string {
            used.insert(key)
            return [single]
        }
        return try strings(key)
    }

    /// The keys of a listener table: `enabled`, `address` (a numeric IP address), `port`.
    mutating func readListener(into listener: inout TresorConfiguration.Listener) throws(ConfigurationError) {
        if let enabled = try bool("enabled") { listener.enabled = enabled }
        if let address = try string("address", nonEmpty: true) {
            if IPAddressText.isValid(address) {
                listener.address = address
            } else {
                problems.add(error("address", "must be an IPv4 or IPv6 address, not \"\(address)\""))
            }
        }
        if let port = try int("port", in: 0...65535) { listener.port = port }
        if let proxy = try bool("proxy_protocol") { listener.proxyProtocol = proxy }
        if let trusted = try strings("proxy_trusted") {
            for entry in trusted where !IPAddressText.isValid(entry) {
                problems.add(error("proxy_trusted", "must list IPv4 or IPv6 addresses, not \"\(entry)\""))
            }
            listener.proxyTrusted = trusted.filter(IPAddressText.isValid)
        }
    }

    /// Records every key that no reader asked for as unknown. Declared throwing so that a reader
    /// may also stop a table early; it never throws itself.
    func finish() throws(ConfigurationError) {
        for key in table.keys where !used.contains(key) {
            problems.add(error(key, "unknown key"))
        }
    }
}

/// `"25M"` → 26214400. Suffixes k, M, G are powers of 1024, as Postfix and Dovecot read them.
enum ByteSize {
    static func parse(_ text: String) -> Int? {
        let trimmed = text.filter { $0 != " " && $0 != "\t" }
        guard let last = trimmed.last else { return nil }
        let multipliers: [Character: Int] = ["k": 1 << 10, "K": 1 << 10, "m": 1 << 20, "M": 1 << 20,
                                             "g": 1 << 30, "G": 1 << 30]
        if let multiplier = multipliers[last] {
            guard let number = Int(trimmed.dropLast()), number >= 0 else { return nil }
            let (product, overflow) = number.multipliedReportingOverflow(by: multiplier)
            return overflow ? nil : product
        }
        return Int(trimmed)
    }
}

/// RFC 1035 §2.3.1 preferred name syntax (labels of letters, digits and hyphens, at most
/// 63 octets each, 253 in all), which is what a HELO name and a local domain must be.
enum DomainName {
    static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        for label in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard (1...63).contains(label.count), label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-")
            else { return false }
            for byte in label {
                let ok = (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
                    || byte == UInt8(ascii: "-")
                guard ok else { return false }
            }
        }
        return true
    }
}

/// Whether a string is a numeric IPv4 or IPv6 address (inet_pton), as a listener needs.
enum IPAddressText {
    static func isValid(_ text: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}
