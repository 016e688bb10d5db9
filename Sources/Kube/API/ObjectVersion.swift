/// Only what names one version of an object (name, namespace, uid, resourceVersion): the
/// response type for a write whose body nothing else is read from, and the first look at a body
/// that may be an object this process already holds (`KnownObject`). Decoding it skips the rest
/// of the object (managed fields included) without making a value of it.
public struct ObjectVersion: Decodable, Sendable, Hashable {
    /// The object's `metadata` as far as it is read here.
    public struct Metadata: Decodable, Sendable, Hashable {
        /// `metadata.name`.
        public var name: String?
        /// `metadata.namespace`.
        public var namespace: String?
        /// `metadata.uid`.
        public var uid: String?
        /// `metadata.resourceVersion`.
        public var resourceVersion: String?
    }

    /// `metadata`.
    public var metadata: Metadata?

    /// `metadata.resourceVersion`.
    public var resourceVersion: String? { metadata?.resourceVersion }
}

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
