import ElevatorCLI
import FuzzDriver
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

/// The executable's entry point (SwiftPM links it as `fuzz_lint_main`): libFuzzer's driver.
@_cdecl("fuzz_lint_main")
public func fuzzLintMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzLint(data, size) }
}
