import ArgumentParser
import Elevation
import ElevatorPlugin
import Foundation

/// `elevator elevate ...`, also the kubectl plugin `kubectl-elevate` (see `Main`): wiring only;
/// the work lives in ElevatorPlugin.
struct Elevate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "elevate",
        abstract: "Ask for, approve, follow and end just-in-time mesh access (the kubectl elevate plugin).",
        subcommands: [ElevateRequest.self, ElevateApprove.self, ElevateDeny.self, ElevateRevoke.self,
                      ElevateExtend.self, ElevateList.self, ElevateStatus.self])
}

/// The options every plugin command takes, as kubectl spells them.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Kubeconfig file (default: $KUBECONFIG, else ~/.kube/config).")
    var kubeconfig: String?
    @Option(help: "Kubeconfig context to use.")
    var context: String?
    @Option(name: [.short, .long], help: "Namespace (default: the context's).")
    var namespace: String?

    /// Opens a session, runs `body` and prints any failure as its one sentence (exit 1).
    func run<T>(_ command: String, _ body: (ElevateSession) async throws(PluginError) -> T) async throws -> T {
        let session: ElevateSession
        do {
            session = try ElevateSession.open(kubeconfig: kubeconfig, context: context, namespace: namespace)
        } catch {
            printError("kubectl elevate \(command): \(error.description)")
            throw ExitCode(1)
        }
        defer { session.client.shutdown() }
        do {
            return try await body(session)
        } catch {
            printError("kubectl elevate \(command): \(error.description)")
            throw ExitCode(1)
        }
    }

    var output: PluginOutput {
        PluginOutput(colour: PluginOutput.shouldColour(isTTY: isatty(STDOUT_FILENO) == 1))
    }
}

/// Parses `-o` or fails with the plugin's sentence.
func outputFormat(_ text: String?, _ command: String) throws -> OutputFormat {
    do {
        return try OutputFormat.parse(text)
    } catch {
        printError("kubectl elevate \(command): \(error.description)")
        throw ExitCode(1)
    }
}

/// Runs a pure parse step, printing its failure as the plugin's sentence.
func parsed<T>(_ command: String, _ body: () throws(PluginError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        printError("kubectl elevate \(command): \(error.description)")
        throw ExitCode(1)
    }
}

struct ElevateRequest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request", abstract: "Ask for access under a policy; prints the request's name.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The ElevationPolicy to ask under.") var policy: String
    @Option(help: "Who gets access: sa:NAMESPACE/NAME or jwt:ISSUER/SUBJECT.") var subject: String
    @Option(name: .customLong("for"), help: "How long, a Go duration such as 10m (default: the policy's).") var duration: String?
    @Option(help: "Why (an incident or ticket).") var reason: String?
    @Option(help: "A narrower rule, port=8080,method=GET,path=/x (repeatable; default: all the policy's).") var rule: [String] = []
    @Flag(help: "Grant at once under the policy's break-glass terms, reviewed afterwards.") var breakGlass = false
    @Option(help: "The request's name (default: generated from the policy).") var name: String?
    @Flag(help: "Follow the request until it is Active (exit 0) or ends (exit 1).") var wait = false
    @Option(name: .short, help: "Output: json or yaml (default: the name).") var output: String?

    func run() async throws {
        let format = try outputFormat(output, "request")
        let ask = try parsed("request") { () throws(PluginError) in
            ElevateSession.Ask(
                policy: policy, subject: try PluginArguments.subject(subject),
                duration: try duration.map { (text) throws(PluginError) in try PluginArguments.duration(text) },
                reason: reason, rules: try rule.map { (text) throws(PluginError) in try PluginArguments.rule(text) },
                breakGlass: breakGlass, name: name)
        }
        let printer = global.output
        // Phase lines go to stderr, so their colour follows stderr's terminal.
        let progress = PluginOutput(colour: PluginOutput.shouldColour(isTTY: isatty(STDERR_FILENO) == 1))
        try await global.run("request") { (session) throws(PluginError) in
            var request = try await session.create(ask)
            if wait {
                printError("\(request.metadata.name) created; waiting until it is Active")
                request = try await session.follow(request.metadata.name) { seen in
                    printError("\(ISO8601DateFormatter().string(from: Date())) \(request.metadata.name) \(progress.paint(seen.phase.rawValue, phase: seen.phase.rawValue))")
                }
            }
            emit(request, format, printer) { $0.metadata.name + "\n" }
        }
    }
}

/// Prints `value` as JSON/YAML, or as `text` renders it.
func emit<T: Encodable>(_ value: T, _ format: OutputFormat, _ printer: PluginOutput, text: (T) -> String) {
    let rendered = format == .text ? text(value) : ((try? printer.structured(value, format)) ?? text(value))
    print(rendered, terminator: "")
}

struct ElevateApprove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "approve", abstract: "Approve a request as yourself.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The request's name.") var name: String
    @Option(help: "A note for the audit trail.") var comment: String?

    func run() async throws {
        try await global.run("approve") { (session) throws(PluginError) in
            let approval = try await session.decide(name, .approve, comment: comment)
            print("\(approval.metadata.name): \(approval.spec.approver.user) approved \(name)")
        }
    }
}

struct ElevateDeny: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "deny", abstract: "Deny a request as yourself.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The request's name.") var name: String
    @Option(help: "Why, for the requester and the audit trail.") var comment: String?

    func run() async throws {
        try await global.run("deny") { (session) throws(PluginError) in
            let approval = try await session.decide(name, .deny, comment: comment)
            print("\(approval.metadata.name): \(approval.spec.approver.user) denied \(name)")
        }
    }
}

struct ElevateRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "End a grant now (spec.revoked: true).")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The request's name.") var name: String

    func run() async throws {
        try await global.run("revoke") { (session) throws(PluginError) in
            _ = try await session.revoke(name)
            print("\(name) revoked")
        }
    }
}

struct ElevateExtend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extend", abstract: "Ask for more time: a new request that continues NAME; prints its name.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The Active request to continue.") var name: String
    @Option(name: .customLong("for"), help: "How much longer, a Go duration such as 30m.") var duration: String
    @Option(help: "Why (default: the original reason).") var reason: String?

    func run() async throws {
        let length = try parsed("extend") { () throws(PluginError) in try PluginArguments.duration(duration) }
        try await global.run("extend") { (session) throws(PluginError) in
            let request = try await session.extend(name, duration: length, reason: reason)
            print(request.metadata.name)
        }
    }
}

struct ElevateList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List requests as a table.")
    @OptionGroup var global: GlobalOptions
    @Flag(help: "Only Pending requests you could approve (and did not ask for).") var pendingForMe = false
    @Flag(name: [.customShort("A"), .customLong("all-namespaces")], help: "Requests of every namespace.") var allNamespaces = false
    @Option(name: .short, help: "Output: json or yaml (default: a table).") var output: String?

    func run() async throws {
        let format = try outputFormat(output, "list")
        let printer = global.output
        try await global.run("list") { (session) throws(PluginError) in
            var requests = try await session.list(allNamespaces: allNamespaces)
            if pendingForMe { requests = try await session.pendingFor(try await session.whoAmI(), in: requests) }
            emit(PluginOutput.List(items: requests), format, printer) { printer.table($0.items, allNamespaces: allNamespaces) }
        }
    }
}

struct ElevateStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show a request's phase, window, approvals, conditions and grant objects.")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "The request's name.") var name: String
    @Option(name: .short, help: "Output: json or yaml (default: text).") var output: String?

    func run() async throws {
        let format = try outputFormat(output, "status")
        let printer = global.output
        try await global.run("status") { (session) throws(PluginError) in
            let request = try await session.request(named: name)
            let approvals = format == .text ? try await session.approvals(for: name) : []
            emit(request, format, printer) { printer.status($0, approvals: approvals) }
        }
    }
}
