import Foundation
import Testing
import YAML

@testable import KubeSandbox

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite struct SandboxServerTests {
    @Test func startsOnAFreePortServesTheAPIAndStops() async throws {
        let server = SandboxServer()
        try await server.start()
        #expect(server.url.hasPrefix("http://127.0.0.1:"))
        let token = try #require(server.token)
        var request = URLRequest(url: try #require(URL(string: server.url + "/api/v1/namespaces/default/configmaps")))
        request.httpMethod = "POST"
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(#"{"metadata":{"name":"from-test"}}"#.utf8)
        let (_, created) = try await URLSession.shared.data(for: request)
        #expect((created as? HTTPURLResponse)?.statusCode == 201)
        #expect(server.counters.count(verb: "create", resource: "configmaps") == 1)
        #expect(try server.store.get(configMaps, namespace: "default", name: "from-test").value["kind"] == .string("ConfigMap"))

        request.setValue("Bearer wrong", forHTTPHeaderField: "Authorization")
        let (_, refused) = try await URLSession.shared.data(for: request)
        #expect((refused as? HTTPURLResponse)?.statusCode == 401)
        await server.stop()
    }

    @Test func tokenFilesFollowKubeApiserversCSV() throws {
        let tokens = try TokenAuthenticator(csv: "t1,alice,u1,\"a,b\"\n# comment\n\nt2,bob,u2\n", source: "tokens.csv")
        #expect(tokens.authenticate(authorization: "Bearer t1") == UserInfo(username: "alice", uid: "u1", groups: ["a", "b"]))
        #expect(tokens.authenticate(authorization: "Bearer t2")?.groups == [])
        #expect(tokens.authenticate(authorization: "Bearer t3") == nil)
        #expect(throws: SandboxConfigError.tokenFile("tokens.csv:1: a token line needs token,user,uid[,\"group1,group2\"]")) {
            try TokenAuthenticator(csv: "only-a-token\n", source: "tokens.csv")
        }
    }

    @Test func faultsInjectErrorsEvenlyAndResetCleanly() {
        let faults = FaultSwitchboard(store: makeStore())
        faults.update { $0.errorRate = 0.5; $0.errorCode = 429; $0.retryAfterSeconds = 7 }
        let outcomes = (0..<6).map { _ in faults.injectedError() }
        #expect(outcomes.compactMap { $0 }.count == 3)
        #expect(outcomes.compactMap { $0 }.first == .tooManyRequests(retryAfterSeconds: 7))
        faults.reset()
        #expect(faults.injectedError() == nil)
    }
}

@Suite struct SandboxServerPortTests {
    @Test func aBusyPortIsReportedNotHung() async throws {
        let first = SandboxServer()
        try await first.start()
        let port = try #require(first.url.split(separator: ":").last.flatMap { Int($0) })
        let second = SandboxServer(config: .init(port: port))
        await #expect(throws: SandboxConfigError.self) { try await second.start() }
        await first.stop()
    }
}
