import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

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

    /// A server for the probes, the metrics, or both, on `address`, to run in a service group.
    ///
    /// HummingbirdCore's HTTP/1 server with the three routes below, not a Hummingbird
    /// `Application`: an application stamps every response with a `Date` header from a cache that
    /// it fills with Foundation's calendar at start, which loads ICU's time-zone data, 2.6 MiB of
    /// the controller's resident memory for a header no probe or scraper reads (see BENCHMARKS.md,
    /// "Controller", fourth round).
    public static func service(
        controller: ElevatorController, address: String, probes: Bool, metrics: Bool, logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) throws(ControllerError) -> any Service {
        let (host, port) = try Self.address(address)
        let routes = Routes(controller: controller, probes: probes, metrics: metrics)
        do {
            return try HTTPServerBuilder.http1().buildServer(
                configuration: ServerConfiguration(address: .hostname(host, port: port)),
                eventLoopGroup: EventLoopGroupProvider.singleton.eventLoopGroup, logger: logger,
                responder: { request, writer, _ in
                    let response = await routes.response(to: request)
                    try await writer.write(response: response.head, body: response.body)
                },
                onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) })
        } catch {
            throw .invalidOption("the server for \(address) could not be set up: \(error)")
        }
    }

    /// `/healthz` and `/readyz` (when serving probes) and `/metrics` (when serving metrics), for
    /// GET and HEAD; 404 for other paths, 405 for other methods.
    struct Routes: Sendable {
        let controller: ElevatorController
        let probes: Bool
        let metrics: Bool

        func response(to request: Request) async -> Response {
            let path = request.uri.path
            guard (probes && (path == "/healthz" || path == "/readyz")) || (metrics && path == "/metrics") else {
                return Self.text(.notFound, "\(path) is not served here: use /healthz, /readyz or /metrics\n")
            }
            guard request.method == .get || request.method == .head else {
                var response = Self.text(.methodNotAllowed, "\(path) answers GET and HEAD only\n")
                response.headers[.allow] = "GET, HEAD"
                return response
            }
            var response: Response
            switch path {
            case "/healthz":
                response = Self.text(.ok, "ok\n")
            case "/readyz":
                response = controller.isReady ? Self.text(.ok, "ok\n") : Self.text(.serviceUnavailable, "caches not synced\n")
            default:
                response = Self.text(.ok, await controller.renderMetrics())
                response.headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            }
            if request.method == .head { response.body = ResponseBody() }
            return response
        }

        private static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
            Response(
                status: status, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
