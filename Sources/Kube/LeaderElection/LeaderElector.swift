import Foundation
import Logging
import Synchronization

/// Leader election on a `coordination.k8s.io/v1` Lease, as client-go's `leaderelection`.
///
/// Guarantees:
/// - At most one candidate *believes* it leads at a time as long as clocks tick at the same rate:
///   a follower takes over only after observing the record unchanged for `leaseDuration`.
/// - Writes are optimistic (PUT with the read resourceVersion); a conflict means someone else won.
/// - The leader stops acting (its `whileLeading` task is cancelled) as soon as it has failed to
///   renew for `renewDeadline`, which is shorter than `leaseDuration`, so it stops before a
///   successor can start.
/// - On cancellation it releases the Lease (holder cleared) so a successor takes over at once.
///
/// Caveat: there is no fencing (client-go: "does not guarantee that only one client is acting
/// as a leader"). Keep every write idempotent or conditional.
public final class LeaderElector: Sendable {
    public let config: LeaderElectionConfig
    private let client: KubeClient
    private let logger: Logger
    private let leading = Mutex(false)
    /// The record last read and when it was first seen unchanged (this candidate's own clock).
    private let observed = Mutex<(spec: Lease.Spec?, at: ContinuousClock.Instant)?>(nil)

    /// An elector for `config` that talks through `client`.
    public init(client: KubeClient, config: LeaderElectionConfig, logger: Logger = Logger(label: "kube.leader-election")) throws {
        try config.validate()
        self.client = client
        self.config = config
        self.logger = logger
    }

    /// Whether this candidate currently holds the lease.
    public var isLeader: Bool { leading.withLock { $0 } }

    /// Campaigns until the calling task is cancelled. Each time it wins, `whileLeading` runs in a
    /// child task, cancelled when leadership is lost; then the candidate campaigns again.
    public func run(whileLeading: @escaping @Sendable () async -> Void) async {
        while !Task.isCancelled {
            // Campaign.
            var acquired = false
            while !Task.isCancelled, !acquired {
                acquired = await attempt(within: config.retryPeriod * 5)
                if !acquired { try? await Task.sleep(for: config.retryPeriod) }
            }
            guard acquired else { break }
            leading.withLock { $0 = true }
            logger.info("became leader", metadata: ["lease": "\(config.namespace)/\(config.leaseName)", "identity": "\(config.identity)"])
            let work = Task { await whileLeading() }
            // Renew until a renewal has failed for renewDeadline.
            var lastRenew = ContinuousClock.now
            while !Task.isCancelled {
                try? await Task.sleep(for: config.retryPeriod)
                if Task.isCancelled { break }
                let remaining = config.renewDeadline - lastRenew.duration(to: .now)
                if await attempt(within: remaining) {
                    lastRenew = .now
                } else if lastRenew.duration(to: .now) >= config.renewDeadline - config.retryPeriod / 2 {
                    break
                }
            }
            work.cancel()
            leading.withLock { $0 = false }
            if Task.isCancelled {
                await work.value
                // The calling task is cancelled; the release must run outside it to reach the server.
                if config.releaseOnCancel { await Task { await self.release() }.value }
                logger.info("stopped leading (shutdown)")
                break
            }
            logger.warning("lost leadership: could not renew within the renew deadline")
            await work.value
        }
    }

    /// One attempt bounded by `limit`, so a hung request cannot keep a leader past its deadline.
    private func attempt(within limit: Duration) async -> Bool {
        guard limit > .zero else { return false }
        return await withTaskGroup(of: Bool?.self) { group in
            group.addTask { await self.tryAcquireOrRenew() }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? false
        }
    }

    /// One attempt; true if this candidate holds the lease afterwards.
    private func tryAcquireOrRenew() async -> Bool {
        let current: Lease?
        do {
            current = try await client.get(Lease.self, name: config.leaseName, namespace: config.namespace)
        } catch KubeError.notFound {
            current = nil
        } catch {
            logger.debug("reading the lease failed", metadata: ["error": "\(error)"])
            return false
        }
        let now = ContinuousClock.now
        let elapsed = observed.withLock { record in
            if record == nil || record?.spec != current?.spec { record = (current?.spec, now) }
            return record.map { $0.at.duration(to: now) } ?? .zero
        }
        let decision = LeaseDecision.decide(
            current: current, identity: config.identity, leaseDuration: config.leaseDuration,
            elapsedSinceObserved: elapsed, now: MicroTime(Date()))
        do {
            switch decision {
            case .wait:
                return false
            case .create(var lease):
                lease.metadata = ObjectMeta(name: config.leaseName, namespace: config.namespace)
                let created = try await client.create(lease, namespace: config.namespace)
                observed.withLock { $0 = (created.spec, .now) }
            case .update(let lease):
                let updated = try await client.replace(lease)
                observed.withLock { $0 = (updated.spec, .now) }
            }
            return true
        } catch {
            logger.debug("writing the lease failed", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// Clears the holder so the next candidate need not wait for expiry.
    private func release() async {
        guard var lease = try? await client.get(Lease.self, name: config.leaseName, namespace: config.namespace),
            lease.spec?.holderIdentity == config.identity
        else { return }
        lease.spec?.holderIdentity = ""
        lease.spec?.leaseDurationSeconds = 1
        lease.spec?.renewTime = MicroTime(Date())
        _ = try? await client.replace(lease)
    }
}
