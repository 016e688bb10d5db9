import Synchronization

/// The versions this controller wrote itself whose watch events have not come back yet.
///
/// Why: every write of a request (finalizer, status) and of a mesh object comes back as a watch
/// event, and each such echo queued the request for a reconcile that only confirmed what the
/// reconcile that wrote it had just decided: 2.8 reconciles per grant at 500 grants/s, where one
/// does the work (BENCHMARKS.md, "Controller", fifth round). An event carrying exactly a version
/// written here is no news: anything that changes afterwards (an approval, a policy, someone
/// else's write, the time of a deadline) has an event or a scheduled review of its own.
///
/// The echo can come before the response that names its version (the API server sends both at
/// once). So a write is announced with `begin` before it is sent; an event for that object while
/// the write is out is held, and `finish` (given the version the write got) drops the echo and
/// hands back the others, which are news and must be handled then.
///
/// Bounded: a version whose echo never comes (the watch relisted, the object went) stays until
/// `limit` versions are held, then all are forgotten; forgetting one costs one redundant reconcile.
final class OwnWrites: Sendable {
    /// One object, by what names it across kinds.
    struct Identity: Hashable, Sendable {
        var apiVersion: String
        var kind: String
        var namespace: String
        var name: String

        /// The object `apiVersion`/`kind` `namespace/name`.
        init(apiVersion: String, kind: String, namespace: String?, name: String?) {
            self.apiVersion = apiVersion
            self.kind = kind
            self.namespace = namespace ?? ""
            self.name = name ?? ""
        }
    }

    /// What to do for an event found not to be an echo.
    typealias News = @Sendable () async -> Void

    private struct Version: Hashable {
        var object: Identity
        var resourceVersion: String
    }

    private struct State {
        var recorded: Set<Version> = []
        var writesOut: [Identity: Int] = [:]
        var held: [Identity: [(resourceVersion: String, news: News)]] = [:]
    }

    private let state = Mutex(State())
    private let limit: Int

    init(limit: Int = 4_096) {
        self.limit = limit
    }

    /// Announces a write of `object` about to be sent.
    func begin(_ object: Identity) {
        state.withLock { $0.writesOut[object, default: 0] += 1 }
    }

    /// Ends a write announced with `begin`: `resourceVersion` is what it stored (nil: it failed,
    /// or its response carried none). Returns the news held meanwhile, to be handled now.
    func finish(_ object: Identity, resourceVersion: String?) -> [News] {
        state.withLock { state in
            let out = (state.writesOut[object] ?? 1) - 1
            state.writesOut[object] = out > 0 ? out : nil
            var echoSeen = false
            var news: [News] = []
            if let held = state.held[object] {
                var kept: [(resourceVersion: String, news: News)] = []
                for event in held {
                    if event.resourceVersion == resourceVersion {
                        echoSeen = true
                    } else if out > 0 {
                        kept.append(event)  // perhaps the echo of the other write still out
                    } else {
                        news.append(event.news)
                    }
                }
                state.held[object] = kept.isEmpty ? nil : kept
            }
            if !echoSeen, let resourceVersion {
                if state.recorded.count >= limit { state.recorded.removeAll(keepingCapacity: true) }
                state.recorded.insert(Version(object: object, resourceVersion: resourceVersion))
            }
            return news
        }
    }

    /// Whether a watch event's object (at `resourceVersion`) is taken care of here: true for the
    /// echo of a write of this controller, and for an event held until a write of that object
    /// now out comes back (then `news` runs if it was not the echo); false for news, which the
    /// caller handles now.
    func claim(_ object: Identity, resourceVersion: String?, otherwise news: @escaping News) -> Bool {
        guard let resourceVersion else { return false }
        return state.withLock { state in
            if state.recorded.remove(Version(object: object, resourceVersion: resourceVersion)) != nil { return true }
            guard state.writesOut[object] != nil else { return false }
            state.held[object, default: []].append((resourceVersion, news))
            return true
        }
    }

    /// Runs `write` of `object` between `begin` and `finish` (`version`: the version it stored),
    /// then handles the news held meanwhile.
    func write<Written>(
        _ object: Identity, version: (Written) -> String?, _ write: () async throws -> Written
    ) async throws -> Written {
        begin(object)
        let written: Written
        do {
            written = try await write()
        } catch {
            for news in finish(object, resourceVersion: nil) { await news() }
            throw error
        }
        for news in finish(object, resourceVersion: version(written)) { await news() }
        return written
    }

    /// How many versions wait for their echo (tests).
    var count: Int { state.withLock { $0.recorded.count } }
}
