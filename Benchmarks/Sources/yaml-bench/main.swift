import CLibYAMLEvents
import Foundation
import YAML

// One run, one input: libyaml's raw event loop (the floor), our tree, our JSON, Yams, PyYAML.
// Usage: swift run -c release yaml-bench [megabytes] [repetitions] [--ours-only]
let megabytes = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 20 : 20
let repetitions = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 3 : 3

let input = Corpus.generate(minimumBytes: megabytes * 1_000_000)
let inputPath = FileManager.default.temporaryDirectory.appendingPathComponent("elevator-yaml-bench.yaml").path
try Data(input).write(to: URL(fileURLWithPath: inputPath))
let size = Double(input.count) / 1e6
print("input: \(input.count) bytes, \(repetitions) repetitions, best time counts")

@MainActor func time(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

var results: [(name: String, seconds: Double)] = []
@MainActor func report(_ name: String, _ time: Double) {
    results.append((name, time))
    let padded = name.padding(toLength: 36, withPad: " ", startingAt: 0)
    print(padded + String(format: "%8.3f s %8.2f MB/s", time, size / time))
}

// The rows are measured in turn within each repetition, so a burst of load from other processes
// on this shared machine hits all of them alike; the best time of each row counts.
var events = 0
var documents: [YAMLNode] = []
var best = [Double](repeating: .infinity, count: 4)
for _ in 0..<repetitions {
    best[0] = min(best[0], time {
        events = input.withUnsafeBufferPointer { libyaml_count_events($0.baseAddress, $0.count) }
    })
    documents = []
    best[1] = min(best[1], try time {
        documents = try YAMLParser().parseDocuments(input, file: "bench.yaml")
    })
    // Results stay alive until the clock stops, as in the PyYAML row (Python frees its list
    // after its timer) and the tree row; freeing happens between measurements.
    var converted: [JSONValue] = []
    best[2] = min(best[2], try time {
        converted = try documents.map { try $0.toJSON() }
    })
    converted = []
    best[3] = min(best[3], try time {
        converted = try YAMLParser().parseJSONDocuments(input, file: "bench.yaml")
    })
    converted = []
}
report("libyaml raw event loop (C)", best[0])
print("  \(events) events")
report("YAMLNode tree", best[1])
print("  \(documents.count) documents")
report("tree -> JSONValue (conversion only)", best[2])
report("YAML -> JSONValue (parse + convert)", best[3])

let oursOnly = CommandLine.arguments.contains("--ours-only")

// Yams, in its own process (its vendored libyaml clashes with the system one).
let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
let yams = Process()
yams.executableURL = here.appendingPathComponent("yams-bench")
yams.arguments = [inputPath, "1"]
let yamsOutput = Pipe()
yams.standardOutput = yamsOutput
if !oursOnly { try yams.run() }
let yamsText = oursOnly ? "" : String(decoding: yamsOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
if !oursOnly { yams.waitUntilExit() }
for line in yamsText.split(separator: "\n") {
    let fields = line.split(separator: " ")
    guard fields.count >= 2, let time = Double(fields[1]) else { continue }
    report(fields[0] == "yams-compose" ? "Yams 5.0.1 compose_all (Node)" : "Yams 5.0.1 load_all (Any)", time)
}

// PyYAML with the libyaml-backed CSafeLoader.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
let venv = root.appendingPathComponent(".build-venv/bin/python").path
let python = ProcessInfo.processInfo.environment["ELEVATOR_PYTHON"]
    ?? (FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/python3")
let script = """
    import sys, time, yaml
    assert yaml.__with_libyaml__
    data = open(sys.argv[1], "rb").read()
    start = time.perf_counter()
    documents = list(yaml.load_all(data, Loader=yaml.CSafeLoader))
    print(time.perf_counter() - start, len(documents))
    """
let pyyaml = Process()
pyyaml.executableURL = URL(fileURLWithPath: python)
pyyaml.arguments = ["-c", script, inputPath]
let pyOutput = Pipe()
pyyaml.standardOutput = pyOutput
if !oursOnly { try pyyaml.run() }
let pyText = oursOnly ? "" : String(decoding: pyOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
if !oursOnly { pyyaml.waitUntilExit() }
if let time = Double(pyText.split(separator: " ").first ?? "") {
    report("PyYAML load_all CSafeLoader", time)
}

@MainActor func rate(_ name: String) -> Double? {
    results.first { $0.name.hasPrefix(name) }.map { size / $0.seconds }
}
print("\nratios")
if let tree = rate("YAMLNode tree"), let floor = rate("libyaml raw") {
    print(String(format: "  tree / raw events:            %5.0f%%  (target >= 70%%)", tree / floor * 100))
    if let py = rate("PyYAML") { print(String(format: "  tree / PyYAML CSafeLoader:     %5.1fx  (target >= 10x)", tree / py)) }
    if let compose = rate("Yams 5.0.1 compose") { print(String(format: "  tree / Yams compose_all:      %5.1fx  (target >= 2x)", tree / compose)) }
    if let load = rate("Yams 5.0.1 load") { print(String(format: "  tree / Yams load_all:         %5.1fx", tree / load)) }
}
if let json = rate("YAML -> JSONValue"), let py = rate("PyYAML") {
    print(String(format: "  parse+JSON / PyYAML load_all:  %5.1fx", json / py))
    if let load = rate("Yams 5.0.1 load") { print(String(format: "  parse+JSON / Yams load_all:    %5.1fx", json / load)) }
}
try? FileManager.default.removeItem(atPath: inputPath)
