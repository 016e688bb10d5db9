import Foundation
import Testing
import YAML

@testable import KubeSandbox

@Suite struct ObjectStoreTests {
    @Test func everyWriteGetsTheNextGlobalResourceVersion() throws {
        let store = makeStore()
        let start = store.resourceVersion
        let a = try store.create(configMaps, namespace: "default", body: configMap("a")).object.value
        let b = try store.create(configMaps, namespace: "default", body: configMap("b")).object.value
        #expect(a["metadata"]?["resourceVersion"] == .string(String(start + 1)))
        #expect(b["metadata"]?["resourceVersion"] == .string(String(start + 2)))
        #expect(a["metadata"]?["uid"]?.stringValue?.count == 36)
        #expect(a["metadata"]?["creationTimestamp"]?.stringValue?.hasSuffix("Z") == true)
    }

    @Test func createOfAnExistingNameIsAlreadyExists() throws {
        let store = makeStore()
        _ = try store.create(configMaps, namespace: "default", body: configMap("a"))
        #expect(throws: SandboxError.alreadyExists(resource: "configmaps", group: "", name: "a")) {
            try store.create(configMaps, namespace: "default", body: configMap("a"))
        }
    }

    @Test func generateNameMakesAFreshName() throws {
        let store = makeStore()
        let made = try store.create(configMaps, namespace: "default",
                                    body: json(#"{"metadata":{"generateName":"job-"}}"#)).object.value
        let name = try #require(made["metadata"]?["name"]?.stringValue)
        #expect(name.hasPrefix("job-") && name.count == 9)
    }

    @Test func updateWithAStaleResourceVersionIsAConflict() throws {
        let store = makeStore()
        let created = try store.create(configMaps, namespace: "default", body: configMap("a")).object.value
        var first = created
        first["data"] = json(#"{"k":"1"}"#)
        _ = try store.update(configMaps, namespace: "default", name: "a", body: first)
        var stale = created
        stale["data"] = json(#"{"k":"2"}"#)
        #expect(throws: SandboxError.self) {
            try store.update(configMaps, namespace: "default", name: "a", body: stale)
        }
        #expect(try store.get(configMaps, namespace: "default", name: "a").value["data"] == json(#"{"k":"1"}"#))
    }

    @Test func aNoOpUpdateKeepsTheResourceVersion() throws {
        let store = makeStore()
        let created = try store.create(configMaps, namespace: "default", body: configMap("a")).object.value
        let again = try store.update(configMaps, namespace: "default", name: "a", body: created).object.value
        #expect(again["metadata"]?["resourceVersion"] == created["metadata"]?["resourceVersion"])
    }

    @Test func objectsNeedAnExistingNamespace() {
        let store = makeStore()
        #expect(throws: SandboxError.notFound(resource: "namespaces", group: "", name: "nowhere")) {
            try store.create(configMaps, namespace: "nowhere", body: configMap("a"))
        }
    }

    @Test func deletingANamespaceDeletesItsObjects() throws {
        let store = makeStore()
        let namespaces = ResourceType.builtIns[0]
        _ = try store.create(namespaces, namespace: "", body: json(#"{"metadata":{"name":"team"}}"#))
        _ = try store.create(configMaps, namespace: "team", body: configMap("a"))
        _ = try store.delete(namespaces, namespace: "", name: "team")
        #expect(try store.list(configMaps, namespace: nil).items.allSatisfy { ObjectMeta.namespace($0.value) != "team" })
    }

    @Test func finalizersHoldAnObjectUntilTheyAreRemoved() throws {
        let store = makeStore()
        _ = try store.create(configMaps, namespace: "default", body: configMap("a", #","finalizers":["x/hold"]"#))
        let (marked, removed) = try store.delete(configMaps, namespace: "default", name: "a")
        #expect(!removed)
        #expect(marked.value["metadata"]?["deletionTimestamp"] != nil)
        #expect(throws: SandboxError.self) {
            try store.patch(configMaps, namespace: "default", name: "a") {
                Patch.merge($0, with: json(#"{"metadata":{"finalizers":["x/hold","x/new"]}}"#))
            }
        }
        _ = try store.patch(configMaps, namespace: "default", name: "a") {
            Patch.merge($0, with: json(#"{"metadata":{"finalizers":null}}"#))
        }
        #expect(throws: SandboxError.notFound(resource: "configmaps", group: "", name: "a")) {
            try store.get(configMaps, namespace: "default", name: "a")
        }
    }

    @Test func paginationWalksEveryObjectOnceAndExpiresAfterCompaction() throws {
        let store = makeStore()
        for index in 0..<5 { _ = try store.create(configMaps, namespace: "default", body: configMap("cm\(index)")) }
        var names: [String] = []
        var token: String?
        repeat {
            let page = try store.list(configMaps, namespace: "default", limit: 2, continueToken: token)
            names += page.items.map { ObjectMeta.name($0.value) }
            token = page.continueToken
        } while token != nil
        #expect(names == ["cm0", "cm1", "cm2", "cm3", "cm4"])
        let first = try store.list(configMaps, namespace: "default", limit: 2)
        _ = try store.create(configMaps, namespace: "default", body: configMap("later"))
        store.compact()
        #expect(throws: SandboxError.self) {
            try store.list(configMaps, namespace: "default", limit: 2, continueToken: first.continueToken)
        }
    }

    @Test func anObjectWrittenBetweenPagesReachesAWatchFromTheListsResourceVersion() throws {
        let store = makeStore()
        for index in 1..<5 { _ = try store.create(configMaps, namespace: "default", body: configMap("cm\(index)")) }
        let first = try store.list(configMaps, namespace: "default", limit: 2)
        _ = try store.create(configMaps, namespace: "default", body: configMap("cm0"))  // before the continue key
        let last = try store.list(configMaps, namespace: "default", limit: 2, continueToken: first.continueToken)
        #expect(last.continueToken == nil && last.resourceVersion == first.resourceVersion)
        #expect(!(first.items + last.items).map { ObjectMeta.name($0.value) }.contains("cm0"))
        // A watch from the list's resourceVersion (before cm0 was written) therefore delivers it.
        let written = try store.get(configMaps, namespace: "default", name: "cm0").value["metadata"]?["resourceVersion"]?.stringValue
        #expect(last.resourceVersion < (try #require(written.flatMap { Int64($0) })))
    }

    @Test func pagesWithSelectorsAndNamespacesCountWhatRemains() throws {
        let store = makeStore()
        let namespaces = ResourceType.builtIns[0]
        for namespace in ["default-x", "defaulu"] {
            _ = try store.create(namespaces, namespace: "", body: json(#"{"metadata":{"name":"\#(namespace)"}}"#))
            _ = try store.create(configMaps, namespace: namespace, body: configMap("outside"))
        }
        for index in 0..<6 {
            let labels = index % 2 == 0 ? #","labels":{"even":"yes"}"# : ""
            _ = try store.create(configMaps, namespace: "default", body: configMap("cm\(index)", labels))
        }
        let even = try LabelSelector(parsing: "even=yes")
        let first = try store.list(configMaps, namespace: "default", labels: even, limit: 2)
        #expect(first.items.map { ObjectMeta.name($0.value) } == ["cm0", "cm2"] && first.remainingItemCount == 1)
        let second = try store.list(configMaps, namespace: "default", labels: even, limit: 2,
                                    continueToken: first.continueToken)
        #expect(second.items.map { ObjectMeta.name($0.value) } == ["cm4"] && second.continueToken == nil)
        let plain = try store.list(configMaps, namespace: "default", limit: 4)
        #expect(plain.remainingItemCount == 2, "objects of namespaces sharing the prefix are not counted")
        #expect(try store.list(configMaps, namespace: nil).items.count == 8)
    }

    @Test func garbageCollectionDeletesDependentsOfGoneOrMissingOwners() throws {
        let store = makeStore()
        let owner = try store.create(configMaps, namespace: "default", body: configMap("owner")).object.value
        let reference = #","ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"owner","uid":"\#(ObjectMeta.uid(owner))"}]"#
        _ = try store.create(configMaps, namespace: "default", body: configMap("child", reference))
        _ = try store.create(configMaps, namespace: "default",
                             body: configMap("orphan", #","ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"x","uid":"gone"}]"#))
        #expect(store.collectGarbage() == 1, "only the dependent of a missing owner goes while the owner lives")
        _ = try store.delete(configMaps, namespace: "default", name: "owner")
        #expect((try? store.get(configMaps, namespace: "default", name: "child")) != nil, "the collector runs later")
        store.collectGarbage()
        #expect(try store.list(configMaps, namespace: "default").items.isEmpty)
    }

    @Test func foregroundDeletionWaitsForDependents() throws {
        let store = makeStore()
        let owner = try store.create(configMaps, namespace: "default", body: configMap("owner")).object.value
        let reference = #","ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"owner","uid":"\#(ObjectMeta.uid(owner))"}]"#
        _ = try store.create(configMaps, namespace: "default", body: configMap("child", reference))
        let (marked, removed) = try store.delete(configMaps, namespace: "default", name: "owner",
                                                 options: DeleteOptions(propagationPolicy: "Foreground"))
        #expect(!removed && ObjectMeta.finalizers(marked.value) == ["foregroundDeletion"])
        store.collectGarbage()
        #expect(try store.list(configMaps, namespace: "default").items.isEmpty)
    }

    @Test func orphanDeletionKeepsDependentsAndDropsTheirReference() throws {
        let store = makeStore()
        let owner = try store.create(configMaps, namespace: "default", body: configMap("owner")).object.value
        let reference = #","ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"owner","uid":"\#(ObjectMeta.uid(owner))"}]"#
        _ = try store.create(configMaps, namespace: "default", body: configMap("child", reference))
        _ = try store.delete(configMaps, namespace: "default", name: "owner", options: DeleteOptions(propagationPolicy: "Orphan"))
        store.collectGarbage()
        let child = try store.get(configMaps, namespace: "default", name: "child").value
        #expect(child["metadata"]?["ownerReferences"] == nil)
    }

    @Test func dryRunStoresNothing() throws {
        let store = makeStore()
        let before = store.resourceVersion
        _ = try store.create(configMaps, namespace: "default", body: configMap("a"), options: WriteOptions(dryRun: true))
        #expect(store.resourceVersion == before)
        #expect(throws: SandboxError.self) { try store.get(configMaps, namespace: "default", name: "a") }
    }
}
