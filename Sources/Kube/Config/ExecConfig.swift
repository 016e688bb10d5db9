import YAML

/// A `users[].user.exec` credential plugin (client.authentication.k8s.io/v1).
public struct ExecConfig: Hashable, Sendable {
    /// The program; a relative path containing `/` is resolved against the kubeconfig's directory.
    public var command: String
    public var args: [String]
    /// Extra environment variables for the plugin.
    public var env: [String: String]
    public var apiVersion: String
    /// `Never`, `IfAvailable` or `Always`; this client never has a terminal, so it reports
    /// `interactive: false` and refuses `Always`.
    public var interactiveMode: String
    /// Pass the cluster's server and CA to the plugin in `KUBERNETES_EXEC_INFO`.
    public var provideClusterInfo: Bool

    /// An exec configuration with the given fields.
    public init(
        command: String, args: [String] = [], env: [String: String] = [:],
        apiVersion: String = "client.authentication.k8s.io/v1", interactiveMode: String = "Never",
        provideClusterInfo: Bool = false
    ) {
        self.command = command
        self.args = args
        self.env = env
        self.apiVersion = apiVersion
        self.interactiveMode = interactiveMode
        self.provideClusterInfo = provideClusterInfo
    }

    init(json: JSONValue, user: String, directory: String) throws(KubeError) {
        guard let command = json["command"]?.stringValue, !command.isEmpty else {
            throw KubeError.configuration("the exec plugin of user '\(user)' has no command")
        }
        let apiVersion = json["apiVersion"]?.stringValue ?? ""
        guard apiVersion == "client.authentication.k8s.io/v1" || apiVersion == "client.authentication.k8s.io/v1beta1"
        else {
            throw KubeError.configuration(
                "the exec plugin of user '\(user)' has apiVersion '\(apiVersion)'; use client.authentication.k8s.io/v1")
        }
        let mode = json["interactiveMode"]?.stringValue ?? (apiVersion.hasSuffix("/v1") ? "" : "IfAvailable")
        guard ["Never", "IfAvailable", "Always"].contains(mode) else {
            throw KubeError.configuration(
                "the exec plugin of user '\(user)' needs interactiveMode Never or IfAvailable (it is '\(mode)')")
        }
        var env: [String: String] = [:]
        for item in json["env"]?.arrayValue ?? [] {
            if let name = item["name"]?.stringValue { env[name] = item["value"]?.stringValue ?? "" }
        }
        var resolved = command
        if command.contains("/"), !command.hasPrefix("/") { resolved = directory + "/" + command }
        self.init(
            command: resolved, args: json["args"]?.arrayValue?.compactMap(\.stringValue) ?? [], env: env,
            apiVersion: apiVersion, interactiveMode: mode,
            provideClusterInfo: json["provideClusterInfo"]?.boolValue ?? false)
    }
}
