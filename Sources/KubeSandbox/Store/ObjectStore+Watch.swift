import Foundation
import YAML

/// Where a watch starts (the `resourceVersion` and `sendInitialEvents` parameters).
public enum WatchStart: Sendable, Equatable {
    /// Synthetic ADDED events for every current object, then changes (`resourceVersion` unset or "0").
    case currentState
    /// As `currentState`, then a BOOKMARK annotated `k8s.io/initial-events-end` (`sendInitialEvents=true`).
    case initialEventsWithBookmark
    /// Changes after this resourceVersion (410 in-stream if it is older than the kept history).
    case after(Int64)
    /// Changes from now on only.
    case now
}

extension ObjectStore {
    /// Starts a watch on one type. The stream ends when the caller stops iterating, after
    /// `timeout`, when `closeAllWatches()` runs, or (after one ERROR event) when the start is too
    /// old. With `bookmarkAtTimeout` (the client's `allowWatchBookmarks`) it carries a BOOKMARK
    /// every `bookmarkInterval` and one before the timeout.
    public func watch(_ type: ResourceType, namespace: String?, labels: LabelSelector = .everything,
                      fields: FieldSelector = .everything, from start: WatchStart, timeout: Duration? = nil,
                      bookmarkAtTimeout: Bool = false, bookmarkInterval: Duration = .seconds(60))
        -> AsyncStream<WatchEvent>
    {
        let (stream, continuation) = AsyncStream<WatchEvent>.makeStream()
        let watcher = Watcher(namespace: type.namespaced ? namespace : nil, labels: labels, fields: fields,
                              continuation: continuation)
        let id: Int? = withState { state in
            switch start {
            case .after(let revision) where revision < state.floor:
                let gone = SandboxError.expired("too old resource version: \(revision) (\(state.floor))")
                continuation.yield(WatchEvent(type: "ERROR", object: gone.status, resourceVersion: 0,
                                              storageKey: type.storageKey))
                continuation.finish()
                return nil
            case .after(let revision):
                for event in state.events(after: revision, storageKey: type.storageKey)
                where watcher.matches(event.object) {
                    continuation.yield(event)
                }
            case .currentState, .initialEventsWithBookmark:
                for (_, object) in state.objects(type.storageKey, namespace: watcher.namespace)
                where watcher.matches(object.value) {
                    continuation.yield(WatchEvent(type: "ADDED", object: object.value, objectBytes: object.bytes,
                                                  resourceVersion: 0, storageKey: type.storageKey))
                }
                if start == .initialEventsWithBookmark {
                    let bookmark = JSONValue.object([
                        "kind": .string(type.kind), "apiVersion": .string(type.apiVersion),
                        "metadata": .object([
                            "resourceVersion": .string(String(state.revision)),
                            "annotations": .object(["k8s.io/initial-events-end": .string("true")]),
                        ]),
                    ])
                    continuation.yield(WatchEvent(type: "BOOKMARK", object: bookmark, resourceVersion: state.revision,
                                                  storageKey: type.storageKey))
                }
            case .now:
                break
            }
            let id = state.nextWatcherID
            state.nextWatcherID += 1
            state.watchers[type.storageKey, default: [:]][id] = watcher
            return id
        }
        if let id {
            let storageKey = type.storageKey
            if let timeout {
                // Like kube-apiserver's watch cache: a BOOKMARK about every `bookmarkInterval` and
                // one right before the deadline, when the client allows bookmarks.
                let closing = Task { [weak self] in
                    let deadline = ContinuousClock.now + timeout
                    while !Task.isCancelled {
                        let next = min(deadline, ContinuousClock.now + bookmarkInterval)
                        try? await Task.sleep(until: next)
                        guard !Task.isCancelled else { return }
                        if bookmarkAtTimeout, let self { continuation.yield(self.bookmark(for: type)) }
                        if ContinuousClock.now >= deadline { break }
                    }
                    continuation.finish()
                }
                continuation.onTermination = { [weak self] _ in
                    closing.cancel()
                    self?.withState { state in state.watchers[storageKey]?[id] = nil }
                }
                return stream
            }
            continuation.onTermination = { [weak self] _ in
                self?.withState { state in state.watchers[storageKey]?[id] = nil }
            }
        }
        return stream
    }

    /// A BOOKMARK for `type` at the current resourceVersion (sent before a watch times out).
    public func bookmark(for type: ResourceType) -> WatchEvent {
        let revision = resourceVersion
        let object = JSONValue.object([
            "kind": .string(type.kind), "apiVersion": .string(type.apiVersion),
            "metadata": .object(["resourceVersion": .string(String(revision))]),
        ])
        return WatchEvent(type: "BOOKMARK", object: object, resourceVersion: revision, storageKey: type.storageKey)
    }

    /// Ends every open watch now (clients see the stream close and must resume).
    public func closeAllWatches() {
        let all: [Watcher] = withState { state in
            let all = state.watchers.values.flatMap(\.values)
            state.watchers.removeAll()
            return all
        }
        for watcher in all { watcher.continuation.finish() }
    }

    /// How many watches are open.
    public var openWatchCount: Int { withState { $0.watchers.values.reduce(0) { $0 + $1.count } } }
}
