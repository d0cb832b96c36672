import Foundation

/// An input a target of the fuzzing harness (Fuzz/) once crashed on, kept as a regression test:
/// `Tests/<TestTarget>/Fixtures/fuzz-regressions/<FuzzTarget>/<name>`, named after what it broke.
public struct FuzzRegression: Sendable, CustomStringConvertible {
    public var name: String
    public var bytes: [UInt8]

    public var description: String { name }

    /// Every input kept for `fuzzTarget` under `testTarget`'s fixtures, in name order.
    public static func inputs(_ testTarget: String, fuzzTarget: String) -> [FuzzRegression] {
        let folder = Corpus.fixtures(testTarget).appendingPathComponent("fuzz-regressions/\(fuzzTarget)", isDirectory: true)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().compactMap { name in
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path) else { return nil }
            return FuzzRegression(name: name, bytes: Array(data))
        }
    }
}
