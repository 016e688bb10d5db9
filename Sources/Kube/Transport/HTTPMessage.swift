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

    /// Feeds one raw header line as libcurl hands it over (CRLF included); returns true when it
    /// is the blank line that ends the head.
    ///
    /// Works on libcurl's bytes: every response passes through here once per header line, and
    /// making a `String` of the line first, then slicing, mapping and decoding it, cost about
    /// 3,000 instructions a line. Header names are ASCII (RFC 9110), so lowercasing them
    /// bytewise is exact.
    mutating func consume(_ line: UnsafeRawBufferPointer) -> Bool {
        var start = 0
        var end = line.count
        while start < end, Self.isSpace(line[start]) { start += 1 }
        while end > start, Self.isSpace(line[end - 1]) { end -= 1 }
        guard start < end else { return true }
        if end - start >= 5, line[start] == UInt8(ascii: "H"), line[start + 1] == UInt8(ascii: "T"),
            line[start + 2] == UInt8(ascii: "T"), line[start + 3] == UInt8(ascii: "P"), line[start + 4] == UInt8(ascii: "/") {
            headers = [:]
            warnings = []
            return false
        }
        var colon = start
        while colon < end, line[colon] != UInt8(ascii: ":") { colon += 1 }
        guard colon < end else { return false }
        let name = String(unsafeUninitializedCapacity: colon - start) { buffer in
            for offset in 0..<(colon - start) {
                let byte = line[start + offset]
                buffer[offset] = (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
            }
            return colon - start
        }
        var valueStart = colon + 1
        while valueStart < end, line[valueStart] == 0x20 || line[valueStart] == 0x09 { valueStart += 1 }
        let value = String(decoding: UnsafeRawBufferPointer(rebasing: line[valueStart..<end]), as: UTF8.self)
        if name == "warning" { warnings.append(value) }
        if let index = headers.index(forKey: name) {
            headers.values[index] += ", " + value
        } else {
            headers[name] = value
        }
        return false
    }

    /// `consume(_:)` for a line given as text.
    mutating func consume(_ line: String) -> Bool {
        var line = line
        return line.withUTF8 { consume(UnsafeRawBufferPointer($0)) }
    }

    /// Space, tab, CR and LF: what surrounds a header line and its value.
    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
}
