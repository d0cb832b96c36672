#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A fresh directory under the system temp folder, removed when `body` returns.
/// Swift Testing runs tests in parallel, so every test gets its own.
public func withTemporaryDirectory<T>(
    _ body: (URL) async throws -> T
) async throws -> T {
    let url = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: url) }
    return try await body(url)
}

/// Creates a unique, empty directory (mkdtemp) and returns its URL. The caller removes it.
public func makeTemporaryDirectory(prefix: String = "tresor-test") throws -> URL {
    let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
    var template = Array("\(base)/\(prefix).XXXXXX".utf8CString)
    guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
        throw TestSupportError.cannotCreateTemporaryDirectory(errno: errno)
    }
    return URL(fileURLWithPath: String(cString: made), isDirectory: true)
}

public enum TestSupportError: Error, CustomStringConvertible {
    case cannotCreateTemporaryDirectory(errno: Int32)
    case corpusMissing(String)

    public var description: String {
        switch self {
        case .cannotCreateTemporaryDirectory(let errno): "mkdtemp failed with errno \(errno)"
        case .corpusMissing(let path): "corpus not found at \(path) (set TRESOR_CORPUS); required when CI=true"
        }
    }
}
