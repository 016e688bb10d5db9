import Foundation
import Hummingbird
import Logging
import Synchronization
import YAML

/// An in-process webhook receiver on 127.0.0.1 (a free port): records each JSON body it accepts,
/// in arrival order, and can be told to answer 500 or to hang instead (a request that hung is
/// answered 503 once released, and never recorded).
final class NotificationReceiver: Sendable {
    enum Mode: Sendable { case accept, fail500, hang }

    private let mode: Mutex<Mode>
    private let received = Mutex<[JSONValue]>([])
    private let attemptCount = Mutex(0)
    private final class Port: Sendable { let value = Mutex(0) }
    private let port = Port()
    private let server = Mutex<Task<Void, any Error>?>(nil)

    init(mode: Mode = .accept) async throws {
        self.mode = Mutex(mode)
        let router = Router()
        router.post("/hooks/T000/secret-token") { [self] request, _ -> Response in
            let bytes = try await request.body.collect(upTo: 1 << 20)
            attemptCount.withLock { $0 += 1 }
            if currentMode == .hang {
                while self.currentMode == .hang, !Task.isCancelled {
                    try await Task.sleep(for: .milliseconds(20))
                }
                // The sender gave up on this one long ago: it never counts as delivered.
                return Response(status: .serviceUnavailable)
            }
            guard currentMode == .accept else { return Response(status: .internalServerError) }
            let body = try JSONDecoder().decode(JSONValue.self, from: Data(buffer: bytes))
            received.withLock { $0.append(body) }
            return Response(status: .ok)
        }
        var logger = Logger(label: "notification-receiver")
        logger.logLevel = .error
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { [port] channel in port.value.withLock { $0 = channel.localAddress?.port ?? 0 } }, logger: logger)
        server.withLock { $0 = Task { try await app.runService() } }
        try await waitFor("the receiver to listen") { [port] in port.value.withLock { $0 } != 0 }
    }

    /// The webhook URL; its path plays the secret a Slack URL holds.
    var url: String { "http://127.0.0.1:\(port.value.withLock { $0 })/hooks/T000/secret-token" }
    var currentMode: Mode { mode.withLock { $0 } }
    func set(_ newMode: Mode) { mode.withLock { $0 = newMode } }
    /// The bodies accepted so far, in arrival order.
    var bodies: [JSONValue] { received.withLock { $0 } }
    /// Every POST that arrived, answered or not.
    var attempts: Int { attemptCount.withLock { $0 } }

    func stop() async {
        set(.accept)  // releases hanging handlers
        let task = server.withLock { $0 }
        task?.cancel()
        _ = await task?.result
    }
}

/// Log lines captured in memory, to check what the controller logs (and never logs).
final class CapturedLogs: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    func append(_ line: String) { lines.withLock { $0.append(line) } }

    var logger: Logger {
        Logger(label: "captured") { _ in Handler(sink: self) }
    }

    struct Handler: LogHandler {
        let sink: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            sink.append("\(event.level) \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
        }
    }
}
