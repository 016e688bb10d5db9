/// TLS settings of the connection to the API server.
public struct TLSConfiguration: Hashable, Sendable {
    /// PEM material given inline or as a file path.
    public enum Material: Hashable, Sendable {
        case data([UInt8])
        case file(String)
    }

    /// The CA bundle that signs the server's certificate; nil uses the system trust store.
    public var certificateAuthority: Material?
    /// The client certificate for mutual TLS, with its key.
    public var clientCertificate: Material?
    public var clientKey: Material?
    /// Skips server certificate verification. Dangerous; for test clusters only.
    public var insecureSkipVerify: Bool = false
    /// The name to verify the server certificate against (and send as SNI) instead of the URL host.
    public var serverName: String?

    /// Default TLS: system CAs, verification on, no client certificate.
    public init() {}
}

/// How the client proves who it is.
public enum Credentials: Hashable, Sendable {
    /// Nothing beyond a client certificate, if any.
    case none
    /// A fixed bearer token.
    case token(String)
    /// A bearer token read from a file, re-read at least every 60 s and after a 401.
    case tokenFile(String)
    /// The in-cluster service account token file (same rules as `tokenFile`).
    case serviceAccountToken(String)
    /// An exec credential plugin, run again when its credential expires or after a 401.
    case exec(ExecConfig)
}
