import CLibFuzzer

#if canImport(Glibc)
import Glibc
#endif

/// What each fuzz target's `main` does: hands the command line to libFuzzer's driver with the
/// target's `LLVMFuzzerTestOneInput`, and exits with its status.
///
/// libFuzzer brings a `main` of its own, but SwiftPM links every executable with `main` as an
/// alias of the module's entry point (`<Module>_main`), which a module built with
/// `-parse-as-library` has only if it declares one: so each target has an `@main` that calls this.
public func runLibFuzzer(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
}

/// The input libFuzzer hands a target, as bytes.
public func fuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
}
