import Foundation
import KubeSandbox
import Synchronization
import Testing

@testable import Kube

/// `WatchEvents`: a watch is read and decoded in the task that consumes it.
@Suite(.timeLimit(.minutes(1))) struct SandboxWatchEventsTests {
    @Test("a watch event is decoded in the consumer's task, with no task of its own in between")
    func eventsAreDecodedInTheConsumersTask() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.stop() } }
        let created = try await sandbox.client.create(TestConfigMap(name: "mine", data: ["n": "0"]))
        _ = try await sandbox.client.patch(TestConfigMap.self, configMaps, name: "mine", .merge, Data(#"{"data":{"n":"1"}}"#.utf8))
        // The consumer runs on a thread of its own; `known` is asked while the MODIFIED event is
        // decoded, so it tells on which thread that happened. A decoding task in between (not
        // inheriting the consumer's executor) would ask it elsewhere.
        let executor = ThreadExecutor()
        defer { executor.stop() }
        let askedOnConsumerThread = Mutex<[Bool]>([])
        let events = sandbox.client.watch(
            TestConfigMap.self, configMaps, namespace: "default",
            options: WatchOptions(resourceVersion: created.metadata.resourceVersion, timeoutSeconds: 5),
            known: { _, _, _ in
                askedOnConsumerThread.withLock { $0.append(executor.isCurrent) }
                return nil
            })
        let data = try await withTaskExecutorPreference(executor) {
            for try await event in events {
                if case .modified(let object) = event { return object.data }
            }
            return nil
        }
        #expect(data == ["n": "1"])
        #expect(askedOnConsumerThread.withLock { $0 } == [true])
    }

    @Test("a watch of a WatchSkimmable type reads each object from a skim of its line")
    func aSkimmableTypeIsReadFromTheSandboxsLines() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.stop() } }
        let created = try await sandbox.client.create(TestConfigMap(name: "mine", data: ["n": "0"]))
        _ = try await sandbox.client.patch(TestConfigMap.self, configMaps, name: "mine", .merge, Data(#"{"data":{"n":"1"}}"#.utf8))
        try await sandbox.client.delete(configMaps, name: "mine", namespace: "default")
        var seen: [SkimmedConfigMap] = []
        for try await event in sandbox.client.watch(
            SkimmedConfigMap.self, configMaps, namespace: "default",
            options: WatchOptions(resourceVersion: created.metadata.resourceVersion, timeoutSeconds: 5))
        {
            if let object = event.object { seen.append(object) }
            if seen.count == 2 { break }
        }
        #expect(seen.map(\.n) == ["1", "1"])
        #expect(seen.map(\.name) == ["mine", "mine"])
        #expect(seen.map(\.skimmed) == [true, true])
    }

    @Test("the request goes out when the first event is asked for, and stopping early ends it")
    func theWatchStartsWithTheFirstEventAndEndsWithTheConsumer() async throws {
        let sandbox = try await SandboxHarness.start()
        defer { Task { await sandbox.stop() } }
        let events = sandbox.client.watch(TestConfigMap.self, namespace: "default", options: WatchOptions(resourceVersion: "0", timeoutSeconds: 30))
        try await Task.sleep(for: .milliseconds(100))
        #expect(sandbox.server.store.openWatchCount == 0)
        _ = try await sandbox.client.create(TestConfigMap(name: "first", data: [:]))
        for try await event in events {
            if case .added(let object) = event, object.metadata.name == "first" { break }
        }
        // The transfer is stopped with the iterator. The sandbox finds the connection gone when
        // it next writes an event, and drops the watch; without the stop it would stay 30 s.
        let deadline = ContinuousClock.now + .seconds(5)
        var written = 0
        while sandbox.server.store.openWatchCount > 0, ContinuousClock.now < deadline {
            written += 1
            _ = try await sandbox.client.create(TestConfigMap(name: "later-\(written)", data: [:]))
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(sandbox.server.store.openWatchCount == 0)
    }
}

/// A config map's name and `data.n`, from a skim of its watch line (`skimmed`) or `Decodable`.
struct SkimmedConfigMap: WatchSkimmable {
    var name: String?
    var n: String?
    var skimmed: Bool

    static let skimmedPaths = [["metadata", "name"], ["data", "n"]]

    init(skimmed: [String?]) {
        name = skimmed[0]
        n = skimmed[1]
        self.skimmed = true
    }

    init(from decoder: any Decoder) throws {
        let map = try TestConfigMap(from: decoder)
        name = map.metadata.name
        n = map.data?["n"]
        skimmed = false
    }
}

/// A task executor with one thread of its own, to see where a task's jobs run.
final class ThreadExecutor: TaskExecutor, Sendable {
    private let jobs = Mutex<(queue: [UnownedJob], stopped: Bool)>(([], false))
    private let signal = DispatchSemaphore(value: 0)
    private let thread = Mutex<pthread_t?>(nil)

    init() {
        let started = DispatchSemaphore(value: 0)
        Thread { [self] in
            thread.withLock { $0 = pthread_self() }
            started.signal()
            while true {
                signal.wait()
                let (queue, stopped) = jobs.withLock { state in
                    defer { state.queue = [] }
                    return state
                }
                for job in queue { job.runSynchronously(on: asUnownedTaskExecutor()) }
                if stopped { return }
            }
        }.start()
        started.wait()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.queue.append(job) }
        signal.signal()
    }

    /// Whether the caller runs on this executor's thread.
    var isCurrent: Bool { thread.withLock { $0.map { pthread_equal($0, pthread_self()) != 0 } ?? false } }

    /// Ends the thread once the jobs queued so far have run.
    func stop() {
        jobs.withLock { $0.stopped = true }
        signal.signal()
    }
}
