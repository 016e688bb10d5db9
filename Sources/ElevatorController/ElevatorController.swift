import Elevation
import Foundation
import Kube
import Logging
import ServiceLifecycle
import Synchronization

/// The Elevator controller: caches the Elevation kinds and AuthorizationPolicies, reconciles each
/// ElevationRequest when it or anything it depends on changes, and wakes it at its deadlines.
///
/// Guarantees: one reconcile per request at a time (the work queue's rule); a failed reconcile
/// is retried with per-key back-off; on graceful shutdown it stops taking work, lets the
/// reconciles in flight finish, then stops its informers.
public final class ElevatorController: Service, Sendable {
    let client: KubeClient
    let options: ControllerOptions
    let logger: Logger
    let caches: Caches
    private let queue: WorkQueue<String, ContinuousClock>
    private typealias Addition = WorkQueue<String, ContinuousClock>.Addition
    let reconciler: Reconciler
    private let ready = Mutex(false)
    private let inFlight = Mutex(0)
    private let elector: LeaderElector?
    /// The metrics `/metrics` serves.
    public let metrics: ControllerMetrics
    /// The `--notify-url` sender, when one is configured.
    let notifier: Notifier?

    /// A controller talking through `client`; `now` is the decision clock (injectable for tests),
    /// `audit` where the audit lines go (stdout by default). With an `elector`, only the leader
    /// reconciles; a standby keeps its caches warm so it can take over at once.
    public init(
        client: KubeClient, options: ControllerOptions = ControllerOptions(), audit: AuditLog = AuditLog(),
        elector: LeaderElector? = nil, logger: Logger = Logger(label: "elevator.controller"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.client = client
        self.elector = elector
        let metrics = ControllerMetrics()
        self.metrics = metrics
        self.options = options
        self.logger = logger
        self.caches = Caches(client: client, namespace: options.namespace, backends: MeshBackends.all(options: options.mesh), logger: logger)
        self.queue = WorkQueue(clock: ContinuousClock())
        let events = EventRecorder(client: client, reportingController: "elevator.dev/controller", reportingInstance: options.instance)
        let notifier = options.notify.map { Notifier(config: $0, registry: metrics.registry, logger: logger) }
        self.notifier = notifier
        self.reconciler = Reconciler(
            client: client, caches: caches, events: events, audit: audit, options: options,
            identityVerified: options.allowUnverifiedIdentity, metrics: metrics, now: now, logger: logger, notifier: notifier)
    }

    /// True once every cache has synced and the identity check ran (what `/readyz` reports).
    ///
    /// Until then no worker has taken a key, and every request in the requests cache waits in
    /// the queue with the priority of its own state (`requestsChanged` queues each object of the
    /// first list); a start's other handlers read this to skip queueing them again.
    public var isReady: Bool { ready.withLock { $0 } }

    /// Runs until cancelled or gracefully shut down.
    public func run() async throws {
        let queue = self.queue
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await self.runAll()
            } onCancel: {
                Task { await queue.shutDown() }
            }
        } onGracefulShutdown: {
            Task { await queue.shutDown() }
        }
        logger.info("controller stopped")
    }

    private func runAll() async {
        await withTaskGroup(of: Void.self) { informers in
            informers.addTask { await self.caches.requests.run(batches: { await self.requestsChanged($0) }) }
            informers.addTask { await self.caches.policies.run { await self.policyChanged($0) } }
            informers.addTask { await self.caches.approvals.run { await self.approvalChanged($0) } }
            if let notifier { informers.addTask { await notifier.run() } }
            await findUnservedMeshResources()
            for (_, informer) in caches.servedMeshInformers {
                informers.addTask { await informer.run(batches: { await self.meshObjectsChanged($0) }) }
            }
            while !caches.hasSynced, !Task.isCancelled, await !queue.isShuttingDown {
                try? await Task.sleep(for: .milliseconds(5))
            }
            if caches.hasSynced {
                await checkIdentity()
                ready.withLock { $0 = true }
                logger.info("caches synced; reconciling")
                if let elector {
                    await withTaskGroup(of: Void.self) { leadership in
                        leadership.addTask { await elector.run { await self.runWorkers() } }
                        while await !queue.isShuttingDown, !Task.isCancelled {
                            try? await Task.sleep(for: .milliseconds(100))
                        }
                        // Let the reconciles in flight finish, then give the Lease up.
                        while inFlight.withLock({ $0 }) > 0, !Task.isCancelled {
                            try? await Task.sleep(for: .milliseconds(20))
                        }
                        leadership.cancelAll()
                    }
                } else {
                    await runWorkers()
                }
            }
            // The last transitions still reach people, within a bound SIGTERM's grace period allows.
            await notifier?.drain(within: .seconds(2))
            informers.cancelAll()
        }
    }

    /// The metrics in Prometheus text format, gauges refreshed now.
    public func renderMetrics() async -> String {
        let depth = await queue.count
        let requests = caches.requests.store.reduce(into: ControllerMetrics.RequestCounts()) { $0.count($1.value) }
        return metrics.render(
            requests: requests, queueDepth: depth, isLeader: isLeader,
            apiCalls: client.apiCalls.snapshot, apiResponses: client.apiCalls.responseSnapshot)
    }

    /// Whether this instance currently leads (always true without leader election).
    public var isLeader: Bool { elector?.isLeader ?? true }

    /// The workers and the sweeper, until the queue shuts down or the task is cancelled.
    private func runWorkers() async {
        await withTaskGroup(of: Void.self) { workers in
            for _ in 0..<max(1, options.workers) { workers.addTask { await self.work() } }
            workers.addTask { await self.sweepLoop() }
            await workers.next()  // the first worker returns when the queue shut down
            workers.cancelAll()
        }
    }

    /// Takes keys until the queue shuts down.
    private func work() async {
        while let key = await queue.next() {
            inFlight.withLock { $0 += 1 }
            defer { inFlight.withLock { $0 -= 1 } }
            let started = ContinuousClock.now
            do {
                let next: Reconciler.Review?
                if key.hasPrefix(Reconciler.policyKeyPrefix) {
                    try await reconciler.reconcilePolicy(String(key.dropFirst(Reconciler.policyKeyPrefix.count)))
                    next = nil
                } else {
                    next = try await reconciler.reconcile(key)
                }
                await queue.forget(key)
                if let next {
                    // An expiry goes ahead of other work: access must end on time even under a
                    // backlog of new requests.
                    await queue.add(key, after: delay(until: next.at), priority: next.isExpiry ? .urgent : .normal)
                }
                metrics.reconcileDuration.record(ContinuousClock.now - started)
                logger.debug("reconciled", metadata: ["request": "\(key)", "took": "\(ContinuousClock.now - started)"])
            } catch {
                metrics.reconcileErrors.increment()
                logger.warning("reconcile failed; retrying", metadata: ["request": "\(key)", "error": "\(error)"])
                await queue.addRateLimited(key)
            }
            await queue.done(key)
        }
    }

    // MARK: - What a change enqueues

    /// Queues `keys` with normal priority, crossing into the queue once.
    private func enqueue(_ keys: [String]) async {
        if !keys.isEmpty { await queue.add(keys.map { Addition($0) }) }
    }

    /// A little after `deadline`, so `decide` sees it has passed (a wake-up that comes early, the
    /// wall clock having been stepped, only schedules the key again). Every millisecond here is
    /// a millisecond of revoke lag.
    private func delay(until deadline: Date) -> Duration {
        .microseconds(Int64((max(0, deadline.timeIntervalSince(reconciler.now())) + 0.002) * 1_000_000))
    }

    /// Changes to requests (a list's all at once): what is news goes to the queue in one call.
    private func requestsChanged(_ events: [InformerEvent<RequestObject>]) async {
        var news: [Addition] = []
        news.reserveCapacity(events.count)
        for event in events {
            if case .updated(_, let object) = event,
                reconciler.ownWrites.claim(
                    Reconciler.identity(of: object), resourceVersion: object.identity.resourceVersion,
                    otherwise: { await self.queue.add([self.requestNews(event)]) })
            {
                continue
            }
            news.append(requestNews(event))
        }
        if !news.isEmpty { await queue.add(news) }
    }

    /// What a change to a request that is not the echo of this controller's own write queues.
    private func requestNews(_ event: InformerEvent<RequestObject>) -> Addition {
        switch event {
        case .added(let object), .updated(_, let object):
            let plan = ReconcilePriority(object, now: reconciler.now())
            return Addition(
                Store<RequestObject>.key(of: object), priority: plan.priority, andAfter: plan.expiry.map(delay(until:)), priority: .urgent)
        case .deleted(let object):
            return Addition(Store<RequestObject>.key(of: object))
        }
    }

    private func policyChanged(_ event: InformerEvent<PolicyObject>) async {
        switch event {
        case .added(let new):
            await enqueue([Reconciler.policyKeyPrefix + Store<PolicyObject>.key(of: new)])
            // A policy seen for the first time (every policy at a start) changes nothing for the
            // requests already decided under it: each keeps the priority of its own state, so a
            // start does not turn 10,000 settled grants into normal work. Before the first
            // reconcile every cached request already waits in the queue with exactly that priority.
            if !isReady { return }
            await enqueueByState(caches.requests(forPolicy: new.namespace ?? "", new.name ?? ""))
        case .updated(_, let new):
            await enqueue([Reconciler.policyKeyPrefix + Store<PolicyObject>.key(of: new)])
            await enqueue(caches.requestKeys(forPolicy: new.namespace ?? "", new.name ?? ""))
        case .deleted(let old):
            await enqueue(caches.requestKeys(forPolicy: old.namespace ?? "", old.name ?? ""))
        }
    }

    /// Queues each request with the priority of its own state, crossing into the queue once.
    private func enqueueByState(_ requests: [RequestObject]) async {
        let now = reconciler.now()
        if !requests.isEmpty { await queue.add(requests.map { byState($0, now: now) }) }
    }

    /// `request` with the priority of its own state at `now` (see `ReconcilePriority`).
    private func byState(_ request: RequestObject, now: Date) -> Addition {
        Addition(Store<RequestObject>.key(of: request), priority: ReconcilePriority(request, now: now).priority)
    }

    private func approvalChanged(_ event: InformerEvent<ApprovalObject>) async {
        switch event {
        case .added(let object), .updated(_, let object), .deleted(let object):
            await enqueue([caches.requestKey(forApproval: object)])
        }
    }

    /// Changes to mesh objects (a list's all at once): what is news goes to the queue in one call.
    private func meshObjectsChanged(_ events: [InformerEvent<MeshObject>]) async {
        var news: [Addition] = []
        for event in events {
            switch event {
            case .added(let object), .updated(_, let object):
                let claimed = reconciler.ownWrites.claim(
                    MeshWriter.identity(of: object), resourceVersion: object.identity.resourceVersion,
                    otherwise: { await self.queue.add(self.meshObjectNews(event)) })
                if claimed { continue }
            case .deleted:
                break
            }
            news += meshObjectNews(event)
        }
        if !news.isEmpty { await queue.add(news) }
    }

    /// What a change to a mesh object that is not the echo of this controller's own apply queues.
    private func meshObjectNews(_ event: InformerEvent<MeshObject>) -> [Addition] {
        switch event {
        case .added(let object), .updated(_, let object), .deleted(let object):
            if case .added = event, object.value.managedRequestUID != nil, !isReady {
                // Every object at a start: each cached request already waits in the queue with
                // the priority of its own state, which is what the branch below would add.
                return []
            }
            if let request = caches.request(forMeshObject: object) {
                if case .added = event {
                    // Its own object appearing (the echo of its apply, or every object at a
                    // start) is no news for a request; a change or a deletion by someone is.
                    return [byState(request, now: reconciler.now())]
                }
                return [Addition(Store<RequestObject>.key(of: request))]
            } else if object.value.managedRequestUID == nil {
                // Someone else's object (a baseline ALLOW, a Server, a waypoint label): the
                // readiness of the policies it may concern is checked again.
                return caches.policyKeys(concerning: object, rootNamespace: options.mesh.meshRootNamespace).map { Addition($0) }
            }
            return []
        }
    }
}
