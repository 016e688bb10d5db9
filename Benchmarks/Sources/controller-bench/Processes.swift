import Foundation

/// `elevator sandbox` in its own process, serving on a free loopback port with the project's CRDs.
final class SandboxProcess {
    let process = Process()
    let port: Int
    let kubeconfig: String

    init(elevator: String, root: String, directory: String) throws {
        kubeconfig = directory + "/sandbox.kubeconfig"
        let output = directory + "/sandbox.out"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        process.executableURL = URL(fileURLWithPath: elevator)
        process.arguments = [
            "sandbox", "--port", "0", "--kubeconfig", kubeconfig, "--log-level", "error",
            "--crds", root + "/manifests/crds", root + "/manifests/mesh-crds",
        ]
        process.standardOutput = FileHandle(forWritingAtPath: output)
        _ = FileManager.default.createFile(atPath: directory + "/sandbox.err", contents: nil)
        process.standardError = FileHandle(forWritingAtPath: directory + "/sandbox.err")
        failWhenItDies(process, name: "sandbox", output: directory + "/sandbox.err")
        try process.run()
        let pid = process.processIdentifier
        _ = children.withLock { $0.insert(pid) }
        let deadline = Date().addingTimeInterval(60)
        var found: Int?
        while found == nil, Date() < deadline, process.isRunning {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            if let range = text.range(of: "serving http://127.0.0.1:") {
                found = Int(text[range.upperBound...].prefix { $0.isNumber })
            } else {
                usleep(20_000)
            }
        }
        guard let found else { fail("the sandbox did not start (see \(directory)/sandbox.err)") }
        port = found
    }

    var pid: Int32 { process.processIdentifier }

    /// API requests by "verb resource" since the last reset.
    func counters() -> [String: Int] {
        guard let (status, body) = httpCall(port: port, path: "/sandbox/counters"), status == 200,
            let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        else { return [:] }
        var counts: [String: Int] = [:]
        for (key, value) in object { if let number = value as? Int { counts[key] = number } }
        return counts
    }

    func resetCounters() { _ = httpCall(port: port, method: "DELETE", path: "/sandbox/counters") }

    func stop() { stopChild(process, grace: 2) }
}

/// One run of `elevator controller` (release build) against the sandbox.
final class ControllerProcess {
    let process = Process()
    let probePort: Int
    let metricsPort: Int
    /// CLOCK_MONOTONIC just before the process was spawned.
    let spawnedAt: UInt64

    init(elevator: String, kubeconfig: String, directory: String, run: Int) throws {
        var ports: [Int] = []
        while ports.count < 2 {
            guard let port = freeLoopbackPort() else { fail("no free loopback port for the controller's metrics and probes") }
            if !ports.contains(port) { ports.append(port) }
        }
        metricsPort = ports[0]
        probePort = ports[1]
        process.executableURL = URL(fileURLWithPath: elevator)
        process.arguments = [
            "controller", "--kubeconfig", kubeconfig, "--allow-unverified-identity",
            "--metrics-address", "127.0.0.1:\(metricsPort)", "--probe-address", "127.0.0.1:\(probePort)",
            // JSON lines at info, as the chart's defaults run it (values.yaml `logFormat: json`).
            "--log-level", "info", "--log-format", "json",
        ]
        // The audit trail (stdout) and the log (stderr) go to files, as a container runtime would
        // take them: writing them is part of the controller's cost.
        for name in ["controller-\(run).audit", "controller-\(run).log"] {
            _ = FileManager.default.createFile(atPath: directory + "/" + name, contents: nil)
        }
        process.standardOutput = FileHandle(forWritingAtPath: directory + "/controller-\(run).audit")
        process.standardError = FileHandle(forWritingAtPath: directory + "/controller-\(run).log")
        failWhenItDies(process, name: "controller", output: directory + "/controller-\(run).log")
        spawnedAt = monoNanos()
        try process.run()
        let pid = process.processIdentifier
        _ = children.withLock { $0.insert(pid) }
    }

    var pid: Int32 { process.processIdentifier }

    /// Waits until `/readyz` answers 200; returns CLOCK_MONOTONIC then.
    func waitReady(timeout: Double = 120) -> UInt64 {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let (status, _) = httpCall(port: probePort, path: "/readyz"), status == 200 { return monoNanos() }
            guard process.isRunning else { fail("the controller exited with \(process.terminationStatus)") }
            usleep(2_000)
        }
        fail("the controller was not ready within \(Int(timeout)) s")
    }

    /// API requests the controller sent, by verb, from its `/metrics` (`elevator_api_requests_sent`).
    func apiRequestsSent() -> [String: Double] {
        guard let (status, body) = httpCall(port: metricsPort, path: "/metrics"), status == 200 else { return [:] }
        var counts: [String: Double] = [:]
        for line in body.split(separator: "\n") where line.hasPrefix("elevator_api_requests_sent{") {
            guard let verbStart = line.range(of: "verb=\""), let valueStart = line.lastIndex(of: " ") else { continue }
            let verb = line[verbStart.upperBound...].prefix { $0 != "\"" }
            counts[String(verb)] = Double(line[line.index(after: valueStart)...])
        }
        return counts
    }

    /// Reconciles finished so far (`elevator_reconcile_duration_seconds_count`).
    func reconciles() -> Double {
        guard let (status, body) = httpCall(port: metricsPort, path: "/metrics"), status == 200 else { return .nan }
        for line in body.split(separator: "\n") where line.hasPrefix("elevator_reconcile_duration_seconds_count") {
            return line.split(separator: " ").last.flatMap { Double($0) } ?? .nan
        }
        return .nan
    }

    var cpu: Double { cpuSeconds(pid) }
    var rss: Double { rssBytes(pid) }
    /// The anonymous part of `rss` (heap, stacks): what the controller allocates itself.
    var rssAnon: Double { rssBytes(pid, field: "RssAnon:") }

    /// SIGTERM, then waits for the exit (SIGKILL after 10 s).
    func stop() { stopChild(process) }
}
