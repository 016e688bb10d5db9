import Foundation

/// Sizes of one run. `--quick` shrinks every phase (development and smoke runs); the figures keep
/// their names but the report says which sizes were used.
struct Config: Codable {
    var quick: Bool
    /// Requests per second of the time-to-grant batches.
    var rates: [Double] = [50, 500]
    /// Seconds each time-to-grant batch lasts (rate × seconds requests).
    var batchSeconds: Double
    /// Seconds of each slice of a batch; a slice of floor chains at the batch's rate follows each.
    var sliceSeconds: Double = 0.5
    /// Grants already active when a batch starts.
    var backgrounds: [Int]
    /// Rate at which background grants are created (not measured).
    var backgroundRate: Double = 400
    /// Sequential floor chains.
    var floorSequential: Int
    /// Grants expiring spread over `spreadSeconds`, and the window.
    var spreadCount: Int
    var spreadSeconds: Double
    /// Grants expiring in the same second.
    var burstCount: Int
    /// Rates of the throughput ramp, `rampSeconds` each.
    var ramp: [Double]
    var rampSeconds: Double
    /// Requests in the cache for the memory readings.
    var memory: [Int]
    /// Restarts of the controller among the last batch's active grants, each timed to its first grant.
    var coldStarts: Int = 5
    /// Batches at each rate and number of active grants; the report gives each and their median.
    var batchRepeats: Int = 3

    /// The sizes for `quick`; `CONTROLLER_BENCH_MEMORY` (comma-separated request counts) replaces
    /// the memory phase's, for profiling one size, and `CONTROLLER_BENCH_SLICE_SECONDS` the slices'
    /// length, for comparing two.
    static func make(quick: Bool) -> Config {
        var config = sized(quick: quick)
        if let seconds = ProcessInfo.processInfo.environment["CONTROLLER_BENCH_SLICE_SECONDS"].flatMap(Double.init), seconds > 0 {
            config.sliceSeconds = seconds
        }
        if let sizes = ProcessInfo.processInfo.environment["CONTROLLER_BENCH_MEMORY"] {
            config.memory = sizes.split(separator: ",").compactMap { Int($0) }
        }
        return config
    }

    private static func sized(quick: Bool) -> Config {
        quick
            ? Config(
                quick: true, batchSeconds: 1, backgrounds: [0, 200, 1_000], floorSequential: 50, spreadCount: 1_000,
                spreadSeconds: 10, burstCount: 200, ramp: [100, 400, 1_000], rampSeconds: 1, memory: [1_000, 5_000], coldStarts: 2, batchRepeats: 1)
            : Config(
                quick: false, batchSeconds: 4, backgrounds: [0, 1_000, 10_000], floorSequential: 200, spreadCount: 10_000,
                spreadSeconds: 60, burstCount: 1_000, ramp: [100, 200, 400, 600, 800, 1_000, 1_300, 1_600, 2_000], rampSeconds: 3,
                memory: [10_000, 100_000])
    }
}

/// Every figure of one run (written as JSON beside the printed tables).
struct Results: Codable {
    struct Batch: Codable {
        var background: Int
        var rate: Double
        /// Which of the `batchRepeats` batches at this rate and background (from 1).
        var number: Int
        var requests: Int
        var granted: Int
        var failedCreates: Int
        var timeToGrant: Percentiles
        /// The floor (`Kinds.floorRequests`), chains at the batch's rate between its slices.
        var floor: Percentiles
        /// Controller API calls per grant, by "verb resource", from the sandbox's counters.
        var callsPerGrant: [String: Double]
        var reconcilesPerGrant: Double
        var controllerCPUPerGrantMs: Double
        var sandboxCPUPerGrantMs: Double
        /// This driver's CPU (creating the requests, its two watches) per grant in the batch's slices.
        var driverCPUPerGrantMs: Double
        /// Controller + sandbox + driver CPU per floor chain in the slices between the batch's.
        var floorMachineCPUPerChainMs: Double
        /// Controller + sandbox + driver CPU per grant in the batch's own slices.
        var machineCPUPerGrantMs: Double { controllerCPUPerGrantMs + sandboxCPUPerGrantMs + driverCPUPerGrantMs }
    }
    /// A batch of floor chains laid out as a time-to-grant batch, floor chains on both sides.
    struct FloorCheck: Codable {
        var rate: Double
        var number: Int
        /// The chains where a batch's grants go, and those between them.
        var a: Percentiles
        var b: Percentiles
    }
    struct Floor: Codable {
        var rate: Double?
        var toActive: Percentiles
    }
    struct Revoke: Codable {
        var name: String
        var grants: Int
        var distinctSeconds: Int
        var lag: Percentiles
        var missing: Int
        /// Grants whose expiresAt had passed before the last of them was granted.
        var late: Int
        /// CPU seconds per second of the controller and the sandbox from all Active to all deleted.
        var controllerCPUShare: Double
        var sandboxCPUShare: Double
    }
    struct Step: Codable {
        var rate: Double
        var requests: Int
        var granted: Int
        var timeToGrant: Percentiles
        var grantsPerSecond: Double
    }
    struct Memory: Codable {
        var requests: Int
        var rssBytes: Double
        var rssAnonBytes: Double = .nan
        var coldStartMs: Double
        var readyMs: Double
    }

    var config: Config
    var loadBefore = ""
    var loadAfter = ""
    var floors: [Floor] = []
    var batches: [Batch] = []
    var floorChecks: [FloorCheck] = []
    var callsPerExpiry: [String: Double] = [:]
    var revokes: [Revoke] = []
    var steps: [Step] = []
    var sustainedGrantsPerSecond: Double = .nan
    var rssIdleBytes: Double = .nan
    var rssIdleAnonBytes: Double = .nan
    var rssActiveBytes: Double = .nan
    var rssActiveGrants = 0
    /// RSS 2 s after the last restart among those grants (what a start builds, without the heap
    /// the grants' creation left behind).
    var rssActiveRestartedBytes: Double = .nan
    /// Spawn -> first grant and spawn -> ready of each restart among active grants.
    var coldStartActive: Percentiles?
    var coldStartActiveReady: Percentiles?
    var memory: [Memory] = []
    var bytesPerCachedRequest: Double = .nan
    var anonBytesPerCachedRequest: Double = .nan
}
