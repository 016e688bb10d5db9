import Foundation

/// The Python test server in `http_test_server.py`, started on a free loopback port.
final class TestHTTPServer: Sendable {
    let port: Int
    private let process: Process

    /// Starts the server with `arguments` and waits until it listens.
    init(arguments: [String] = []) throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("http_test_server.py")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [Self.python, script.path] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = Pipe()
        try process.run()
        var line = Data()
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self)) else {
            process.terminate()
            throw KubeTestError.serverDidNotStart
        }
        self.process = process
        self.port = port
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    var base: String { "http://127.0.0.1:\(port)" }

    /// The Python interpreter: `ELEVATOR_PYTHON`, else the package's venv, else `python3`.
    static var python: String {
        if let python = ProcessInfo.processInfo.environment["ELEVATOR_PYTHON"], !python.isEmpty { return python }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let venv = root.appendingPathComponent(".build-venv/bin/python").path
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        return "python3"
    }
}

enum KubeTestError: Error {
    case serverDidNotStart
}
