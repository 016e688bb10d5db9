import Dispatch
import Foundation
import Synchronization
import Testing
import YAML

@testable import KubeSandbox

/// Writes are worked out (patch, schema admission, managed fields) outside the store's lock and
/// stored only if their object did not change meanwhile.
@Suite struct ConcurrentWriteTests {
    @Test func readsGoThroughWhileAWriteIsBeingWorkedOut() throws {
        let store = makeStore()
        _ = try installWidgets(store)
        _ = try store.create(configMaps, namespace: "default", body: configMap("a"))
        let readsDone = Mutex(0)
        _ = try store.patch(configMaps, namespace: "default", name: "a") { current in
            // Another thread reads an object and the catalog while this patch is being worked
            // out; under the store's lock both would wait for the patch (and this wait time out).
            let finished = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                _ = try? store.get(configMaps, namespace: "default", name: "a")
                _ = store.type(group: "example.com", version: "v1", plural: "widgets")
                finished.signal()
            }
            if finished.wait(timeout: .now() + 5) == .success { readsDone.withLock { $0 += 1 } }
            return Patch.merge(current, with: json(#"{"data":{"k":"v"}}"#))
        }
        #expect(readsDone.withLock { $0 } >= 1)
        #expect(try store.get(configMaps, namespace: "default", name: "a").value["data"]?["k"] == .string("v"))
    }

    @Test func concurrentPatchesOfOneObjectAreNeitherLostNorAppliedTwice() throws {
        let store = makeStore()
        _ = try store.create(configMaps, namespace: "default", body: json(#"{"metadata":{"name":"counter"},"data":{"n":"0"}}"#))
        let failures = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 400) { index in
            do {
                // Alternately a patch that reads the current value and a server-side apply by
                // a manager of its own: both must see the latest version when they are stored.
                _ = try store.patch(configMaps, namespace: "default", name: "counter") { current in
                    let n = Int(current["data"]?["n"]?.stringValue ?? "") ?? -1_000
                    return Patch.merge(current, with: .object(["data": .object(["n": .string(String(n + 1))])]))
                }
                if index % 4 == 0 {
                    var options = WriteOptions(fieldManager: "m\(index % 3)")
                    options.force = true
                    _ = try store.apply(
                        configMaps, namespace: "default", name: "counter",
                        config: json(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"counter","labels":{"l\#(index % 3)":"x"}}}"#),
                        options: options)
                }
            } catch {
                failures.withLock { $0 += 1 }
            }
        }
        let counter = try store.get(configMaps, namespace: "default", name: "counter").value
        #expect(failures.withLock { $0 } == 0)
        #expect(counter["data"]?["n"] == .string("400"))
        #expect(counter["metadata"]?["labels"]?.objectValue?.count == 3)
    }

    @Test func aCreateStillReportsTheNamespaceAndTheNameBeforeTheSchema() throws {
        let store = makeStore()
        let widgets = try installWidgets(store)
        let invalid = widget("a", spec: #"{"size":"big"}"#)
        #expect(throws: SandboxError.notFound(resource: "namespaces", group: "", name: "nowhere")) {
            try store.create(widgets, namespace: "nowhere", body: invalid)
        }
        _ = try store.create(widgets, namespace: "default", body: widget("a", spec: #"{"size":1}"#))
        #expect(throws: SandboxError.alreadyExists(resource: "widgets", group: "example.com", name: "a")) {
            try store.create(widgets, namespace: "default", body: invalid)
        }
    }

    @Test func anEventLeavingTheHistoryIsReleasedAtOnceNotWithThousandsOfOthersLater() throws {
        let store = makeStore(historyLimit: 100)
        _ = try store.create(configMaps, namespace: "default", body: configMap("a"))
        for index in 0..<300 {
            _ = try store.patch(configMaps, namespace: "default", name: "a") {
                Patch.merge($0, with: .object(["data": .object(["n": .string(String(index))])]))
            }
        }
        let (kept, released, holding) = store.withState { state in
            (state.historyCount, state.historyStart,
             state.history[..<state.historyStart].filter { $0.resourceVersion != 0 || $0.object != .null }.count)
        }
        #expect(kept == 100 && released > 0)
        // Every slot before the kept history holds nothing: no old object version waits there
        // for the prefix to be dropped.
        #expect(holding == 0)
    }

    @Test func patternsAreCompiledOnceAndTheCacheIsBounded() {
        let cache = PatternCache(limit: 2)
        let first = cache.expression("^[a-z]+$")
        #expect(first != nil && first === cache.expression("^[a-z]+$"))
        #expect(cache.expression("([") == nil && cache.count == 2)
        _ = cache.expression("^x$")
        #expect(cache.count == 1)
    }

    @Test func aPatternRemembersItsAnswersForShortTextsWithinItsBound() throws {
        let expression = try NSRegularExpression(pattern: "^[a-z]+$")
        let pattern = CachedPattern(expression, answerLimit: 3, textLimit: 8)
        let texts = ["abc", "ABC", "abc", "", "a1", "abcdefghij", "zz", "abc"]
        for text in texts {
            let fresh = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            #expect(pattern.matches(text) == fresh, "\(text)")
        }
        // "abcdefghij" is longer than the limit and not remembered; the fourth short text ("a1")
        // started the answers over: "a1", "zz" and "abc" are what is left.
        #expect(pattern.answerCount == 3)
    }
}
