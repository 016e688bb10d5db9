import Foundation
import Kube
import Synchronization
import YAML

// The driver's side of the API: our Kube client creating requests at a fixed rate and two watches
// (requests, AuthorizationPolicies) that timestamp what the controller did.

enum Kinds {
    static let requests = ResourceType(group: "elevator.dev", version: "v1alpha1", plural: "elevationrequests", kind: "ElevationRequest", namespaced: true)
    static let policies = ResourceType(group: "elevator.dev", version: "v1alpha1", plural: "elevationpolicies", kind: "ElevationPolicy", namespaced: true)
    static let authorizationPolicies = ResourceType(group: "security.istio.io", version: "v1", plural: "authorizationpolicies", kind: "AuthorizationPolicy", namespaced: true)
    static let namespaces = ResourceType(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)
    static let crds = ResourceType(
        group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: "CustomResourceDefinition", namespaced: false)
    /// The group of the copies of the request and AuthorizationPolicy kinds that the floor writes
    /// while the controller runs: the same schemas and bodies, under a group no controller watches.
    static let floorGroup = "floor.bench.elevator.dev"
    static let floorRequests = ResourceType(group: floorGroup, version: "v1alpha1", plural: "elevationrequests", kind: "ElevationRequest", namespaced: true)
    static let floorAuthorizationPolicies = ResourceType(group: floorGroup, version: "v1", plural: "authorizationpolicies", kind: "AuthorizationPolicy", namespaced: true)
}

/// What the driver's watches read of a request: only what it times, skimmed from each event's
/// line (`WatchSkimmable`), so the driver's share of the two cores stays small beside the
/// processes it measures (BENCHMARKS.md, "Controller", nineteenth round).
struct RequestView: WatchSkimmable {
    struct Meta: Decodable, Sendable { var name: String?; var resourceVersion: String? }
    struct Status: Decodable, Sendable { var phase: String?; var expiresAt: String? }
    var metadata: Meta
    var status: Status?

    static let skimmedPaths = [["metadata", "name"], ["metadata", "resourceVersion"], ["status", "phase"], ["status", "expiresAt"]]

    init(skimmed: [String?]) {
        metadata = Meta(name: skimmed[0], resourceVersion: skimmed[1])
        status = Status(phase: skimmed[2], expiresAt: skimmed[3])
    }
}

/// What the driver's watches read of an AuthorizationPolicy.
struct NamedView: WatchSkimmable {
    struct Meta: Decodable, Sendable { var name: String?; var resourceVersion: String? }
    var metadata: Meta

    static let skimmedPaths = [["metadata", "name"], ["metadata", "resourceVersion"]]

    init(skimmed: [String?]) { metadata = Meta(name: skimmed[0], resourceVersion: skimmed[1]) }
}

/// Timestamps per request name, filled by the watches and the creating tasks.
final class Observer: Sendable {
    struct Entry: Sendable {
        var created: UInt64?
        /// The create's response, and the request's first watch event at the driver: where a slow
        /// grant lost its time (the sandbox answering, the sandbox's watch fan-out, or the controller).
        var createAnswered: UInt64?
        var seen: UInt64?
        var active: UInt64?
        var meshAdded: UInt64?
        var expiresAt: Double?
        var meshDeletedWall: Double?
        var meshDeleted: UInt64?
        var requestDeleted: Bool = false
    }
    private let state = Mutex<[String: Entry]>([:])

    func update(_ name: String, _ change: (inout Entry) -> Void) {
        state.withLock { change(&$0[name, default: Entry()]) }
    }

    func entries(_ names: [String]) -> [Entry] { state.withLock { table in names.map { table[$0] ?? Entry() } } }

    func entry(_ name: String) -> Entry { state.withLock { $0[name] ?? Entry() } }

    /// Milliseconds from create to (mesh object added and Active seen), for names that got there.
    func timesToGrant(_ names: [String]) -> [Double] {
        entries(names).compactMap { entry in
            guard let created = entry.created, let active = entry.active, let mesh = entry.meshAdded else { return nil }
            return Double(max(active, mesh) &- created) / 1e6
        }
    }

    /// One line per name, in creation order: ms from the first create to this create, then ms
    /// from the create to Active seen, to the mesh object seen, to the create's response and to
    /// the request's first watch event (empty when not seen); kept
    /// beside a run's output to show where in a batch the slow grants fall.
    func trace(_ names: [String]) -> String {
        let all = entries(names)
        let start = all.compactMap(\.created).min() ?? 0
        func ms(_ from: UInt64?, _ to: UInt64?) -> String {
            guard let from, let to else { return "" }
            return String(format: "%.2f", Double(Int64(bitPattern: to &- from)) / 1e6)
        }
        // The first create's CLOCK_MONOTONIC time, to line a batch up with `perf record -k CLOCK_MONOTONIC`.
        return "# first create at CLOCK_MONOTONIC \(start) ns\n"
            + all.map {
                "\(ms(start, $0.created))\t\(ms($0.created, $0.active))\t\(ms($0.created, $0.meshAdded))"
                    + "\t\(ms($0.created, $0.createAnswered))\t\(ms($0.created, $0.seen))"
            }
            .joined(separator: "\n") + "\n"
    }

    func granted(_ names: [String]) -> Int { entries(names).filter { $0.active != nil && $0.meshAdded != nil }.count }
}

/// The driver: one Kube client, the watches of one namespace at a time, paced creation.
final class Driver: Sendable {
    let client: KubeClient
    let observer = Observer()
    private let watches = Mutex<[Task<Void, Never>]>([])

    init(kubeconfig: String) throws {
        let configuration = try ClientConfiguration.load(environment: ["KUBECONFIG": kubeconfig])
        client = KubeClient(configuration: configuration)
    }

    // MARK: Objects

    static func requestBody(_ name: String, namespace: String, duration: String, apiVersion: String = Kinds.requests.apiVersion) -> Data {
        Data(#"""
        {"apiVersion":"\#(apiVersion)","kind":"ElevationRequest","metadata":{"name":"\#(name)","namespace":"\#(namespace)"},
         "spec":{"policy":"bench","requester":{"user":"oncall@example.com","groups":["oncall"]},
          "subject":{"serviceAccount":{"namespace":"tools","name":"debugger"}},
          "rules":[{"ports":["8080"],"methods":["GET"],"paths":["/admin/queue"]}],
          "duration":"\#(duration)","reason":"INC-1234 benchmark"}}
        """#.utf8)
    }

    /// A namespace with a baseline ALLOW policy (the default-deny guard) and ElevationPolicy `bench`
    /// (auto-approves reasons `INC-<n>` up to 2h, no limits on active grants); waits until the
    /// controller marked the policy Ready when `waitReady`.
    func prepare(namespace: String, waitReady: Bool) async throws {
        _ = try await client.send(Endpoint(Kinds.namespaces).create(Data(#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"\#(namespace)"}}"#.utf8)))
        _ = try await client.send(Endpoint(Kinds.authorizationPolicies, namespace: namespace).create(Data(#"""
            {"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy","metadata":{"name":"baseline","namespace":"\#(namespace)"},
             "spec":{"selector":{"matchLabels":{"app":"payments"}},"rules":[{"from":[{"source":{"namespaces":["\#(namespace)"]}}]}]}}
            """#.utf8)))
        // The controller's guard must have seen the baseline before it first judges the policy:
        // its Ready is recomputed when the policy changes, not when AuthorizationPolicies do.
        try await Task.sleep(for: .milliseconds(300))
        _ = try await client.send(Endpoint(Kinds.policies, namespace: namespace).create(Data(#"""
            {"apiVersion":"elevator.dev/v1alpha1","kind":"ElevationPolicy","metadata":{"name":"bench","namespace":"\#(namespace)"},
             "spec":{"mesh":"istio","target":{"workloadSelector":{"matchLabels":{"app":"payments"}}},
              "subjects":[{"serviceAccount":{"namespace":"tools","name":"debugger"}}],
              "rules":[{"ports":["8080"],"methods":["GET","POST"],"paths":["/admin/*"]}],
              "requesters":{"groups":["oncall"]},"defaultDuration":"15m","maxDuration":"2h","requireReason":true,
              "maxActiveGrants":0,"maxActivePerRequester":0,
              "approval":{"stages":[{"name":"oncall","groups":["oncall"],"required":1}],
               "autoApprove":{"maxDuration":"2h","reasonPattern":"^INC-[0-9]+"},"timeout":"1h"}}}
            """#.utf8)))
        guard waitReady else { return }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let policy = try await client.get(JSONValue.self, Kinds.policies, name: "bench", namespace: namespace)
            let ready = policy["status"]?["conditions"]?.arrayValue?.contains {
                $0["type"]?.stringValue == "Ready" && $0["status"]?.stringValue == "True"
            }
            if ready == true { return }
            try await Task.sleep(for: .milliseconds(10))
            if Date() > deadline.addingTimeInterval(-25), policy["metadata"]?["annotations"]?["bench/touched"] == nil {
                // Judged before the baseline reached the controller's cache: change the policy once.
                _ = try await client.send(Endpoint(Kinds.policies, namespace: namespace).patch(
                    "bench", .merge, Data(#"{"metadata":{"annotations":{"bench/touched":"1"}}}"#.utf8)))
            }
        }
        fail("the controller did not mark ElevationPolicy \(namespace)/bench Ready")
    }

    /// Installs `Kinds.floorRequests` and `Kinds.floorAuthorizationPolicies`: the sandbox's own
    /// CRDs of ElevationRequest and AuthorizationPolicy, schemas and subresources unchanged, under
    /// `Kinds.floorGroup`, so that the floor's round trips cost what the grant's do.
    func installFloorKinds() async throws {
        for source in ["\(Kinds.requests.plural).\(Kinds.requests.group)", "\(Kinds.authorizationPolicies.plural).\(Kinds.authorizationPolicies.group)"] {
            var crd = try await client.get(JSONValue.self, Kinds.crds, name: source)
            let plural = crd["spec"]?["names"]?["plural"]?.stringValue ?? ""
            crd["metadata"] = .object(["name": .string("\(plural).\(Kinds.floorGroup)")])
            crd["spec"]?["group"] = .string(Kinds.floorGroup)
            crd["spec"]?["names"]?["shortNames"] = nil
            crd["spec"]?["names"]?["categories"] = nil
            crd["status"] = nil
            _ = try await client.send(Endpoint(Kinds.crds).create(Data(JSONWriter.encode(crd))))
        }
        // Served once the sandbox has rebuilt its catalog.
        for kind in [Kinds.floorRequests, Kinds.floorAuthorizationPolicies] {
            let deadline = Date().addingTimeInterval(10)
            while (try? await client.send(Endpoint(kind, namespace: "default").list())) == nil {
                guard Date() < deadline else { fail("the sandbox did not serve \(kind.plural).\(kind.group)") }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// Deletes a namespace; the sandbox removes its objects at once.
    func drop(namespace: String) async throws {
        stopWatching()
        _ = try await client.send(Endpoint(Kinds.namespaces).delete(namespace))
    }

    // MARK: Watches

    /// Watches requests and AuthorizationPolicies of `namespace` (only), from now.
    func watch(namespace: String) async throws {
        stopWatching()
        let client = self.client
        let observer = self.observer
        let requests = try await client.list(RequestView.self, Kinds.requests, namespace: namespace, options: ListOptions(limit: 1))
        let mesh = try await client.list(NamedView.self, Kinds.authorizationPolicies, namespace: namespace, options: ListOptions(limit: 1))
        let requestTask = Task.detached {
            var version = requests.metadata.resourceVersion
            while !Task.isCancelled {
                do {
                    for try await event in client.watch(RequestView.self, Kinds.requests, namespace: namespace, options: WatchOptions(resourceVersion: version)) {
                        let now = monoNanos()
                        switch event {
                        case .added(let view), .modified(let view):
                            version = view.metadata.resourceVersion
                            guard let name = view.metadata.name else { continue }
                            guard view.status?.phase == "Active" else {
                                observer.update(name) { if $0.seen == nil { $0.seen = now } }
                                continue
                            }
                            let expires = view.status?.expiresAt.flatMap(parseTime)
                            observer.update(name) { entry in
                                if entry.active == nil { entry.active = now }
                                entry.expiresAt = expires
                            }
                        case .deleted(let view):
                            version = view.metadata.resourceVersion
                            if let name = view.metadata.name { observer.update(name) { $0.requestDeleted = true } }
                        case .bookmark(let resourceVersion, _): version = resourceVersion
                        case .error: version = nil
                        }
                    }
                } catch {
                    try? await Task.sleep(for: .milliseconds(50))
                }
                if version == nil { version = try? await client.list(RequestView.self, Kinds.requests, namespace: namespace, options: ListOptions(limit: 1)).metadata.resourceVersion }
            }
        }
        let meshTask = Task.detached {
            var version = mesh.metadata.resourceVersion
            while !Task.isCancelled {
                do {
                    for try await event in client.watch(NamedView.self, Kinds.authorizationPolicies, namespace: namespace, options: WatchOptions(resourceVersion: version)) {
                        let now = monoNanos()
                        let wall = wallSeconds()
                        switch event {
                        case .added(let view):
                            version = view.metadata.resourceVersion
                            guard let name = view.metadata.name, name.hasPrefix("elevator-") else { continue }
                            observer.update(String(name.dropFirst(9))) { if $0.meshAdded == nil { $0.meshAdded = now } }
                        case .deleted(let view):
                            version = view.metadata.resourceVersion
                            guard let name = view.metadata.name, name.hasPrefix("elevator-") else { continue }
                            observer.update(String(name.dropFirst(9))) {
                                $0.meshDeleted = now
                                $0.meshDeletedWall = wall
                            }
                        case .modified(let view): version = view.metadata.resourceVersion
                        case .bookmark(let resourceVersion, _): version = resourceVersion
                        case .error: version = nil
                        }
                    }
                } catch {
                    try? await Task.sleep(for: .milliseconds(50))
                }
                if version == nil { version = try? await client.list(NamedView.self, Kinds.authorizationPolicies, namespace: namespace, options: ListOptions(limit: 1)).metadata.resourceVersion }
            }
        }
        watches.withLock { $0 = [requestTask, meshTask] }
        try await Task.sleep(for: .milliseconds(100))  // both watches are open before anything is created
    }

    func stopWatching() {
        for task in watches.withLock({ tasks in defer { tasks = [] }; return tasks }) { task.cancel() }
    }

    // MARK: Load

    /// Creates one request per name at `rate` per second (each create sent at its slot, without
    /// waiting for earlier ones); stamps each name with the time its create was sent.
    /// Returns the number of creates that failed.
    func create(_ names: [String], namespace: String, rate: Double, duration: @escaping @Sendable (Int) -> String) async -> Int {
        let client = self.client
        let observer = self.observer
        let endpoint = Endpoint(Kinds.requests, namespace: namespace)
        return await withTaskGroup(of: Bool.self) { group in
            let start = ContinuousClock.now
            for (index, name) in names.enumerated() {
                let due = start + .nanoseconds(Int64(Double(index) / rate * 1e9))
                if due > .now { try? await Task.sleep(until: due, clock: .continuous) }
                let body = Self.requestBody(name, namespace: namespace, duration: duration(index))
                group.addTask {
                    observer.update(name) { $0.created = monoNanos() }
                    do {
                        _ = try await client.send(endpoint.create(body))
                        observer.update(name) { $0.createAnswered = monoNanos() }
                        return true
                    } catch {
                        return false
                    }
                }
            }
            var failed = 0
            for await ok in group where !ok { failed += 1 }
            return failed
        }
    }

    /// Deletes the named requests, `concurrency` at a time.
    func delete(_ names: [String], namespace: String, concurrency: Int = 32) async {
        let client = self.client
        await withTaskGroup(of: Void.self) { group in
            for (index, name) in names.enumerated() {
                if index >= concurrency { await group.next() }
                group.addTask { _ = try? await client.send(Endpoint(Kinds.requests, namespace: namespace).delete(name)) }
            }
        }
    }

    /// Polls `condition` until it holds or `timeout` seconds pass; returns whether it held. Every
    /// 10 ms for the first second, then every 50 ms: a condition over 10,000 names costs the
    /// driver CPU the processes under test share, and the timestamps come from the watches, not
    /// from here.
    func wait(timeout: Double, _ condition: () -> Bool) async -> Bool {
        let start = Date()
        let deadline = start.addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(Date().timeIntervalSince(start) < 1 ? 10 : 50))
        }
        return condition()
    }
}

/// RFC 3339 with whole seconds (`2026-11-25T04:00:00Z`), as the controller writes `expiresAt`.
func parseTime(_ text: String) -> Double? {
    let digits = Array(text.utf8)
    guard digits.count >= 20 else { return nil }
    func number(_ start: Int, _ count: Int) -> Int32 {
        digits[start..<start + count].reduce(0) { $0 * 10 + Int32($1) - 48 }
    }
    var parts = tm()
    parts.tm_year = number(0, 4) - 1900
    parts.tm_mon = number(5, 2) - 1
    parts.tm_mday = number(8, 2)
    parts.tm_hour = number(11, 2)
    parts.tm_min = number(14, 2)
    parts.tm_sec = number(17, 2)
    return Double(timegm(&parts))
}
