import Foundation
import Testing

/// The module map holds in the code: every module a source file imports is declared for its
/// target in Package.swift, and only MailStore reaches the storage internals (ArchiveStore and
/// Catalog), so that every rule about reading, auditing and purging has one place to live.
/// Read from the files themselves, as a reviewer would.
@Suite struct ImportRulesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Modules of the toolchain and the platform, importable without a declaration.
    static let systemModules: Set<String> = [
        "Foundation", "FoundationEssentials", "FoundationNetworking", "Glibc", "Darwin", "Musl", "Dispatch",
        "Synchronization", "Testing", "XCTest",
    ]

    /// Modules a product of a dependency brings, where the product's name is not the module's.
    static let productModules: [String: Set<String>] = ["_NIOFileSystem": ["_NIOFileSystem", "NIOFileSystem"]]

    /// Targets that must not import the storage internals.
    static let sealedOff = ["Delivery", "Retention", "Export", "MailServer", "SMTPServer", "POP3Server",
                            "ManageSieveServer", "IMAPServer", "ServerKit", "tresor"]
    static let storageInternals: Set<String> = ["ArchiveStore", "Catalog"]

    @Test func everyImportIsDeclaredForItsTarget() throws {
        let declared = try PackageManifest(url: Self.root.appendingPathComponent("Package.swift")).dependencies
        var problems: [String] = []
        for (target, files) in try Self.sourceFiles() {
            guard let allowed = declared[target] else {
                problems.append("Sources/\(target) is no target of Package.swift")
                continue
            }
            let modules = allowed.reduce(into: Set<String>()) { $0.formUnion(Self.productModules[$1] ?? [$1]) }
            for (file, imports) in files {
                for module in imports where !Self.systemModules.contains(module) && !modules.contains(module) {
                    problems.append("\(file) imports \(module), which Package.swift does not list for \(target)")
                }
            }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test func onlyMailStoreReachesTheArchiveAndTheCatalog() throws {
        let declared = try PackageManifest(url: Self.root.appendingPathComponent("Package.swift")).dependencies
        var problems: [String] = []
        let sources = try Self.sourceFiles()
        for target in Self.sealedOff {
            for (file, imports) in sources[target] ?? [] {
                for module in imports where Self.storageInternals.contains(module) {
                    problems.append("\(file) imports \(module): go through MailStore")
                }
            }
            for module in declared[target] ?? [] where Self.storageInternals.contains(module) {
                problems.append("Package.swift lets \(target) depend on \(module)")
            }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    /// The rule itself is checked: a file of a sealed-off target that imports Catalog is caught.
    @Test func aForbiddenImportIsFound() {
        let imports = SourceImports.modules(in: "import Logging\n#if DEBUG\n@testable import Catalog\n#endif\n")
        #expect(imports == ["Logging", "Catalog"])
        #expect(imports.contains { Self.storageInternals.contains($0) })
    }

    /// Target → (file, imported modules) for every Swift file under Sources/.
    static func sourceFiles() throws -> [String: [(file: String, imports: [String])]] {
        let sources = root.appendingPathComponent("Sources")
        var result: [String: [(file: String, imports: [String])]] = [:]
        for target in try FileManager.default.contentsOfDirectory(atPath: sources.path).sorted() {
            let folder = sources.appendingPathComponent(target)
            guard let walker = FileManager.default.enumerator(atPath: folder.path) else { continue }
            for case let path as String in walker where path.hasSuffix(".swift") {
                let text = try String(contentsOf: folder.appendingPathComponent(path), encoding: .utf8)
                result[target, default: []].append(("Sources/\(target)/\(path)", SourceImports.modules(in: text)))
            }
        }
        return result
    }
}

/// The modules a Swift file imports (`import X`, `@testable import X`, `@_exported import X`,
/// `@preconcurrency import X`, `import struct X.Y`), wherever they stand, `#if` blocks included.
enum SourceImports {
    static func modules(in text: String) -> [String] {
        var modules: [String] = []
        for line in text.split(separator: "\n") {
            var words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            while let first = words.first, first.hasPrefix("@") { words.removeFirst() }
            guard words.count >= 2, words[0] == "import" else { continue }
            var module = words[1]
            if ["struct", "class", "enum", "protocol", "func", "var", "let", "typealias"].contains(module), words.count >= 3 {
                module = words[2]
            }
            modules.append(String(module.split(separator: ".")[0]))
        }
        return modules
    }
}

/// The targets of Package.swift and what each depends on, read from its text: each
/// `.target(`/`.executableTarget(`/`.testTarget(` call's `name:` and the target names and product
/// names in its `dependencies: [...]`.
struct PackageManifest {
    var dependencies: [String: Set<String>] = [:]

    init(url: URL) throws {
        let text = Array(try String(contentsOf: url, encoding: .utf8).unicodeScalars)
        var index = 0
        let starts = [".target(", ".executableTarget(", ".testTarget(", ".systemLibrary("]
        while index < text.count {
            guard let start = starts.first(where: { Self.matches($0, in: text, at: index) }) else {
                index += 1
                continue
            }
            let open = index + start.unicodeScalars.count - 1
            let close = Self.matchingClose(in: text, from: open)
            let call = String(String.UnicodeScalarView(text[open...close]))
            if let name = Self.firstString(after: "name:", in: call) {
                dependencies[name] = Self.dependencyNames(in: call)
            }
            index = close + 1
        }
    }

    static func matches(_ word: String, in text: [Unicode.Scalar], at index: Int) -> Bool {
        let scalars = Array(word.unicodeScalars)
        guard index + scalars.count <= text.count else { return false }
        return Array(text[index..<index + scalars.count]) == scalars
    }

    /// The index of the bracket closing the one at `open` (strings skipped).
    static func matchingClose(in text: [Unicode.Scalar], from open: Int) -> Int {
        var depth = 0, quoted = false, index = open
        while index < text.count {
            let c = text[index]
            if quoted {
                if c == "\\" { index += 1 } else if c == "\"" { quoted = false }
            } else if c == "\"" {
                quoted = true
            } else if c == "(" || c == "[" {
                depth += 1
            } else if c == ")" || c == "]" {
                depth -= 1
                if depth == 0 { return index }
            }
            index += 1
        }
        return text.count - 1
    }

    static func firstString(after label: String, in text: String) -> String? {
        guard let range = text.range(of: label) else { return nil }
        let rest = text[range.upperBound...]
        guard let open = rest.firstIndex(of: "\"") else { return nil }
        let afterOpen = rest.index(after: open)
        guard let close = rest[afterOpen...].firstIndex(of: "\"") else { return nil }
        return String(rest[afterOpen..<close])
    }

    /// Target names (bare strings) and product names (`.product(name: "X"`) in `dependencies: [...]`.
    static func dependencyNames(in call: String) -> Set<String> {
        guard let range = call.range(of: "dependencies:") else { return [] }
        let scalars = Array(call[range.upperBound...].unicodeScalars)
        guard let open = scalars.firstIndex(of: "[") else { return [] }
        let close = matchingClose(in: scalars, from: open)
        let list = String(String.UnicodeScalarView(scalars[open...close]))
        var names: Set<String> = []
        var rest = Substring(list)
        while let quote = rest.firstIndex(of: "\"") {
            let afterQuote = rest.index(after: quote)
            guard let end = rest[afterQuote...].firstIndex(of: "\"") else { break }
            let name = String(rest[afterQuote..<end])
            // A product's `package:` names a package, not a module.
            let before = rest[..<quote].suffix(12)
            if !before.contains("package:") { names.insert(name) }
            rest = rest[rest.index(after: end)...]
        }
        return names
    }
}
