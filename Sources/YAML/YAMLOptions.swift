/// Safety bounds for reading YAML that may come from untrusted users.
///
/// The defaults accept every real Kubernetes manifest (objects are capped at about 1.5 MB by etcd)
/// while refusing inputs built to exhaust the stack or memory. See docs/yaml.md for the reasons.
public struct YAMLOptions: Hashable, Sendable {
    /// The deepest nesting of mappings and sequences accepted (default 1,000). Deeper input is
    /// refused with `YAMLError.limitExceeded` instead of exhausting the stack of recursive code.
    public var maxDepth: Int
    /// The longest line accepted, in bytes (default 16 MiB). Checked before libyaml sees the
    /// input, so a 100 MB single line costs a scan, not hundreds of megabytes of buffers.
    public var maxLineBytes: Int
    /// Whether alias expansion is bounded as go-yaml v2 bounds it (default true): once a document
    /// has decoded more than 1,000 nodes and 100 of them through aliases, the share that comes from
    /// aliases may not exceed 99% (small documents) down to 10% (4,000,000 nodes). This refuses
    /// "billion laughs" documents after a few thousand nodes.
    public var limitsAliasExpansion: Bool

    /// Creates options; every parameter defaults to the documented value.
    public init(maxDepth: Int = 1_000, maxLineBytes: Int = 16 << 20, limitsAliasExpansion: Bool = true) {
        self.maxDepth = maxDepth
        self.maxLineBytes = maxLineBytes
        self.limitsAliasExpansion = limitsAliasExpansion
    }
}
