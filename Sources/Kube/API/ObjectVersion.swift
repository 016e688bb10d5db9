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

        /// Nothing read yet.
        public init() {}
    }

    /// `metadata`.
    public var metadata: Metadata?

    /// No metadata read yet.
    public init() {}

    /// `metadata.resourceVersion`.
    public var resourceVersion: String? { metadata?.resourceVersion }
}
