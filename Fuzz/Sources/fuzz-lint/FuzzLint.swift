import ElevatorCLI
import Foundation

/// libFuzzer entry point: the bytes are one manifest file given to `elevator lint` (parse,
/// decode into ElevationPolicy/Request/Approval, field checks, the cross-document check).
/// Every outcome must be findings; a crash, a trap, a hang or a leak is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLint(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let linter = Linter(now: Date(timeIntervalSince1970: 1_800_000_000))
    _ = linter.lint(sources: [(file: "fuzz.yaml", text: text)])
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// The executable's entry point: SwiftPM links an executable target's main as
/// `fuzz_lint_main`, so it hands the command line to libFuzzer's driver itself.
@_cdecl("fuzz_lint_main")
public func fuzzlintMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments) { data, size in fuzzLint(data, size) }
}
