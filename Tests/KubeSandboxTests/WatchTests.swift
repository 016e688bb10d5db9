import Testing
import YAML

@testable import KubeSandbox

@Suite struct WatchTests {
    @Test func watchFromAResourceVersionReplaysExactlyTheLaterChanges() async throws {
        let store = makeStore()
        _ = try store.create(configMaps, namespace: "default", body: configMap("before"))
        let start = store.resourceVersion
        _ = try store.create(configMaps, namespace: "default", body: configMap("a"))
        _ = try store.patch(configMaps, namespace: "default", name: "a") {
            Patch.merge($0, with: json(#"{"data":{"k":"2"}}"#))
        }
        _ = try store.delete(configMaps, namespace: "default", name: "a")
        let events = await collect(store.watch(configMaps, namespace: "default", from: .after(start)), count: 3)
        #expect(events.map(\.type) == ["ADDED", "MODIFIED", "DELETED"])
        #expect(events.map(\.resourceVersion) == [start + 1, start + 2, start + 3])
    }

    @Test func liveEventsFollowTheInitialState() async throws {
        let store = makeStore()
        _ = try store.create(configMaps, namespace: "default", body: configMap("old"))
        let stream = store.watch(configMaps, namespace: "default", from: .initialEventsWithBookmark)
        _ = try store.create(configMaps, namespace: "default", body: configMap("new"))
        let events = await collect(stream, count: 3)
        #expect(events.map(\.type) == ["ADDED", "BOOKMARK", "ADDED"])
        #expect(events[1].object["metadata"]?["annotations"]?["k8s.io/initial-events-end"] == .string("true"))
        #expect(String(decoding: events[2].line, as: UTF8.self).hasPrefix(#"{"type":"ADDED","object":{"apiVersion":"v1""#))
    }

    @Test func resumingFromBeforeACompactionIsGone() async throws {
        let store = makeStore()
        let start = store.resourceVersion
        _ = try store.create(configMaps, namespace: "default", body: configMap("a"))
        store.compact()
        let events = await collect(store.watch(configMaps, namespace: "default", from: .after(start)), count: 1)
        #expect(events.first?.type == "ERROR")
        #expect(events.first?.object["code"] == .int(410))
        #expect(events.first?.object["reason"] == .string("Expired"))
    }

    @Test func theBoundedHistoryForgetsOldEvents() async throws {
        let store = makeStore(historyLimit: 3)
        let start = store.resourceVersion
        for index in 0..<5 { _ = try store.create(configMaps, namespace: "default", body: configMap("c\(index)")) }
        #expect(store.oldestResumableVersion > start)
        let gone = await collect(store.watch(configMaps, namespace: "default", from: .after(start)), count: 1)
        #expect(gone.first?.type == "ERROR")
        let recent = await collect(store.watch(configMaps, namespace: "default", from: .after(store.resourceVersion - 2)),
                                   count: 2)
        #expect(recent.map { ObjectMeta.name($0.object) } == ["c3", "c4"])
    }

    @Test func selectorsFilterAndTranslateTransitions() async throws {
        let store = makeStore()
        let stream = store.watch(configMaps, namespace: "default", labels: try LabelSelector(parsing: "app=web"), from: .now)
        _ = try store.create(configMaps, namespace: "default", body: configMap("plain"))
        _ = try store.patch(configMaps, namespace: "default", name: "plain") {
            Patch.merge($0, with: json(#"{"metadata":{"labels":{"app":"web"}}}"#))
        }
        _ = try store.patch(configMaps, namespace: "default", name: "plain") {
            Patch.merge($0, with: json(#"{"metadata":{"labels":{"app":"db"}}}"#))
        }
        let events = await collect(stream, count: 2)
        #expect(events.map(\.type) == ["ADDED", "DELETED"], "entering the selection is ADDED, leaving it DELETED")
    }

    @Test func closingAllWatchesEndsEveryStream() async throws {
        let store = makeStore()
        let streams = (0..<50).map { _ in store.watch(configMaps, namespace: nil, from: .now) }
        #expect(store.openWatchCount == 50)
        store.closeAllWatches()
        for stream in streams {
            var iterator = stream.makeAsyncIterator()
            #expect(await iterator.next() == nil)
        }
    }
}

@Suite struct WatchBookmarkTests {
    @Test func bookmarksArrivePeriodically() async throws {
        let store = makeStore()
        // A long timeout: only the interval decides, however busy the machine running the tests is.
        let stream = store.watch(configMaps, namespace: "default", from: .now, timeout: .seconds(60),
                                 bookmarkAtTimeout: true, bookmarkInterval: .milliseconds(50))
        let events = await collect(stream, count: 2, timeout: .seconds(30))
        #expect(events.count == 2 && events.allSatisfy { $0.type == "BOOKMARK" })
    }

    @Test func aBookmarkComesRightBeforeTheTimeoutAndThenTheStreamEnds() async throws {
        let store = makeStore()
        _ = try store.create(configMaps, namespace: "default", body: configMap("a"))
        let stream = store.watch(configMaps, namespace: "default", from: .now, timeout: .milliseconds(100),
                                 bookmarkAtTimeout: true, bookmarkInterval: .seconds(60))
        var events: [WatchEvent] = []
        for await event in stream { events.append(event) }
        #expect(events.map(\.type) == ["BOOKMARK"])
        #expect(events.last?.object["metadata"]?["resourceVersion"] == .string(String(store.resourceVersion)))
    }
}
