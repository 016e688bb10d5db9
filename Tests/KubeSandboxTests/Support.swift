import Foundation
import Testing
import YAML

@testable import KubeSandbox

/// Parses JSON text in tests (the literal is trusted to be valid).
func json(_ text: String) -> JSONValue {
    do {
        return try JSONParser.parse(Array(text.utf8))
    } catch {
        Issue.record("invalid test JSON: \(error)")
        return .null
    }
}

/// A store whose garbage collector runs only when a test says so.
func makeStore(historyLimit: Int = 10_000) -> ObjectStore {
    ObjectStore(config: .init(historyLimit: historyLimit, garbageCollectionDelay: nil))
}

let configMaps = ResourceType.builtIns[1]

func configMap(_ name: String, _ extra: String = "") -> JSONValue {
    json(#"{"metadata":{"name":"\#(name)"\#(extra)},"data":{"k":"v"}}"#)
}

let widgetCRD = json(#"""
{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.example.com"},
 "spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"widgets","singular":"widget","kind":"Widget"},
 "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
   "schema":{"openAPIV3Schema":{"type":"object","properties":{
     "spec":{"type":"object","required":["size"],"properties":{
        "size":{"type":"integer","minimum":1,"maximum":100},
        "color":{"type":"string","enum":["red","green"]},
        "mode":{"type":"string","default":"normal"},
        "tags":{"type":"array","maxItems":2,"items":{"type":"string","minLength":2}},
        "name":{"type":"string","pattern":"^[a-z]+$"},
        "port":{"x-kubernetes-int-or-string":true},
        "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}},
     "status":{"type":"object","properties":{"phase":{"type":"string"}}}}}}}]}}
"""#)

/// Installs the Widget CRD and returns its type.
func installWidgets(_ store: ObjectStore) throws -> ResourceType {
    let crds = try #require(store.type(group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions"))
    _ = try store.create(crds, namespace: "", body: widgetCRD)
    return try #require(store.type(group: "example.com", version: "v1", plural: "widgets"))
}

func widget(_ name: String, spec: String) -> JSONValue {
    json(#"{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"\#(name)"},"spec":\#(spec)}"#)
}

/// Collects what a watch delivers within `timeout`, stopping after `count` events.
func collect(_ stream: AsyncStream<WatchEvent>, count: Int, timeout: Duration = .seconds(10)) async -> [WatchEvent] {
    await withTaskGroup(of: [WatchEvent].self) { group in
        group.addTask {
            var events: [WatchEvent] = []
            for await event in stream {
                events.append(event)
                if events.count == count { break }
            }
            return events
        }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return []
        }
        var result: [WatchEvent] = []
        for await events in group {
            if !events.isEmpty || result.isEmpty { result = events }
            group.cancelAll()
            break
        }
        return result
    }
}
