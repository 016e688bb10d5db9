import Foundation

/// The printed tables of one run (the same figures as the JSON).
struct Report {
    let results: Results

    init(_ results: Results) { self.results = results }

    var markdown: String {
        var lines: [String] = []
        let r = results
        lines.append("controller-bench \(r.config.quick ? "--quick " : "")(load average before \(r.loadBefore), after \(r.loadAfter))")
        lines.append("")
        lines.append("| floor before the controller starts: create + finalizer + apply + Event + status (ms) | chains | p50 | p99 |")
        lines.append("| --- | --- | --- | --- |")
        for floor in r.floors {
            let label = floor.rate.map { "\(Int($0))/s" } ?? "one at a time"
            lines.append("| \(label) | \(floor.toActive.count) | \(fmt(floor.toActive.p50, 2)) | \(fmt(floor.toActive.p99, 2)) |")
        }
        lines.append("")
        lines.append("| time to grant (ms) | granted | p50 | p99 | floor between its slices p50 / p99 | p50 / floor | p99 / floor | controller CPU ms/grant | sandbox CPU ms/grant | machine CPU ms per grant / per floor chain | reconciles/grant |")
        lines.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for batch in r.batches {
            // The floor measured between the batch's own slices, in the same seconds.
            let floor = batch.floor
            let number = r.config.batchRepeats > 1 ? ", #\(batch.number)" : ""
            lines.append(
                "| \(batch.background) active, \(Int(batch.rate))/s\(number) | \(batch.granted)/\(batch.requests) | \(fmt(batch.timeToGrant.p50, 2)) | "
                    + "\(fmt(batch.timeToGrant.p99, 2)) | \(fmt(floor.p50, 2)) / \(fmt(floor.p99, 2)) | "
                    + "\(fmt(batch.timeToGrant.p50 / floor.p50))x | "
                    + "\(fmt(batch.timeToGrant.p99 / floor.p99))x | \(fmt(batch.controllerCPUPerGrantMs, 2)) | \(fmt(batch.sandboxCPUPerGrantMs, 2)) | "
                    + "\(fmt(batch.machineCPUPerGrantMs, 2)) / \(fmt(batch.floorMachineCPUPerChainMs, 2)) | \(fmt(batch.reconcilesPerGrant, 2)) |")
        }
        lines.append("")
        if r.config.batchRepeats > 1, !r.batches.isEmpty {
            lines.append(contentsOf: ratios(r.batches, repeats: r.config.batchRepeats))
            lines.append("")
        }
        if !r.floorChecks.isEmpty {
            lines.append(contentsOf: floorChecks(r.floorChecks))
            lines.append("")
        }
        if let batch = r.batches.first {
            lines.append("API calls per grant (0 active, \(Int(batch.rate))/s): " + Self.calls(batch.callsPerGrant))
        }
        lines.append("API calls per expiry (burst): " + Self.calls(r.callsPerExpiry))
        lines.append("")
        lines.append("| revoke lag expiresAt -> AuthorizationPolicy deleted (ms) | grants | distinct seconds | p50 | p99 | max | missing | expired before all were granted | controller / sandbox CPU (cores) |")
        lines.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for revoke in r.revokes {
            lines.append("| \(revoke.name) | \(revoke.grants) | \(revoke.distinctSeconds) | \(fmt(revoke.lag.p50)) | \(fmt(revoke.lag.p99)) | \(fmt(revoke.lag.max)) | \(revoke.missing) | \(revoke.late) | \(fmt(revoke.controllerCPUShare, 2)) / \(fmt(revoke.sandboxCPUShare, 2)) |")
        }
        lines.append("")
        lines.append("| throughput ramp | granted | p50 ms | p99 ms | grants/s |")
        lines.append("| --- | --- | --- | --- | --- |")
        for step in r.steps {
            lines.append("| \(Int(step.rate))/s | \(step.granted)/\(step.requests) | \(fmt(step.timeToGrant.p50, 2)) | \(fmt(step.timeToGrant.p99, 2)) | \(fmt(step.grantsPerSecond, 0)) |")
        }
        lines.append("sustained (last step with p99 <= 100 ms): \(fmt(r.sustainedGrantsPerSecond, 0)) grants/s")
        lines.append("")
        lines.append("| memory and start | requests | RSS MiB | of which anonymous MiB | spawn -> ready ms | spawn -> first grant ms |")
        lines.append("| --- | --- | --- | --- | --- | --- |")
        lines.append("| idle | 0 | \(fmt(r.rssIdleBytes / 1_048_576)) | \(fmt(r.rssIdleAnonBytes / 1_048_576)) | | |")
        if r.rssActiveGrants > 0 {
            lines.append("| active grants (+ their AuthorizationPolicies) | \(r.rssActiveGrants) | \(fmt(r.rssActiveBytes / 1_048_576)) | | \(Self.starts(r.coldStartActiveReady)) | \(Self.starts(r.coldStartActive)) |")
            lines.append("| the same, after a restart | \(r.rssActiveGrants) | \(fmt(r.rssActiveRestartedBytes / 1_048_576)) | | | |")
        }
        for memory in r.memory {
            lines.append("| finished requests | \(memory.requests) | \(fmt(memory.rssBytes / 1_048_576)) | \(fmt(memory.rssAnonBytes / 1_048_576)) | \(fmt(memory.readyMs)) | \(fmt(memory.coldStartMs)) |")
        }
        lines.append("bytes per cached request: \(fmt(r.bytesPerCachedRequest, 0)) (anonymous: \(fmt(r.anonBytesPerCachedRequest, 0)))")
        return lines.joined(separator: "\n")
    }

    /// Time to grant p99 / floor p99 of each number of active grants and rate: the median
    /// (min-max) of its batches.
    func ratios(_ batches: [Results.Batch], repeats: Int) -> [String] {
        let rates = results.config.rates
        var lines = [
            "| p99 / floor p99, median (min-max) of \(repeats) batches | " + rates.map { "\(Int($0))/s" }.joined(separator: " | ") + " |",
            "| --- |" + String(repeating: " --- |", count: rates.count),
        ]
        for background in results.config.backgrounds where batches.contains(where: { $0.background == background }) {
            let cells = rates.map { rate -> String in
                let ratios = Percentiles(
                    batches.filter { $0.background == background && $0.rate == rate }.map { $0.timeToGrant.p99 / $0.floor.p99 })
                return "\(fmt(ratios.p50))x (\(fmt(ratios.min))-\(fmt(ratios.max))x)"
            }
            lines.append("| \(background) active | " + cells.joined(separator: " | ") + " |")
        }
        return lines
    }

    /// The floor against itself (the ratio's own noise), each batch and the median (min-max).
    func floorChecks(_ checks: [Results.FloorCheck]) -> [String] {
        var lines = [
            "| floor against itself, chains where the grants go (A) and between them (B) | A p50 / p99 | B p50 / p99 | A p99 / B p99 |",
            "| --- | --- | --- | --- |",
        ]
        for check in checks {
            lines.append(
                "| \(Int(check.rate))/s, #\(check.number) | \(fmt(check.a.p50, 2)) / \(fmt(check.a.p99, 2)) | "
                    + "\(fmt(check.b.p50, 2)) / \(fmt(check.b.p99, 2)) | \(fmt(check.a.p99 / check.b.p99))x |")
        }
        let ratios = Percentiles(checks.map { $0.a.p99 / $0.b.p99 })
        lines.append("| median (min-max) | | | \(fmt(ratios.p50))x (\(fmt(ratios.min))-\(fmt(ratios.max))x) |")
        return lines
    }

    /// Restarts as "median (min-max, n starts)".
    static func starts(_ starts: Percentiles?) -> String {
        guard let starts else { return "" }
        return "\(fmt(starts.p50)) (\(fmt(starts.min))-\(fmt(starts.max)), \(starts.count) starts)"
    }

    static func calls(_ calls: [String: Double]) -> String {
        let total = calls.values.reduce(0, +)
        let parts = calls.sorted { $0.key < $1.key }.filter { $0.value >= 0.005 }.map { "\($0.key) \(fmt($0.value, 2))" }
        return "\(fmt(total, 2)) (\(parts.joined(separator: ", ")))"
    }
}
