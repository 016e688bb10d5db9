import Foundation
import Hummingbird
import Logging

/// The HTTP endpoints of the controller process: `/healthz` (the process serves), `/readyz`
/// (caches synced: 200, else 503) and `/metrics` (Prometheus text format).
public enum ProbeServer {
    /// Parses `:8080`, `127.0.0.1:8081` or `[::1]:9090` into a host and port (`:port` means all
    /// interfaces, as Go's listeners do).
    public static func address(_ text: String) throws(ControllerError) -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw .invalidOption("\(text) is not an address: give host:port or :port, such as :8080")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    /// An application serving the probes, the metrics, or both, on `address`.
    public static func application(
        controller: ElevatorController, address: String, probes: Bool, metrics: Bool, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws(ControllerError) -> some ApplicationProtocol {
        let (host, port) = try Self.address(address)
        let router = Router()
        if probes {
            router.get("/healthz") { _, _ in "ok\n" }
            router.get("/readyz") { _, _ -> Response in
                let ready = controller.isReady
                return Response(
                    status: ready ? .ok : .serviceUnavailable,
                    body: ResponseBody(byteBuffer: ByteBuffer(string: ready ? "ok\n" : "caches not synced\n")))
            }
        }
        if metrics {
            router.get("/metrics") { _, _ -> Response in
                let text = await controller.renderMetrics()
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
            }
        }
        return Application(
            router: router, configuration: ApplicationConfiguration(address: .hostname(host, port: port)),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) }, logger: logger)
    }
}
