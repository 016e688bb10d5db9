/// Finds an object this process already holds at exactly a version: given the namespace, name
/// and resourceVersion found in a body, that object, or nil. A resourceVersion names one version
/// of one object, so what it returns is what the body would decode to.
///
/// Why: a controller's own write comes back twice, as the write's response and as its watch
/// event (the echo), carrying the same object; whichever arrives second can be taken from what
/// the first was decoded to (`WrittenObjects`, an informer's `Store`) instead of being decoded
/// again (BENCHMARKS.md, "Controller", sixth round).
public typealias KnownObject<Object> = @Sendable (_ namespace: String?, _ name: String, _ resourceVersion: String) -> Object?

extension ObjectVersion {
    /// The object `known` holds at the version this one names, if any.
    func known<Object>(in known: KnownObject<Object>) -> Object? {
        guard let metadata, let name = metadata.name, let resourceVersion = metadata.resourceVersion else { return nil }
        return known(metadata.namespace, name, resourceVersion)
    }
}
