import Foundation
import Kube

// controller-bench: `elevator controller` (release build) end to end against `elevator sandbox`,
// each in its own process, driven by our Kube client; see BENCHMARKS.md "Controller".
//     bash Benchmarks/controller/run.sh [--quick]
// Environment: ELEVATOR_BIN (default <root>/.build/release/elevator; run.sh sets it to the shipped build), ELEVATOR_SANDBOX_BIN
// (the `elevator` that serves the sandbox; default ELEVATOR_BIN, so two controllers can be compared against one sandbox),
// CONTROLLER_BENCH_JSON (where the figures are written as JSON; default in the run's temp folder).

@main
struct ControllerBench {
    static func main() async throws {
        let quick = CommandLine.arguments.contains("--quick")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
        let environment = ProcessInfo.processInfo.environment
        let elevator = environment["ELEVATOR_BIN"] ?? root + "/.build/release/elevator"
        guard FileManager.default.isExecutableFile(atPath: elevator) else {
            fail("\(elevator) is missing: run `swift build -c release --product elevator` in the package root")
        }
        let sandboxElevator = environment["ELEVATOR_SANDBOX_BIN"] ?? elevator
        guard FileManager.default.isExecutableFile(atPath: sandboxElevator) else { fail("\(sandboxElevator) is missing") }
        let directory = NSTemporaryDirectory() + "controller-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let bench = try Bench(
            config: .make(quick: quick), elevator: elevator, sandboxElevator: sandboxElevator, root: root, directory: directory)
        let results = try await bench.run()
        let path = environment["CONTROLLER_BENCH_JSON"] ?? directory + "/results.json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        try encoder.encode(results).write(to: URL(fileURLWithPath: path))
        print(Report(results).markdown)
        note("figures written to \(path); process output in \(directory)")
    }
}

final class Bench {
    let config: Config
    let elevator: String
    let directory: String
    let sandbox: SandboxProcess
    let driver: Driver
    var controller: ControllerProcess?
    var runs = 0
    /// Floor namespaces made so far (`floor-live-<n>`, one per batch).
    var floorNamespaces = 0
    /// The current floor namespace.
    var floorNamespace: String { "floor-live-\(floorNamespaces)" }
    var results: Results

    init(config: Config, elevator: String, sandboxElevator: String, root: String, directory: String) throws {
        self.config = config
        self.elevator = elevator
        self.directory = directory
        results = Results(config: config)
        sandbox = try SandboxProcess(elevator: sandboxElevator, root: root, directory: directory)
        driver = try Driver(kubeconfig: sandbox.kubeconfig)
    }

    func run() async throws -> Results {
        results.loadBefore = loadAverage()
        note("sandbox on port \(sandbox.port); load average \(results.loadBefore)")
        // CONTROLLER_BENCH_PHASES (comma-separated: floor, ttg, revoke, ramp, memory; cold restarts among
        // active grants alone, which ttg also does) runs a subset,
        // for profiling one phase; the report then lacks the other figures.
        let phases = Set((ProcessInfo.processInfo.environment["CONTROLLER_BENCH_PHASES"] ?? "floor,ttg,revoke,ramp,memory")
            .split(separator: ",").map(String.init))
        if phases.contains("floor") { try await measureFloor() }
        let controller = startController()
        _ = controller.waitReady()
        try await Task.sleep(for: .seconds(1))
        results.rssIdleBytes = controller.rss
        results.rssIdleAnonBytes = controller.rssAnon
        if phases.contains("ttg") { try await measureTimeToGrant() }
        if phases.contains("cold"), !phases.contains("ttg") { try await measureColdStart() }
        if phases.contains("revoke") { try await measureRevokeLag() }
        if phases.contains("ramp") { try await measureThroughput() }
        if phases.contains("memory") { try await measureMemory() }
        results.loadAfter = loadAverage()
        self.controller?.stop()
        sandbox.stop()
        driver.client.shutdown()
        return results
    }

    @discardableResult
    func startController() -> ControllerProcess {
        runs += 1
        do {
            let process = try ControllerProcess(elevator: elevator, kubeconfig: sandbox.kubeconfig, directory: directory, run: runs)
            controller = process
            return process
        } catch {
            fail("the controller could not be started: \(error)")
        }
    }

    // MARK: - Floor

    func measureFloor() async throws {
        try await driver.prepare(namespace: "floor", waitReady: false)
        let floor = try await FloorChain(driver: driver, namespace: "floor")
        _ = await floor.measure(prefix: "warm", count: 20, rate: nil)
        let sequential = await floor.measure(prefix: "seq", count: config.floorSequential, rate: nil)
        results.floors.append(.init(rate: nil, toActive: Percentiles(sequential)))
        for rate in config.rates {
            let chains = await floor.measure(prefix: "r\(Int(rate))", count: Int(rate * config.batchSeconds), rate: rate)
            results.floors.append(.init(rate: rate, toActive: Percentiles(chains)))
        }
        try await driver.drop(namespace: "floor")
        note("floor: sequential p50 \(fmt(results.floors[0].toActive.p50, 2)) ms")
    }

    // MARK: - Time to grant, API calls and CPU per grant, cold start with active grants

    func measureTimeToGrant() async throws {
        // The floor each batch is compared with, measured in the slices between the batch's own.
        try await driver.installFloorKinds()
        if let rate = config.rates.last {
            for number in 1...config.batchRepeats { await floorAgainstItself(rate: rate, number: number, floor: try await freshFloor()) }
        }
        for background in config.backgrounds {
            guard let controller else { return }
            let namespace = "ttg-\(background)"
            try await activate(background, prefix: "bg\(background)-", namespace: namespace)
            for rate in config.rates {
                // Each batch `config.batchRepeats` times: one slow window of the machine decides a
                // batch's p99, so the report gives the median (min-max) of the batches beside each.
                for number in 1...config.batchRepeats {
                    try await timeToGrant(background: background, rate: rate, number: number, namespace: namespace, floor: try await freshFloor())
                }
            }
            if background == config.backgrounds.last {
                results.rssActiveBytes = controller.rss
                results.rssActiveGrants = background
                try await coldStart(namespace: namespace)
            }
            try await driver.drop(namespace: namespace)
        }
        // The last floor's objects would otherwise stay in the sandbox through the later phases.
        try await dropFloor()
    }

    /// An empty namespace for the next batch's floor chains (the last one's dropped), warmed up.
    /// Each batch's grants are deleted before the next; the floor's chains leave finalized
    /// requests that only a namespace's deletion removes, and until the eleventh round they
    /// piled up (36,000 of each kind by the last batch), which slowed the floor's every write.
    func freshFloor() async throws -> FloorChain {
        try await dropFloor()
        floorNamespaces += 1
        try await driver.prepare(namespace: floorNamespace, waitReady: false)
        let floor = try await FloorChain(
            driver: driver, namespace: floorNamespace, requests: Kinds.floorRequests, authorizationPolicies: Kinds.floorAuthorizationPolicies)
        _ = await floor.measure(prefix: "warm", count: 20, rate: nil)
        return floor
    }

    /// Deletes the current floor namespace, if any (not through `Driver.drop`, which also ends
    /// the driver's watches of the batch's namespace).
    func dropFloor() async throws {
        guard floorNamespaces > 0 else { return }
        _ = try await driver.client.send(Endpoint(Kinds.namespaces).delete(floorNamespace))
    }

    /// A batch of `count` at `rate` cut into slices of `config.sliceSeconds`: the layout that
    /// `timeToGrant` and `floorAgainstItself` share, so the two stay comparable.
    func slices(of count: Int, rate: Double) -> [Range<Int>] {
        let perSlice = max(1, Int(rate * config.sliceSeconds))
        return stride(from: 0, to: count, by: perSlice).map { $0..<min(count, $0 + perSlice) }
    }

    /// CPU seconds so far of the controller, the sandbox and this driver.
    func machineCPU(_ controller: ControllerProcess) -> MachineCPU {
        MachineCPU(controller: controller.cpu, sandbox: cpuSeconds(sandbox.pid), driver: cpuSeconds(getpid()))
    }

    /// One batch at `rate` among `background` active grants, in slices with the floor's chains
    /// between them; appends its figures and writes its trace (`ttg-<active>-<rate>-<number>.tsv`).
    func timeToGrant(background: Int, rate: Double, number: Int, namespace: String, floor liveFloor: FloorChain) async throws {
        guard let controller else { return }
        let prefix = "b\(background)-r\(Int(rate))-n\(number)"
        let names = (0..<Int(rate * config.batchSeconds)).map { "\(prefix)-\($0)" }
        // Slices of the batch, each followed by as many floor chains at the same rate, so
        // that the two sides of the ratio meet the same machine (BENCHMARKS.md, "Controller",
        // eighth round). Counters and CPU are summed over the batch's own slices only.
        var failed = 0
        // The whole machine's CPU (controller, sandbox, this driver) on each side of the ratio:
        // the grants' side also carries the watches, so it runs the two cores closer to full.
        var (grantsCPU, floorCPU) = (MachineCPU(), 0.0)
        // Read once per batch: a scrape of /metrics is work for the controller, and the floor
        // slices in between cause no reconciles (the controller does not watch their kinds).
        let reconciled = controller.reconciles()
        var counts: [String: Int] = [:]
        var floorTimes: [Double] = []
        for (slice, range) in slices(of: names.count, rate: rate).enumerated() {
            let sliceNames = Array(names[range])
            sandbox.resetCounters()
            let started = machineCPU(controller)
            let sliceFailed = await driver.create(sliceNames, namespace: namespace, rate: rate) { _ in "2h" }
            _ = await driver.wait(timeout: 60) { driver.observer.granted(sliceNames) == sliceNames.count - sliceFailed }
            try await Task.sleep(for: .milliseconds(50))  // the watch echoes of the last grants
            failed += sliceFailed
            grantsCPU += machineCPU(controller) - started
            for (key, count) in sandbox.counters() { counts[key, default: 0] += count }
            let floorStarted = machineCPU(controller)
            floorTimes += await liveFloor.measure(prefix: "\(prefix)-s\(slice)", count: sliceNames.count, rate: rate)
            floorCPU += (machineCPU(controller) - floorStarted).total
        }
        let granted = driver.observer.granted(names)
        var calls: [String: Double] = [:]
        for (key, count) in counts where key != "create elevationrequests.elevator.dev" {
            calls[key] = Double(count) / Double(max(1, granted))
        }
        let batch = Results.Batch(
            background: background, rate: rate, number: number, requests: names.count, granted: granted, failedCreates: failed,
            timeToGrant: Percentiles(driver.observer.timesToGrant(names)), floor: Percentiles(floorTimes),
            callsPerGrant: calls, reconcilesPerGrant: (controller.reconciles() - reconciled) / Double(max(1, granted)),
            controllerCPUPerGrantMs: grantsCPU.controller * 1000 / Double(max(1, granted)),
            sandboxCPUPerGrantMs: grantsCPU.sandbox * 1000 / Double(max(1, granted)),
            driverCPUPerGrantMs: grantsCPU.driver * 1000 / Double(max(1, granted)),
            floorMachineCPUPerChainMs: floorCPU * 1000 / Double(max(1, floorTimes.count)))
        results.batches.append(batch)
        try? driver.observer.trace(names).write(
            toFile: "\(directory)/ttg-\(background)-\(Int(rate))-\(number).tsv", atomically: false, encoding: .utf8)
        note("time to grant, \(background) active, \(Int(rate))/s, batch \(number): p50 \(fmt(batch.timeToGrant.p50, 2)) p99 \(fmt(batch.timeToGrant.p99, 2)) ms (\(granted)/\(names.count)); floor between its slices p50 \(fmt(batch.floor.p50, 2)) p99 \(fmt(batch.floor.p99, 2)) ms")
        await driver.delete(names, namespace: namespace)
        _ = await driver.wait(timeout: 120) { driver.observer.entries(names).allSatisfy { $0.requestDeleted } }
        // As after the background grants: the controller is still taking in the deletions'
        // watch events for a few hundred ms after the last request is gone, and the next
        // batch measures grants among `background` active ones, not that backlog.
        try await Task.sleep(for: .seconds(1))
    }

    /// The ratio's own noise: a batch laid out as `timeToGrant` lays out its slices, with floor
    /// chains on both sides (A where the grants go, B between them). Whatever makes A's p99 differ
    /// from B's is the machine and the method, not a controller; the same ratio for time to grant
    /// can be read against it.
    func floorAgainstItself(rate: Double, number: Int, floor: FloorChain) async {
        var (a, b): ([Double], [Double]) = ([], [])
        for (slice, range) in slices(of: Int(rate * config.batchSeconds), rate: rate).enumerated() {
            a += await floor.measure(prefix: "aa-n\(number)-a\(slice)", count: range.count, rate: rate)
            try? await Task.sleep(for: .milliseconds(50))  // as after a slice of grants
            b += await floor.measure(prefix: "aa-n\(number)-b\(slice)", count: range.count, rate: rate)
        }
        let check = Results.FloorCheck(rate: rate, number: number, a: Percentiles(a), b: Percentiles(b))
        results.floorChecks.append(check)
        note("floor against itself, \(Int(rate))/s, batch \(number): p99 \(fmt(check.a.p99, 2)) against \(fmt(check.b.p99, 2)) ms")
        try? await Task.sleep(for: .seconds(1))
    }

    /// Stops the controller, files one more request, starts it again: spawn -> that grant's
    /// AuthorizationPolicy seen by the driver, `config.coldStarts` times (one start is at the mercy
    /// of the machine's moment).
    func coldStart(namespace: String) async throws {
        var added: [Double] = []
        var ready: [Double] = []
        for attempt in 0..<config.coldStarts {
            controller?.stop()
            let (restarted, readyMs, grantMs) = await start(filing: "cold-\(attempt)", namespace: namespace, after: "restart \(attempt + 1)")
            added.append(grantMs)
            ready.append(readyMs)
            note("cold start with \(config.backgrounds.last ?? 0) active grants: \(fmt(added[added.count - 1])) ms")
            // The restarted controller reconciles every cached request once; the next restart
            // should not cut that short or overlap it.
            try await Task.sleep(for: .seconds(2))
            results.rssActiveRestartedBytes = restarted.rss
        }
        results.coldStartActive = Percentiles(added)
        results.coldStartActiveReady = Percentiles(ready)
    }

    /// Prepares and watches `namespace`, then makes `count` grants (`<prefix><n>`, 2 h) Active at
    /// the background rate, and waits a second more for their echoes.
    func activate(_ count: Int, prefix: String, namespace: String) async throws {
        try await driver.prepare(namespace: namespace, waitReady: true)
        try await driver.watch(namespace: namespace)
        let names = (0..<count).map { "\(prefix)\($0)" }
        _ = await driver.create(names, namespace: namespace, rate: config.backgroundRate) { _ in "2h" }
        guard await driver.wait(timeout: Double(count) / 50 + 60, { driver.observer.granted(names) == count }) else {
            fail("only \(driver.observer.granted(names)) of \(count) background grants became Active")
        }
        try await Task.sleep(for: .seconds(1))
    }

    /// Files request `name` (2 h), starts the controller and waits for that grant's
    /// AuthorizationPolicy: the process, and ms from its spawn to `/readyz` and to the grant.
    func start(filing name: String, namespace: String, after what: String) async -> (ControllerProcess, Double, Double) {
        _ = await driver.create([name], namespace: namespace, rate: 1) { _ in "2h" }
        let process = startController()
        let ready = process.waitReady()
        guard await driver.wait(timeout: 120, { driver.observer.entry(name).meshAdded != nil }),
            let added = driver.observer.entry(name).meshAdded
        else { fail("the grant after \(what) was not written") }
        return (process, Double(ready - process.spawnedAt) / 1e6, Double(added - process.spawnedAt) / 1e6)
    }

    /// Only the cold start among active grants (phase `cold` without `ttg`, for profiling it):
    /// `config.backgrounds.last` grants made Active, then the restarts.
    func measureColdStart() async throws {
        let namespace = "cold"
        let count = config.backgrounds.last ?? 0
        try await activate(count, prefix: "bg-", namespace: namespace)
        results.rssActiveBytes = controller?.rss ?? .nan
        results.rssActiveGrants = count
        try await coldStart(namespace: namespace)
        try await driver.drop(namespace: namespace)
    }

    // MARK: - Revoke lag, API calls per expiry

    func measureRevokeLag() async throws {
        try await expire(name: "spread", count: config.spreadCount, over: config.spreadSeconds)
        try await expire(name: "burst", count: config.burstCount, over: 0)
    }

    /// `count` grants whose `expiresAt` lie evenly over `window` seconds (0: all in one second),
    /// starting once the controller could have granted them all at 120/s plus a margin. The lag
    /// is measured only for grants whose `expiresAt` came after the last of them was Active, so
    /// it measures revocation, not a backlog of grants; the others are reported as `late`.
    func expire(name: String, count: Int, over window: Double) async throws {
        let namespace = "revoke-\(name)"
        let rate = 500.0
        try await driver.prepare(namespace: namespace, waitReady: true)
        try await driver.watch(namespace: namespace)
        let names = (0..<count).map { "\(name)-\($0)" }
        let first = (wallSeconds() + Double(count) / 120 + 15).rounded(.up)
        let failed = await driver.create(names, namespace: namespace, rate: rate) { index in
            let target = first + (window * Double(index) / Double(count)).rounded(.down)
            return "\(Int(target - wallSeconds().rounded(.down)))s"
        }
        _ = await driver.wait(timeout: 300) { driver.observer.granted(names) == count - failed }
        let allGranted = wallSeconds()
        try await Task.sleep(for: .milliseconds(500))
        sandbox.resetCounters()
        let cpuBefore = (controller?.cpu ?? .nan, cpuSeconds(sandbox.pid), monoNanos())
        let expiring = driver.observer.entries(names).filter { $0.active != nil }
        let last = expiring.compactMap(\.expiresAt).max() ?? first
        _ = await driver.wait(timeout: last - wallSeconds() + 60) {
            driver.observer.entries(names).allSatisfy { $0.active == nil || $0.meshDeleted != nil }
        }
        let elapsed = Double(monoNanos() - cpuBefore.2) / 1e9
        let cpuUsed = ((controller?.cpu ?? .nan) - cpuBefore.0, cpuSeconds(sandbox.pid) - cpuBefore.1)
        try await Task.sleep(for: .seconds(1))  // the Expired status and Event after the delete
        if window == 0 {
            var calls: [String: Double] = [:]
            for (key, value) in sandbox.counters() { calls[key] = Double(value) / Double(max(1, expiring.count)) }
            results.callsPerExpiry = calls
        }
        let entries = driver.observer.entries(names).filter { $0.active != nil }
        let measured = entries.filter { ($0.expiresAt ?? 0) > allGranted }
        let lags = measured.compactMap { entry -> Double? in
            guard let expiresAt = entry.expiresAt, let deleted = entry.meshDeletedWall else { return nil }
            return (deleted - expiresAt) * 1000
        }
        results.revokes.append(
            .init(
                name: name, grants: measured.count, distinctSeconds: Set(measured.compactMap(\.expiresAt)).count,
                lag: Percentiles(lags), missing: measured.count - lags.count,
                late: entries.filter { ($0.expiresAt ?? 0) <= allGranted }.count,
                controllerCPUShare: cpuUsed.0 / elapsed, sandboxCPUShare: cpuUsed.1 / elapsed))
        note("revoke lag \(name): p50 \(fmt(Percentiles(lags).p50)) p99 \(fmt(Percentiles(lags).p99)) ms")
        try await driver.drop(namespace: namespace)
    }

    // MARK: - Sustained throughput

    func measureThroughput() async throws {
        var sustained = Double.nan
        for rate in config.ramp {
            let namespace = "ramp-\(Int(rate))"
            try await driver.prepare(namespace: namespace, waitReady: true)
            try await driver.watch(namespace: namespace)
            let names = (0..<Int(rate * config.rampSeconds)).map { "t\(Int(rate))-\($0)" }
            let failed = await driver.create(names, namespace: namespace, rate: rate) { _ in "2h" }
            _ = await driver.wait(timeout: 60) { driver.observer.granted(names) == names.count - failed }
            let entries = driver.observer.entries(names)
            let firstCreate = entries.compactMap(\.created).min() ?? 0
            let lastGrant = entries.compactMap { entry in entry.active.flatMap { a in entry.meshAdded.map { max(a, $0) } } }.max() ?? 0
            let granted = driver.observer.granted(names)
            let step = Results.Step(
                rate: rate, requests: names.count, granted: granted, timeToGrant: Percentiles(driver.observer.timesToGrant(names)),
                grantsPerSecond: Double(granted) / (Double(lastGrant &- firstCreate) / 1e9))
            results.steps.append(step)
            note("ramp \(Int(rate))/s: p99 \(fmt(step.timeToGrant.p99)) ms, \(fmt(step.grantsPerSecond, 0)) grants/s")
            try await driver.drop(namespace: namespace)
            try await Task.sleep(for: .seconds(1))
            guard step.timeToGrant.p99 <= 100, granted == names.count else { break }
            sustained = step.grantsPerSecond
        }
        results.sustainedGrantsPerSecond = sustained
    }

    // MARK: - Memory and cold start with finished requests

    /// Fills namespace `mem` with finished (Expired) requests while the controller is down, then
    /// starts it with one new request waiting: spawn -> that grant written, and RSS once idle.
    func measureMemory() async throws {
        controller?.stop()
        controller = nil
        let namespace = "mem"
        try await driver.prepare(namespace: namespace, waitReady: false)
        try await driver.watch(namespace: namespace)
        var seeded = 0
        for size in config.memory {
            try await seed(from: seeded, to: size, namespace: namespace)
            seeded = size
            let (process, readyMs, grantMs) = await start(filing: "cold-\(size)", namespace: namespace, after: "a start with \(size) requests")
            // Idle: every request reconciled once (no more reconciles counted for 2 s).
            try await Task.sleep(for: .seconds(2))
            // Kept beside the run's other output: what the RSS is made of, mapping by mapping.
            try? procFile("/proc/\(process.pid)/smaps").write(toFile: directory + "/controller-\(size).smaps", atomically: false, encoding: .utf8)
            results.memory.append(
                .init(requests: size + 1, rssBytes: process.rss, rssAnonBytes: process.rssAnon,
                      coldStartMs: grantMs, readyMs: readyMs))
            note("\(size) finished requests: RSS \(fmt(process.rss / 1_048_576)) MiB, first grant \(fmt(grantMs)) ms after spawn")
            process.stop()
            controller = nil
        }
        if results.memory.count >= 2 {
            let (small, large) = (results.memory[0], results.memory[results.memory.count - 1])
            results.bytesPerCachedRequest = (large.rssBytes - small.rssBytes) / Double(large.requests - small.requests)
            results.anonBytesPerCachedRequest = (large.rssAnonBytes - small.rssAnonBytes) / Double(large.requests - small.requests)
        }
    }

    /// Creates requests `from..<to` and marks them Expired (status patch), 64 at a time.
    func seed(from: Int, to: Int, namespace: String) async throws {
        let client = driver.client
        let status = Data(#"{"status":{"phase":"Expired"}}"#.utf8)
        let started = Date()
        await withTaskGroup(of: Void.self) { group in
            for index in from..<to {
                if index - from >= 64 { await group.next() }
                group.addTask {
                    let name = "done-\(index)"
                    _ = try? await client.send(Endpoint(Kinds.requests, namespace: namespace).create(Driver.requestBody(name, namespace: namespace, duration: "1h")))
                    _ = try? await client.send(Endpoint(Kinds.requests, namespace: namespace).patchStatus(name, status))
                }
            }
        }
        note("seeded \(to - from) finished requests in \(fmt(Date().timeIntervalSince(started))) s")
    }
}

/// CPU seconds of the three processes of a run, or a difference of two readings.
struct MachineCPU {
    var controller = 0.0
    var sandbox = 0.0
    var driver = 0.0

    /// All three together.
    var total: Double { controller + sandbox + driver }

    static func - (later: MachineCPU, earlier: MachineCPU) -> MachineCPU {
        MachineCPU(controller: later.controller - earlier.controller, sandbox: later.sandbox - earlier.sandbox, driver: later.driver - earlier.driver)
    }

    static func += (sum: inout MachineCPU, more: MachineCPU) {
        sum = MachineCPU(controller: sum.controller + more.controller, sandbox: sum.sandbox + more.sandbox, driver: sum.driver + more.driver)
    }
}
