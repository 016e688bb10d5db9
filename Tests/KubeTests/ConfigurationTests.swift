import Foundation
import Synchronization
import Testing
import YAML

@testable import Kube

@Suite struct KubeconfigTests {
    static let primary = """
        {"apiVersion":"v1","kind":"Config","current-context":"dev",
         "clusters":[{"name":"c1","cluster":{"server":"https://10.0.0.1:6443","certificate-authority-data":"UEVNIQ==","tls-server-name":"kubernetes"}},
                     {"name":"c2","cluster":{"server":"https://c2.example","certificate-authority":"ca.pem","insecure-skip-tls-verify":true}}],
         "users":[{"name":"alice","user":{"token":"t0ps3cret"}},
                  {"name":"bob","user":{"client-certificate":"bob.crt","client-key":"/keys/bob.key"}},
                  {"name":"carol","user":{"exec":{"apiVersion":"client.authentication.k8s.io/v1","command":"./plugin","args":["get"],"env":[{"name":"A","value":"b"}],"interactiveMode":"Never","provideClusterInfo":true}}}],
         "contexts":[{"name":"dev","context":{"cluster":"c1","user":"alice","namespace":"team-a"}},
                     {"name":"ops","context":{"cluster":"c2","user":"bob"}},
                     {"name":"sso","context":{"cluster":"c1","user":"carol"}}]}
        """
    static let secondary = """
        {"current-context":"other",
         "clusters":[{"name":"c1","cluster":{"server":"https://shadowed"}},{"name":"c3","cluster":{"server":"https://c3"}}],
         "users":[{"name":"alice","user":{"token":"shadowed"}},{"name":"dave","user":{"tokenFile":"dave.token"}}],
         "contexts":[{"name":"other","context":{"cluster":"c3","user":"dave"}}]}
        """

    func parse(_ text: String, directory: String = "/etc/kube") throws -> Kubeconfig {
        try Kubeconfig(document: try KubeconfigFile.parseJSON(text, file: "test"), directory: directory)
    }

    @Test func currentContextSelectsClusterUserAndNamespace() throws {
        let config = try ClientConfiguration(kubeconfig: try parse(Self.primary))
        #expect(config.server == "https://10.0.0.1:6443")
        #expect(config.namespace == "team-a")
        #expect(config.credentials == .token("t0ps3cret"))
        #expect(config.tls.certificateAuthority == .data(Array("PEM!".utf8)))
        #expect(config.tls.serverName == "kubernetes")
        #expect(!config.tls.insecureSkipVerify)
    }

    @Test func relativePathsResolveAgainstTheFilesDirectory() throws {
        let config = try ClientConfiguration(kubeconfig: try parse(Self.primary), context: "ops")
        #expect(config.namespace == "default")
        #expect(config.tls.certificateAuthority == .file("/etc/kube/ca.pem"))
        #expect(config.tls.clientCertificate == .file("/etc/kube/bob.crt"))
        #expect(config.tls.clientKey == .file("/keys/bob.key"))
        #expect(config.tls.insecureSkipVerify)
        let sso = try ClientConfiguration(kubeconfig: try parse(Self.primary), context: "sso")
        #expect(sso.credentials == .exec(ExecConfig(
            command: "/etc/kube/./plugin", args: ["get"], env: ["A": "b"], interactiveMode: "Never", provideClusterInfo: true)))
    }

    @Test func firstFileWinsForEveryNameAndCurrentContext() throws {
        let merged = Kubeconfig.merged([try parse(Self.primary), try parse(Self.secondary, directory: "/other")])
        #expect(merged.currentContext == "dev")
        #expect(merged.clusters["c1"]?.server == "https://10.0.0.1:6443")
        #expect(merged.users["alice"]?.token == "t0ps3cret")
        #expect(merged.clusters["c3"]?.server == "https://c3")
        let other = try ClientConfiguration(kubeconfig: merged, context: "other")
        #expect(other.credentials == .tokenFile("/other/dave.token"))
        let reversed = Kubeconfig.merged([try parse(#"{"clusters":[]}"#), try parse(Self.secondary)])
        #expect(reversed.currentContext == "other")
    }

    @Test func loadMergesTheKubeconfigListAndSkipsMissingFiles() throws {
        let directory = try TemporaryDirectory()
        let first = try directory.write("a.json", Self.secondary.replacingOccurrences(of: #""current-context":"other","#, with: ""))
        let second = try directory.write("b.json", Self.primary)
        let config = try ClientConfiguration.load(
            environment: ["KUBECONFIG": "\(directory.path)/missing::\(first):\(second)"])
        // current-context comes from the second file (the first has none); c1 from the first file.
        #expect(config.server == "https://shadowed")
        #expect(config.credentials == .token("shadowed"))
    }

    @Test func unusableConfigurationsSayWhatToFix() throws {
        #expect(throws: KubeError.configuration("context 'nope' is not in the kubeconfig")) {
            try ClientConfiguration(kubeconfig: try parse(Self.primary), context: "nope")
        }
        #expect(throws: KubeError.self) { try parse(#"{"clusters":[{"name":"x","cluster":{}}]}"#) }
        #expect(throws: KubeError.self) {
            try parse(#"{"users":[{"name":"u","user":{"exec":{"apiVersion":"client.authentication.k8s.io/v1alpha1","command":"x"}}}]}"#)
        }
        #expect(throws: KubeError.self) {
            try ClientConfiguration.load(environment: ["KUBECONFIG": "/nonexistent/kubeconfig"])
        }
        let error = #expect(throws: KubeError.self) {
            try parse(#"{"clusters":[{"name":"c","cluster":{"server":"https://x","certificate-authority-data":"%%%"}}]}"#)
        }
        #expect(error?.description.contains("certificate-authority-data of cluster 'c'") == true)
    }

    @Test func inClusterReadsServiceAccountAndBracketsIPv6() throws {
        let directory = try TemporaryDirectory()
        try directory.write("token", "abc\n")
        try directory.write("namespace", "elevator-system\n")
        try directory.write("ca.crt", "PEM")
        let config = try ClientConfiguration.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"], directory: directory.path)
        #expect(config.server == "https://[fd00::1]:443")
        #expect(config.namespace == "elevator-system")
        #expect(config.tls.certificateAuthority == .file(directory.path + "/ca.crt"))
        #expect(config.credentials == .serviceAccountToken(directory.path + "/token"))
        let v4 = try ClientConfiguration.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"], directory: directory.path)
        #expect(v4.server == "https://10.96.0.1:443")
        #expect(throws: KubeError.self) { try ClientConfiguration.inCluster(environment: [:], directory: directory.path) }
    }
}

/// A wall clock the test moves by hand.
final class TestWallClock: Sendable {
    private let seconds = Mutex<TimeInterval>(1_780_000_000)
    var now: Date { Date(timeIntervalSince1970: seconds.withLock { $0 }) }
    func advance(_ interval: TimeInterval) { seconds.withLock { $0 += interval } }
}

@Suite struct CredentialSourceTests {
    @Test func tokenFileIsReReadAfterSixtySecondsAndAfterA401() async throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write("token", "one\n")
        let clock = TestWallClock()
        let source = CredentialSource(
            configuration: ClientConfiguration(server: "https://x", credentials: .serviceAccountToken(path)),
            now: { clock.now })
        #expect(try await source.current().bearerToken == "one")
        try directory.write("token", "two")
        clock.advance(59)
        #expect(try await source.current().bearerToken == "one")
        clock.advance(1)
        #expect(try await source.current().bearerToken == "two")
        try directory.write("token", "three")
        await source.invalidate()
        #expect(try await source.current().bearerToken == "three")
        // A token file that vanishes keeps the last good token.
        try FileManager.default.removeItem(atPath: path)
        clock.advance(61)
        #expect(try await source.current().bearerToken == "three")
    }

    @Test func execPluginIsCachedUntilExpiryAndRerunAfterA401() async throws {
        let directory = try TemporaryDirectory()
        let clock = TestWallClock()
        // The plugin counts its runs and records the exec info it was given.
        let script = """
            #!/bin/sh
            n=$(cat "\(directory.path)/count" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "\(directory.path)/count"
            printf '%s' "$KUBERNETES_EXEC_INFO" > "\(directory.path)/info"
            printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"tok-%s-%s","expirationTimestamp":"2026-05-28T20:36:40Z"}}' "$n" "$1"
            """
        try directory.write("plugin", script, executable: true)
        let kubeconfig = """
            {"current-context":"c","clusters":[{"name":"c","cluster":{"server":"https://api","certificate-authority-data":"UEVNIQ=="}}],
             "users":[{"name":"u","user":{"exec":{"apiVersion":"client.authentication.k8s.io/v1","command":"./plugin","args":["x"],"interactiveMode":"Never","provideClusterInfo":true}}}],
             "contexts":[{"name":"c","context":{"cluster":"c","user":"u"}}]}
            """
        let file = try directory.write("config", kubeconfig)
        let configuration = try ClientConfiguration(kubeconfig: try KubeconfigFile.read(file))
        let source = CredentialSource(configuration: configuration, now: { clock.now })
        // Ten concurrent callers share one run.
        let tokens = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<10 { group.addTask { try await source.current().bearerToken } }
            return try await group.reduce(into: Set<String?>()) { $0.insert($1) }
        }
        #expect(tokens == ["tok-1-x"])
        let info = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: URL(fileURLWithPath: directory.path + "/info")))
        #expect(info["spec"]?["interactive"] == .bool(false))
        #expect(info["spec"]?["cluster"]?["server"] == .string("https://api"))
        #expect(info["spec"]?["cluster"]?["certificate-authority-data"] == .string("UEVNIQ=="))
        // Valid until 20:36:40; the clock starts at 20:26:40.
        clock.advance(599)
        #expect(try await source.current().bearerToken == "tok-1-x")
        clock.advance(1)
        #expect(try await source.current().bearerToken == "tok-2-x")
        await source.invalidate()
        #expect(try await source.current().bearerToken == "tok-3-x")
        #expect(await source.refreshCount == 3)
    }

    @Test func failingPluginReportsItsExitStatusWithoutCredentials() async throws {
        let runner = ExecRunner { _, _, _ in .init(status: 3, stdout: Array("secret-token".utf8), stderr: Array("login required".utf8)) }
        let source = CredentialSource(
            configuration: ClientConfiguration(server: "https://x", credentials: .exec(ExecConfig(command: "/bin/plugin"))),
            runner: runner)
        let error = await #expect(throws: KubeError.self) { try await source.current() }
        #expect(error?.description.contains("exit status 3: login required") == true)
        #expect(error?.description.contains("secret-token") == false)
    }
}

@Suite struct YAMLKubeconfigTests {
    @Test func yamlKubeconfigAsKubectlWritesIt() throws {
        let directory = try TemporaryDirectory()
        let yaml = """
            apiVersion: v1
            kind: Config
            current-context: kind-dev
            preferences: {}
            clusters:
            - cluster:
                certificate-authority-data: UEVNIQ==
                server: https://127.0.0.1:39017
              name: kind-dev
            contexts:
            - context:
                cluster: kind-dev
                user: kind-dev
                namespace: elevator-system
              name: kind-dev
            users:
            - name: kind-dev
              user:
                tokenFile: secrets/token
            """
        let file = try directory.write("config", yaml)
        let configuration = try ClientConfiguration.load(environment: ["KUBECONFIG": file])
        #expect(configuration.server == "https://127.0.0.1:39017")
        #expect(configuration.namespace == "elevator-system")
        #expect(configuration.credentials == .tokenFile(directory.path + "/secrets/token"))
        #expect(configuration.tls.certificateAuthority == .data(Array("PEM!".utf8)))
    }

    @Test func brokenYAMLNamesTheFile() throws {
        let directory = try TemporaryDirectory()
        let file = try directory.write("config", "clusters: [\n  - {")
        let error = #expect(throws: KubeError.self) { try KubeconfigFile.read(file) }
        #expect(error?.description.contains(file) == true)
    }
}
