import Foundation
import Kube
import YAML

// kube-bench: our Kube client against the official Python client and kubectl 1.32 on one LIST of
// 10,000 custom resources, and watch delivery latency at 1,000 events/s, against the sandbox in a
// separate process (kube-bench-sandbox, built beside this executable). One run:
//     cd Benchmarks && swift build -c release && .build/release/kube-bench
// Options (environment): KUBE_BENCH_OBJECTS (10000), KUBE_BENCH_RUNS (7), KUBE_BENCH_EVENTS (5000),
// KUBE_BENCH_PROFILE (n: after the breakdown, decode the LIST n more times and stop, for perf),
// ELEVATOR_PYTHON (else ../.build-venv/bin/python, else python3), KUBECTL (else kubectl.1.32 beside
// the kubectl on PATH).

struct Widget: KubeResource {
    static let resourceType = ResourceType(group: "bench.example.com", version: "v1", plural: "widgets", kind: "Widget", namespaced: true)
    var apiVersion: String?
    var kind: String?
    var metadata: ObjectMeta
    var spec: Spec?
    var status: Status?

    struct Spec: Codable, Sendable {
        var size: Int?
        var color: String?
        var owners: [String]?
        var labels: [String: String]?
    }

    struct Status: Codable, Sendable {
        var phase: String?
        var observedGeneration: Int64?
    }
}

let environment = ProcessInfo.processInfo.environment
let objectCount = Int(environment["KUBE_BENCH_OBJECTS"] ?? "") ?? 10_000
let runs = Int(environment["KUBE_BENCH_RUNS"] ?? "") ?? 7
let eventCount = Int(environment["KUBE_BENCH_EVENTS"] ?? "") ?? 5_000
let here = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

func realtimeNanos() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("kube-bench: \(message)\n".utf8))
    exit(1)
}

/// Runs a program to completion; returns (wall seconds, stdout).
func run(_ path: String, _ arguments: [String], captureOutput: Bool = true) throws -> (Double, Data) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = captureOutput ? output : FileHandle.nullDevice
    let started = ContinuousClock.now
    try process.run()
    let data = captureOutput ? output.fileHandleForReading.readDataToEndOfFile() : Data()
    process.waitUntilExit()
    let elapsed = started.duration(to: .now)
    guard process.terminationStatus == 0 else { fail("\(path) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)") }
    return (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, data)
}

// 1. The sandbox, in its own process.
let sandbox = Process()
sandbox.executableURL = here.appendingPathComponent("kube-bench-sandbox")
guard FileManager.default.isExecutableFile(atPath: here.appendingPathComponent("kube-bench-sandbox").path) else {
    fail("kube-bench-sandbox is not built beside kube-bench; run `swift build -c release` in Benchmarks first")
}
let toSandbox = Pipe()
let fromSandbox = Pipe()
sandbox.standardInput = toSandbox
sandbox.standardOutput = fromSandbox
try sandbox.run()
guard let sandboxOutput = fdopen(fromSandbox.fileHandleForReading.fileDescriptor, "r") else { fail("cannot read the sandbox") }
/// The sandbox's next line (blocking the main thread, never the cooperative pool).
func sandboxLine() -> String? {
    var buffer: UnsafeMutablePointer<CChar>?
    var capacity = 0
    defer { free(buffer) }
    guard getline(&buffer, &capacity, sandboxOutput) > 0, let buffer else { return nil }
    return String(cString: buffer).trimmingCharacters(in: .newlines)
}
func command(_ line: String) -> String {
    toSandbox.fileHandleForWriting.write(Data((line + "\n").utf8))
    guard let answer = sandboxLine(), answer.hasPrefix("done") else { fail("the sandbox did not do \(line)") }
    return answer
}
guard let hello = sandboxLine() else { fail("the sandbox did not start") }
let words = hello.split(separator: " ").map(String.init)
guard words.count >= 4, words[0] == "url" else { fail("unexpected sandbox greeting: \(hello)") }
let (url, token) = (words[1], words[3])
_ = command("seed \(objectCount)")

let kubeconfig = NSTemporaryDirectory() + "kube-bench-\(ProcessInfo.processInfo.processIdentifier).kubeconfig"
try """
apiVersion: v1
kind: Config
clusters: [{name: sandbox, cluster: {server: "\(url)"}}]
users: [{name: bench, user: {token: "\(token)"}}]
contexts: [{name: sandbox, context: {cluster: sandbox, user: bench, namespace: default}}]
current-context: sandbox
""".write(toFile: kubeconfig, atomically: true, encoding: .utf8)
defer { try? FileManager.default.removeItem(atPath: kubeconfig) }

print("kube-bench: \(objectCount) Widgets (~1 kB each) in a sandbox process at \(url); \(runs) runs each, medians")

// 2. LIST with our client, decoded into typed Widgets (one request, no limit).
let client = KubeClient(configuration: ClientConfiguration(server: url, namespace: "default", credentials: .token(token)))
var ours: [Double] = []
for run in 0...runs {
    let started = ContinuousClock.now
    let list = try await client.list(Widget.self, Widget.resourceType, namespace: "default", options: ListOptions(limit: nil))
    let elapsed = started.duration(to: .now)
    guard list.items.count == objectCount else { fail("our client listed \(list.items.count) Widgets") }
    // The values are complete, not skimmed: metadata, managedFields (fieldsV1 as JSON text) and spec.
    guard let last = list.items.last, last.metadata.labels?["app"] == "bench", last.metadata.creationTimestamp != nil,
        last.metadata.managedFields?.first?.fieldsV1?.value["f:spec"] != nil, last.spec?.owners?.count == 3
    else { fail("our client decoded an incomplete Widget") }
    if run > 0 { ours.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) }
}

// 2b. Where our LIST time goes, each part timed alone (medians of the same number of runs):
// the HTTP exchange with the body kept in one buffer and discarded (the floor any client pays
// for the sandbox's serialisation and the transfer), then, on that body in memory, the parse
// alone (decoding a type with no fields still scans every byte into the tape), the full typed
// decode, and the old path's parse into a `JSONValue` tree.
struct NoFields: Decodable {}
let listRequest = Endpoint(Widget.resourceType, namespace: "default").list(ListOptions(limit: nil))
func seconds(_ duration: Duration) -> Double { Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18 }
/// The CPU time of the calling thread: on a shared machine, what the decoding itself costs,
/// whatever else runs (wall time adds the time other processes held the core).
func threadCPUSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}
var decodeCPU: [Double] = []
func timed(_ body: () throws -> Void) rethrows -> Double {
    let started = ContinuousClock.now
    try body()
    return seconds(started.duration(to: .now))
}
var bytesOnly: [Double] = []
var lastBody = Data()
for run in 0...runs {
    let started = ContinuousClock.now
    let response = try await client.send(listRequest)
    let elapsed = seconds(started.duration(to: .now))
    guard response.status == 200 else { fail("the raw LIST answered \(response.status)") }
    if run > 0 { bytesOnly.append(elapsed) }
    lastBody = response.body
}
var parseOnly: [Double] = []
var decodeOnly: [Double] = []
var treeOnly: [Double] = []
for _ in 0..<runs {
    parseOnly.append(try timed { _ = try JSONValueDecoder().decode(NoFields.self, fromJSON: lastBody) })
    let cpuBefore = threadCPUSeconds()
    decodeOnly.append(try timed {
        let list = try JSONValueDecoder().decode(ObjectList<Widget>.self, fromJSON: lastBody)
        guard list.items.count == objectCount else { fail("decoded \(list.items.count) Widgets") }
    })
    decodeCPU.append(threadCPUSeconds() - cpuBefore)
    treeOnly.append(try timed { _ = try JSONParser.parse(lastBody) })
}

// KUBE_BENCH_PROFILE=n: decode the body n more times and stop, for `perf record` of the decoder alone.
if let rounds = Int(environment["KUBE_BENCH_PROFILE"] ?? "") {
    for _ in 0..<rounds { _ = try JSONValueDecoder().decode(ObjectList<Widget>.self, fromJSON: lastBody) }
    print(String(format: "parse + typed decode: %.1f ms (median), thread CPU %.1f ms", median(decodeOnly) * 1000, median(decodeCPU) * 1000))
    exit(0)
}

// 3. The official Python client, timed inside Python (start-up and imports excluded).
let python = environment["ELEVATOR_PYTHON"].flatMap { $0.isEmpty ? nil : $0 }
    ?? [packageRoot.appendingPathComponent(".build-venv/bin/python").path].first { FileManager.default.isExecutableFile(atPath: $0) }
    ?? "/usr/bin/python3"
let script = packageRoot.appendingPathComponent("Benchmarks/kube/list_python.py").path
let (_, pythonOutput) = try run(python, [script, kubeconfig, String(runs + 1)])
struct PythonResult: Decodable { var seconds: [Double]; var items: Int }
let pythonResult = try JSONDecoder().decode(PythonResult.self, from: pythonOutput)
guard pythonResult.items == objectCount else { fail("the Python client listed \(pythonResult.items) Widgets") }
let pythonTimes = Array(pythonResult.seconds.dropFirst())

// 4. kubectl 1.32 (the real binary, not the dispatcher), whole process, output discarded.
func findKubectl() -> String {
    if let given = environment["KUBECTL"] { return given }
    for folder in (environment["PATH"] ?? "").split(separator: ":") {
        let dispatcher = URL(fileURLWithPath: String(folder)).appendingPathComponent("kubectl")
        guard FileManager.default.isExecutableFile(atPath: dispatcher.path) else { continue }
        let real = dispatcher.resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("kubectl.1.32")
        if FileManager.default.isExecutableFile(atPath: real.path) { return real.path }
    }
    fail("no kubectl.1.32 beside the kubectl on PATH; set KUBECTL")
}
let kubectl = findKubectl()
let cacheDir = NSTemporaryDirectory() + "kube-bench-kubectl-cache"
let kubectlArguments = ["--kubeconfig", kubeconfig, "--cache-dir", cacheDir, "get", "widgets.bench.example.com",
                        "-n", "default", "-o", "json", "--chunk-size=0"]
let (_, kubectlOutput) = try run(kubectl, kubectlArguments)
let kubectlItems = (try JSONDecoder().decode(ObjectList<JSONValueItem>.self, from: kubectlOutput)).items.count
guard kubectlItems == objectCount else { fail("kubectl listed \(kubectlItems) Widgets") }
var kubectlTimes: [Double] = []
for _ in 0..<runs { kubectlTimes.append(try run(kubectl, kubectlArguments, captureOutput: false).0) }

struct JSONValueItem: Decodable, Sendable {}

// 5. Watch delivery: the sandbox patches widget-0 at 1,000/s stamping each write with the wall
// clock; our handler (the loop body) measures how long after the write it sees the event.
let start = try await client.list(Widget.self, Widget.resourceType, namespace: "default", options: ListOptions(limit: 1))
let watcher = KubeClient(configuration: client.configuration)
let received = Task.detached { () -> [Double] in
    var latencies: [Double] = []
    latencies.reserveCapacity(eventCount)
    let options = WatchOptions(fieldSelector: "metadata.name=widget-0", resourceVersion: start.metadata.resourceVersion)
    for try await event in watcher.watch(Widget.self, namespace: "default", options: options) {
        guard case .modified(let widget) = event, let stamp = widget.metadata.annotations?["bench/written"].flatMap({ Int64($0) })
        else { continue }
        latencies.append(Double(realtimeNanos() - stamp) / 1e6)
        if latencies.count == eventCount { break }
    }
    return latencies
}
try await Task.sleep(for: .milliseconds(300))
_ = command("write 1000 \(eventCount)")
let deadline = Task {
    try await Task.sleep(for: .seconds(10))
    received.cancel()
}
let latencies = try await received.value.sorted()
deadline.cancel()
toSandbox.fileHandleForWriting.closeFile()
sandbox.waitUntilExit()

func ms(_ seconds: Double) -> String { String(format: "%.1f ms", seconds * 1000) }
let ourMedian = median(ours)
print("")
print("| LIST \(objectCount) Widgets | median | vs ours |")
print("| --- | --- | --- |")
print("| Kube client (typed `Widget`s) | \(ms(ourMedian)) | 1.0x |")
print("| Python `kubernetes` 37 CustomObjectsApi (dicts) | \(ms(median(pythonTimes))) | \(String(format: "%.1fx", median(pythonTimes) / ourMedian)) |")
print("| kubectl 1.32 `get -o json --chunk-size=0` (process) | \(ms(median(kubectlTimes))) | \(String(format: "%.1fx", median(kubectlTimes) / ourMedian)) |")
print("")
print("| where our LIST goes (\(lastBody.count) bytes) | median |")
print("| --- | --- |")
print("| HTTP exchange only, body discarded (sandbox serialisation + transfer + body buffer) | \(ms(median(bytesOnly))) |")
print("| parse only (bytes to tape), in memory | \(ms(median(parseOnly))) |")
print("| parse + typed decode (`ObjectList<Widget>`), in memory | \(ms(median(decodeOnly))) (thread CPU \(ms(median(decodeCPU)))) |")
print("| for comparison: parse into a `JSONValue` tree, in memory | \(ms(median(treeOnly))) |")
print(String(format: "| 5x Python would need | %.1f ms |", median(pythonTimes) / 5 * 1000))
print("")
print("| watch delivery at 1,000 events/s | events | p50 | p99 | max |")
print("| --- | --- | --- | --- | --- |")
print(String(format: "| write (sandbox process) to handler (Kube client) | %d of %d | %.2f ms | %.2f ms | %.2f ms |",
             latencies.count, eventCount, percentile(latencies, 0.5), percentile(latencies, 0.99), latencies.last ?? Double.nan))
client.shutdown()
watcher.shutdown()
