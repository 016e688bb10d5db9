import Elevation
import Foundation
import Kube
import YAML

/// The floor: what a grant costs on this API with no controller at all. Our client alone does the
/// round trips the controller's grant needs, one after the other and in the controller's order,
/// with the controller's own bodies (`decide` renders them here as in the controller): create the
/// request, merge-patch the finalizer (resourceVersion-guarded), server-side apply the
/// AuthorizationPolicy (field manager `elevator`, Strict, force), create the Event, merge-patch
/// `/status` to Active. The Event comes before the status as in the controller, which writes the
/// record of a transition first so that a crash cannot lose it.
///
/// While the controller runs, the floor writes `Kinds.floorRequests` and
/// `Kinds.floorAuthorizationPolicies` instead (`requests`, `authorizationPolicies`): copies of the
/// two kinds under a group the controller does not watch, so it neither acts on the floor's
/// requests nor sees its AuthorizationPolicies, and the floor can be measured between the slices
/// of the batch it is compared with.
struct FloorChain {
    let driver: Driver
    let namespace: String
    let policy: ElevationPolicy
    let baseline: JSONValue
    let events: EventRecorder
    let requests: ResourceType
    let authorizationPolicies: ResourceType

    init(
        driver: Driver, namespace: String, requests: ResourceType = Kinds.requests,
        authorizationPolicies: ResourceType = Kinds.authorizationPolicies
    ) async throws {
        self.driver = driver
        self.namespace = namespace
        self.requests = requests
        self.authorizationPolicies = authorizationPolicies
        let policyJSON = try await driver.client.get(JSONValue.self, Kinds.policies, name: "bench", namespace: namespace)
        policy = try JSONDecoder().decode(ElevationPolicy.self, from: JSONEncoder().encode(policyJSON))
        baseline = try await driver.client.get(JSONValue.self, Kinds.authorizationPolicies, name: "baseline", namespace: namespace)
        events = EventRecorder(client: driver.client, reportingController: "elevator.dev/controller", reportingInstance: "controller-bench")
    }

    /// One chain; returns ms to Active, the driver's own `decide` excluded.
    func run(_ name: String) async throws -> Double {
        let client = driver.client
        let started = monoNanos()
        let created = try await client.send(
            Endpoint(requests, namespace: namespace).create(
                Driver.requestBody(name, namespace: namespace, duration: "1h", apiVersion: requests.apiVersion)))
        let decideStarted = monoNanos()
        let request = try JSONDecoder().decode(ElevationRequest.self, from: created.body)
        let meta = try JSONDecoder().decode(ObjectMetaHolder.self, from: created.body).metadata
        let decision = decide(
            request: request, policy: policy, approvals: [], activeGrants: [], now: Date(),
            environment: DecisionEnvironment(identityVerified: true, meshObjects: [baseline], backends: [IstioBackend()]))
        guard decision.grant != nil, var mesh = decision.meshObjects.first else { fail("decide did not grant the floor request \(name)") }
        mesh["apiVersion"] = .string(authorizationPolicies.apiVersion)
        let finalizer: JSONValue = .object([
            "metadata": .object(["finalizers": .array([.string("elevator.dev/grant")]), "resourceVersion": .string(meta.resourceVersion ?? "")])
        ])
        let finalizerBody = try JSONEncoder().encode(finalizer)
        let statusBody = try JSONEncoder().encode(["status": decision.status])
        let decideTook = monoNanos() - decideStarted
        _ = try await client.send(Endpoint(requests, namespace: namespace).patch(name, .merge, finalizerBody))
        _ = try await client.apply(mesh, authorizationPolicies, fieldManager: "elevator")
        let regarding = Kube.ObjectReference(
            apiVersion: "elevator.dev/v1alpha1", kind: "ElevationRequest", name: name, namespace: namespace, uid: meta.uid)
        try await events.publish(regarding: regarding, type: .normal, reason: "Granted", action: "Granted", note: decision.events.first?.message)
        _ = try await client.send(Endpoint(requests, namespace: namespace).patchStatus(name, statusBody))
        return Double(monoNanos() - started - decideTook) / 1e6
    }

    /// Chains started at `rate` per second (each without waiting for the others), or one after
    /// the other when `rate` is nil.
    func measure(prefix: String, count: Int, rate: Double?) async -> [Double] {
        var active: [Double] = []
        if let rate {
            await withTaskGroup(of: Double?.self) { group in
                let start = ContinuousClock.now
                for index in 0..<count {
                    let due = start + .nanoseconds(Int64(Double(index) / rate * 1e9))
                    if due > .now { try? await Task.sleep(until: due, clock: .continuous) }
                    group.addTask { try? await self.run("\(prefix)-\(index)") }
                }
                for await result in group {
                    if let result { active.append(result) }
                }
            }
        } else {
            for index in 0..<count {
                if let result = try? await run("\(prefix)-\(index)") { active.append(result) }
            }
        }
        return active
    }
}

private struct ObjectMetaHolder: Decodable {
    var metadata: Kube.ObjectMeta
}
