import Foundation
import KubeSandbox
import Synchronization
import Testing

@testable import Kube

/// Watches and informers against the sandbox with its fault switchboard closing and compacting.
@Suite(.timeLimit(.minutes(3))) struct SandboxWatchTests {
    /// What a writer did, in resourceVersion order: the events a perfect watch must deliver.
    final class Journal: Sendable {
        let entries = Mutex<[String]>([])
        let counts = Mutex<[String: Int]>([:])
        func record(_ type: String, _ object: TestConfigMap) {
            entries.withLock { $0.append("\(type) \(object.metadata.name ?? "") \(object.metadata.resourceVersion ?? "")") }
            counts.withLock { $0[type, default: 0] += 1 }
        }
        var all: [String] { entries.withLock { $0 } }
        func count(_ type: String) -> Int { counts.withLock { $0[type] ?? 0 } }
    }

    /// A stop signal shared between tasks.
    final class StopFlag: Sendable {
        private let stopped = Atomic(false)
        var isSet: Bool { stopped.load(ordering: .relaxed) }
        func set() { stopped.store(true, ordering: .relaxed) }
    }

    /// Creates, modifies and deletes ConfigMaps (about 40 writes a second) until `stop` is set.
    ///
    /// The writer is stopped by a flag between writes, never cancelled: cancelling the task
    /// abandons an in-flight request that the server may already have applied, so the watches
    /// would see an event the journal lacks (and the informer's counts would never match).
    static func write(_ client: KubeClient, into journal: Journal, until stop: StopFlag) async {
        var live: [String] = []
        var next = 0
        var random = SystemRandomNumberGenerator()
        while !stop.isSet {
            do {
                let roll = Int.random(in: 0..<10, using: &random)
                if live.count < 5 || roll < 4 {
                    next += 1
                    let created = try await client.create(TestConfigMap(name: "cm-\(next)", data: ["n": "0"]))
                    journal.record("ADDED", created)
                    live.append("cm-\(next)")
                } else if roll < 8, let name = live.randomElement(using: &random) {
                    let patch = Data(#"{"data":{"n":"\#(Int.random(in: 0..<1_000_000, using: &random))"}}"#.utf8)
                    let modified = try await client.patch(TestConfigMap.self, configMaps, name: name, .merge, patch)
                    journal.record("MODIFIED", modified)
                } else if let index = live.indices.randomElement(using: &random) {
                    let name = live.remove(at: index)
                    let before = try await client.get(TestConfigMap.self, name: name)
                    try await client.delete(configMaps, name: name, options: DeleteOptions(preconditionUID: before.metadata.uid))
                    journal.record("DELETED", TestConfigMap(name: name))
                }
                try await Task.sleep(for: .milliseconds(25))
            } catch {
                return
            }
        }
    }

    /// One raw watch loop: list, then watch, resuming from the last resourceVersion after every close.
    static func watchLoop(_ client: KubeClient, into seen: Journal, errors: Lines) async {
        var version: String
        do {
            version = try await client.list(TestConfigMap.self, configMaps, namespace: "default").metadata.resourceVersion ?? ""
        } catch {
            errors.append("list: \(error)")
            return
        }
        while !Task.isCancelled {
            do {
                let options = WatchOptions(resourceVersion: version, timeoutSeconds: 30)
                for try await event in client.watch(TestConfigMap.self, namespace: "default", options: options) {
                    switch event {
                    case .added(let object): seen.record("ADDED", object)
                    case .modified(let object): seen.record("MODIFIED", object)
                    case .deleted(let object): seen.record("DELETED", TestConfigMap(name: object.metadata.name ?? ""))
                    case .bookmark, .error: break
                    }
                    if case .bookmark(let bookmarkVersion, _) = event {
                        version = bookmarkVersion
                    } else if let eventVersion = event.object?.metadata.resourceVersion {
                        version = eventVersion
                    }
                }
            } catch {
                if Task.isCancelled { return }
                errors.append("\(error)")
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    @Test("a watch and an informer survive their streams being closed every second for a minute")
    func watchSurvivesCloseEverySecondForAMinute() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.stop() } }
        let watcher = sandbox.makeClient()
        let informerClient = sandbox.makeClient()
        defer { watcher.shutdown(); informerClient.shutdown() }

        let written = Journal()
        let seen = Journal()
        let watchErrors = Lines()
        let informed = Journal()
        let informer = Informer<TestConfigMap>(client: informerClient, namespace: "default")

        let watching = Task { await Self.watchLoop(watcher, into: seen, errors: watchErrors) }
        let informing = Task {
            await informer.run { event in
                switch event {
                case .added(let object): informed.record("ADDED", object)
                case .updated(_, let object): informed.record("MODIFIED", object)
                case .deleted(let object): informed.record("DELETED", object)
                }
            }
        }
        try await eventually { informer.hasSynced }
        try await Task.sleep(for: .milliseconds(300))  // the raw watch has listed
        let stopWriting = StopFlag()
        let writing = Task { await Self.write(sandbox.client, into: written, until: stopWriting) }
        let watchesBefore = sandbox.server.counters.count(verb: "watch", resource: "configmaps")
        for _ in 0..<60 {
            try await Task.sleep(for: .seconds(1))
            sandbox.server.faults.closeAllWatches()
        }
        stopWriting.set()
        await writing.value

        // Every write is seen once, in order, by the raw watch; the informer's store matches the server.
        try await eventually("the raw watch to catch up") { seen.all.count >= written.all.count }
        try await Task.sleep(for: .milliseconds(200))
        #expect(written.all.count > 1000)
        #expect(seen.all == written.all)
        #expect(watchErrors.all.isEmpty)
        try await eventually("the informer to catch up") {
            informed.count("ADDED") == written.count("ADDED") && informed.count("DELETED") == written.count("DELETED")
                && informed.count("MODIFIED") == written.count("MODIFIED")
        }
        let server = try await sandbox.client.listAll(TestConfigMap.self, configMaps, namespace: "default").items
        #expect(Set(informer.store.list().map { $0.metadata.name ?? "" }) == Set(server.map { $0.metadata.name ?? "" }))
        // Each client opened a new watch about once a second (closed 60 times).
        #expect(sandbox.server.counters.count(verb: "watch", resource: "configmaps") - watchesBefore >= 110)
        watching.cancel()
        informing.cancel()
    }

    @Test("a 410 mid-watch is recovered by a re-list that synthesises the missed deletions")
    func goneMidWatchRelistsAndSynthesisesDeletions() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.stop() } }
        for name in ["keep", "doomed"] {
            _ = try await sandbox.client.create(TestConfigMap(name: name, data: ["a": "b"]))
        }
        let informed = Journal()
        let informer = Informer<TestConfigMap>(client: sandbox.client, namespace: "default")
        let informing = Task {
            await informer.run { event in
                switch event {
                case .added(let object): informed.record("ADDED", object)
                case .updated(_, let object): informed.record("MODIFIED", object)
                case .deleted(let object): informed.record("DELETED", object)
                }
            }
        }
        defer { informing.cancel() }
        try await eventually { informer.hasSynced && informer.store.count == 2 }
        try await Task.sleep(for: .milliseconds(200))
        let listsBefore = sandbox.server.counters.count(verb: "list", resource: "configmaps")

        // Hold every request for a second, end the watch, then change objects behind its back and
        // compact: the resumed watch asks for a resourceVersion the server no longer has.
        sandbox.server.faults.update { $0.latency = .seconds(1) }
        sandbox.server.faults.closeAllWatches()
        let type = try sandbox.sandboxType(configMaps)
        _ = try sandbox.server.store.delete(type, namespace: "default", name: "doomed")
        _ = try sandbox.server.store.create(type, namespace: "default", body: try json(
            #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"newcomer","namespace":"default"}}"#))
        sandbox.server.faults.compactHistory()
        try await Task.sleep(for: .milliseconds(200))
        sandbox.server.faults.update { $0.latency = .zero }

        try await eventually("the re-list") { informer.store.count == 2 && informer.store.get(name: "newcomer", namespace: "default") != nil }
        let doomed = informed.all.filter { $0.hasPrefix("DELETED doomed") }
        #expect(doomed.count == 1)
        #expect(informed.all.filter { $0.hasPrefix("ADDED newcomer") }.count == 1)
        #expect(informed.all.filter { $0.contains(" keep ") }.count == 1)  // unchanged: not re-delivered
        #expect(sandbox.server.counters.count(verb: "list", resource: "configmaps") > listsBefore)
    }
}

/// A watch given this process's own writes takes their events from them instead of decoding.
@Suite(.timeLimit(.minutes(1))) struct SandboxKnownWatchTests {
    @Test("a MODIFIED event at the version a write returned is that write's object; others are decoded")
    func ownWritesAreTakenFromTheWrittenObjects() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.stop() } }
        let created = try await sandbox.client.create(TestConfigMap(name: "mine", data: ["n": "0"]))
        var mine = try await sandbox.client.patch(TestConfigMap.self, configMaps, name: "mine", .merge, Data(#"{"data":{"n":"1"}}"#.utf8))
        let theirs = try await sandbox.client.patch(TestConfigMap.self, configMaps, name: "mine", .merge, Data(#"{"data":{"n":"2"}}"#.utf8))
        // A marker the wire never carries: seen in the event only if it came from here.
        mine.data?["held"] = "here"
        let written = WrittenObjects<TestConfigMap>()
        written.remember(mine)

        let stream = sandbox.client.watch(
            TestConfigMap.self, configMaps, namespace: "default",
            options: WatchOptions(resourceVersion: created.metadata.resourceVersion, timeoutSeconds: 5),
            known: { written.object(namespace: $0, name: $1, resourceVersion: $2) })
        var seen: [[String: String]] = []
        for try await event in stream {
            if case .modified(let object) = event { seen.append(object.data ?? [:]) }
            if seen.count == 2 { break }
        }
        #expect(seen == [["n": "1", "held": "here"], ["n": "2"]])
        #expect(theirs.metadata.resourceVersion != mine.metadata.resourceVersion)
    }

    @Test("a write's response is taken from what is known at its version; otherwise it is decoded")
    func responsesAreTakenFromKnownObjects() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.stop() } }
        _ = try await sandbox.client.create(TestConfigMap(name: "mine", data: ["n": "0"]))
        let asked = Mutex<[String]>([])
        let patched = try await sandbox.client.patch(
            TestConfigMap.self, configMaps, name: "mine", namespace: "default", .merge, Data(#"{"data":{"n":"1"}}"#.utf8),
            known: { namespace, name, version in
                asked.withLock { $0.append("\(namespace ?? "")/\(name)") }
                var held = TestConfigMap(name: name, data: ["held": "here"])
                held.metadata.resourceVersion = version
                return held
            })
        #expect(patched.data == ["held": "here"])
        #expect(asked.withLock { $0 } == ["default/mine"])
        let decoded = try await sandbox.client.patch(
            TestConfigMap.self, configMaps, name: "mine", namespace: "default", .merge, Data(#"{"data":{"n":"2"}}"#.utf8),
            known: { _, _, _ in nil })
        #expect(decoded.data == ["n": "2"])
    }
}
