import YAML

extension ElevationRequestSpec {
    /// `sha256:<hex>` over the canonical JSON of this spec without `revoked`, with defaults
    /// normalised (`breakGlass: false` and an absent `breakGlass` hash alike).
    ///
    /// Deterministic across processes, platforms and Foundation versions (`JSONWriter`'s text), so
    /// a hash recorded by one controller replica is checked correctly by the next one.
    public var specHash: String {
        var normal = self
        normal.revoked = nil
        if normal.breakGlass == false { normal.breakGlass = nil }
        if normal.requester.groups?.isEmpty == true { normal.requester.groups = nil }
        // Encoding these plain value types cannot fail; fall back to a description just in case.
        let bytes = (try? JSONValueEncoder().encodeJSON(normal)) ?? Array(String(describing: normal).utf8)
        return "sha256:" + SHA256.hex(bytes)
    }
}
