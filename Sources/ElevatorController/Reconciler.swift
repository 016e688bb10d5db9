import Elevation
import Foundation
import Kube
import Logging
import Synchronization
import YAML

/// Reconciles one ElevationRequest: reads the caches, asks `decide`, and applies the decision in
/// this order: finalizer, mesh objects, audit lines and Events, status (API.md's order for the
/// mesh objects and the status; the record goes first so that a crash cannot lose it).
///
/// Guarantees: it reads only the caches (plus its own latest writes, so a stale cache never
/// makes it decide twice); it writes the status only when `decide` changed it; the mesh objects
/// are deleted before a status that says they are gone is written.
final class Reconciler: Sendable {
    static let finalizer = "elevator.dev/grant"

    let client: KubeClient
    let caches: Caches
    let events: EventRecorder
    let audit: AuditLog
    let options: ControllerOptions
    /// Every backend this build has; `servedBackends` are those the cluster can take.
    let backends: [any MeshBackend]
    let identityVerified: Mutex<Bool>
    let metrics: ControllerMetrics
    let now: @Sendable () -> Date
    let logger: Logger
    let writer: MeshWriter
    /// Where transitions that need a person are queued for `--notify-url` (nil: none).
    let notifier: Notifier?
    /// The requests as last written by this controller: newer than the cache for a moment.
    private var written: WrittenObjects<RequestObject> { caches.writtenRequests }

    /// A written request's response is taken from the cache when the write's watch event got
    /// there first (the informer, in turn, takes the event from `written` when the response did).
    private var cachedVersion: KnownObject<RequestObject> {
        { [store = caches.requests.store] in store.object(namespace: $0, name: $1, resourceVersion: $2) }
    }
    /// Mesh objects already deleted for a grant being withdrawn, by request key (with the
    /// request's uid): the first pass of a withdrawal only deletes (see `reconcile`), the second
    /// writes the status and Events and must not delete or look them up again.
    private let withdrawn = Mutex<[String: (uid: String, names: Set<String>)]>([:])
    /// This controller's own writes whose watch events have not come back yet (see `OwnWrites`).
    let ownWrites = OwnWrites()
    /// Ignored approvals already reported (one Event each).
    private let reportedIgnored = Mutex<Set<String>>([])

    init(
        client: KubeClient, caches: Caches, events: EventRecorder, audit: AuditLog, options: ControllerOptions,
        identityVerified: Bool, metrics: ControllerMetrics, now: @escaping @Sendable () -> Date, logger: Logger,
        notifier: Notifier? = nil
    ) {
        self.client = client
        self.caches = caches
        self.events = events
        self.audit = audit
        self.options = options
        self.backends = caches.backends
        self.identityVerified = Mutex(identityVerified)
        self.metrics = metrics
        self.now = now
        self.logger = logger
        self.writer = MeshWriter(client: client, backends: caches.backends, ownWrites: ownWrites)
        self.notifier = notifier
    }

    /// When a request must be reconciled again, and whether that is its grant's expiry (which
    /// the work queue hands out ahead of other work).
    struct Review: Equatable {
        var at: Date
        var isExpiry: Bool
    }

    /// Reconciles the request `namespace/name`; returns when it must be looked at again.
    func reconcile(_ key: String) async throws -> Review? {
        guard var object = freshest(key) else {
            written.forget(key)
            withdrawn.withLock { _ = $0.removeValue(forKey: key) }
            return nil
        }
        let deleting = object.metadata.deletionTimestamp != nil
        let finalizers = object.metadata.finalizers ?? []
        let request = object.value
        let namespace = object.namespace ?? ""
        let time = now()
        let plan: Plan
        if !deleting, !request.phase.isTerminal, !finalizers.contains(Self.finalizer) {
            // `decide` runs while the finalizer's round trip is out: the patch is guarded by the
            // resourceVersion the plan read, so a patch that succeeds leaves what `decide` saw
            // unchanged, and one that fails discards the plan. A new request's grant waits one
            // `decide` less (BENCHMARKS.md, "Controller", eighth round).
            let decided = object
            async let planned = self.plan(decided, key: key, at: time, encodingWrites: true)
            object = try await setFinalizers(decided, finalizers + [Self.finalizer])
            plan = await planned
        } else {
            plan = self.plan(object, key: key, at: time, encodingWrites: false)
        }
        let (policy, decision) = (plan.policy, plan.decision)
        if policy == nil, request.phase == .pending, request.status?.conditions?.isEmpty ?? true,
            try await policyExists(request.spec.policy, namespace: namespace) {
            // Policy and request applied together: the request's watch can be ahead of the
            // policy's, and PolicyNotFound is final. Wait for the policy cache instead.
            return Review(at: time.addingTimeInterval(0.2), isExpiry: false)
        }

        let uid = object.uid ?? ""
        let alreadyWithdrawn = withdrawn.withLock { $0[key].flatMap { $0.uid == uid ? $0.names : nil } } ?? []
        if decision.grant == nil, request.phase == .active, alreadyWithdrawn.isEmpty {
            // Revoke first: access ends with the delete, so a burst of expiries deletes every
            // grant's objects before any of them spends two more round trips on its status and
            // Event. The second pass (queued right away, behind the other deletes) writes them.
            let existing = caches.meshObjects(ofRequestUID: uid)
            if !existing.isEmpty {
                for stale in existing { try await writer.delete(stale) }
                if decision.events.contains(where: { $0.reason == "Expired" }), let expiresAt = request.status?.expiresAt {
                    metrics.expiryToDeletion.record(.milliseconds(Int64(max(0, now().timeIntervalSince(expiresAt)) * 1000)))
                }
                let names = Set(existing.compactMap(\.name))
                withdrawn.withLock { $0[key] = (uid, names) }
                return Review(at: time, isExpiry: false)
            }
        }
        // Encoded here unless the plan did it during the finalizer's round trip: the first pass of
        // a withdrawal returns above and writes neither.
        let writes = plan.writes ?? Self.writes(of: decision, request: request)
        try await applyMesh(decision, object: object, skipping: alreadyWithdrawn)
        // The audit line and the Event go before the status, so that nothing is lost: a crash or
        // a failed status write makes the next attempt decide the same transition from the same
        // stored status and write them again, the line with the same `id`, the Event under the
        // same name (the API refuses the repeat). Written after the status, a SIGKILL in between
        // lost both (RELIABILITY.md).
        for (event, digest) in zip(decision.events, writes.digests) {
            audit.record(event, request: request, status: decision.status, digest: digest, at: time)
            await publishTransition(event, of: object, digest: digest)
        }
        if let statusPatch = writes.statusPatch {
            object = try await writeStatus(try statusPatch.get(), of: object)
        }
        if !alreadyWithdrawn.isEmpty { withdrawn.withLock { _ = $0.removeValue(forKey: key) } }
        metrics.recordTransitions(
            decision.events, request: request, status: decision.status, at: time, deletionRecorded: !alreadyWithdrawn.isEmpty)
        // Only queued here, once the status holds the transition (a retry is not announced
        // twice); delivery and its retries never hold up the reconcile.
        for event in decision.events where event.notify {
            notifier?.enqueue(TransitionNotification(event, request: request, status: decision.status, at: time))
        }
        await reportIgnored(decision.ignoredApprovals, of: object)
        try await adoptApprovals(of: object)
        if deleting, (object.metadata.finalizers ?? []).contains(Self.finalizer) {
            _ = try await setFinalizers(object, (object.metadata.finalizers ?? []).filter { $0 != Self.finalizer })
            return nil
        }
        if (decision.status.phase ?? .pending).isTerminal {
            return try await retire(object, status: decision.status, at: time).map { Review(at: $0, isExpiry: false) }
        }
        return decision.nextReview.map { Review(at: $0, isExpiry: decision.status.phase == .active && $0 == decision.status.expiresAt) }
    }

    /// What one reconcile will write, worked out from the caches alone (no I/O), so that it can
    /// run while a round trip is out.
    struct Plan: Sendable {
        /// The request's ElevationPolicy as cached (nil: not in the cache).
        var policy: ElevationPolicy?
        /// What `decide` said from the caches at the reconcile's time.
        var decision: Decision
        /// The decision's writes, when encoded ahead (nil: encoded when they are made).
        var writes: Writes?
    }

    /// The encoded parts of a decision's writes.
    struct Writes: Sendable {
        /// The `/status` merge patch when `decide` changed the status (nil: no status write); an
        /// encoding failure is kept to be thrown where the write would have been.
        var statusPatch: Result<Data, any Error>?
        /// `transitionDigest` of each of the decision's events, in their order.
        var digests: [String]
    }

    /// The status patch and transition digests `decision` of `request` needs.
    static func writes(of decision: Decision, request: ElevationRequest) -> Writes {
        Writes(
            statusPatch: decision.statusChanged ? Result { try Self.statusPatch(decision.status) } : nil,
            digests: decision.events.map { request.transitionDigest($0.reason) })
    }

    /// Decides `object` (the request `key`) at `time` from the caches; with `encodingWrites`, also
    /// encodes the status patch and the transition digests, so that no encoding waits between
    /// the grant's round trips when the plan runs during one.
    private func plan(_ object: RequestObject, key: String, at time: Date, encodingWrites: Bool) -> Plan {
        let request = object.value
        let namespace = object.namespace ?? ""
        let environment = DecisionEnvironment(
            identityVerified: identityVerified.withLock { $0 },
            meshObjects: caches.guardObjects(namespace: namespace, rootNamespace: options.mesh.meshRootNamespace),
            backends: servedBackends, grantWrittenUntil: grantWrittenUntil(object))
        let policy = caches.policies.store.get(name: request.spec.policy, namespace: namespace)?.value
        let decision = decide(
            request: request, policy: policy,
            approvals: caches.approvals.store.byIndex(Caches.byRequest, key).map(\.value),
            activeGrants: caches.relatedGrants(of: object, policy: policy), now: time, environment: environment)
        return Plan(
            policy: policy, decision: decision, writes: encodingWrites ? Self.writes(of: decision, request: request) : nil)
    }

    /// Writes the grant's objects (putting back what someone changed), or deletes them all
    /// (except those named in `skipping`: deleted by the first pass of this withdrawal).
    private func applyMesh(_ decision: Decision, object: RequestObject, skipping deleted: Set<String> = []) async throws {
        let uid = object.uid ?? ""
        let existing = caches.meshObjects(ofRequestUID: uid)
        guard decision.grant != nil else {
            for stale in existing where !deleted.contains(stale.name ?? "") { try await writer.delete(stale) }
            // Objects the status lists that the cache has not seen yet (granted moments ago). Once
            // the request was already finished they were deleted then; the sweep covers the rest.
            guard object.value.status?.phase?.isTerminal != true else { return }
            let cachedNames = Set(existing.compactMap(\.name)).union(deleted)
            for reference in object.value.status?.grant ?? [] where !cachedNames.contains(reference.name) {
                try await writer.deleteIfOwned(reference, namespace: object.namespace ?? "", requestUID: uid)
            }
            return
        }
        let freshGrant = decision.events.contains { $0.reason == "Granted" || $0.reason == "BreakGlass" }
        guard let backend = servedBackends.first(where: { $0.mesh == decision.grant?.mesh }) else { return }
        for desired in decision.meshObjects {
            let name = desired["metadata"]?["name"]?.stringValue
            let kind = desired["kind"]?.stringValue ?? "object"
            let current = existing.first {
                $0.name == name && $0.value.kind == desired["kind"]?.stringValue
                    && $0.value.apiVersion == desired["apiVersion"]?.stringValue
            }
            let outcome = try await writer.ensure(desired, current: current?.value.driftView, backend: backend, confirmMissing: !freshGrant)
            if outcome != .unchanged, !freshGrant {
                let what = outcome == .created ? "was deleted" : "was changed"
                logger.warning("a managed mesh object \(what) by someone else; put back", metadata: ["object": "\(name ?? "")"])
                let note = "\(kind) \(name ?? "") \(what) while its grant is active; it was put back"
                audit.record(
                    reason: "MeshObjectRestored", type: .warning, message: note, request: object.value,
                    occurrence: "\(kind)/\(name ?? "")/\(MicroTime(now()).description)", at: now())
                await publish(object, type: .warning, reason: "MeshObjectRestored", note: note)
            }
        }
        let wanted = Set(decision.meshObjects.map { [$0["apiVersion"]?.stringValue, $0["kind"]?.stringValue, $0["metadata"]?["name"]?.stringValue] })
        for stale in existing where !wanted.contains([stale.value.apiVersion, stale.value.kind, stale.name]) {
            try await writer.delete(stale)
        }
    }

    /// The earliest `expires-at` of the cached mesh objects of a request whose status is not
    /// Active yet: a grant an earlier attempt wrote before it died (see `DecisionEnvironment`).
    private func grantWrittenUntil(_ object: RequestObject) -> Date? {
        guard object.value.phase == .pending, let uid = object.uid else { return nil }
        return caches.meshObjects(ofRequestUID: uid).compactMap(\.value.expiresAt).min()
    }

    /// Whether the API server has the ElevationPolicy `name` in `namespace` (one GET, only for a
    /// request not decided yet whose policy the cache lacks).
    private func policyExists(_ name: String, namespace: String) async throws -> Bool {
        do {
            _ = try await client.get(PolicyObject.self, name: name, namespace: namespace)
            return true
        } catch KubeError.notFound {
            return false
        }
    }

    /// The backends whose resources the cluster serves (a mesh whose CRDs are missing cannot grant).
    var servedBackends: [any MeshBackend] { backends.filter(caches.serves) }

    /// The merge patch `{"status": ...}` for an Elevation kind's `status`, written by
    /// `JSONValueEncoder.encodeJSON` (`JSONWriter`'s text; a request's status writes its own):
    /// the statuses hold strings, integers and timestamps their types encode as RFC 3339
    /// strings, so the JSON is what Foundation's `JSONEncoder` writes, which took 3% of the
    /// controller's CPU at 500 grants/s for request statuses alone (BENCHMARKS.md, "Controller",
    /// fourth round).
    static func statusPatch(_ status: some Encodable) throws -> Data {
        var patch = Array(#"{"status":"#.utf8)
        patch.append(contentsOf: try JSONValueEncoder().encodeJSON(status))
        patch.append(UInt8(ascii: "}"))
        return Data(patch)
    }

    /// Merge-patches `/status` with `body` (a `statusPatch`) and remembers the result.
    private func writeStatus(_ body: Data, of object: RequestObject) async throws -> RequestObject {
        let updated = try await ownWrites.write(Self.identity(of: object), version: \.metadata.resourceVersion) {
            try await client.patchStatus(
                RequestObject.self, RequestObject.resourceType, name: object.name ?? "",
                namespace: object.namespace, body, known: cachedVersion)
        }
        written.remember(updated)
        return updated
    }

    /// Sets `metadata.finalizers`, guarded by the resourceVersion the decision was based on.
    private func setFinalizers(_ object: RequestObject, _ finalizers: [String]) async throws -> RequestObject {
        let patch: JSONValue = .object([
            "metadata": .object([
                "finalizers": .array(finalizers.map(JSONValue.string)),
                "resourceVersion": object.metadata.resourceVersion.map(JSONValue.string) ?? .null,
            ])
        ])
        let updated = try await ownWrites.write(Self.identity(of: object), version: \.metadata.resourceVersion) {
            try await client.patch(
                RequestObject.self, RequestObject.resourceType, name: object.name ?? "",
                namespace: object.namespace, .merge, Data(JSONWriter.encode(patch)), known: cachedVersion)
        }
        written.remember(updated)
        return updated
    }

    /// Deletes a finished request after `--retain-finished`; otherwise says when to look again.
    private func retire(_ object: RequestObject, status: ElevationRequestStatus, at time: Date) async throws -> Date? {
        guard options.retainFinished > .zero else { return nil }
        let finished = status.conditions?.map(\.lastTransitionTime).max() ?? time
        let due = finished.addingTimeInterval(TimeInterval(options.retainFinished.components.seconds))
        guard time >= due else { return due }
        do {
            try await client.delete(
                RequestObject.resourceType, name: object.name ?? "", namespace: object.namespace,
                options: DeleteOptions(preconditionUID: object.uid))
        } catch KubeError.notFound {}
        return nil
    }

    private func reportIgnored(_ ignored: [IgnoredApproval], of object: RequestObject) async {
        for item in ignored {
            let id = "\(object.uid ?? "")/\(item.approval)"
            let isNew = reportedIgnored.withLock { $0.insert(id).inserted }
            guard isNew else { continue }
            let note = "ElevationApproval \(item.approval): \(item.message)"
            audit.record(
                reason: "ApprovalIgnored", type: .warning, message: note, request: object.value, occurrence: item.approval, at: now())
            await publish(object, type: .warning, reason: "ApprovalIgnored", note: note)
        }
    }

    /// Publishes an Event about the request that repeats fold into a series (an ignored approval,
    /// a repair); best-effort, see `retryingEvent`.
    func publish(_ object: RequestObject, type: EventRecorder.EventType, reason: String, note: String) async {
        let regarding = Self.reference(object)
        await retryingEvent(reason) {
            try await self.events.publish(regarding: regarding, type: type, reason: reason, action: reason, note: note)
        }
    }

    /// Publishes a transition's Event once: named after its transition digest, so the repeat a
    /// retry or a restart makes is refused by the API server and leaves one Event.
    private func publishTransition(_ event: DecisionEvent, of object: RequestObject, digest: String) async {
        let regarding = Self.reference(object)
        await retryingEvent(event.reason) {
            try await self.events.publishOnce(
                regarding: regarding, type: event.kind == .warning ? .warning : .normal, reason: event.reason,
                action: event.reason, note: event.message, key: digest)
        }
    }

    private static func reference(_ object: RequestObject) -> Kube.ObjectReference {
        Kube.ObjectReference(
            apiVersion: ElevationAPI.apiVersion, kind: "ElevationRequest", name: object.name,
            namespace: object.namespace, uid: object.uid)
    }

    /// Runs `publish`; Events are best-effort, failures are logged. A transient failure (429,
    /// 5xx, a dropped connection) is retried a few times within about 1.5 s: without the retry,
    /// 10% of API calls failing lost 7% of the Events (Tests/e2e/test_reliability_faults.py,
    /// errors-10pct).
    private func retryingEvent(_ reason: String, _ publish: () async throws -> Void) async {
        var delay = Duration.milliseconds(50)
        for attempt in 1...5 {
            do {
                try await publish()
                return
            } catch {
                let wait: Duration?
                switch error as? KubeError {
                case .tooManyRequests(let retryAfter, _), .server(_, let retryAfter, _): wait = min(retryAfter ?? delay, .seconds(1))
                case .transport: wait = delay
                default: wait = nil
                }
                guard let wait, attempt < 5 else {
                    logger.warning("an Event could not be written", metadata: ["reason": "\(reason)", "error": "\(error)"])
                    return
                }
                try? await Task.sleep(for: wait)
                delay *= 2
            }
        }
    }

    /// The cached request, or this controller's own later write of it.
    private func freshest(_ key: String) -> RequestObject? {
        guard let cached = caches.requests.store.get(key) else { return nil }
        let mine = written.latest(key)
        guard let mine, mine.uid == cached.uid,
            let own = mine.metadata.resourceVersion.flatMap(Int.init),
            let seen = cached.metadata.resourceVersion.flatMap(Int.init), own > seen
        else {
            // The cache caught up (or the request was replaced): the copy is no longer needed, and
            // keeping it would double the memory of every request this controller ever wrote.
            if mine != nil { written.forget(key) }
            return cached
        }
        return mine
    }

    /// How `OwnWrites` names a request.
    static func identity(of object: RequestObject) -> OwnWrites.Identity {
        OwnWrites.Identity(
            apiVersion: ElevationAPI.apiVersion, kind: "ElevationRequest", namespace: object.namespace,
            name: object.name)
    }
}
