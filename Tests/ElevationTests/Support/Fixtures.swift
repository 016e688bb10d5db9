import Elevation
import Foundation

/// Builders for the objects of the tests, close to the API.md examples.
enum Fixture {
    static let t0 = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-19T...Z, whole seconds
    static let namespace = "payments"

    static func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    static func policy(
        name: String = "payments-debug", stages: [ApprovalStage]? = [ApprovalStage(name: "oncall", groups: ["payments-oncall"])],
        configure: (inout ElevationPolicySpec) -> Void = { _ in }
    ) -> ElevationPolicy {
        var spec = ElevationPolicySpec(
            target: PolicyTarget(workloadSelector: LabelSelector(matchLabels: ["app": "payments"])),
            subjects: [.serviceAccount("tools", "debugger"), .serviceAccount("ops", "*")],
            rules: [AccessRule(ports: ["8080"], methods: ["GET", "POST"], paths: ["/admin/*", "/debug/pprof/*"])])
        spec.defaultDuration = "15m"
        spec.maxDuration = "1h"
        spec.requireReason = true
        spec.approval = ApprovalPolicy(stages: stages, timeout: "1h")
        configure(&spec)
        return ElevationPolicy(metadata: ObjectMeta(name: name, namespace: namespace, uid: "policy-uid", generation: 1), spec: spec)
    }

    static func request(
        name: String = "inc-1234-debug", uid: String = "req-uid-1", user: String = "alice@example.com",
        created: Date = t0, configure: (inout ElevationRequestSpec) -> Void = { _ in }
    ) -> ElevationRequest {
        var spec = ElevationRequestSpec(
            policy: "payments-debug", requester: Identity(user: user, groups: ["payments-oncall"]),
            subject: .serviceAccount("tools", "debugger"),
            rules: [AccessRule(ports: ["8080"], methods: ["GET"], paths: ["/admin/queue"])],
            duration: "10m", reason: "INC-1234 stuck payouts")
        configure(&spec)
        return ElevationRequest(
            metadata: ObjectMeta(name: name, namespace: namespace, uid: uid, generation: 1, creationTimestamp: created),
            spec: spec)
    }

    static func approval(
        _ user: String, groups: [String] = ["payments-oncall"], decision: ApprovalDecision = .approve,
        request: String = "inc-1234-debug", uid: String = "req-uid-1", at: Date = at(60), name: String? = nil
    ) -> ElevationApproval {
        ElevationApproval(
            metadata: ObjectMeta(name: name ?? "\(request)-\(user.prefix { $0 != "@" })", namespace: namespace, creationTimestamp: at),
            spec: ElevationApprovalSpec(
                request: request, requestUID: uid, decision: decision, approver: Identity(user: user, groups: groups)))
    }

    /// Applies a decision's status to the request, as the controller would after writing it.
    static func applying(_ decision: Decision, to request: ElevationRequest) -> ElevationRequest {
        var next = request
        next.status = decision.status
        return next
    }
}


/// The Python interpreter for checks that need the test venv: ELEVATOR_PYTHON, else the package's
/// `.build-venv/bin/python`, else `python3`.
enum TestPython {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    static var interpreter: String {
        if let configured = ProcessInfo.processInfo.environment["ELEVATOR_PYTHON"], !configured.isEmpty { return configured }
        let venv = packageRoot.appendingPathComponent(".build-venv/bin/python").path
        return FileManager.default.isExecutableFile(atPath: venv) ? venv : "python3"
    }

    /// Runs `script` (relative to the package root) with `arguments`; returns exit code and output.
    static func run(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [interpreter, packageRoot.appendingPathComponent(script).path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
