import FuzzDriver
import YAML

/// libFuzzer entry point: any byte string goes through every YAML entry point a manifest meets
/// (parse to nodes with marks, to JSON values, the JSON reader, and an emit/re-parse round trip
/// of what parsed). Errors are the expected answer to bad input; a crash, a trap (overflow,
/// out-of-range index), a hang or a leak is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzYAML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let parser = YAMLParser()
    _ = try? parser.parseDocuments(bytes, file: "fuzz.yaml")
    if let values = try? parser.parseJSONDocuments(bytes, file: "fuzz.yaml") {
        // What parsed must emit, and the emitted text must parse back to the same values.
        if let text = try? YAMLEmitter().emitDocuments(values) {
            let again = try? parser.parseJSONDocuments(text, file: "emitted.yaml")
            if again == nil {
                fatalError("emitted YAML does not parse again:\n\(text)")
            }
        }
    }
    _ = try? JSONParser.parse(bytes)
    return 0
}

/// The executable's entry point (SwiftPM links it as `fuzz_yaml_main`): libFuzzer's driver.
@_cdecl("fuzz_yaml_main")
public func fuzzYamlMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzYAML(data, size) }
}
