import Foundation
import KubeSandbox
import Logging
import YAML

// The sandbox side of kube-bench, in its own process so the client under test shares nothing with
// the server. It serves on a free loopback port, prints `url <url> token <token>` and then obeys
// commands on stdin, one per line, answering `done ...` on stdout:
//   seed <n>              create n Widgets (in-process, not timed)
//   write <rate> <count>  patch one Widget `count` times at `rate` per second, each stamped with
//                         the CLOCK_REALTIME nanoseconds of the write (annotation bench/written)

func realtimeNanos() -> Int64 {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
}

func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let crd = #"""
{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.bench.example.com"},
 "spec":{"group":"bench.example.com","scope":"Namespaced",
  "names":{"plural":"widgets","singular":"widget","kind":"Widget","listKind":"WidgetList"},
  "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
   "schema":{"openAPIV3Schema":{"type":"object","properties":{
     "spec":{"type":"object","properties":{"size":{"type":"integer"},"color":{"type":"string"},
       "owners":{"type":"array","items":{"type":"string"}},"labels":{"type":"object","additionalProperties":{"type":"string"}}}},
     "status":{"type":"object","properties":{"phase":{"type":"string"},"observedGeneration":{"type":"integer"}}}}}}}]}}
"""#

var logger = Logger(label: "kube-bench.sandbox")
logger.logLevel = .error
let server = SandboxServer(config: .init(logger: logger))
guard let crdType = server.store.type(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions") else {
    fatalError("the sandbox serves no customresourcedefinitions")
}
_ = try server.store.create(
    crdType, namespace: "", body: try JSONDecoder().decode(JSONValue.self, from: Data(crd.utf8)),
    options: WriteOptions(fieldManager: "kube-bench"))
guard let widgets = server.store.type(group: "bench.example.com", version: "v1", plural: "widgets") else {
    fatalError("the Widget CRD was not installed")
}
try await server.start()
say("url \(server.url) token \(server.token ?? "")")

func widget(_ index: Int) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: Data(#"""
    {"apiVersion":"bench.example.com/v1","kind":"Widget",
     "metadata":{"name":"widget-\#(index)","namespace":"default","labels":{"app":"bench","shard":"s\#(index % 16)"},
       "annotations":{"bench/note":"an object of about one kilobyte, like a small custom resource"}},
     "spec":{"size":\#(index),"color":"blue","owners":["team-a","team-b","team-c"],
       "labels":{"tier":"gold","region":"eu-west-1","zone":"eu-west-1b"}},
     "status":{"phase":"Ready","observedGeneration":1}}
    """#.utf8))
}

while let line = readLine() {
    let words = line.split(separator: " ").map(String.init)
    switch words.first {
    case "seed":
        let count = Int(words.dropFirst().first ?? "") ?? 0
        for index in 0..<count {
            _ = try server.store.create(widgets, namespace: "default", body: try widget(index),
                                        options: WriteOptions(fieldManager: "kube-bench"))
        }
        say("done seed \(count)")
    case "write":
        let rate = Double(words.count > 1 ? words[1] : "1000") ?? 1000
        let count = Int(words.count > 2 ? words[2] : "1000") ?? 1000
        let interval = Duration.nanoseconds(Int64(1e9 / rate))
        var next = ContinuousClock.now
        for sequence in 0..<count {
            next += interval
            try await Task.sleep(until: next, clock: .continuous)
            _ = try server.store.patch(widgets, namespace: "default", name: "widget-0",
                                       options: WriteOptions(fieldManager: "kube-bench")) { object in
                var copy = object
                if case .object(var meta) = copy["metadata"], case .object(var annotations) = meta["annotations"] ?? .object([:]) {
                    annotations["bench/written"] = .string(String(realtimeNanos()))
                    annotations["bench/sequence"] = .string(String(sequence))
                    meta["annotations"] = .object(annotations)
                    if case .object(var members) = copy { members["metadata"] = .object(meta); copy = .object(members) }
                }
                return copy
            }
        }
        say("done write \(count)")
    default:
        say("error unknown command \(line)")
    }
}
await server.stop()
