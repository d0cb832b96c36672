import Foundation

/// Debian's own `/usr/bin/python3` and the packaged modules tests compare Tresor with (dkimpy,
/// pyspf, authres, aiosmtpd). `.ci/run` installs them; elsewhere a test without them is skipped
/// with the reason printed, and under CI=true their absence is a failure.
public enum DebianPython {
    public static let path = "/usr/bin/python3"

    /// Whether `import MODULES` works in Debian's python3. False (with the reason printed) when it
    /// does not; throws under CI=true, naming `package`.
    public static func canImport(_ modules: String, package: String) throws -> Bool {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            return try unavailable("\(path) is not there (apt-get install \(package))")
        }
        let probe = SpawnedProcess()
        probe.executableURL = URL(fileURLWithPath: path)
        probe.arguments = ["-c", "import \(modules)"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        do { try probe.run() } catch {
            return try unavailable("\(path) cannot run: \(error)")
        }
        probe.waitUntilExit()
        if probe.terminationStatus == 0 { return true }
        return try unavailable("\(path) cannot import \(modules) (apt-get install \(package))")
    }

    private static func unavailable(_ reason: String) throws -> Bool {
        if Corpus.isCI { throw Missing(reason: reason) }
        print("skipped: \(reason)")
        return false
    }

    public struct Missing: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { "required when CI=true: \(reason)" }
    }
}
