import Foundation
import Synchronization

/// Runs an exec credential plugin: command, arguments and environment in; exit status and
/// output out. Injectable so tests can count runs; `.process` runs a real child process.
public struct ExecRunner: Sendable {
    /// The result of one run.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: [UInt8]
        public var stderr: [UInt8]

        /// A result with the given parts.
        public init(status: Int32, stdout: [UInt8], stderr: [UInt8]) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    /// Runs `command` with `arguments` and the full `environment`.
    public var run: @Sendable (_ command: String, _ arguments: [String], _ environment: [String: String]) async throws -> Result

    /// A runner with the given function.
    public init(run: @escaping @Sendable (String, [String], [String: String]) async throws -> Result) {
        self.run = run
    }

    /// Runs the plugin as a child process on a dedicated thread: waiting for a process blocks, and
    /// nothing blocking may run on Swift's cooperative pool.
    public static let process = ExecRunner { command, arguments, environment in
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Swift.Result { try runBlocking(command, arguments, environment) })
            }
            thread.name = "kube-exec-plugin"
            thread.start()
        }
    }

    static func runBlocking(_ command: String, _ arguments: [String], _ environment: [String: String]) throws -> Result {
        let process = Process()
        if command.contains("/") {
            process.executableURL = URL(fileURLWithPath: command)
            process.arguments = arguments
        } else if let found = lookPath(command, environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin") {
            process.executableURL = URL(fileURLWithPath: found)
            process.arguments = arguments
        } else {
            throw KubeError.configuration("the exec plugin '\(command)' is not on the PATH; install it or give its full path")
        }
        process.environment = environment
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw KubeError.configuration("the exec plugin '\(command)' could not be started: \(error.localizedDescription)")
        }
        // Drain stderr concurrently so a chatty plugin cannot fill the pipe and stall.
        let errors = ErrorCollector()
        let drain = Thread {
            errors.bytes.withLock { $0 = Array(stderr.fileHandleForReading.readDataToEndOfFile()) }
            errors.finished.signal()
        }
        drain.start()
        let output = Array(stdout.fileHandleForReading.readDataToEndOfFile())
        process.waitUntilExit()
        errors.finished.wait()
        return Result(status: process.terminationStatus, stdout: output, stderr: errors.bytes.withLock { $0 })
    }

    static func lookPath(_ command: String, _ path: String) -> String? {
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// stderr bytes handed from the draining thread to the waiting one.
private final class ErrorCollector: Sendable {
    let bytes = Mutex<[UInt8]>([])
    let finished = DispatchSemaphore(value: 0)
}
