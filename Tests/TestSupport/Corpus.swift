import Foundation  // ObjCBool and fileExists(atPath:isDirectory:) are not in FoundationEssentials

/// The shared corpus of real mail lives outside the repository: `../shared/corpus` beside the
/// checkout, or wherever `TRESOR_CORPUS` points. Tests that need it call `Corpus.locate()`:
/// where it is absent they are skipped, except under `CI=true`, where absence is a failure.
public enum Corpus {
    /// The repository's top folder, found from this source file's path (not `Bundle.module`),
    /// so that fixtures and `.actual` files are read and written in the source tree.
    public static let repositoryRoot: URL = {
        URL(fileURLWithPath: #filePath)  // …/Tests/TestSupport/Corpus.swift
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }()

    /// The folder that holds `Tests/<target>/Fixtures`.
    public static func fixtures(_ target: String) -> URL {
        repositoryRoot.appendingPathComponent("Tests/\(target)/Fixtures", isDirectory: true)
    }

    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    public static var expectedLocation: URL {
        if let path = ProcessInfo.processInfo.environment["TRESOR_CORPUS"], !path.isEmpty {
            return URL(fileURLWithPath: path, isDirectory: true)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus", isDirectory: true)
    }

    /// The corpus folder if present; nil (skip) if absent outside CI; throws if absent under CI.
    public static func locate() throws -> URL? {
        let url = expectedLocation
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            return url
        }
        if isCI { throw TestSupportError.corpusMissing(url.path) }
        print("skipped: corpus not found at \(url.path) (set TRESOR_CORPUS)")
        return nil
    }

    /// Every `.eml` file under `rfc822/`, sorted by name.
    public static func emlFiles(in corpus: URL) throws -> [URL] {
        let folder = corpus.appendingPathComponent("rfc822", isDirectory: true)
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "eml" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    /// Every `.mbox` file under `mbox/`, sorted by name.
    public static func mboxFiles(in corpus: URL) throws -> [URL] {
        let folder = corpus.appendingPathComponent("mbox", isDirectory: true)
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "mbox" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    public static func bytes(of url: URL) throws -> [UInt8] {
        Array(try Data(contentsOf: url))
    }
}
