import Elevation
import Foundation
import Kube
import Prometheus

/// The controller's Prometheus metrics. Counters and histograms are recorded as things happen;
/// the gauges (requests by phase, active grants, unreviewed break-glass, queue depth, leader,
/// API calls) are refreshed from the caches each time `/metrics` is scraped.
public final class ControllerMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry = PrometheusCollectorRegistry()
    let reconcileDuration: DurationHistogram
    let reconcileErrors: Counter
    let creationToGrant: DurationHistogram
    let expiryToDeletion: DurationHistogram

    /// Fresh metrics in their own registry.
    public init() {
        let buckets: [Duration] = [.milliseconds(5), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30)]
        reconcileDuration = registry.makeDurationHistogram(descriptor: Self.name("elevator_reconcile_duration_seconds", "Time one reconcile of a request took."), buckets: buckets)
        reconcileErrors = registry.makeCounter(descriptor: Self.name("elevator_reconcile_errors_total", "Reconciles that failed and were retried."))
        creationToGrant = registry.makeDurationHistogram(descriptor: Self.name("elevator_creation_to_grant_seconds", "Time from a request's creation to its grant being written."), buckets: [.seconds(1), .seconds(10), .seconds(60), .seconds(300), .seconds(1800), .seconds(3600)])
        expiryToDeletion = registry.makeDurationHistogram(descriptor: Self.name("elevator_expiry_to_deletion_seconds", "Time from a grant's expiresAt to its mesh objects being deleted."), buckets: buckets)
    }

    private static func name(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// Records what a reconcile's decision means for the histograms; `deletionRecorded`: the
    /// expiry's deletion was already recorded by the first pass of the withdrawal.
    func recordTransitions(
        _ events: [DecisionEvent], request: ElevationRequest, status: ElevationRequestStatus, at time: Date, deletionRecorded: Bool = false
    ) {
        for event in events {
            switch event.reason {
            case "Granted", "BreakGlass":
                if let created = request.metadata.creationTimestamp {
                    creationToGrant.record(.milliseconds(Int64(max(0, time.timeIntervalSince(created)) * 1000)))
                }
            case "Expired":
                if !deletionRecorded, let expiresAt = status.expiresAt, status.grantedAt != nil {
                    expiryToDeletion.record(.milliseconds(Int64(max(0, time.timeIntervalSince(expiresAt)) * 1000)))
                }
            default: continue
            }
        }
    }

    /// What the gauges count of the cached requests, gathered in one pass over the cache.
    struct RequestCounts {
        var byPhase: [RequestPhase: Int] = [:]
        /// Active break-glass grants without a `Reviewed` condition that is True.
        var unreviewedBreakGlass = 0

        /// Counts `request`.
        mutating func count(_ request: ElevationRequest) {
            let phase = request.phase
            byPhase[phase, default: 0] += 1
            if phase == .active, request.spec.breakGlass == true,
                request.status?.conditions?.first(where: { $0.type == "Reviewed" })?.status != .true
            {
                unreviewedBreakGlass += 1
            }
        }
    }

    /// Refreshes the gauges from the caches and renders the registry in Prometheus text format.
    func render(requests: RequestCounts, queueDepth: Int, isLeader: Bool, apiCalls: [KubeRequest.Verb: Int],
        apiResponses: [APICallCounter.Response: Int]
    ) -> String {
        for phase in RequestPhase.allCases {
            registry.makeGauge(descriptor: Self.name("elevator_requests", "ElevationRequests by phase."), labels: [("phase", phase.rawValue)])
                .set(Double(requests.byPhase[phase] ?? 0))
        }
        registry.makeGauge(descriptor: Self.name("elevator_active_grants", "Grants whose mesh objects exist."))
            .set(Double(requests.byPhase[.active] ?? 0))
        registry.makeGauge(descriptor: Self.name("elevator_unreviewed_break_glass_grants", "Active break-glass grants nobody reviewed yet."))
            .set(Double(requests.unreviewedBreakGlass))
        registry.makeGauge(descriptor: Self.name("elevator_workqueue_depth", "Requests waiting to be reconciled.")).set(Double(queueDepth))
        registry.makeGauge(descriptor: Self.name("elevator_leader", "1 while this instance leads.")).set(isLeader ? 1.0 : 0.0)
        for (verb, count) in apiCalls {
            registry.makeGauge(
                descriptor: Self.name("elevator_api_requests_sent", "Kubernetes API requests sent (retries and watches included), by verb."),
                labels: [("verb", "\(verb)")]
            ).set(Double(count))
        }
        for (response, count) in apiResponses {
            registry.makeGauge(
                descriptor: Self.name("elevator_api_requests", "Kubernetes API requests answered, by verb and HTTP status code."),
                labels: [("verb", "\(response.verb)"), ("code", "\(response.code)")]
            ).set(Double(count))
        }
        return registry.emitToString()
    }
}
