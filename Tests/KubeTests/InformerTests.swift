import Foundation
import Synchronization
import Testing

@testable import Kube

@Suite struct StoreTests {
    func lease(_ name: String, _ version: String, holder: String = "a") -> Lease {
        var meta = ObjectMeta(name: name, namespace: "ns")
        meta.resourceVersion = version
        return Lease(metadata: meta, spec: .init(holderIdentity: holder))
    }

    func describe(_ events: [InformerEvent<Lease>]) -> [String] {
        events.map {
            switch $0 {
            case .added(let l): "added \(l.metadata.name ?? "")"
            case .updated(_, let l): "updated \(l.metadata.name ?? "")"
            case .deleted(let l): "deleted \(l.metadata.name ?? "")"
            }
        }.sorted()
    }

    @Test func relistSynthesisesDeletionsAndSkipsUnchangedObjects() {
        let store = Store<Lease>(indexers: ["holder": { [$0.spec?.holderIdentity ?? ""] }])
        #expect(describe(store.replace(with: [lease("a", "1"), lease("b", "1"), lease("c", "1")])) == ["added a", "added b", "added c"])
        #expect(describe(store.replace(with: [lease("a", "1"), lease("c", "2", holder: "z"), lease("d", "1")])) == ["added d", "deleted b", "updated c"])
        #expect(store.count == 3)
        #expect(store.byIndex("holder", "z").map { $0.metadata.name } == ["c"])
        #expect(store.byIndex("holder", "a").count == 2)
        #expect(store.get(name: "b", namespace: "ns") == nil)
    }

    @Test func pagesFiledAsTheyComeAreReplacedWholeByARestartedList() {
        let store = Store<Lease>(indexers: ["holder": { [$0.spec?.holderIdentity ?? ""] }])
        #expect(describe(store.add([lease("a", "1"), lease("b", "1")])) == ["added a", "added b"])
        // The same version again changes nothing; a newer one is an update, refiled.
        #expect(describe(store.add([lease("c", "1"), lease("a", "1")])) == ["added c"])
        #expect(describe(store.add([lease("b", "2", holder: "z")])) == ["updated b"])
        #expect(store.byIndex("holder", "z").map { $0.metadata.name } == ["b"])
        #expect(store.byIndex("holder", "a").count == 2)
        // A list started again (its continue token expired) replaces what the pages filed.
        #expect(describe(store.replace(with: [lease("a", "1"), lease("d", "1")])) == ["added d", "deleted b", "deleted c"])
        #expect(store.byIndex("holder", "z").isEmpty)
        #expect(store.count == 2)
    }

    @Test func watchEventsUpdateTheStoreAndIndexes() {
        let store = Store<Lease>(indexers: ["holder": { [$0.spec?.holderIdentity ?? ""] }])
        #expect(store.apply(.added(lease("a", "1"))) != nil)
        #expect(store.apply(.added(lease("a", "1"))) == nil)
        #expect(store.apply(.modified(lease("a", "2", holder: "b"))) != nil)
        #expect(store.byIndex("holder", "a").isEmpty)
        #expect(store.byIndex("holder", "b").count == 1)
        #expect(store.apply(.deleted(lease("a", "3"))) != nil)
        #expect(store.apply(.deleted(lease("a", "3"))) == nil)
        #expect(store.count == 0)
        #expect(store.byIndex("holder", "b").isEmpty)
    }

    /// An update is unfiled only from the index values it lost and filed under those it gained;
    /// what it kept still finds it, at its new version, as does a relist's update.
    @Test func updatesMoveOnlyTheIndexValuesThatChanged() {
        let store = Store<Lease>(indexers: ["words": { ($0.spec?.holderIdentity ?? "").split(separator: " ").map(String.init) }])
        func names(_ word: String) -> [String] { store.byIndex("words", word).map { "\($0.metadata.name ?? "")@\($0.metadata.resourceVersion ?? "")" }.sorted() }
        store.apply(.added(lease("a", "1", holder: "x y")))
        store.apply(.added(lease("b", "1", holder: "y")))
        store.apply(.modified(lease("a", "2", holder: "x y")))
        #expect(names("x") == ["a@2"])
        #expect(names("y") == ["a@2", "b@1"])
        store.apply(.modified(lease("a", "3", holder: "y z z")))
        #expect(names("x").isEmpty)
        #expect(names("y") == ["a@3", "b@1"])
        #expect(names("z") == ["a@3"])
        _ = store.replace(with: [lease("a", "4", holder: "w z"), lease("b", "1", holder: "y")])
        #expect(names("y") == ["b@1"])
        #expect(names("z") == ["a@4"])
        #expect(names("w") == ["a@4"])
        store.apply(.deleted(lease("a", "5", holder: "w z")))
        #expect(names("z").isEmpty && names("w").isEmpty)
        #expect(names("y") == ["b@1"])
    }

    @Test func withFirstReadsOneIndexedObjectInPlace() {
        let store = Store<Lease>(indexers: ["holder": { [$0.spec?.holderIdentity ?? ""] }])
        _ = store.replace(with: [lease("a", "1"), lease("b", "4", holder: "z"), lease("c", "1")])
        #expect(store.withFirst(inIndex: "holder", "z") { $0.metadata.resourceVersion } == "4")
        #expect(["a", "c"].contains(store.withFirst(inIndex: "holder", "a") { $0.metadata.name ?? "" } ?? "none"))
        #expect(store.withFirst(inIndex: "holder", "nobody") { $0.metadata.name } == nil)
        #expect(store.withFirst(inIndex: "no such index", "a") { $0.metadata.name } == nil)
        store.apply(.deleted(lease("b", "5", holder: "z")))
        #expect(store.withFirst(inIndex: "holder", "z") { $0.metadata.name } == nil)
    }

    @Test func reduceFoldsEveryCachedObject() {
        let store = Store<Lease>()
        #expect(store.reduce(into: 0) { count, _ in count += 1 } == 0)
        _ = store.replace(with: [lease("a", "1"), lease("b", "4", holder: "z"), lease("c", "2")])
        store.apply(.deleted(lease("c", "5")))
        let holders = store.reduce(into: [String: Int]()) { $0[$1.spec?.holderIdentity ?? "", default: 0] += 1 }
        #expect(holders == ["a": 1, "z": 1])
    }
}

@Suite(.serialized, .timeLimit(.minutes(1))) struct InformerTests {
    final class Recorder: Sendable {
        let events = Mutex<[String]>([])
        func record(_ event: InformerEvent<Lease>) {
            let text: String =
                switch event {
                case .added(let l): "added \(l.metadata.name ?? "")"
                case .updated(_, let l): "updated \(l.metadata.name ?? "")"
                case .deleted(let l): "deleted \(l.metadata.name ?? "")"
                }
            events.withLock { $0.append(text) }
        }
        var all: [String] { events.withLock { $0 } }
    }

    @Test func listWatchResumeAndRelistAfter410() async throws {
        let server = try TestHTTPServer()
        let client = KubeClient(configuration: ClientConfiguration(server: server.base, namespace: "team-a"))
        for name in ["l1", "l2"] {
            _ = try await client.create(Lease(metadata: ObjectMeta(name: name, namespace: "team-a"), spec: .init(holderIdentity: "h")))
        }
        let informer = Informer<Lease>(
            client: client, namespace: "team-a", config: WatchConfig(pageSize: 1),
            indexers: ["holder": { [$0.spec?.holderIdentity ?? ""] }])
        let recorder = Recorder()
        let running = Task { await informer.run { recorder.record($0) } }
        try await waitFor { informer.hasSynced && informer.store.count == 2 }
        #expect(recorder.all.sorted() == ["added l1", "added l2"])

        // A new object arrives through the watch, which resumes from the bookmark after each close.
        _ = try await client.create(Lease(metadata: ObjectMeta(name: "l3", namespace: "team-a"), spec: .init(holderIdentity: "h")))
        try await waitFor { informer.store.count == 3 }
        #expect(recorder.all.filter { $0 == "added l3" }.count == 1)

        // A deletion the watch never reports is found by the re-list after a 410.
        try await client.delete(Lease.resourceType, name: "l2")
        _ = try await client.send(KubeRequest(method: .post, verb: .create, path: "/admin/expire"))
        try await waitFor { recorder.all.contains("deleted l2") }
        #expect(informer.store.get(name: "l2", namespace: "team-a") == nil)
        #expect(informer.store.byIndex("holder", "h").count == 2)
        // Each event was delivered once, despite the repeated watches.
        #expect(recorder.all.filter { $0.hasPrefix("added") }.count == 3)
        #expect(client.apiCalls.snapshot[.watch, default: 0] >= 2)
        running.cancel()
        await running.value
    }

    @Test func aFirstListIsHandedOverPageByPageAndEachWatchEventAlone() async throws {
        let server = try TestHTTPServer()
        let client = KubeClient(configuration: ClientConfiguration(server: server.base, namespace: "team-a"))
        for name in ["b1", "b2", "b3"] {
            _ = try await client.create(Lease(metadata: ObjectMeta(name: name, namespace: "team-a")))
        }
        let informer = Informer<Lease>(client: client, namespace: "team-a", config: WatchConfig(pageSize: 2))
        let batches = Mutex<[[String]]>([])
        let running = Task {
            await informer.run(batches: { events in
                let names = events.map { event -> String in
                    switch event {
                    case .added(let lease), .updated(_, let lease), .deleted(let lease): lease.metadata.name ?? ""
                    }
                }
                batches.withLock { $0.append(names.sorted()) }
            })
        }
        try await waitFor { informer.hasSynced }
        // The first list into an empty cache: one batch per page, in order, all delivered (and
        // filed) before the informer counts as synced.
        #expect(batches.withLock { $0 } == [["b1", "b2"], ["b3"]])
        #expect(informer.store.count == 3)
        _ = try await client.create(Lease(metadata: ObjectMeta(name: "b4", namespace: "team-a")))
        _ = try await client.create(Lease(metadata: ObjectMeta(name: "b5", namespace: "team-a")))
        try await waitFor { batches.withLock { $0.count } == 4 }
        #expect(batches.withLock { $0 } == [["b1", "b2"], ["b3"], ["b4"], ["b5"]])
        running.cancel()
        await running.value
    }

    @Test func watchClosedEveryFewHundredMillisecondsMissesAndRepeatsNothing() async throws {
        let server = try TestHTTPServer()
        let client = KubeClient(configuration: ClientConfiguration(server: server.base, namespace: "team-a"))
        let informer = Informer<Lease>(client: client, namespace: "team-a")
        let recorder = Recorder()
        let running = Task { await informer.run { recorder.record($0) } }
        try await waitFor { informer.hasSynced }
        // 60 objects written over about 3 s while the server ends every watch after 0.2 s.
        for index in 0..<60 {
            _ = try await client.create(Lease(metadata: ObjectMeta(name: "o\(index)", namespace: "team-a")))
            try await Task.sleep(for: .milliseconds(50))
        }
        try await waitFor { informer.store.count == 60 }
        let added = recorder.all.filter { $0.hasPrefix("added") }
        #expect(added.count == 60)
        #expect(Set(added).count == 60)
        #expect(client.apiCalls.snapshot[.watch, default: 0] >= 8)
        #expect(client.apiCalls.snapshot[.list] == 1)
        running.cancel()
        await running.value
    }

    func waitFor(_ condition: @Sendable () -> Bool) async throws {
        for _ in 0..<200 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("condition not met within 10 s")
    }
}
