import Foundation

/// One HTTP exchange for the libcurl loop: URL, method, headers, body and connection settings.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The full URL, query included.
    public var url: String
    /// Header names and values; an `Authorization` header is never logged or put in an error.
    public var headers: [String: String]
    public var body: Data?
    public var tls: TLSConfiguration
    /// Total time allowed for the whole exchange; nil for watches, which last as long as the server allows.
    public var timeout: Duration?
    /// Time allowed to connect (TCP and TLS).
    public var connectTimeout: Duration
    /// A stream that delivers no byte for this long is considered dead and ends with a transport error.
    public var idleTimeout: Duration?
    /// libcurl `CONNECT_TO` entry (`host:port:connect-host:connect-port`): connect elsewhere than
    /// the URL's host while verifying TLS against the URL's host (kubeconfig `tls-server-name`).
    public var connectTo: String?
    /// Proxy URL (`http://`, `https://`, `socks5://`) to reach the server through.
    public var proxy: String?

    /// A request with the given parts and default timeouts (10 s connect, 60 s total).
    public init(
        method: String = "GET", url: String, headers: [String: String] = [:], body: Data? = nil,
        tls: TLSConfiguration = TLSConfiguration(), timeout: Duration? = .seconds(60),
        connectTimeout: Duration = .seconds(10), idleTimeout: Duration? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.tls = tls
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
    }
}

/// A complete HTTP response.
public struct HTTPResponse: Sendable {
    public var status: Int
    /// Header names in lower case; repeated headers are joined with `, ` except `warning`, whose
    /// values are kept apart in `warnings`.
    public var headers: [String: String]
    /// The `Warning` header values (deprecations, unknown fields), to be logged.
    public var warnings: [String]
    public var body: Data
    /// The HTTP version spoken: `1.1` or `2`.
    public var httpVersion: String = "1.1"
    /// New connections this exchange had to open (0 when it reused or multiplexed onto one).
    public var newConnections: Int = 0

    /// A response with the given parts.
    public init(status: Int, headers: [String: String] = [:], warnings: [String] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.warnings = warnings
        self.body = body
    }
}

/// A piece of a streamed response: first the head, then body bytes as they arrive.
public enum HTTPStreamPart: Sendable {
    case head(HTTPResponse)
    case data([UInt8])
}

/// Collects response header lines; a new status line (after `100 Continue`) starts over.
struct HeaderCollector {
    var headers: [String: String] = [:]
    var warnings: [String] = []

    /// Feeds one raw header line; returns true when it is the blank line that ends the head.
    ///
    /// Works on the bytes: every response passes through here once per header line, and
    /// Foundation's `trimmingCharacters(in:)` took 5% of the controller's CPU at 500 grants/s.
    /// Header names are ASCII (RFC 9110), so lowercasing them bytewise is exact.
    mutating func consume(_ line: String) -> Bool {
        let utf8 = line.utf8
        guard let first = utf8.firstIndex(where: { !Self.isSpace($0) }), let last = utf8.lastIndex(where: { !Self.isSpace($0) }) else {
            return true
        }
        let trimmed = utf8[first...last]
        if trimmed.starts(with: "HTTP/".utf8) {
            headers = [:]
            warnings = []
            return false
        }
        guard let colon = trimmed.firstIndex(of: UInt8(ascii: ":")) else { return false }
        let name = String(decoding: trimmed[..<colon].map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }, as: UTF8.self)
        let rest = trimmed[trimmed.index(after: colon)...]
        let value = String(decoding: rest.drop { $0 == 0x20 || $0 == 0x09 }, as: UTF8.self)
        if name == "warning" { warnings.append(value) }
        if let existing = headers[name] {
            headers[name] = existing + ", " + value
        } else {
            headers[name] = value
        }
        return false
    }

    /// Space, tab, CR and LF: what surrounds a header line and its value.
    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
}
