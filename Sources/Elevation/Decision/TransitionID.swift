import YAML

extension ElevationRequest {
    /// A stable identity for the transition `reason` (an Event reason such as `Granted`) that
    /// `decide` found from this request as it is stored: 16 hex digits of SHA-256 over the uid,
    /// the reason, `metadata.generation` and the canonical JSON of the current status.
    ///
    /// Guarantees: deciding the same transition again from the same stored request (the status
    /// write failed, or the controller died before it and a restart or the next leader decides
    /// again) gives the same value, in every process and on every platform (`JSONWriter`'s text,
    /// as `specHash` uses). Two transitions of one request with the same reason start from
    /// different statuses, so they differ; so do transitions of two requests (the uid).
    ///
    /// Caveat: it identifies the transition, not its content: a `Granted` decided again a second
    /// later carries the same value and a later `expiresAt`.
    public func transitionDigest(_ reason: String) -> String {
        // Encoding this plain value type cannot fail; an empty text would still be stable.
        let status = (try? JSONValueEncoder().encodeJSON(status ?? ElevationRequestStatus())) ?? []
        let head = "\(metadata.uid ?? "")\n\(reason)\n\(metadata.generation ?? 0)\n"
        return String(SHA256.hex(Array(head.utf8) + status).prefix(16))
    }
}
