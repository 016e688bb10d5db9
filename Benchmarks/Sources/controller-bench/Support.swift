import Foundation
import Synchronization

// Clocks, percentiles, /proc readings and a tiny HTTP/1.1 GET for the probe, metrics and sandbox
// admin endpoints (plain loopback HTTP, so no client library is needed for them).

/// CLOCK_MONOTONIC in nanoseconds: the driver's clock for intervals.
func monoNanos() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

/// CLOCK_REALTIME in seconds: compared with the `expiresAt` the controller wrote (same machine).
func wallSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// Processes this run started, killed (SIGKILL) when the run fails so none outlives it.
let children = Mutex<Set<Int32>>([])

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("controller-bench: \(message)\n".utf8))
    for pid in children.withLock({ $0 }) { kill(pid, SIGKILL) }
    exit(1)
}

/// Stops a child: SIGTERM, then SIGKILL if it has not exited within `grace` seconds.
func stopChild(_ process: Process, grace: Double = 10) {
    let pid = process.processIdentifier
    // Out of `children` first: its exit is expected now, and `failWhenItDies` stays quiet.
    _ = children.withLock { $0.remove(pid) }
    process.terminate()
    let deadline = Date().addingTimeInterval(grace)
    while process.isRunning, Date() < deadline { usleep(10_000) }
    if process.isRunning { kill(pid, SIGKILL) }
    process.waitUntilExit()
}

/// Ends the run with one line naming `name`, how it ended and where its output is, when
/// `process` exits while it is still one of `children` (no `stopChild` asked it to). Without it
/// a crashed controller left the driver waiting for grants that never came, silently, for good.
/// Set before `run()`.
func failWhenItDies(_ process: Process, name: String, output: String) {
    process.terminationHandler = { process in
        let pid = process.processIdentifier
        guard children.withLock({ $0.contains(pid) }) else { return }
        let how = process.terminationReason == .uncaughtSignal
            ? "was killed by signal \(process.terminationStatus)\(process.terminationStatus == SIGSEGV ? " (SIGSEGV; the kernel log, dmesg, has the address)" : "")"
            : "exited with status \(process.terminationStatus)"
        fail("the \(name) (pid \(pid)) \(how) in the middle of the run; its output is in \(output)")
    }
}

func note(_ message: String) {
    FileHandle.standardError.write(Data("controller-bench: \(message)\n".utf8))
}

/// p-th percentile (nearest rank) of milliseconds; nan for none.
struct Percentiles: Codable {
    var count: Int
    var min: Double
    var p50: Double
    var p99: Double
    var max: Double

    init(_ values: [Double]) {
        let sorted = values.sorted()
        count = sorted.count
        func rank(_ p: Double) -> Double {
            sorted.isEmpty ? .nan : sorted[Swift.min(sorted.count - 1, Swift.max(0, Int((Double(sorted.count) * p).rounded(.up)) - 1))]
        }
        min = sorted.first ?? .nan
        p50 = rank(0.5)
        p99 = rank(0.99)
        max = sorted.last ?? .nan
    }
}

func fmt(_ value: Double, _ digits: Int = 1) -> String { value.isNaN ? "n/a" : String(format: "%.\(digits)f", value) }

/// User+system CPU seconds of a process so far (utime and stime of /proc/<pid>/stat).
func cpuSeconds(_ pid: Int32) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = text.lastIndex(of: ")")
    else { return .nan }
    // Fields after "comm)": state is field 3; utime and stime are fields 14 and 15.
    let fields = text[text.index(after: close)...].split(separator: " ")
    guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return .nan }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// Resident set size of a process in bytes (VmRSS of /proc/<pid>/status).
/// A size field of `/proc/<pid>/status` in bytes: `VmRSS:` (all resident pages), `RssAnon:` (the
/// process's own heap and stacks), `RssFile:` (mapped files: the binary and shared libraries).
func rssBytes(_ pid: Int32, field: String = "VmRSS:") -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return .nan }
    for line in text.split(separator: "\n") where line.hasPrefix(field) {
        let kilobytes = line.split(separator: " ").dropFirst().first.flatMap { Double($0) } ?? .nan
        return kilobytes * 1024
    }
    return .nan
}

/// The whole text of a `/proc` file, read to its end (they report a size of 0, and Foundation's
/// readers stop after the first buffer of a long one such as `smaps`).
func procFile(_ path: String) -> String {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { return "" }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { break }
        bytes += buffer[0..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}

func loadAverage() -> String {
    ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
}

/// A loopback port nothing listens on now: the kernel's pick for a socket bound to port 0, closed
/// again. (A random port in a range collided with a listener once, and the controller exited.)
func freeLoopbackPort() -> Int? {
    let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socketFD >= 0 else { return nil }
    defer { close(socketFD) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
            bind(socketFD, raw, length) == 0 && getsockname(socketFD, raw, &length) == 0
        }
    }
    guard bound else { return nil }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// One HTTP/1.1 request to 127.0.0.1:`port` with `Connection: close`; returns (status, body) or nil
/// when nothing listens. Blocking: call it from a detached task or the main thread only.
func httpCall(port: Int, method: String = "GET", path: String, body: String? = nil) -> (Int, String)? {
    let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard socketFD >= 0 else { return nil }
    defer { close(socketFD) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { return nil }
    let payload = body ?? ""
    let request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n"
        + "Content-Length: \(payload.utf8.count)\r\n\r\n\(payload)"
    _ = request.withCString { send(socketFD, $0, strlen($0), 0) }
    var response = [UInt8]()
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = recv(socketFD, &buffer, buffer.count, 0)
        if count <= 0 { break }
        response.append(contentsOf: buffer[0..<count])
    }
    let text = String(decoding: response, as: UTF8.self)
    guard let statusLine = text.split(separator: "\r\n").first else { return nil }
    let status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
    var bodyText = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
    if text.lowercased().contains("transfer-encoding: chunked") { bodyText = dechunk(bodyText) }
    return (status, bodyText)
}

private func dechunk(_ text: String) -> String {
    var bytes = Substring(text)
    var out = ""
    while let lineEnd = bytes.range(of: "\r\n") {
        guard let size = Int(bytes[..<lineEnd.lowerBound].split(separator: ";").first ?? "", radix: 16), size > 0 else { break }
        let start = lineEnd.upperBound
        let utf8 = bytes[start...].utf8
        let end = utf8.index(utf8.startIndex, offsetBy: min(size, utf8.count))
        out += String(bytes[start..<end])
        bytes = bytes[end...].dropFirst(2)
    }
    return out
}
