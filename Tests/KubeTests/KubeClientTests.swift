import Foundation
import Testing
import YAML

@testable import Kube

@Suite(.serialized, .timeLimit(.minutes(1))) struct KubeClientTests {
    let server: TestHTTPServer
    let client: KubeClient

    init() throws {
        server = try TestHTTPServer()
        client = KubeClient(configuration: ClientConfiguration(server: server.base, namespace: "team-a"))
    }

    func lease(_ name: String, holder: String = "a") -> Lease {
        Lease(metadata: ObjectMeta(name: name, namespace: "team-a"), spec: .init(holderIdentity: holder, leaseDurationSeconds: 15))
    }

    @Test func typedLifecycleFromCreateToDelete() async throws {
        let created = try await client.create(lease("l1"))
        #expect(created.metadata.uid == "uid-l1")
        let fetched = try await client.get(Lease.self, name: "l1")
        #expect(fetched.spec?.holderIdentity == "a")

        var stale = fetched
        stale.metadata.resourceVersion = "1"
        await #expect(throws: KubeError.conflict("the object has been modified")) { try await client.replace(stale) }
        var fresh = fetched
        fresh.spec?.holderIdentity = "b"
        #expect(try await client.replace(fresh).spec?.holderIdentity == "b")

        let merged = try await client.patch(
            Lease.self, Lease.resourceType, name: "l1", .merge, Data(#"{"spec":{"holderIdentity":"c"}}"#.utf8))
        #expect(merged.spec?.holderIdentity == "c")
        #expect(merged.metadata.annotations?["test/content-type"] == "application/merge-patch+json")

        let jsonPatched = try await client.patch(
            Lease.self, Lease.resourceType, name: "l1", .json,
            Data(#"[{"op":"replace","path":"/spec/holderIdentity","value":"d"}]"#.utf8))
        #expect(jsonPatched.spec?.holderIdentity == "d")

        let applied = try await client.apply(lease("l1", holder: "e"), fieldManager: "elevator")
        #expect(applied.spec?.holderIdentity == "e")
        #expect(applied.metadata.annotations?["test/content-type"] == "application/apply-patch+yaml")
        #expect(applied.metadata.annotations?["test/query"] == "fieldManager=elevator&fieldValidation=Strict&force=true")

        let status = try await client.patchStatus(
            Lease.self, Lease.resourceType, name: "l1", Data(#"{"spec":{"holderIdentity":"f"}}"#.utf8))
        #expect(status.metadata.annotations?["test/subresource"] == "/status")

        await #expect(throws: KubeError.self) {
            try await client.delete(Lease.resourceType, name: "l1", options: DeleteOptions(preconditionUID: "someone-else"))
        }
        try await client.delete(Lease.resourceType, name: "l1", options: DeleteOptions(preconditionUID: "uid-l1", propagationPolicy: .background))
        await #expect(throws: KubeError.notFound(#"leases "l1" not found"#)) { try await client.get(Lease.self, name: "l1") }

        let calls = client.apiCalls.snapshot
        #expect(calls[.create] == 1)
        #expect(calls[.replace] == 2)
        #expect(calls[.patch] == 3)
        #expect(calls[.apply] == 1)
        #expect(calls[.delete] == 2)
        #expect(calls[.get] == 2)
    }

    @Test func createOfAnExistingObjectIsAlreadyExists() async throws {
        _ = try await client.create(lease("dup"))
        await #expect(throws: KubeError.alreadyExists(#"leases "dup" already exists"#)) { try await client.create(lease("dup")) }
        #expect(client.apiCalls.snapshot[.create] == 2)
    }

    @Test func unstructuredApplyAndGet() async throws {
        let object: JSONValue = .object([
            "apiVersion": .string("coordination.k8s.io/v1"), "kind": .string("Lease"),
            "metadata": .object(["name": .string("raw"), "namespace": .string("team-a")]),
            "spec": .object(["holderIdentity": .string("x")]),
        ])
        let applied = try await client.apply(object, Lease.resourceType, fieldManager: "m", force: false)
        #expect(applied["spec"]?["holderIdentity"] == .string("x"))
        let fetched = try await client.get(JSONValue.self, Lease.resourceType, name: "raw")
        #expect(fetched["metadata"]?["annotations"]?["test/query"] == .string("fieldManager=m&fieldValidation=Strict"))
    }

    @Test func listAllFollowsContinueTokens() async throws {
        for index in 0..<5 { _ = try await client.create(lease("l\(index)")) }
        let (items, version) = try await client.listAll(Lease.self, Lease.resourceType, namespace: "team-a", options: ListOptions(limit: 2))
        #expect(items.map { $0.metadata.name ?? "" } == ["l0", "l1", "l2", "l3", "l4"])
        #expect(version == "105")
        #expect(client.apiCalls.snapshot[.list] == 3)
    }

    @Test func tooManyRequestsIsRetriedAfterRetryAfter() async throws {
        let start = ContinuousClock.now
        let request = KubeRequest(method: .get, verb: .get, path: "/flaky/a", query: [("fail", "2"), ("after", "1")])
        let response = try await client.send(request)
        let object = try JSONDecoder().decode(JSONValue.self, from: response.body)
        #expect(object["metadata"]?["annotations"]?["attempts"] == .string("3"))
        #expect(start.duration(to: .now) >= .seconds(2))
        #expect(client.apiCalls.snapshot[.get] == 3)
    }

    @Test func createIsNotRetriedOn429() async throws {
        let request = KubeRequest(method: .post, verb: .create, path: "/flaky/b", query: [("fail", "1")], body: Data("{}".utf8))
        await #expect(throws: KubeError.tooManyRequests(retryAfter: .seconds(1), "slow down")) { try await client.send(request) }
        #expect(client.apiCalls.snapshot[.create] == 1)
    }

    @Test func serverErrorsExhaustRetriesAndSurface() async throws {
        let quick = KubeClient(
            configuration: ClientConfiguration(server: server.base),
            retryPolicy: RetryPolicy(maxRetries: 2, initialDelay: .milliseconds(10)))
        let request = KubeRequest(method: .get, verb: .get, path: "/flaky/c", query: [("fail", "10"), ("code", "503"), ("after", "0")])
        await #expect(throws: KubeError.self) { try await quick.send(request) }
        #expect(quick.apiCalls.snapshot[.get] == 3)
    }

    @Test func watchDeliversEventsThenEndsCleanly() async throws {
        _ = try await client.create(lease("w1"))
        _ = try await client.create(lease("w2"))
        var seen: [String] = []
        for try await event in client.watch(Lease.self, namespace: "team-a", options: WatchOptions(resourceVersion: "0")) {
            switch event {
            case .added(let lease): seen.append("ADDED \(lease.metadata.name ?? "")")
            case .bookmark(let version, _): seen.append("BOOKMARK \(version)")
            default: seen.append("other")
            }
        }
        #expect(seen == ["ADDED w1", "ADDED w2", "BOOKMARK 102"])
        #expect(client.apiCalls.snapshot[.watch] == 1)
    }

    @Test func expiredWatchYieldsA410Error() async throws {
        var statuses: [Status] = []
        for try await event in client.watch(Lease.self, namespace: "team-a", options: WatchOptions(resourceVersion: "expired")) {
            if case .error(let status) = event { statuses.append(status) }
        }
        #expect(statuses.map(\.code) == [410])
        #expect(KubeError(status: statuses[0]) == .gone("too old resource version"))
    }

    @Test func proxyURLFromTheKubeconfigIsUsed() async throws {
        let kubeconfig = """
            {"current-context":"c","clusters":[{"name":"c","cluster":{"server":"http://api.invalid:6443","proxy-url":"\(server.base)"}}],
             "users":[{"name":"u","user":{}}],"contexts":[{"name":"c","context":{"cluster":"c","user":"u"}}]}
            """
        let configuration = try ClientConfiguration(kubeconfig: try Kubeconfig(document: try KubeconfigFile.parseJSON(kubeconfig, file: "k"), directory: "/"))
        #expect(configuration.proxyURL == server.base)
        // The test server answers absolute-URI requests as a proxy would forward them.
        let response = try await KubeClient(configuration: configuration).send(KubeRequest(method: .get, verb: .get, path: "/echo"))
        #expect(response.status == 200)
        // An HTTP proxy that does not tunnel needs the absolute URL in the request line.
        let echoed = try JSONDecoder().decode(JSONValue.self, from: response.body)
        #expect(echoed["target"] == .string("http://api.invalid:6443/echo"))
    }

    @Test func watchOfAMissingPathThrowsTheStatus() async throws {
        let stream = client.watch(JSONValue.self, ResourceType(group: "x.io", version: "v1", plural: "nothings", kind: "Nothing", namespaced: false))
        await #expect(throws: KubeError.notFound("no such path")) {
            for try await _ in stream {}
        }
    }
}

@Suite(.serialized, .timeLimit(.minutes(1))) struct KubeClientAuthTests {
    @Test func rotatedTokenFileIsPickedUpAfterA401() async throws {
        let directory = try TemporaryDirectory()
        let expected = try directory.write("server-token", "new")
        let tokenFile = try directory.write("client-token", "old")
        let server = try TestHTTPServer(arguments: ["--token-file", expected])
        let client = KubeClient(configuration: ClientConfiguration(server: server.base, credentials: .tokenFile(tokenFile)))
        await #expect(throws: KubeError.self) { try await client.get(Lease.self, name: "x") }
        // The token rotates; the cached one is rejected once, re-read, and the call succeeds.
        try directory.write("client-token", "new")
        await #expect(throws: KubeError.notFound(#"leases "x" not found"#)) { try await client.get(Lease.self, name: "x") }
        #expect(client.apiCalls.snapshot[.get] == 4)
    }

    @Test func fixedTokenIsNotRetriedOn401() async throws {
        let directory = try TemporaryDirectory()
        let expected = try directory.write("server-token", "right")
        let server = try TestHTTPServer(arguments: ["--token-file", expected])
        let client = KubeClient(configuration: ClientConfiguration(server: server.base, credentials: .token("tok-XYZ123")))
        let error = await #expect(throws: KubeError.self) { try await client.get(Lease.self, name: "x") }
        #expect(error?.description.contains("XYZ123") == false)
        #expect(client.apiCalls.snapshot[.get] == 1)
    }
}
