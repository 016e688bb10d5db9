import ArgumentParser
import Elevation
import ElevatorController
import Foundation
import Kube
import Logging
import ServiceLifecycle

/// `elevator controller`: flag parsing and wiring only; the controller lives in ElevatorController.
/// Every flag can also be given as the environment variable `ELEVATOR_<FLAG>` (upper case,
/// dashes as underscores); a flag on the command line wins.
struct Controller: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Run the controller that grants and withdraws mesh access for ElevationRequests.")

    @Option(help: "Kubeconfig file (default: $KUBECONFIG, ~/.kube/config, else in-cluster). Env ELEVATOR_KUBECONFIG.")
    var kubeconfig: String?
    @Option(help: "Kubeconfig context to use. Env ELEVATOR_CONTEXT.")
    var context: String?
    @Option(help: "Watch only this namespace (default: all). Env ELEVATOR_NAMESPACE.")
    var namespace: String?
    @Flag(help: "Elect a leader through the Lease elevator-controller. Env ELEVATOR_LEADER_ELECT.")
    var leaderElect = false
    @Option(help: "Namespace of the leader election Lease (default elevator-system). Env ELEVATOR_LEADER_ELECTION_NAMESPACE.")
    var leaderElectionNamespace: String?
    @Option(help: "Istio trust domain of principals (default cluster.local). Env ELEVATOR_TRUST_DOMAIN.")
    var trustDomain: String?
    @Option(help: "Istio root namespace (default istio-system). Env ELEVATOR_MESH_ROOT_NAMESPACE.")
    var meshRootNamespace: String?
    @Option(help: "Delete finished requests after this long; 0 keeps them (default 720h). Env ELEVATOR_RETAIN_FINISHED.")
    var retainFinished: String?
    @Option(help: "How often orphaned mesh objects are swept (default 30s). Env ELEVATOR_SWEEP_INTERVAL.")
    var sweepInterval: String?
    @Option(help: "Serve /metrics here; empty disables (default :8080). Env ELEVATOR_METRICS_ADDRESS.")
    var metricsAddress: String?
    @Option(help: "Serve /healthz and /readyz here; empty disables (default :8081). Env ELEVATOR_PROBE_ADDRESS.")
    var probeAddress: String?
    @Option(help: "Log format: json or text (default text). Env ELEVATOR_LOG_FORMAT.")
    var logFormat: String?
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default info). Env ELEVATOR_LOG_LEVEL.")
    var logLevel: String?
    @Option(help: "POST a JSON notification (Slack-compatible text) here on every transition that needs a person. Env ELEVATOR_NOTIFY_URL.")
    var notifyURL: String?
    @Flag(help: "Grant even when the identity ValidatingAdmissionPolicies are missing. Env ELEVATOR_ALLOW_UNVERIFIED_IDENTITY.")
    var allowUnverifiedIdentity = false

    func run() async throws {
        HeapTuning.apply()
        let environment = ProcessInfo.processInfo.environment
        func setting(_ flag: String?, _ name: String, _ fallback: String) -> String {
            flag ?? environment["ELEVATOR_" + name] ?? fallback
        }
        func switched(_ flag: Bool, _ name: String) -> Bool {
            flag || ["1", "true", "yes"].contains(environment["ELEVATOR_" + name]?.lowercased() ?? "")
        }
        let format = setting(logFormat, "LOG_FORMAT", "text")
        guard format == "json" || format == "text" else {
            throw ValidationError("--log-format \(format) is not known: use json or text")
        }
        let levelText = setting(logLevel, "LOG_LEVEL", "info")
        guard let level = Logger.Level(rawValue: levelText) else {
            throw ValidationError("--log-level \(levelText) is not known: use trace, debug, info, notice, warning, error or critical")
        }
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = format == "json" ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "elevator.controller")
        var notify: NotifierConfig?
        if let url = notifyURL ?? environment["ELEVATOR_NOTIFY_URL"], !url.isEmpty {
            guard let scheme = URLComponents(string: url)?.scheme?.lowercased(), ["http", "https"].contains(scheme),
                URLComponents(string: url)?.host?.isEmpty == false
            else {
                throw ValidationError("--notify-url is not an http or https URL: give one such as https://hooks.example.com/elevator")
            }
            notify = NotifierConfig(url: url)
        }

        var clientEnvironment = environment
        if let path = kubeconfig ?? environment["ELEVATOR_KUBECONFIG"] { clientEnvironment["KUBECONFIG"] = path }
        let configuration = try ClientConfiguration.load(
            environment: clientEnvironment, context: context ?? environment["ELEVATOR_CONTEXT"])
        let client = KubeClient(configuration: configuration, logger: Logger(label: "elevator.kube"))
        defer { client.shutdown() }

        let identity = ProcessInfo.processInfo.environment["POD_NAME"] ?? ProcessInfo.processInfo.hostName
        let options = ControllerOptions(
            namespace: namespace ?? environment["ELEVATOR_NAMESPACE"],
            mesh: MeshOptions(
                trustDomain: setting(trustDomain, "TRUST_DOMAIN", "cluster.local"),
                meshRootNamespace: setting(meshRootNamespace, "MESH_ROOT_NAMESPACE", "istio-system")),
            allowUnverifiedIdentity: switched(allowUnverifiedIdentity, "ALLOW_UNVERIFIED_IDENTITY"),
            retainFinished: try duration(setting(retainFinished, "RETAIN_FINISHED", "720h"), flag: "--retain-finished"),
            sweepInterval: try duration(setting(sweepInterval, "SWEEP_INTERVAL", "30s"), flag: "--sweep-interval"),
            instance: identity, notify: notify)
        guard options.sweepInterval > .zero else { throw ValidationError("--sweep-interval must be longer than 0s") }
        var elector: LeaderElector?
        if switched(leaderElect, "LEADER_ELECT") {
            elector = try LeaderElector(
                client: client,
                config: LeaderElectionConfig(
                    leaseName: "elevator-controller",
                    namespace: setting(leaderElectionNamespace, "LEADER_ELECTION_NAMESPACE", "elevator-system"),
                    identity: identity))
        }
        let controller = ElevatorController(client: client, options: options, elector: elector, logger: logger)
        var services: [any Service] = [controller]
        let metricsAt = setting(metricsAddress, "METRICS_ADDRESS", ":8080")
        let probesAt = setting(probeAddress, "PROBE_ADDRESS", ":8081")
        if !metricsAt.isEmpty {
            services.append(
                try ProbeServer.service(
                    controller: controller, address: metricsAt, probes: metricsAt == probesAt, metrics: true, logger: logger))
        }
        if !probesAt.isEmpty, probesAt != metricsAt {
            services.append(
                try ProbeServer.service(controller: controller, address: probesAt, probes: true, metrics: false, logger: logger))
        }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    private func duration(_ text: String, flag: String) throws -> Duration {
        do {
            return .nanoseconds(try GoDuration.parse(text).nanoseconds)
        } catch {
            throw ValidationError("\(flag) \(text) is not a duration: write it like 30s, 15m or 720h")
        }
    }
}
