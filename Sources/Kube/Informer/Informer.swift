import Logging
import Synchronization

/// Lists then watches one kind into a `Store` and tells a handler what changed.
///
/// Guarantees:
/// - The store is filled by a paginated list, then kept current by watches that resume from the
///   last resourceVersion (of an event or a bookmark) after every clean close.
/// - A 410 (expired resourceVersion) re-lists; objects missing from the new list are delivered
///   as deletions, so no deletion is lost to a watch outage.
/// - Failures back off as client-go's reflector (0.8 s ×2 up to 30 s, jitter, reset after 2 min);
///   a watch that closes at once without events counts as a failure, so a misbehaving server is
///   not hammered. Every event resets the backoff (see `WatchState`), so streams that are closed
///   often but deliver are resumed within a second or two, never after tens of seconds.
///
/// Caveats: the handler runs inline; a slow handler delays the watch. Enqueue keys, don't work.
/// (The pages of the first list are handed over from a task of their own, one after the other,
/// while the next page is read; the handler is never called twice at once.)
public final class Informer<Object: KubeResource>: Sendable {
    public let store: Store<Object>
    private let client: KubeClient
    private let namespace: String?
    private let resource: ResourceType
    private let config: WatchConfig
    private let logger: Logger
    private let synced = Mutex(false)
    private let written: WrittenObjects<Object>?

    /// An informer of `Object` in `namespace` (nil: all namespaces). `resource` overrides
    /// `Object.resourceType`, for unstructured objects whose kind is known only at run time.
    /// `written` holds this process's own writes, whose watch events are then taken from it
    /// rather than decoded again.
    public init(
        client: KubeClient, namespace: String?, resource: ResourceType? = nil, config: WatchConfig = WatchConfig(),
        indexers: [String: Store<Object>.IndexFunction] = [:], written: WrittenObjects<Object>? = nil,
        logger: Logger = Logger(label: "kube.informer")
    ) {
        self.written = written
        self.client = client
        self.namespace = namespace
        self.resource = resource ?? Object.resourceType
        self.config = config
        self.store = Store(indexers: indexers)
        self.logger = logger
    }

    /// True once the first list has been stored.
    public var hasSynced: Bool { synced.withLock { $0 } }

    /// Runs until the calling task is cancelled, calling `handler` for every change.
    public func run(_ handler: @escaping @Sendable (InformerEvent<Object>) async -> Void) async {
        await run(batches: { events in
            for event in events { await handler(event) }
        })
    }

    /// Runs until the calling task is cancelled, calling `handler` with the changes of each
    /// (re)list all at once and with each watch event's change alone: a handler that hands keys
    /// to a queue can then hand over a start's 10,000 objects in one call.
    ///
    /// The first list of an empty cache is the exception: each of its pages is filed and handed
    /// over as it arrives, by a task of its own (in order, one after the other), while the next
    /// page is fetched and decoded. Filing 10,000 objects and queueing their keys then overlaps
    /// the decoding of the pages after them instead of following the last one (BENCHMARKS.md,
    /// "Controller", fifteenth round). `hasSynced` turns true once the last page is filed and
    /// handed over. A re-list (or a list restarted after its continue token expired) replaces
    /// the whole content at once, as before.
    public func run(batches handler: @escaping @Sendable ([InformerEvent<Object>]) async -> Void) async {
        var state = WatchState<ContinuousClock.Instant>(config: config)
        var random = SystemRandomNumberGenerator()
        var pages: [Object] = []
        // Whether the pages of the list under way are filed as they come, and the filing of the
        // last one handed over (each waits for the one before).
        var filingPages = false
        var filed: Task<Void, Never>?
        defer { filed?.cancel() }
        let resource = self.resource
        var known: KnownObject<Object>?
        if let written {
            known = { namespace, name, version in written.object(namespace: namespace, name: name, resourceVersion: version) }
        }
        while !Task.isCancelled {
            var delay = Duration.zero
            switch state.nextRequest {
            case .list(let options):
                if options.continueToken == nil {
                    pages = []
                    // A list started again replaces whatever an earlier one filed.
                    await filed?.value
                    filed = nil
                    filingPages = !hasSynced && store.count == 0
                }
                do {
                    let page = try await client.list(Object.self, resource, namespace: namespace, options: options)
                    let complete = state.pageListed(page.metadata) == .complete
                    if filingPages {
                        let items = page.items
                        let store = self.store
                        filed = Task { [previous = filed] in
                            await previous?.value
                            let events = store.add(items)
                            if !events.isEmpty { await handler(events) }
                        }
                        if complete {
                            await filed?.value
                            filed = nil
                            synced.withLock { $0 = true }
                        }
                    } else {
                        pages += page.items
                        if complete {
                            let events = store.replace(with: pages)
                            if !events.isEmpty { await handler(events) }
                            pages = []
                            synced.withLock { $0 = true }
                        }
                    }
                } catch let error as KubeError {
                    delay = state.failed(error, at: .now, using: &random)
                    logger.warning("list of \(resource) failed; retrying in \(delay)", metadata: ["error": "\(error)"])
                } catch {
                    return
                }
            case .watch(let options):
                let started = ContinuousClock.now
                var events = 0
                do {
                    watching: for try await event in client.watch(
                        Object.self, resource, namespace: namespace, options: options, idleMargin: config.idleMargin, known: known
                    ) {
                        events += 1
                        let version = event.object?.identity.resourceVersion
                        switch state.observed(event, resourceVersion: version, at: .now, using: &random) {
                        case .deliver:
                            if let change = store.apply(event) { await handler([change]) }
                        case .progress:
                            break
                        case .relist:
                            logger.debug("watch of \(resource) expired; re-listing")
                            break watching
                        case .retry(let after):
                            delay = after
                            logger.warning("watch of \(resource) ended with an error; retrying in \(after)")
                            break watching
                        }
                    }
                    if events == 0, started.duration(to: .now) < .seconds(1), state.resourceVersion != nil {
                        delay = state.failed(.transport("the watch closed at once without events"), at: .now, using: &random)
                        logger.debug("watch of \(resource) closed at once without events; retrying in \(delay)")
                    } else {
                        state.streamEnded()
                    }
                } catch let error as KubeError {
                    delay = state.failed(error, at: .now, using: &random)
                    logger.warning("watch of \(resource) failed; retrying in \(delay)", metadata: ["error": "\(error)"])
                } catch {
                    return
                }
            }
            if delay > .zero {
                do { try await Task.sleep(for: delay) } catch { return }
            }
        }
    }
}
